"""Infrastructure probes against real dependencies that are started and stopped for real."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from fortresa.status.components import ComponentStatus
from fortresa.status.conf import StatusSettings
from fortresa.status.probes.infrastructure import (
    CertificateExpiryProbe,
    DatabaseProbe,
    DiskSpaceProbe,
    HttpsFrontProbe,
    RedisProbe,
    SmtpRelayProbe,
    WorkerHeartbeatProbe,
)
from fortresa.status.services.monitoring import record_heartbeat
from tests.dbaccess.cluster import ScratchCluster
from tests.status.servers import (
    HttpsFront,
    RedisServer,
    SmtpRelay,
    free_port,
    make_certificates,
)


def test_redis_probe_is_operational_while_redis_answers(
    redis_server: RedisServer, conf: StatusSettings
) -> None:
    outcome = RedisProbe(url=redis_server.url).run(now=timezone.now(), conf=conf)

    assert outcome.status == ComponentStatus.OPERATIONAL
    assert outcome.response_ms is not None


def test_redis_probe_reports_major_outage_once_redis_is_stopped(
    redis_server: RedisServer, conf: StatusSettings
) -> None:
    redis_server.stop()

    outcome = RedisProbe(url=redis_server.url).run(now=timezone.now(), conf=conf)

    assert outcome.status == ComponentStatus.MAJOR_OUTAGE


def test_redis_probe_is_not_configured_without_redis_url(conf: StatusSettings) -> None:
    outcome = RedisProbe(url="").run(now=timezone.now(), conf=conf)

    assert outcome.status == ComponentStatus.NOT_CONFIGURED


@pytest.fixture(scope="module")
def postgres_cluster() -> Iterator[ScratchCluster]:
    cluster = ScratchCluster()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.remove()


def _database_of(cluster: ScratchCluster) -> dict[str, object]:
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(cluster.sockets),
        "PORT": str(cluster.port),
        "OPTIONS": {},
    }


def test_database_probe_reports_major_outage_while_the_cluster_is_stopped(
    postgres_cluster: ScratchCluster, conf: StatusSettings
) -> None:
    probe = DatabaseProbe(database=_database_of(postgres_cluster))
    assert probe.run(now=timezone.now(), conf=conf).status == ComponentStatus.OPERATIONAL

    postgres_cluster.stop()
    try:
        outcome = probe.run(now=timezone.now(), conf=conf)
    finally:
        postgres_cluster.start()

    assert outcome.status == ComponentStatus.MAJOR_OUTAGE
    assert probe.run(now=timezone.now(), conf=conf).status == ComponentStatus.OPERATIONAL


def test_database_probe_reports_major_outage_for_a_closed_port(conf: StatusSettings) -> None:
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "fortresa",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "OPTIONS": {},
    }

    outcome = DatabaseProbe(database=database).run(now=timezone.now(), conf=conf)

    assert outcome.status == ComponentStatus.MAJOR_OUTAGE


@pytest.mark.django_db
def test_database_probe_answers_for_the_configured_database(conf: StatusSettings) -> None:
    outcome = DatabaseProbe().run(now=timezone.now(), conf=conf)

    assert outcome.status == ComponentStatus.OPERATIONAL


def test_certificate_probe_reports_major_outage_for_an_expired_certificate(
    tmp_path: Path, conf: StatusSettings
) -> None:
    now = dt.datetime.now(dt.UTC)
    files = make_certificates(
        tmp_path, not_before=now - dt.timedelta(days=100), not_after=now - dt.timedelta(days=2)
    )

    outcome = CertificateExpiryProbe(path=str(files.cert_file)).run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.MAJOR_OUTAGE


def test_certificate_probe_warns_21_days_before_expiry(
    tmp_path: Path, conf: StatusSettings
) -> None:
    now = dt.datetime.now(dt.UTC)
    files = make_certificates(tmp_path, not_after=now + dt.timedelta(days=20))

    outcome = CertificateExpiryProbe(path=str(files.cert_file)).run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.DEGRADED


def test_certificate_probe_is_operational_with_more_than_21_days_left(
    tmp_path: Path, conf: StatusSettings
) -> None:
    now = dt.datetime.now(dt.UTC)
    files = make_certificates(tmp_path, not_after=now + dt.timedelta(days=22))

    outcome = CertificateExpiryProbe(path=str(files.cert_file)).run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.OPERATIONAL


def test_certificate_probe_is_not_configured_without_a_certificate_file(
    tmp_path: Path, conf: StatusSettings
) -> None:
    probe = CertificateExpiryProbe(path=str(tmp_path / "missing.pem"))

    assert probe.run(now=timezone.now(), conf=conf).status == ComponentStatus.NOT_CONFIGURED


def test_https_probe_is_operational_when_the_front_answers_healthz(
    tmp_path: Path, conf: StatusSettings
) -> None:
    files = make_certificates(tmp_path)
    front = HttpsFront(files)
    try:
        outcome = HttpsFrontProbe(url=front.url, ca_file=str(files.ca_file)).run(
            now=timezone.now(), conf=conf
        )
    finally:
        front.stop()

    assert outcome.status == ComponentStatus.OPERATIONAL
    assert outcome.response_ms is not None


def test_https_probe_reports_major_outage_once_the_front_is_stopped(
    tmp_path: Path, conf: StatusSettings
) -> None:
    files = make_certificates(tmp_path)
    front = HttpsFront(files)
    front.stop()

    outcome = HttpsFrontProbe(url=front.url, ca_file=str(files.ca_file)).run(
        now=timezone.now(), conf=conf
    )

    assert outcome.status == ComponentStatus.MAJOR_OUTAGE


def test_https_probe_rejects_a_certificate_from_another_ca(
    tmp_path: Path, conf: StatusSettings
) -> None:
    front = HttpsFront(make_certificates(tmp_path / "served"))
    stranger = make_certificates(tmp_path / "stranger")
    try:
        outcome = HttpsFrontProbe(url=front.url, ca_file=str(stranger.ca_file)).run(
            now=timezone.now(), conf=conf
        )
    finally:
        front.stop()

    assert outcome.status == ComponentStatus.MAJOR_OUTAGE
    assert outcome.summary.startswith("TLS failed")


def test_smtp_probe_is_operational_when_the_relay_answers_ehlo(conf: StatusSettings) -> None:
    relay = SmtpRelay()
    try:
        outcome = SmtpRelayProbe(host="127.0.0.1", port=relay.port).run(
            now=timezone.now(), conf=conf
        )
    finally:
        relay.stop()

    assert outcome.status == ComponentStatus.OPERATIONAL


def test_smtp_probe_reports_major_outage_when_the_relay_is_stopped(conf: StatusSettings) -> None:
    relay = SmtpRelay()
    relay.stop()

    outcome = SmtpRelayProbe(host="127.0.0.1", port=relay.port).run(now=timezone.now(), conf=conf)

    assert outcome.status == ComponentStatus.MAJOR_OUTAGE


def test_smtp_probe_is_not_configured_without_a_relay(conf: StatusSettings) -> None:
    outcome = SmtpRelayProbe(host="", port=25).run(now=timezone.now(), conf=conf)

    assert outcome.status == ComponentStatus.NOT_CONFIGURED


@pytest.mark.smoke
@pytest.mark.django_db
def test_heartbeat_probe_degrades_then_fails_as_the_heartbeat_ages(
    conf: StatusSettings, now: dt.datetime
) -> None:
    record_heartbeat(now=now)
    probe = WorkerHeartbeatProbe()

    fresh = probe.run(now=now + dt.timedelta(seconds=30), conf=conf).status
    late = probe.run(now=now + conf.heartbeat_warn + dt.timedelta(seconds=1), conf=conf).status
    gone = probe.run(now=now + conf.heartbeat_fail + dt.timedelta(seconds=1), conf=conf).status

    assert (fresh, late, gone) == (
        ComponentStatus.OPERATIONAL,
        ComponentStatus.DEGRADED,
        ComponentStatus.MAJOR_OUTAGE,
    )


def test_disk_probe_degrades_below_the_free_space_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fortresa.status.conf import status_settings

    monkeypatch.setenv("FORTRESA_STATUS_DISK_WARN_PERCENT", "101")

    outcome = DiskSpaceProbe(path=str(tmp_path)).run(now=timezone.now(), conf=status_settings())

    assert outcome.status == ComponentStatus.DEGRADED
