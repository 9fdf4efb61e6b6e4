"""A throw-away PostgreSQL cluster logging in jsonlog, run as the ``postgres`` OS user."""

from __future__ import annotations

import shutil
import socket
import struct
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import psycopg

from tests.ports import free_port as _free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
APP_ROLE = "fortresa"
APP_PASSWORD = "app role password for tests 42"  # pragma: allowlist secret


def _as_postgres(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


class JsonLogCluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fortresa-detect-pg-"))
        shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.logs = self.root / "log"
        for directory in (self.sockets, self.logs):
            directory.mkdir()
            shutil.chown(directory, "postgres", "postgres")
        self.port = _free_port()
        _as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--no-sync",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        )
        settings = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.sockets}'",
            "fsync": "off",
            "log_destination": "'jsonlog'",
            "logging_collector": "on",
            "log_directory": f"'{self.logs}'",
            "log_filename": "'postgresql.log'",
            "log_connections": "on",
            "log_disconnections": "on",
            "log_min_error_statement": "error",
            "session_preload_libraries": "'auto_explain'",
            "auto_explain.log_min_duration": "0",
            "auto_explain.log_analyze": "on",
            "auto_explain.log_timing": "off",
            "auto_explain.log_format": "json",
        }
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        _as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.out"),
            "-w",
            "start",
        )
        with self.admin() as conn:
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_PASSWORD}'")
            conn.execute("CREATE ROLE reporting LOGIN PASSWORD 'reporting password 42'")
            conn.execute(f"CREATE DATABASE fortresa OWNER {APP_ROLE}")

    @property
    def jsonlog(self) -> Path:
        return self.logs / "postgresql.json"

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=str(self.sockets),
            port=self.port,
            user="postgres",
            dbname="postgres",
            autocommit=True,
        )

    def connect(
        self, user: str = APP_ROLE, password: str = APP_PASSWORD, application_name: str = "fortresa"
    ) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=user,
            password=password,
            dbname="fortresa",
            application_name=application_name,
            autocommit=True,
            connect_timeout=5,
        )

    def startup_from(self, source: str, *, user: str, application_name: str) -> None:
        """Open a TCP connection from ``source`` (another loopback address) and send a
        startup packet; libpq cannot choose its source address, a socket can."""
        params = (
            b"".join(
                key.encode() + b"\0" + value.encode() + b"\0"
                for key, value in (
                    ("user", user),
                    ("database", "fortresa"),
                    ("application_name", application_name),
                )
            )
            + b"\0"
        )
        packet = struct.pack("!II", 8 + len(params), 196608) + params
        with socket.socket() as sock:
            sock.settimeout(5)
            sock.bind((source, 0))
            sock.connect(("127.0.0.1", self.port))
            sock.sendall(packet)
            sock.recv(1024)  # the server asks for a password; we hang up

    def remove(self) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)
