"""Tenant row-level security on club-owned tables (PostgreSQL only; SQLite has no RLS).

Policies filter roles without BYPASSRLS that do not own the tables: the application
role, once ``fortresa db roles`` gives it NOBYPASSRLS (``FORTRESA_DB_TENANT_RLS=on``).
"""

from django.db import migrations

from fortresa.dbaccess.rls import disable_statements, enable_statements


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in enable_statements():
            schema_editor.execute(statement)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in disable_statements():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("dbaccess", "0001_initial"),
        ("clubs", "0001_initial"),
        ("bookings", "0002_no_overlap_postgresql"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
