"""SQL for tenant row-level security, built from ``policy.TENANT_TABLES``.

Applied by a PostgreSQL-only migration. The statements are idempotent, so a change to
``TENANT_TABLES`` ships as a new migration that runs ``enable_statements()`` again.
Table owners and roles with BYPASSRLS (owner, worker, reporting) are not filtered; the
application role is, once ``fortresa db roles`` runs with ``FORTRESA_DB_TENANT_RLS=on``.
"""

from __future__ import annotations

from fortresa.dbaccess.policy import TENANT_TABLES, TenantTable

POLICY_NAMES = ("fortresa_read", "fortresa_insert", "fortresa_update", "fortresa_delete")

# The setting names are policy.CLUB_SETTING and policy.USER_SETTING.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION fortresa_current_club() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('fortresa.club_id', true), '')::bigint $$;
CREATE OR REPLACE FUNCTION fortresa_current_user() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('fortresa.user_id', true), '')::bigint $$;
-- SECURITY DEFINER breaks the cycle booking -> partners -> booking between the two
-- tables' policies; it answers only for the user of the current context.
CREATE OR REPLACE FUNCTION fortresa_is_booking_partner(bigint, bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT $2 IS NOT NULL AND $2 = fortresa_current_user() AND EXISTS (
        SELECT 1 FROM public.bookings_booking_partners p
        WHERE p.booking_id = $1 AND p.user_id = $2) $$;
-- The club of a booking, for a member of that club only: pages reached by booking id
-- (/bookings/<id>/cancel/) scope themselves to it, then check the member's role there.
CREATE OR REPLACE FUNCTION fortresa_booking_club(bigint) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT b.club_id FROM public.bookings_booking b WHERE b.id = $1 AND EXISTS (
        SELECT 1 FROM public.clubs_membership m
        WHERE m.club_id = b.club_id AND m.user_id = fortresa_current_user()) $$;
-- The club an invitation link's token (its SHA-256) belongs to: the link is the
-- credential, so whoever holds it may learn which club invited them.
CREATE OR REPLACE FUNCTION fortresa_invitation_club(text) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT i.club_id FROM public.clubs_invitation i WHERE i.token_hash = $1 $$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS fortresa_booking_club(bigint);
DROP FUNCTION IF EXISTS fortresa_invitation_club(text);
DROP FUNCTION IF EXISTS fortresa_is_booking_partner(bigint, bigint);
DROP FUNCTION IF EXISTS fortresa_current_user();
DROP FUNCTION IF EXISTS fortresa_current_club();
"""


def _table_statements(tenant: TenantTable) -> list[str]:
    table = tenant.table
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        *(f"DROP POLICY IF EXISTS {name} ON {table}" for name in POLICY_NAMES),
        f"CREATE POLICY fortresa_read ON {table} FOR SELECT USING ({tenant.read})",
        f"CREATE POLICY fortresa_insert ON {table} FOR INSERT WITH CHECK ({tenant.write})",
        f"CREATE POLICY fortresa_update ON {table} FOR UPDATE"
        f" USING ({tenant.write}) WITH CHECK ({tenant.write})",
        f"CREATE POLICY fortresa_delete ON {table} FOR DELETE USING ({tenant.write})",
    ]


def enable_statements(tables: tuple[TenantTable, ...] = TENANT_TABLES) -> list[str]:
    statements = [FUNCTIONS]
    for tenant in tables:
        statements.extend(_table_statements(tenant))
    return statements


def disable_statements(tables: tuple[TenantTable, ...] = TENANT_TABLES) -> list[str]:
    statements = []
    for tenant in tables:
        statements.append(f"ALTER TABLE {tenant.table} DISABLE ROW LEVEL SECURITY")
        statements.extend(f"DROP POLICY IF EXISTS {n} ON {tenant.table}" for n in POLICY_NAMES)
    statements.append(DROP_FUNCTIONS)
    return statements
