"""Monitoring runs: damping, automatic incidents, subscribers told after commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from fortresa.status.components import ComponentStatus
from fortresa.status.conf import StatusSettings
from fortresa.status.models import (
    CheckResult,
    ComponentState,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Subscriber,
)
from fortresa.status.probes import Probe, ProbeOutcome
from fortresa.status.probes.infrastructure import RedisProbe
from fortresa.status.services.monitoring import run_status_checks
from tests.status.servers import RedisServer

STEP = dt.timedelta(seconds=30)


class _Scripted(Probe):
    """Reports the statuses it is given, one per run."""

    slug = "scripted"
    component = "web"

    def __init__(self, *statuses: ComponentStatus) -> None:
        self.statuses = list(statuses)

    def check(self, *, now: dt.datetime, conf: StatusSettings) -> ProbeOutcome:
        return ProbeOutcome(self.statuses.pop(0), "scripted")


def _published(component: str) -> str:
    return ComponentState.objects.get(component=component).status


@pytest.mark.smoke
@pytest.mark.django_db
def test_one_bad_run_does_not_change_the_published_status(
    conf: StatusSettings, now: dt.datetime
) -> None:
    probe = _Scripted(
        ComponentStatus.OPERATIONAL, ComponentStatus.MAJOR_OUTAGE, ComponentStatus.OPERATIONAL
    )

    for step in range(3):
        run_status_checks(now=now + step * STEP, probes=[probe], conf=conf)

    assert _published("web") == ComponentStatus.OPERATIONAL
    assert not Incident.objects.exists()


@pytest.mark.smoke
@pytest.mark.django_db
def test_status_changes_after_the_configured_number_of_consecutive_runs(
    conf: StatusSettings, now: dt.datetime
) -> None:
    statuses = [ComponentStatus.OPERATIONAL] + [ComponentStatus.DEGRADED] * conf.confirmations
    probe = _Scripted(*statuses)
    seen = []

    for step in range(len(statuses)):
        run_status_checks(now=now + step * STEP, probes=[probe], conf=conf)
        seen.append(_published("web"))

    assert seen[-2] == ComponentStatus.OPERATIONAL
    assert seen[-1] == ComponentStatus.DEGRADED


@pytest.mark.smoke
@pytest.mark.django_db
def test_component_is_worst_of_its_configured_probes(
    conf: StatusSettings, now: dt.datetime
) -> None:
    class Unconfigured(_Scripted):
        slug = "unconfigured"

    probes: list[Probe] = [
        _Scripted(ComponentStatus.DEGRADED),
        Unconfigured(ComponentStatus.NOT_CONFIGURED),
    ]

    run_status_checks(now=now, probes=probes, conf=conf)

    assert _published("web") == ComponentStatus.DEGRADED
    assert CheckResult.objects.filter(checked_at=now).count() == 2


@pytest.mark.django_db
def test_incident_opens_when_redis_stops_and_resolves_when_it_returns(
    redis_server: RedisServer,
    conf: StatusSettings,
    now: dt.datetime,
    django_capture_on_commit_callbacks: Any,
) -> None:
    probe = RedisProbe(url=redis_server.url)
    clock = iter(now + step * STEP for step in range(100))

    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            run_status_checks(now=next(clock), probes=[probe], conf=conf)

    run()
    redis_server.stop()
    for _ in range(conf.confirmations):
        run()
    opened = Incident.objects.get()
    redis_server.start()
    for _ in range(conf.confirmations):
        run()
    opened.refresh_from_db()

    assert opened.trigger_component == "cache"
    assert opened.impact == ComponentStatus.MAJOR_OUTAGE
    assert opened.status == IncidentStatus.RESOLVED
    assert opened.resolved_at is not None
    assert list(opened.updates.order_by("created_at").values_list("event", flat=True)) == [
        IncidentUpdate.Event.DETECTED,
        IncidentUpdate.Event.RECOVERED,
    ]
    assert _published("cache") == ComponentStatus.OPERATIONAL


@pytest.mark.django_db
def test_automatic_incident_opens_only_once_while_the_outage_lasts(
    conf: StatusSettings, now: dt.datetime
) -> None:
    down = [ComponentStatus.MAJOR_OUTAGE] * 6
    probe = _Scripted(ComponentStatus.OPERATIONAL, *down)

    for step in range(7):
        run_status_checks(now=now + step * STEP, probes=[probe], conf=conf)

    assert Incident.objects.filter(trigger_component="web", resolved_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_confirmed_subscribers_are_told_of_an_automatic_incident_after_commit(
    conf: StatusSettings, now: dt.datetime, django_capture_on_commit_callbacks: Any
) -> None:
    Subscriber.objects.create(
        email="fan@example.test",
        language="fr",
        created_at=now,
        confirmation_sent_at=now,
        confirmed_at=now,
    )
    Subscriber.objects.create(
        email="unconfirmed@example.test", language="en", created_at=now, confirmation_sent_at=now
    )
    probe = _Scripted(ComponentStatus.MAJOR_OUTAGE)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_status_checks(now=now, probes=[probe], conf=conf)
        assert mail.outbox == []
    # The mail pipeline queues on commit too: run what the callbacks schedule as well.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    assert [message.to for message in mail.outbox] == [["fan@example.test"]]
    # In the subscriber's language (French).
    assert "Site web et réservation" in mail.outbox[0].subject
    assert "/status/unsubscribe/" in mail.outbox[0].body
