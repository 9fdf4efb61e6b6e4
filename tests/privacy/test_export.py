"""A member downloads everything the platform holds about them."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.test import Client

from fortresa.core.models import AuditEvent
from fortresa.privacy.export import build_export_archive, collect_personal_data
from fortresa.privacy.registry import installed_entries, rows_of
from tests.privacy.conftest import EMAIL, NAME, PHONE, RichMember


def test_export_holds_a_row_for_every_kind_of_data_the_member_has(
    rich_member: RichMember,
) -> None:
    user = rich_member.user
    expected = {e.model for e, m in installed_entries() if rows_of(e, m, user).exists()}
    collected = collect_personal_data(user)
    assert set(collected) == expected
    assert {"accounts.User", "bookings.Booking", "payments.Payment", "core.AuditEvent"} <= expected


def test_export_contains_identity_contact_and_booking_details(rich_member: RichMember) -> None:
    collected = collect_personal_data(rich_member.user)
    account = collected["accounts.User"][0]
    assert (account["email"], account["full_name"], account["phone"]) == (EMAIL, NAME, PHONE)
    notes = {row["note"] for row in collected["bookings.Booking"]}
    assert rich_member.booking.note in notes
    assert any(row["ip_address"] == "203.0.113.7" for row in collected["accounts.UserSession"])


def test_export_includes_bookings_where_the_member_is_a_partner(rich_member: RichMember) -> None:
    collected = collect_personal_data(rich_member.user)
    ids = {row["id"] for row in collected["bookings.Booking"]}
    assert rich_member.partner_booking.pk in ids


def test_archive_has_json_and_one_csv_per_kind_of_data(rich_member: RichMember) -> None:
    archive = zipfile.ZipFile(io.BytesIO(build_export_archive(rich_member.user)))
    document = json.loads(archive.read("data.json"))
    csv_names = {n for n in archive.namelist() if n.startswith("csv/")}
    assert csv_names == {f"csv/{label}.csv" for label in document["data"]}
    rows = list(
        csv.DictReader(io.StringIO(archive.read("csv/accounts.User.csv").decode("utf-8-sig")))
    )
    assert rows[0]["email"] == EMAIL


def test_export_never_holds_the_password_hash(rich_member: RichMember) -> None:
    archive = zipfile.ZipFile(io.BytesIO(build_export_archive(rich_member.user)))
    assert rich_member.user.password.encode() not in archive.read("data.json")


def test_member_downloads_the_archive_from_the_privacy_page(rich_member: RichMember) -> None:
    client = Client()
    client.force_login(rich_member.user)
    response = client.post("/privacy/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "data.json" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert AuditEvent.objects.filter(action="privacy.data_exported").exists()


@pytest.mark.django_db
def test_export_by_get_is_refused(member_client: Client) -> None:
    assert member_client.get("/privacy/export/").status_code == 405
