from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fortresa.clubs.models import Club
from fortresa.notifications.addresses import InvalidRecipient, normalise_address
from fortresa.notifications.kinds import refusable_categories


class PreferencesForm(forms.Form):
    """One checkbox per refusable category (checked: keep receiving it) and one per club
    whose news the address's account may receive."""

    def __init__(self, *args: Any, clubs: list[Club], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in refusable_categories():
            if category.identifier == "club_news":
                continue
            self.fields[f"category_{category.identifier}"] = forms.BooleanField(
                label=category.label, help_text=category.description, required=False
            )
        for club in clubs:
            self.fields[f"club_{club.pk}"] = forms.BooleanField(
                label=_("News from %(club)s") % {"club": club.name}, required=False
            )


class AddressForm(forms.Form):
    email = forms.CharField(label=_("Email address"), max_length=254)

    def clean_email(self) -> str:
        try:
            return normalise_address(self.cleaned_data["email"].strip())
        except InvalidRecipient as invalid:
            raise forms.ValidationError(str(invalid)) from None


class ClubMailingForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(label=_("Message"), max_length=10000, widget=forms.Textarea)
