"""One monitoring run: probe, store results, settle component states, count uptime."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fortresa.status.components import ComponentStatus, worst
from fortresa.status.conf import StatusSettings, status_settings
from fortresa.status.models import CheckResult, ComponentState, DailyUptime, WorkerHeartbeat
from fortresa.status.probes.base import Probe, ProbeOutcome, registered_probes
from fortresa.status.services.incidents import react_to_component_change


@dataclass(frozen=True)
class ComponentChange:
    component: str
    before: ComponentStatus | None
    after: ComponentStatus


def derive_component_statuses(
    measured: list[tuple[Probe, ProbeOutcome]],
) -> dict[str, ComponentStatus]:
    """The worst measured status of each component that has a probe in ``measured``."""
    by_component: dict[str, list[ComponentStatus]] = {}
    for probe, outcome in measured:
        statuses = by_component.setdefault(probe.component, [])
        if outcome.status != ComponentStatus.NOT_CONFIGURED:
            statuses.append(outcome.status)
    return {component: worst(statuses) for component, statuses in by_component.items()}


def run_status_checks(
    *,
    now: datetime | None = None,
    probes: list[Probe] | None = None,
    conf: StatusSettings | None = None,
) -> list[ComponentChange]:
    """Run the probes (all registered ones by default) and publish what they found.

    Returns the published status changes. Probes run outside any transaction (they wait
    on the network); what they found is written in one.
    """
    now = now or timezone.now()
    conf = conf or status_settings()
    chosen = registered_probes() if probes is None else probes
    measured = [(probe, probe.run(now=now, conf=conf)) for probe in chosen]
    changes: list[ComponentChange] = []
    with transaction.atomic():
        CheckResult.objects.bulk_create(
            CheckResult(
                probe=probe.slug,
                component=probe.component,
                status=outcome.status,
                response_ms=outcome.response_ms,
                summary=outcome.summary[:300],
                checked_at=now,
            )
            for probe, outcome in measured
        )
        for component, derived in derive_component_statuses(measured).items():
            change = _settle(component, derived, now=now, confirmations=conf.confirmations)
            published = ComponentState.objects.get(component=component).status
            count_uptime_sample(component=component, status=ComponentStatus(published), at=now)
            if change is not None:
                react_to_component_change(component=component, after=change.after, now=now)
                changes.append(change)
    return changes


def _settle(
    component: str, derived: ComponentStatus, *, now: datetime, confirmations: int
) -> ComponentChange | None:
    state = ComponentState.objects.select_for_update().filter(component=component).first()
    if state is None:
        ComponentState.objects.create(
            component=component, status=derived, since=now, checked_at=now
        )
        return ComponentChange(component, None, derived)
    before = ComponentStatus(state.status)
    change = None
    if derived == before:
        state.candidate, state.candidate_count = "", 0
    elif derived == state.candidate:
        state.candidate_count += 1
    else:
        state.candidate, state.candidate_count = derived, 1
    if state.candidate and state.candidate_count >= confirmations:
        state.status, state.since = derived, now
        state.candidate, state.candidate_count = "", 0
        change = ComponentChange(component, before, derived)
    state.checked_at = now
    state.save()
    return change


def count_uptime_sample(*, component: str, status: ComponentStatus, at: datetime) -> None:
    """Count one run of ``component`` in ``status`` on the UTC day of ``at``."""
    if status == ComponentStatus.NOT_CONFIGURED:
        return
    day = at.astimezone(UTC).date()
    row, _created = DailyUptime.objects.get_or_create(component=component, day=day)
    DailyUptime.objects.filter(pk=row.pk).update(**{status.value: F(status.value) + 1})


def record_heartbeat(*, now: datetime | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(
        name="beat", defaults={"beat_at": now or timezone.now()}
    )
