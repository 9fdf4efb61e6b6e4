"""Restore drills on the real cluster: restored, checked, measured, torn down."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from fortresa.backups.config import BackupConfig
from fortresa.backups.drills import run_drill
from fortresa.backups.models import BackupAlert, DataFingerprint, Result
from fortresa.backups.services import record_fingerprint
from tests.backups.conftest import Cluster, Scenario, with_values

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_latest_drill_passes_and_records_rpo_within_a_minute(
    scenario: Scenario, pg_config: BackupConfig, pg_cluster: Cluster
) -> None:
    pg_cluster.insert("bookings", "note", "just before the drill")

    drill = run_drill(mode="latest", repository=1, config=pg_config)

    assert drill.result == Result.SUCCEEDED, drill.error
    assert drill.rpo_seconds is not None
    assert drill.rpo_seconds <= 60
    assert drill.rto_seconds is not None
    assert drill.rto_seconds > 0
    assert all(table["ok"] for table in drill.checks["tables"].values())
    assert drill.checks["tables"]["bookings"]["found"]["rows"] >= 2


def test_drill_tears_down_its_scratch_cluster(scenario: Scenario, pg_config: BackupConfig) -> None:
    assert pg_config.pgbackrest is not None

    run_drill(mode="latest", repository=2, config=pg_config)

    assert list(pg_config.pgbackrest.scratch_dir.glob("drill-*")) == []


def test_random_drill_restores_a_recorded_moment_from_repo2(
    scenario: Scenario, pg_config: BackupConfig, pg_cluster: Cluster
) -> None:
    point = record_fingerprint(config=pg_config)
    pg_cluster.insert("members", "name", "after the recorded moment")

    drill = run_drill(mode="random", repository=2, config=pg_config, chooser=random.Random(1))

    assert point is not None
    assert drill.result == Result.SUCCEEDED, drill.error
    assert drill.target_time == point.taken_at
    assert drill.checks["tables"]["members"]["found"] == point.tables["members"]


def test_failed_drill_is_recorded_and_raises_an_alert(
    scenario: Scenario, backup_env: dict[str, str], backup_root: Path
) -> None:
    config = with_values(
        backup_root, backup_env, FORTRESA_BACKUP_REPO1_CIPHER_PASS="not-the-passphrase-at-all"
    )

    drill = run_drill(mode="latest", repository=1, config=config)

    assert drill.result == Result.FAILED
    assert BackupAlert.objects.filter(
        kind="drill_failed", subject="repo1", resolved_at=None
    ).exists()


def test_random_drill_without_recorded_moments_fails_clearly(
    scenario: Scenario, pg_config: BackupConfig
) -> None:
    DataFingerprint.objects.all().delete()

    drill = run_drill(mode="random", repository=1, config=pg_config)

    assert drill.result == Result.FAILED
    assert "no recorded moment" in drill.error
