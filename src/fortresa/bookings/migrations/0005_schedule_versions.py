"""On PostgreSQL each club's schedule has a version: the count of committed changes to it.

Every statement that changes rows a week table is built from (courts, opening hours,
closures, bookings, booking rules, membership-type rules) appends one row per club it
touched to ``bookings_schedulechange``, from statement-level triggers, whoever runs it
(a service, the admin, a shell). A club's version is its folded count plus its rows
there, so it only grows, and a cached table can be keyed by it instead of by a digest of
the rows read on every request. Appending takes no lock that another writer waits for.

``fortresa_fold_schedule_changes()`` (a periodic task) moves the rows into the per-club
count in one transaction, so the version is unchanged by folding and stays one index
lookup. The tables are the owner's; the functions run as the owner (SECURITY DEFINER),
so no other role needs any right on them. SQLite has no triggers here: no version.
"""

from django.db import migrations

# (table, the trigger function that finds the clubs of its changed rows)
WATCHED = (
    ("bookings_booking", "by_club"),
    ("bookings_bookingrules", "by_club"),
    ("clubs_court", "by_club"),
    ("clubs_closure", "by_club"),
    ("clubs_openinghours", "by_court"),
    ("bookings_membershiptyperules", "by_membership_type"),
)
# FROM clauses over the transition table ``r``, by function.
SOURCES = {
    "by_club": "{rows} r",
    "by_court": "{rows} r JOIN public.clubs_court c ON c.id = r.court_id",
    "by_membership_type": (
        "{rows} r JOIN public.clubs_membershiptype t ON t.id = r.membership_type_id"
    ),
}
CLUB = {"by_club": "r.club_id", "by_court": "c.club_id", "by_membership_type": "t.club_id"}

TABLES = """
CREATE TABLE bookings_schedulechange (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    club_id bigint NOT NULL
);
CREATE INDEX bookings_schedulechange_club ON bookings_schedulechange (club_id);
CREATE TABLE bookings_schedulefolded (
    club_id bigint PRIMARY KEY,
    changes bigint NOT NULL
);
CREATE FUNCTION fortresa_schedule_version(bigint) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT coalesce((SELECT f.changes FROM bookings_schedulefolded f
                            WHERE f.club_id = $1), 0)
               + (SELECT count(*) FROM bookings_schedulechange c WHERE c.club_id = $1) $$;
CREATE FUNCTION fortresa_fold_schedule_changes() RETURNS bigint
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ WITH gone AS (DELETE FROM bookings_schedulechange RETURNING club_id),
               counted AS (SELECT club_id, count(*) AS n FROM gone GROUP BY club_id),
               folded AS (
                   INSERT INTO bookings_schedulefolded AS f (club_id, changes)
                   SELECT club_id, n FROM counted
                   ON CONFLICT (club_id) DO UPDATE SET changes = f.changes + EXCLUDED.changes)
          -- A data-modifying WITH runs to completion whether or not it is read.
          SELECT coalesce(sum(n), 0)::bigint FROM counted $$;
"""


def _function(kind: str) -> str:
    source = SOURCES[kind]
    club = CLUB[kind]
    inserted = source.format(rows="new_rows")
    deleted = source.format(rows="old_rows")
    return f"""
CREATE FUNCTION fortresa_schedule_changed_{kind}() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO bookings_schedulechange (club_id) SELECT DISTINCT {club} FROM {inserted};
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO bookings_schedulechange (club_id) SELECT DISTINCT {club} FROM {deleted};
    ELSE
        INSERT INTO bookings_schedulechange (club_id)
        SELECT {club} FROM {inserted} UNION SELECT {club} FROM {deleted};
    END IF;
    -- Until it ends, the transaction reads versions of its own (fortresa_schedule_version
    -- callers add its id): its changes are counted for it alone, and may be rolled back.
    PERFORM set_config('fortresa.schedule_written', 'on', true);
    RETURN NULL;
END $$;
"""


def _triggers(table: str, kind: str) -> str:
    function = f"fortresa_schedule_changed_{kind}()"
    # One trigger per event: a trigger with transition tables has only one.
    return f"""
CREATE TRIGGER schedule_changed_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function};
CREATE TRIGGER schedule_changed_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {function};
CREATE TRIGGER schedule_changed_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function};
"""


def create_sql() -> str:
    functions = "".join(_function(kind) for kind in SOURCES)
    triggers = "".join(_triggers(table, kind) for table, kind in WATCHED)
    return TABLES + functions + triggers


def drop_sql() -> str:
    triggers = "".join(
        f"DROP TRIGGER IF EXISTS schedule_changed_{event} ON {table};\n"
        for table, _kind in WATCHED
        for event in ("insert", "update", "delete")
    )
    functions = "".join(
        f"DROP FUNCTION IF EXISTS fortresa_schedule_changed_{kind}();\n" for kind in SOURCES
    )
    return (
        triggers
        + functions
        + "DROP FUNCTION IF EXISTS fortresa_fold_schedule_changes();\n"
        + "DROP FUNCTION IF EXISTS fortresa_schedule_version(bigint);\n"
        + "DROP TABLE IF EXISTS bookings_schedulefolded;\n"
        + "DROP TABLE IF EXISTS bookings_schedulechange;\n"
    )


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(create_sql())


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(drop_sql())


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0004_fair_opening"),
        ("clubs", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
