"""Create or update the database roles and their rights, idempotently.

Runs over an administrator connection (a superuser, or the cluster's ``postgres``
through the local socket). Running it twice changes nothing the second time; running
it after a migration grants the application its rights on the new tables (new tables
are covered anyway by the owner's default privileges).

Passwords are sent as SCRAM verifiers computed on this side, so a clear password never
reaches the server's statement log or pgaudit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import psycopg
from psycopg import sql

from fortresa.dbaccess.config import DatabaseAccess
from fortresa.dbaccess.policy import ROLE_SPECS, RoleSpec

_RELATION_KINDS = {
    "r": "TABLE",
    "p": "TABLE",
    "S": "SEQUENCE",
    "v": "VIEW",
    "m": "MATERIALIZED VIEW",
}


@dataclass(frozen=True)
class RoleChange:
    key: str
    role: str
    created: bool
    password_set: bool


def _attributes(spec: RoleSpec, access: DatabaseAccess) -> sql.Composable:
    # Until the application sets its tenant context on every request, the app role
    # passes through row-level security (FORTRESA_DB_TENANT_RLS=off, the default).
    bypass = spec.bypass_rls or (spec.key == "app" and not access.tenant_rls)
    words = [
        "LOGIN",
        "NOSUPERUSER",
        "NOCREATEDB",
        "NOCREATEROLE",
        "INHERIT",
        "REPLICATION" if spec.replication else "NOREPLICATION",
        "BYPASSRLS" if bypass else "NOBYPASSRLS",
    ]
    return sql.SQL(" ").join(sql.SQL(word) for word in words)


def _ensure_role(
    conn: psycopg.Connection[tuple[object, ...]],
    spec: RoleSpec,
    access: DatabaseAccess,
    password: str,
) -> RoleChange:
    name = access.role(spec.key)
    ident = sql.Identifier(name)
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone()
    verb = "ALTER" if exists else "CREATE"
    conn.execute(
        sql.SQL("{} ROLE {} WITH {}").format(sql.SQL(verb), ident, _attributes(spec, access))
    )
    if password:
        verifier = conn.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident, sql.Literal(verifier.decode()))
        )
    granted = conn.execute(
        "SELECT g.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid"
        " JOIN pg_roles m ON m.oid = a.member WHERE m.rolname = %s",
        [name],
    ).fetchall()
    for (group,) in granted:
        if group not in spec.predefined_roles:
            conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(str(group)), ident))
    for group in spec.predefined_roles:
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), ident))
    for function in spec.functions:
        conn.execute(
            sql.SQL("GRANT EXECUTE ON FUNCTION pg_catalog.{} TO {}").format(
                sql.SQL(function), ident
            )
        )
    return RoleChange(spec.key, name, created=not exists, password_set=bool(password))


def _transfer_ownership(conn: psycopg.Connection[tuple[object, ...]], owner: str) -> None:
    """Give the owner every relation and function of the public schema it does not own."""
    relations = conn.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')"
        " AND pg_get_userbyid(c.relowner) <> %s AND NOT EXISTS"
        " (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"
        " ORDER BY c.relkind <> 'r', c.relname",
        [owner],
    ).fetchall()
    for relname, relkind in relations:
        still_foreign = conn.execute(
            "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relname = %s AND pg_get_userbyid(c.relowner) <> %s",
            [relname, owner],
        ).fetchone()
        if still_foreign:  # a table's own sequences follow it
            conn.execute(
                sql.SQL("ALTER {} public.{} OWNER TO {}").format(
                    sql.SQL(_RELATION_KINDS[str(relkind)]),
                    sql.Identifier(str(relname)),
                    sql.Identifier(owner),
                )
            )
    functions = conn.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n"
        " ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
        " AND pg_get_userbyid(p.proowner) <> %s AND NOT EXISTS"
        " (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
        [owner],
    ).fetchall()
    for (signature,) in functions:
        conn.execute(
            sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(
                sql.SQL(str(signature)), sql.Identifier(owner)
            )
        )


def _privileges(words: tuple[str, ...]) -> sql.Composable:
    return sql.SQL(", ").join(sql.SQL(word) for word in words)


def _existing_tables(conn: psycopg.Connection[tuple[object, ...]]) -> set[str]:
    rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {str(name) for (name,) in rows}


def _grant_table_rights(
    conn: psycopg.Connection[tuple[object, ...]], spec: RoleSpec, role: str, owner: str
) -> None:
    ident = sql.Identifier(role)
    for kind in ("TABLES", "SEQUENCES"):
        conn.execute(
            sql.SQL("REVOKE ALL ON ALL {} IN SCHEMA public FROM {}").format(sql.SQL(kind), ident)
        )
        conn.execute(
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public REVOKE ALL ON {} FROM {}"
            ).format(sql.Identifier(owner), sql.SQL(kind), ident)
        )
    for kind, words in (("TABLES", spec.table_privileges), ("SEQUENCES", spec.sequence_privileges)):
        if not words:
            continue
        conn.execute(
            sql.SQL("GRANT {} ON ALL {} IN SCHEMA public TO {}").format(
                _privileges(words), sql.SQL(kind), ident
            )
        )
        conn.execute(
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT {} ON {} TO {}"
            ).format(sql.Identifier(owner), _privileges(words), sql.SQL(kind), ident)
        )
    tables = _existing_tables(conn)
    for table, words in spec.table_overrides:
        if table in tables:
            table_ident = sql.Identifier("public", table)
            conn.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(table_ident, ident))
            conn.execute(
                sql.SQL("GRANT {} ON TABLE {} TO {}").format(_privileges(words), table_ident, ident)
            )
    for table in spec.hidden_tables:
        if table in tables:
            conn.execute(
                sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(
                    sql.Identifier("public", table), ident
                )
            )
    for table, hidden in spec.hidden_columns:
        if table not in tables:
            continue
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
            [table],
        ).fetchall()
        visible = [str(c) for (c,) in columns if c not in hidden]
        table_ident = sql.Identifier("public", table)
        conn.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(table_ident, ident))
        conn.execute(
            sql.SQL("GRANT SELECT ({}) ON TABLE {} TO {}").format(
                sql.SQL(", ").join(sql.Identifier(c) for c in visible), table_ident, ident
            )
        )


def apply_roles(
    conn: psycopg.Connection[tuple[object, ...]],
    access: DatabaseAccess,
    *,
    passwords: Mapping[str, str],
) -> list[RoleChange]:
    """Bring roles, ownership and grants of ``access.database`` in line with the policy.

    ``conn`` is an autocommit administrator connection to that database; ``passwords``
    maps role keys to new passwords (a key left out keeps the role's password).
    """
    # One transaction: running processes never see a moment between revoke and grant.
    with conn.transaction():
        return _apply(conn, access, passwords)


def _apply(
    conn: psycopg.Connection[tuple[object, ...]],
    access: DatabaseAccess,
    passwords: Mapping[str, str],
) -> list[RoleChange]:
    changes = [_ensure_role(conn, spec, access, passwords.get(spec.key, "")) for spec in ROLE_SPECS]
    owner = access.role("owner")
    database = sql.Identifier(access.database)
    conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(database, sql.Identifier(owner)))
    conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
    conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)))
    conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    _transfer_ownership(conn, owner)
    for spec in ROLE_SPECS:
        if spec.owns_schema:
            continue
        role = access.role(spec.key)
        conn.execute(
            sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(database, sql.Identifier(role))
        )
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, sql.Identifier(role))
        )
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA public FROM {}").format(sql.Identifier(role)))
        if spec.table_privileges:
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(role)))
        _grant_table_rights(conn, spec, role, owner)
    return changes


def grant_table_rights(
    conn: psycopg.Connection[tuple[object, ...]], access: DatabaseAccess
) -> None:
    """Re-apply the per-table rights after a migration, over the owner's own connection.

    The owner may grant and revoke on the tables it owns, so ``fortresa migrate`` calls
    this right after migrating: a table created by the migration gets the policy's
    per-table rights (the audit log append-only) without waiting for ``db roles``.
    """
    owner = access.role("owner")
    existing = {
        str(name)
        for (name,) in conn.execute(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)",
            [[access.role(spec.key) for spec in ROLE_SPECS]],
        ).fetchall()
    }
    with conn.transaction():
        for spec in ROLE_SPECS:
            role = access.role(spec.key)
            if spec.owns_schema or not spec.table_privileges or role not in existing:
                continue
            _grant_table_rights(conn, spec, role, owner)
