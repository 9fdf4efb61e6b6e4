"""The notification to the supervisory authority (Art. 33), as HTML and PDF.

Both are built from the same list of sections, in the operator's language.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fortresa.privacy.conf import privacy_settings
from fortresa.privacy.models import Breach

NATURE_LABELS = {
    "confidentiality": gettext_noop(
        "Confidentiality: personal data disclosed or accessed without authorisation"
    ),
    "integrity": gettext_noop("Integrity: personal data altered without authorisation"),
    "availability": gettext_noop("Availability: personal data lost or made inaccessible"),
}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    lines: list[str]


def _when(value: object) -> str:
    if value is None:
        return _("not known")
    return str(formats.date_format(timezone.localtime(value), "DATETIME_FORMAT"))  # type: ignore[arg-type]


def notification_sections(breach: Breach) -> list[Section]:
    """The document's sections, translated into the active language."""
    config = privacy_settings()
    authority = config.authority
    late = (breach.authority_notified_at or timezone.now()) > breach.deadline
    natures = [_(NATURE_LABELS.get(n, n)) for n in breach.nature] or [_("not known")]
    sections = [
        Section(
            "authority",
            _("Supervisory authority"),
            [
                authority.name,
                authority.address,
                _("Web form: %(url)s") % {"url": authority.web_form},
            ],
        ),
        Section(
            "controller",
            _("Controller"),
            [config.controller, config.controller_contact or _("not given")],
        ),
        Section(
            "dpo",
            _("Data protection officer or other contact point"),
            [breach.dpo_contact or config.dpo_contact or _("not given")],
        ),
        Section("nature", _("Nature of the breach"), [*natures, breach.facts]),
        Section(
            "subjects",
            _("Data subjects and records concerned"),
            [
                _("Categories of data subjects: %(value)s")
                % {"value": breach.subject_categories or _("club members")},
                _("Approximate number of data subjects: %(count)s")
                % {"count": breach.approx_subjects},
                _("Categories of personal data: %(value)s")
                % {"value": breach.data_categories or _("not yet determined")},
                _("Approximate number of personal data records: %(count)s")
                % {"count": breach.approx_records},
            ],
        ),
        Section(
            "consequences", _("Likely consequences"), [breach.consequences or _("being assessed")]
        ),
        Section(
            "measures",
            _("Measures taken or proposed"),
            [breach.measures or _("being decided")],
        ),
        Section(
            "timeline",
            _("Timeline"),
            [
                _("Breach started: %(when)s") % {"when": _when(breach.occurred_from)},
                _("Breach ended: %(when)s") % {"when": _when(breach.occurred_until)},
                _("Became aware: %(when)s") % {"when": _when(breach.aware_at)},
                _("72-hour deadline: %(when)s") % {"when": _when(breach.deadline)},
            ],
        ),
        Section(
            "communication",
            _("Communication to data subjects"),
            [
                _("The members concerned are informed by email (Art. 34).")
                if breach.high_risk
                else _(
                    "The risk to members is not considered high; "
                    "they are not informed individually."
                )
            ],
        ),
    ]
    if late:
        sections.append(
            Section(
                "delay",
                _("Reasons for the delay"),
                [breach.delay_reasons or _("to be given before sending")],
            )
        )
    return sections


def render_notification_html(breach: Breach, language: str) -> str:
    with translation.override(language):
        return render_to_string(
            "privacy/breach_notification.html",
            {
                "breach": breach,
                "sections": notification_sections(breach),
                "language": language,
                "generated_at": timezone.now(),
            },
        )


def render_notification_pdf(breach: Breach, language: str) -> bytes:
    """The same document as a PDF; Chinese uses a CID font readers provide."""
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.lib.styles import getSampleStyleSheet  # type: ignore[import-untyped]
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer  # type: ignore[import-untyped]

    styles = getSampleStyleSheet()
    if language.startswith("zh"):
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        for style in styles.byName.values():
            style.fontName = "STSong-Light"
    buffer = io.BytesIO()
    with translation.override(language):
        title = _("Notification of a personal data breach (%(reference)s)") % {
            "reference": breach.reference
        }
        story = [Paragraph(escape(title), styles["Title"])]
        for section in notification_sections(breach):
            story.append(Paragraph(escape(section.title), styles["Heading2"]))
            for line in section.lines:
                for part in str(line).splitlines() or [""]:
                    story.append(Paragraph(escape(part), styles["BodyText"]))
            story.append(Spacer(1, 6))
        document = SimpleDocTemplate(
            buffer, pagesize=A4, title=title, lang=language, invariant=1, pageCompression=0
        )
        document.build(story)
    return buffer.getvalue()
