from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fortresa.status.components import COMPONENTS
from fortresa.status.models import (
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    Incident,
    IncidentStatus,
)

MESSAGE_MAX = 5000


def _component_choices() -> list[tuple[str, str]]:
    return [(c.slug, str(c.name)) for c in COMPONENTS]


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    impact = forms.ChoiceField(
        label=_("Impact"),
        choices=[c for c in Incident.Impact.choices if c[0] != Incident.Impact.NONE],
    )
    components = forms.MultipleChoiceField(
        label=_("Affected components"),
        choices=_component_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[(s.value, s.label) for s in INCIDENT_STATUSES]
    )
    message = forms.CharField(label=_("Message"), widget=forms.Textarea, max_length=MESSAGE_MAX)


class UTCDateTimeField(forms.DateTimeField):
    """A date and time typed in UTC (the status page shows every time in UTC)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        # Django made it aware in the current time zone; the operator typed UTC.
        return parsed.replace(tzinfo=None).replace(tzinfo=UTC)


class MaintenanceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    components = forms.MultipleChoiceField(
        label=_("Affected components"),
        choices=_component_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = UTCDateTimeField(label=_("Starts at (UTC)"))
    ends_at = UTCDateTimeField(label=_("Ends at (UTC)"))
    message = forms.CharField(label=_("Message"), widget=forms.Textarea, max_length=MESSAGE_MAX)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The maintenance must end after it starts."))
        return cleaned


class IncidentUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    message = forms.CharField(label=_("Message"), widget=forms.Textarea, max_length=MESSAGE_MAX)

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statuses: tuple[IncidentStatus, ...] = (
            MAINTENANCE_STATUSES
            if incident.kind == Incident.Kind.MAINTENANCE
            else INCIDENT_STATUSES
        )
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [(s.value, s.label) for s in statuses]
        self.auto_id = f"id_update_{incident.pk}_%s"
