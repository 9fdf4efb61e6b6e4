"""Check a live PostgreSQL server against the access policy (``fortresa db audit``).

Reads ``pg_hba_file_rules``, server settings, role attributes, memberships, password
verifiers, grants and row-level security over an administrator connection, and returns
one finding per deviation. Findings of severity "error" fail the audit.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg

from fortresa.dbaccess.config import DatabaseAccess
from fortresa.dbaccess.policy import (
    FORBIDDEN_TABLE_PRIVILEGES,
    ROLE_SPEC_BY_KEY,
    TENANT_TABLE_NAMES,
)
from fortresa.dbaccess.rls import POLICY_NAMES

ERROR = "error"
WARNING = "warning"
Connection = psycopg.Connection[tuple[Any, ...]]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    subject: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class AuditReport:
    server: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def passed(self) -> bool:
        return not self.errors

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}


@dataclass(frozen=True)
class HbaRule:
    line: int
    kind: str
    databases: Sequence[str]
    users: Sequence[str]
    address: str | None
    netmask: str | None
    method: str | None
    error: str | None

    @property
    def subject(self) -> str:
        return f"pg_hba.conf line {self.line}"

    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
        if self.address is None or self.netmask is None:
            return None
        try:
            # pg_hba_file_rules gives masks as addresses; ipaddress only parses v4 ones.
            prefix = bin(int(ipaddress.ip_address(self.netmask))).count("1")
            return ipaddress.ip_network(f"{self.address}/{prefix}", strict=False)
        except ValueError:
            return None

    def is_world_open(self) -> bool:
        network = self.network()
        return self.address == "all" or (network is not None and network.prefixlen == 0)


def read_hba_rules(conn: Connection) -> list[HbaRule]:
    rows = conn.execute(
        "SELECT line_number, type, database, user_name, address, netmask, auth_method, error"
        " FROM pg_hba_file_rules ORDER BY line_number"
    ).fetchall()
    return [
        HbaRule(int(r[0] or 0), str(r[1] or ""), r[2] or [], r[3] or [], r[4], r[5], r[6], r[7])
        for r in rows
    ]


def check_hba(rules: Iterable[HbaRule], access: DatabaseAccess) -> list[Finding]:
    keys_by_role = {access.role(key): key for key in ROLE_SPEC_BY_KEY}
    findings: list[Finding] = []
    rejects_v4 = rejects_v6 = False

    def add(code: str, rule: HbaRule, message: str) -> None:
        findings.append(Finding(code, ERROR, rule.subject, message))

    for rule in rules:
        if rule.error:
            add("hba-error", rule, f"unreadable rule: {rule.error}")
            continue
        if rule.method == "reject":
            if rule.kind == "host" and "all" in rule.databases and "all" in rule.users:
                network = rule.network()
                world = {network.version} if network and network.prefixlen == 0 else set()
                if rule.address == "all":
                    world = {4, 6}
                rejects_v4 |= 4 in world
                rejects_v6 |= 6 in world
            continue
        if rule.method == "trust":
            add("hba-trust", rule, "trust lets anyone in without a password")
        if rule.method in ("md5", "password"):
            add("hba-md5", rule, f"{rule.method} authentication; use scram-sha-256")
        if rule.kind == "local":
            continue
        if rule.kind != "hostssl":
            add("hba-non-tls", rule, f"{rule.kind} line accepts connections without TLS")
        if rule.is_world_open():
            add("hba-world-open", rule, "accepts connections from any address")
            continue
        network = rule.network()
        for user in rule.users:
            key = keys_by_role.get(user)
            if key is None:
                add("hba-role-not-in-policy", rule, f"{user} may connect over the network")
            elif network is None or not any(
                network.version == allowed.version and network.subnet_of(allowed)  # type: ignore[arg-type]
                for allowed in access.networks_for(key)
            ):
                add("hba-not-allowlisted", rule, f"{user} from {rule.address} is not allowed")
    if not (rejects_v4 and rejects_v6):
        findings.append(
            Finding("hba-no-final-reject", ERROR, "pg_hba.conf", "no final reject for all hosts")
        )
    return findings


def check_settings(conn: Connection) -> list[Finding]:
    names = [
        "ssl",
        "ssl_min_protocol_version",
        "password_encryption",
        "log_connections",
        "log_disconnections",
        "log_destination",
        "listen_addresses",
    ]
    values: dict[str, str] = dict(
        conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [names]
        ).fetchall()
    )
    findings = []
    if values.get("ssl") != "on":
        findings.append(Finding("ssl-off", ERROR, "ssl", "the server does not offer TLS"))
    if values.get("ssl_min_protocol_version") not in ("TLSv1.2", "TLSv1.3"):
        findings.append(
            Finding(
                "ssl-old-protocols",
                ERROR,
                "ssl_min_protocol_version",
                f"accepts {values.get('ssl_min_protocol_version')}; require TLSv1.2",
            )
        )
    if values.get("password_encryption") != "scram-sha-256":
        findings.append(
            Finding("password-encryption-md5", ERROR, "password_encryption", "new passwords md5")
        )
    for name in ("log_connections", "log_disconnections"):
        if values.get(name) != "on":
            findings.append(Finding("logging-off", WARNING, name, "detection needs it on"))
    if "jsonlog" not in str(values.get("log_destination", "")):
        findings.append(Finding("logging-off", WARNING, "log_destination", "jsonlog is off"))
    # Names the wildcard addresses to flag them, not to bind to them.
    if values.get("listen_addresses") in ("*", "0.0.0.0", "::"):  # noqa: S104
        findings.append(
            Finding("listen-all", WARNING, "listen_addresses", "listens on every interface")
        )
    return findings


def check_passwords(conn: Connection) -> list[Finding]:
    rows = conn.execute(
        "SELECT rolname FROM pg_authid WHERE rolcanlogin AND rolpassword LIKE 'md5%'"
    ).fetchall()
    return [Finding("password-md5", ERROR, str(r[0]), "password stored as MD5") for r in rows]


def check_roles(conn: Connection, access: DatabaseAccess) -> list[Finding]:
    names = {key: access.role(key) for key in ROLE_SPEC_BY_KEY}
    rows = conn.execute(
        "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls"
        " FROM pg_roles WHERE rolname = ANY(%s)",
        [list(names.values())],
    ).fetchall()
    attributes = {str(r[0]): r[1:] for r in rows}
    findings = []
    for key, name in names.items():
        spec = ROLE_SPEC_BY_KEY[key]
        if name not in attributes:
            findings.append(Finding("role-missing", ERROR, name, "run `fortresa db roles`"))
            continue
        superuser, createrole, createdb, replication, bypassrls = attributes[name]
        if superuser:
            findings.append(Finding("role-superuser", ERROR, name, f"{key} role is a superuser"))
        if createrole or createdb:
            findings.append(Finding("role-privileged", ERROR, name, "may create roles or dbs"))
        if replication and not spec.replication:
            findings.append(Finding("role-privileged", ERROR, name, "has REPLICATION"))
        if key == "app" and bypassrls:
            findings.append(
                Finding("rls-bypassed", ERROR, name, "app role bypasses row security")
                if access.tenant_rls
                else Finding("rls-not-enforced", WARNING, name, "FORTRESA_DB_TENANT_RLS is off")
            )
        elif bypassrls and not spec.bypass_rls:
            findings.append(Finding("role-privileged", ERROR, name, "has BYPASSRLS"))
    memberships = conn.execute(
        "SELECT m.rolname, g.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid"
        " JOIN pg_roles m ON m.oid = a.member WHERE m.rolname = ANY(%s)",
        [list(names.values())],
    ).fetchall()
    keys_by_role = {name: key for key, name in names.items()}
    for member, group in memberships:
        if group not in ROLE_SPEC_BY_KEY[keys_by_role[str(member)]].predefined_roles:
            findings.append(Finding("role-membership", ERROR, str(member), f"member of {group}"))
    return findings


def check_grants(conn: Connection, access: DatabaseAccess) -> list[Finding]:
    findings = []
    for key in ("app", "worker", "reporting", "backup"):
        role = access.role(key)
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            continue
        row = conn.execute(
            "SELECT has_database_privilege(%(r)s, current_database(), 'CREATE'),"
            " has_schema_privilege(%(r)s, 'public', 'CREATE'),"
            " (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            "  WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = %(r)s)",
            {"r": role},
        ).fetchone()
        assert row is not None  # noqa: S101 - a SELECT without FROM returns one row
        if row[0] or row[1]:
            findings.append(Finding("grant-ddl", ERROR, role, "may create schemas or tables"))
        if row[2]:
            findings.append(Finding("grant-owns-objects", ERROR, role, f"owns {row[2]} objects"))
        if key == "backup":
            continue
        forbidden = list(FORBIDDEN_TABLE_PRIVILEGES)
        if key == "reporting":
            forbidden += ["INSERT", "UPDATE", "DELETE"]
        rows = conn.execute(
            "SELECT c.relname, p FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,"
            " unnest(%s::text[]) p WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
            " AND has_table_privilege(%s, c.oid, p) ORDER BY 1, 2",
            [forbidden, role],
        ).fetchall()
        for table, privilege in rows:
            findings.append(Finding("grant-forbidden", ERROR, role, f"{privilege} on {table}"))
        mutable = conn.execute(
            "SELECT has_table_privilege(%s, c.oid, 'UPDATE') OR"
            " has_table_privilege(%s, c.oid, 'DELETE') FROM pg_class c"
            " WHERE c.oid = to_regclass('public.core_auditevent')",
            [role, role],
        ).fetchone()
        if mutable and mutable[0]:
            findings.append(
                Finding("grant-audit-mutable", ERROR, role, "may rewrite the audit log")
            )
    return findings


def check_row_security(conn: Connection) -> list[Finding]:
    rows = conn.execute(
        "SELECT c.relname, c.relrowsecurity,"
        " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = ANY(%s))"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relname = ANY(%s)",
        [list(POLICY_NAMES), list(TENANT_TABLE_NAMES)],
    ).fetchall()
    findings = []
    for table, enabled, policies in rows:
        if not enabled or policies < len(POLICY_NAMES):
            findings.append(
                Finding("rls-disabled", ERROR, str(table), "tenant row-level security missing")
            )
    return findings


def audit_server(conn: Connection, access: DatabaseAccess) -> AuditReport:
    info = conn.info
    server = f"{info.host}:{info.port}/{info.dbname}"
    findings = [
        *check_hba(read_hba_rules(conn), access),
        *check_settings(conn),
        *check_passwords(conn),
        *check_roles(conn, access),
        *check_grants(conn, access),
        *check_row_security(conn),
    ]
    return AuditReport(server=server, findings=findings)
