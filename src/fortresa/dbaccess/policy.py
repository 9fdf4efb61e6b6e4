"""The database access policy as data: roles, their rights, and the tenant tables.

``roles.py`` applies it, ``inspection.py`` checks a live server against it and the
row-level security migration builds its policies from ``TENANT_TABLES``. Changing who
may do what is an edit here, reviewed like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

DML = ("SELECT", "INSERT", "UPDATE", "DELETE")
READ = ("SELECT",)
SEQUENCE_USE = ("USAGE", "SELECT")


@dataclass(frozen=True)
class RoleSpec:
    """One database role. Every role is NOSUPERUSER, NOCREATEDB and NOCREATEROLE."""

    key: str
    purpose: str
    table_privileges: tuple[str, ...] = ()
    sequence_privileges: tuple[str, ...] = ()
    # Per table, replaces ``table_privileges`` (append-only and framework tables).
    table_overrides: tuple[tuple[str, tuple[str, ...]], ...] = ()
    hidden_tables: tuple[str, ...] = ()
    hidden_columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    bypass_rls: bool = False
    replication: bool = False
    predefined_roles: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    replication_connections: bool = False
    owns_schema: bool = False


# The audit log only ever grows (core/migrations/0002 also refuses UPDATE and DELETE with a
# trigger); the migration history belongs to the owner.
_APPLICATION_OVERRIDES = (
    ("core_auditevent", ("SELECT", "INSERT")),
    ("django_migrations", READ),
)
# The schedule change counts (bookings migration 0005) are written by triggers and read
# and folded through functions, all running as the owner: no role needs the tables.
_OWNER_ONLY_TABLES = ("bookings_schedulechange", "bookings_schedulefolded")

ROLE_SPECS: tuple[RoleSpec, ...] = (
    RoleSpec(
        key="owner",
        purpose="owns the schema and runs migrations (DDL); never used by web processes",
        owns_schema=True,
    ),
    RoleSpec(
        key="app",
        purpose="web processes: data rights on the application's tables, no DDL",
        table_privileges=DML,
        sequence_privileges=SEQUENCE_USE,
        table_overrides=_APPLICATION_OVERRIDES,
        hidden_tables=_OWNER_ONLY_TABLES,
    ),
    RoleSpec(
        key="worker",
        purpose="operator console and background jobs: like app, but spans clubs (BYPASSRLS)",
        table_privileges=DML,
        sequence_privileges=SEQUENCE_USE,
        table_overrides=_APPLICATION_OVERRIDES,
        hidden_tables=_OWNER_ONLY_TABLES,
        bypass_rls=True,
    ),
    RoleSpec(
        key="reporting",
        purpose="read-only reports across clubs; no sessions, no password hashes",
        table_privileges=READ,
        hidden_tables=("django_session",),
        hidden_columns=(("accounts_user", ("password",)),),
        bypass_rls=True,
    ),
    RoleSpec(
        key="backup",
        purpose="pgBackRest and pg_dump: replication, backup functions, read-all",
        replication=True,
        predefined_roles=("pg_read_all_data", "pg_read_all_settings", "pg_checkpoint"),
        functions=(
            "pg_backup_start(text, boolean)",
            "pg_backup_stop(boolean)",
            "pg_switch_wal()",
            "pg_create_restore_point(text)",
        ),
        replication_connections=True,
    ),
)

ROLE_SPEC_BY_KEY = {spec.key: spec for spec in ROLE_SPECS}

# Privileges that amount to changing the schema or destroying data wholesale; neither the
# application nor the reporting role may hold them on any table.
FORBIDDEN_TABLE_PRIVILEGES = ("TRUNCATE", "REFERENCES", "TRIGGER")


@dataclass(frozen=True)
class TenantTable:
    """A club-owned table and who may see (``read``) and change (``write``) its rows.

    Predicates are SQL over the row; ``fortresa_current_club()`` and
    ``fortresa_current_user()`` read the transaction's context (``SET LOCAL
    fortresa.club_id`` / ``fortresa.user_id``) and are NULL when it is not set, so a query
    that set no context sees no row.
    """

    table: str
    read: str
    write: str


_CLUB = "club_id = fortresa_current_club()"


def _through_parent(table: str, *, parent: str, alias: str, key: str) -> TenantTable:
    """A row that belongs to a parent row: visible exactly when its parent is (the
    subquery runs under the parent's own policy), written only in the parent's club."""
    # Names from the table list below, never from input.
    parent_row = f"EXISTS (SELECT 1 FROM {parent} {alias} WHERE {alias}.id = {key}"  # noqa: S608
    return TenantTable(
        table,
        read=f"{parent_row})",
        write=f"{parent_row} AND {alias}.club_id = fortresa_current_club())",
    )


# Club-wide facts (courts, hours, closures, types, rules) of the clubs the signed-in user
# belongs to, so "my bookings" across clubs can show the court and its club.
_MY_CLUBS = (
    "club_id IN (SELECT m.club_id FROM clubs_membership m"
    " WHERE m.user_id = fortresa_current_user())"
)
_CLUB_OR_MY_CLUBS = f"{_CLUB} OR {_MY_CLUBS}"
_OWN_BOOKING = (
    "booked_by_id = fortresa_current_user()"
    " OR fortresa_is_booking_partner(id, fortresa_current_user())"
)

TENANT_TABLES: tuple[TenantTable, ...] = (
    TenantTable("clubs_court", read=_CLUB_OR_MY_CLUBS, write=_CLUB),
    _through_parent("clubs_openinghours", parent="clubs_court", alias="c", key="court_id"),
    TenantTable("clubs_closure", read=_CLUB_OR_MY_CLUBS, write=_CLUB),
    TenantTable("clubs_membershiptype", read=_CLUB_OR_MY_CLUBS, write=_CLUB),
    TenantTable(
        "clubs_membership",
        read=f"{_CLUB} OR user_id = fortresa_current_user()",
        write=f"{_CLUB} OR user_id = fortresa_current_user()",
    ),
    TenantTable("clubs_invitation", read=_CLUB, write=_CLUB),
    TenantTable("bookings_bookingrules", read=_CLUB_OR_MY_CLUBS, write=_CLUB),
    _through_parent(
        "bookings_membershiptyperules",
        parent="clubs_membershiptype",
        alias="t",
        key="membership_type_id",
    ),
    TenantTable(
        "bookings_booking",
        read=f"{_CLUB} OR {_OWN_BOOKING}",
        # A member may cancel their own booking from "my bookings", outside the club's pages.
        write=f"{_CLUB} OR booked_by_id = fortresa_current_user()",
    ),
    TenantTable(
        "bookings_booking_partners",
        read="user_id = fortresa_current_user()"
        " OR EXISTS (SELECT 1 FROM bookings_booking b WHERE b.id = booking_id)",
        write="EXISTS (SELECT 1 FROM bookings_booking b WHERE b.id = booking_id"
        " AND (b.club_id = fortresa_current_club()"
        " OR b.booked_by_id = fortresa_current_user()))",
    ),
)

# Added by dbaccess/0003: fair openings and their draws, payments, mailings.
_MINE_OR_CLUB = f"{_CLUB} OR user_id = fortresa_current_user()"
TENANT_TABLES += (
    TenantTable("bookings_fairopening", read=_CLUB_OR_MY_CLUBS, write=_CLUB),
    TenantTable("bookings_openingdraw", read=_CLUB_OR_MY_CLUBS, write=_CLUB),
    TenantTable(
        "bookings_drawentry",
        read="user_id = fortresa_current_user() OR EXISTS (SELECT 1 FROM bookings_openingdraw d"
        " WHERE d.id = draw_id AND d.club_id = fortresa_current_club())",
        write="EXISTS (SELECT 1 FROM bookings_openingdraw d WHERE d.id = draw_id"
        " AND d.club_id = fortresa_current_club())",
    ),
    TenantTable("payments_clubgateway", read=_CLUB, write=_CLUB),
    TenantTable("payments_membershipfee", read=_CLUB_OR_MY_CLUBS, write=_CLUB),
    TenantTable("payments_ticketpack", read=_CLUB_OR_MY_CLUBS, write=_CLUB),
    TenantTable(
        "payments_payment",
        read=f"{_CLUB} OR payer_id = fortresa_current_user()",
        write=f"{_CLUB} OR payer_id = fortresa_current_user()",
    ),
    TenantTable("payments_ticketentry", read=_MINE_OR_CLUB, write=_CLUB),
    _through_parent(
        "payments_membershipfeepayment", parent="payments_payment", alias="p", key="payment_id"
    ),
    TenantTable("notifications_mailingconsent", read=_MINE_OR_CLUB, write=_MINE_OR_CLUB),
    TenantTable("notifications_clubmailing", read=_CLUB, write=_CLUB),
)

TENANT_TABLE_NAMES = tuple(t.table for t in TENANT_TABLES)
CLUB_SETTING = "fortresa.club_id"
USER_SETTING = "fortresa.user_id"
