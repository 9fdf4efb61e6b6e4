from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fortresa.detection.models import Alert


class AlertFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any"))] + list(Alert.State.choices)
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("Any"))] + list(Alert.Severity.choices),
    )


class AlertStateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=Alert.State.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
