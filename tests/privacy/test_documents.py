"""The notification to the supervisory authority, in every language, as HTML and PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from fortresa.privacy.breaches import open_breach
from fortresa.privacy.documents import render_notification_html, render_notification_pdf
from fortresa.privacy.models import Breach

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Art. 33(3) (a)-(d), the authority, and the timeline.
REQUIRED = [
    "Supervisory authority",
    "Data protection officer or other contact point",
    "Nature of the breach",
    "Data subjects and records concerned",
    "Likely consequences",
    "Measures taken or proposed",
    "Timeline",
]


def _breach(**fields: Any) -> Breach:
    breach = open_breach(title="Leak", aware_at=timezone.now(), actor=None)
    for name, value in fields.items():
        setattr(breach, name, value)
    breach.save()
    return breach


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_html_document_has_every_required_section_in_the_language(language: str) -> None:
    breach = _breach(consequences="Phishing risk", measures="Passwords reset", approx_subjects=12)
    html = render_notification_html(breach, language)
    assert f'<html lang="{language}">' in html
    with translation.override(language):
        titles = [gettext(title) for title in REQUIRED]
    assert [t for t in titles if t not in html] == []
    assert "Phishing risk" in html
    assert "Passwords reset" in html
    assert "12" in html


@pytest.mark.django_db
def test_document_names_the_cnil_by_default() -> None:
    html = render_notification_html(_breach(), "fr")
    assert "CNIL" in html
    assert "https://notifications.cnil.fr/notifications/index" in html


@pytest.mark.django_db
def test_authority_is_configurable(settings: Any) -> None:
    settings.FORTRESA_AUTHORITY_NAME = "Autoriteit Persoonsgegevens"
    settings.FORTRESA_AUTHORITY_WEB_FORM = "https://datalek.autoriteitpersoonsgegevens.nl/"
    html = render_notification_html(_breach(), "nl")
    assert "Autoriteit Persoonsgegevens" in html
    assert "CNIL" not in html


@pytest.mark.django_db
def test_late_document_has_the_reasons_for_the_delay() -> None:
    breach = _breach(delay_reasons="Forensic analysis")
    breach.aware_at = timezone.now() - dt.timedelta(hours=100)
    breach.save()
    html = render_notification_html(breach, "en")
    assert "Reasons for the delay" in html
    assert "Forensic analysis" in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pdf_document_is_a_pdf_with_its_sections(language: str) -> None:
    pdf = render_notification_pdf(_breach(measures="Passwords reset"), language)
    assert pdf.startswith(b"%PDF-")
    assert b"/Type /Page" in pdf
    if language == "en":
        assert b"Measures taken or proposed" in pdf
        assert b"Passwords reset" in pdf


@pytest.mark.django_db
def test_operator_downloads_html_and_pdf(operator_client: Client) -> None:
    breach = _breach()
    html = operator_client.get(f"/ops/breaches/{breach.pk}/notification/?lang=de")
    pdf = operator_client.get(f"/ops/breaches/{breach.pk}/notification.pdf?lang=sv")
    assert html.status_code == 200
    assert b'lang="de"' in html.content
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_unknown_document_language_is_400(operator_client: Client) -> None:
    breach = _breach()
    assert (
        operator_client.get(f"/ops/breaches/{breach.pk}/notification/?lang=xx").status_code == 400
    )


@pytest.mark.django_db
def test_unknown_breach_is_404(operator_client: Client) -> None:
    assert operator_client.get("/ops/breaches/999999/notification/").status_code == 404
