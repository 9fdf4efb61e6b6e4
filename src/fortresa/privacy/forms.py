from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from fortresa.accounts.models import User
from fortresa.privacy.breaches import EDITABLE_FIELDS
from fortresa.privacy.documents import NATURE_LABELS
from fortresa.privacy.models import Breach

NATURE_CHOICES = [(key, _(label)) for key, label in NATURE_LABELS.items()]
LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


class ConsentForm(forms.Form):
    news_emails = forms.BooleanField(
        label=_("Send me news and offers from my clubs by email"), required=False
    )
    contact_sharing = forms.BooleanField(
        label=_("Show my email and phone to other members of my clubs"), required=False
    )


class EraseAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data will be erased"), required=True
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


class BreachForm(forms.ModelForm[Breach]):
    nature = forms.MultipleChoiceField(
        label=_("Nature of the breach"),
        choices=NATURE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Breach
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "aware_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "occurred_from": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "occurred_until": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }


class NewBreachForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    aware_at = forms.DateTimeField(
        label=_("Became aware at (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    facts = forms.CharField(label=_("What happened"), widget=forms.Textarea, required=False)
    club = forms.SlugField(label=_("Club (slug), if one club is concerned"), required=False)
    tables = forms.CharField(
        label=_("Database tables concerned, separated by commas"), required=False, max_length=1000
    )

    def clean_tables(self) -> list[str]:
        raw = str(self.cleaned_data.get("tables") or "")
        return sorted({t.strip().lower() for t in raw.split(",") if t.strip()})


class AuthorityNotificationForm(forms.Form):
    channel = forms.CharField(label=_("How it was sent (web form, email, post)"), max_length=100)
    reference = forms.CharField(
        label=_("Reference given by the authority"), max_length=200, required=False
    )
    language = forms.ChoiceField(label=_("Language of the document"), choices=LANGUAGE_CHOICES)
    delay_reasons = forms.CharField(
        label=_("Reasons for the delay (required after 72 hours)"),
        widget=forms.Textarea,
        required=False,
    )

    def __init__(self, *args: Any, breach: Breach, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.breach = breach

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.breach.is_overdue() and not str(cleaned.get("delay_reasons") or "").strip():
            self.add_error(
                "delay_reasons",
                _("The 72 hours have passed: say why the notification is late."),
            )
        return cleaned


class DocumentLanguageForm(forms.Form):
    lang = forms.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
