"""Renders one email: subject, plain text and HTML in the recipient's language, with the
unsubscribe footer and headers every message carries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation

from fortresa.notifications.addresses import mailbox, one_line
from fortresa.notifications.config import email_config
from fortresa.notifications.kinds import ALL, EmailKind, category_of
from fortresa.notifications.tokens import make_preference_token


@dataclass(frozen=True)
class Rendered:
    message_id: str
    mime: bytes


def absolute(path: str) -> str:
    return str(settings.FORTRESA_SITE_URL).rstrip("/") + path


def new_message_id() -> str:
    return make_msgid(domain=email_config().domain)


def _links(kind: EmailKind, address: str, club_id: int | None) -> dict[str, str]:
    category = category_of(kind)
    one_click = category.identifier if category.refusable else ALL
    club = club_id if kind.category == "club_news" else None
    unsubscribe = make_preference_token(address, one_click, club)
    return {
        "preferences_url": absolute(reverse("notifications:preferences", args=[unsubscribe])),
        "unsubscribe_url": absolute(reverse("notifications:unsubscribe", args=[unsubscribe])),
        "unsubscribe_token": unsubscribe,
    }


def _html_body(kind: EmailKind, context: Mapping[str, Any], text: str) -> str:
    try:
        get_template(f"{kind.template}.html")
    except TemplateDoesNotExist:
        return render_to_string("notifications/email/text_as_html.html", {"text": text})
    return render_to_string(f"{kind.template}.html", context)


def render_message(
    *,
    kind: EmailKind,
    context: Mapping[str, Any],
    language: str,
    address: str,
    to_name: str,
    club_id: int | None,
    message_id: str,
) -> Rendered:
    """The message as MIME bytes with CRLF line ends, ready to be signed and sent."""
    config = email_config()
    links = _links(kind, address, club_id)
    category = category_of(kind)
    with translation.override(language):
        full = {
            **context,
            **links,
            "category": category,
            "kind": kind,
            "site_url": settings.FORTRESA_SITE_URL,
            "language": language,
        }
        subject = one_line(render_to_string(f"{kind.template}_subject.txt", full))
        text = render_to_string(f"{kind.template}.txt", full).strip()
        html = _html_body(kind, full, text)
        layout = {**full, "subject": subject, "text_body": text, "html_body": html}
        text_part = render_to_string("notifications/email/layout.txt", layout)
        html_part = render_to_string("notifications/email/layout.html", layout)
    subject_line = quote("unsubscribe " + links["unsubscribe_token"])
    mailto = f"mailto:{config.unsubscribe_mailto}?subject={subject_line}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text_part,
        from_email=config.from_email,
        to=[mailbox(address, to_name)],
        headers={
            "Message-ID": message_id,
            "Date": formatdate(localtime=False),
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    )
    message.attach_alternative(html_part, "text/html")
    return Rendered(
        message_id=message_id,
        mime=message.message().as_bytes(linesep="\r\n"),  # type: ignore[call-arg]
    )
