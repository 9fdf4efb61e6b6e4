"""Row-level security on the club-owned tables 0002 left out: fair openings and draws,
payments, ticket entries, membership fees and club mailings (PostgreSQL only).

``enable_statements()`` is idempotent: it re-creates every listed table's policies.
"""

from django.db import migrations

from fortresa.dbaccess.policy import TENANT_TABLES
from fortresa.dbaccess.rls import disable_statements, enable_statements

ADDED = (
    "bookings_fairopening",
    "bookings_openingdraw",
    "bookings_drawentry",
    "payments_clubgateway",
    "payments_membershipfee",
    "payments_ticketpack",
    "payments_payment",
    "payments_ticketentry",
    "payments_membershipfeepayment",
    "notifications_mailingconsent",
    "notifications_clubmailing",
)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in enable_statements():
            schema_editor.execute(statement)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        added = tuple(t for t in TENANT_TABLES if t.table in ADDED)
        # The shared functions stay: 0002's tables still use them.
        for statement in disable_statements(added)[:-1]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("dbaccess", "0002_tenant_row_security"),
        ("bookings", "0004_fair_opening"),
        ("payments", "0001_initial"),
        ("notifications", "0002_dns_check"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
