"""Backups: repositories, encryption, last backups of each kind, WAL lag, restore drills."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.utils.translation import gettext_lazy as _

from fortresa.clubs.models import Club
from fortresa.trust.providers.base import (
    Fact,
    Group,
    Provider,
    Section,
    Status,
    latest,
    register,
)

# A restore drill older than this no longer proves the backups restore today.
DRILL_MAX_AGE = dt.timedelta(days=8)
_COUNTS_FOR = {"full": ("full",), "diff": ("full", "diff"), "incr": ("full", "diff", "incr")}
_STORAGE = {
    "posix": _("disk of the backup server"),
    "azure": _("Azure Blob storage"),
    "s3": _("S3 object storage"),
    "directory": _("separate directory"),
}


def _repositories(config: Any) -> list[tuple[int, str]]:
    if config.pgbackrest is not None:
        return [(repo.number, repo.type) for repo in config.pgbackrest.repositories]
    if config.sqlite is not None:
        return [(number, "directory") for number in range(1, len(config.sqlite.destinations) + 1)]
    return []


@register
class BackupsProvider(Provider):
    slug = "backups"
    title = _("Backups")
    promise = _(
        "The database is backed up automatically to several places, every backup encrypted "
        "with AES-256, kept for a fixed time, and restored regularly to prove it works."
    )
    requires_app = "fortresa.backups"

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        config_module = import_module("fortresa.backups.config")
        monitoring = import_module("fortresa.backups.monitoring")
        models = import_module("fortresa.backups.models")
        selectors = import_module("fortresa.backups.selectors")
        try:
            config = config_module.load_config()
        except config_module.ConfigError:
            return self.not_configured(_("Backups are not configured on this server."))
        repositories = _repositories(config)
        intervals: dict[str, dt.timedelta] = monitoring.expected_intervals(config)
        problems: list[Any] = []
        groups = []
        moments: list[dt.datetime | None] = []
        succeeded = models.BackupRun.objects.filter(
            engine=config.engine, result=models.Result.SUCCEEDED
        )
        for number, storage in repositories:
            facts = [Fact("storage", _("Storage"), storage, display=_STORAGE.get(storage, storage))]
            overdue = False
            for kind, every in intervals.items():
                last = (
                    succeeded.filter(repository=number, kind__in=_COUNTS_FOR[kind])
                    .order_by("-finished_at")
                    .values_list("finished_at", flat=True)
                    .first()
                )
                own = (
                    succeeded.filter(repository=number, kind=kind)
                    .order_by("-finished_at")
                    .values_list("finished_at", flat=True)
                    .first()
                )
                facts.append(Fact(f"last_{kind}", _last_label(kind), own, "datetime"))
                moments.append(own)
                if last is None or now - last > every + monitoring.GRACE:
                    overdue = True
            if overdue:
                problems.append(
                    _("Repository %(number)s has missed a scheduled backup.") % {"number": number}
                )
            groups.append(
                Group(
                    f"repository:{number}",
                    _("Repository %(number)s") % {"number": number},
                    tuple(facts),
                )
            )
        if not repositories:
            problems.append(_("No backup repository is configured."))
        lagging = models.BackupAlert.objects.filter(
            kind=models.BackupAlert.Kind.WAL_LAG, resolved_at=None
        ).first()
        drill = selectors.latest_drill()
        facts = [
            Fact("repositories", _("Repositories"), len(repositories)),
            Fact("encryption", _("Encryption"), "AES-256"),
            Fact("retention_days", _("Backups kept for (days)"), config.schedule.retention_days),
        ]
        if config.engine == "pgbackrest":
            lag = int(lagging.details.get("lag_seconds", 0)) if lagging is not None else None
            facts.append(
                Fact(
                    "wal_archive_lagging",
                    _("Transaction log archive falling behind"),
                    lagging is not None,
                    "yesno",
                )
            )
            if lag is not None:
                facts.append(
                    Fact("wal_lag_seconds", _("Transaction log archive lag"), lag, "seconds")
                )
                problems.append(_("The transaction log archive is falling behind."))
        facts += _drill_facts(drill)
        if drill is None:
            problems.append(_("No restore drill has been run yet."))
        else:
            moments.append(drill.finished_at)
            if drill.result != models.Result.SUCCEEDED:
                problems.append(_("The last restore drill failed."))
            elif now - (drill.finished_at or drill.started_at) > DRILL_MAX_AGE:
                problems.append(_("The last restore drill is more than eight days old."))
        return self.section(
            Status.DEGRADED if problems else Status.MET,
            facts=tuple(facts),
            groups=tuple(groups),
            checked_at=latest(*moments),
            reasons=tuple(problems),
            how_to_check=(_("Operators: fortresa backup status --json, fortresa backup drill."),),
        )


def _last_label(kind: str) -> Any:
    return {
        "full": _("Last full backup"),
        "diff": _("Last differential backup"),
        "incr": _("Last incremental backup"),
    }[kind]


def _drill_facts(drill: Any) -> list[Fact]:
    if drill is None:
        return []
    return [
        Fact("drill_finished_at", _("Last restore drill"), drill.finished_at, "datetime"),
        Fact("drill_passed", _("Last restore drill passed"), drill.result == "succeeded", "yesno"),
        Fact(
            "drill_data_loss_seconds",
            _("Data-loss window measured by the drill"),
            None if drill.rpo_seconds is None else round(drill.rpo_seconds),
            "seconds",
        ),
        Fact(
            "drill_restore_seconds",
            _("Restore time measured by the drill"),
            None if drill.rto_seconds is None else round(drill.rto_seconds),
            "seconds",
        ),
    ]
