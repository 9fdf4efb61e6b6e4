"""Forms of the club pages and administration. Each validates fully before a service runs."""

from __future__ import annotations

import zoneinfo
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fortresa.accounts.forms import SignUpForm
from fortresa.clubs.hours import Period, period_problems, weekday_name
from fortresa.clubs.models import Club, Court, MembershipType, Role
from fortresa.clubs.selectors import courts_of, membership_types_of


def _timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ClubSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=_timezone_choices)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    currency = forms.CharField(
        label=_("Currency"),
        min_length=3,
        max_length=3,
        help_text=_("Three-letter ISO 4217 code, for example EUR."),
        validators=[RegexValidator(r"^[A-Za-z]{3}$", _("Use a three-letter ISO 4217 code."))],
    )
    contact_email = forms.EmailField(label=_("Contact email"), max_length=254, required=False)
    open_signup = forms.BooleanField(
        label=_("Anyone may join"),
        required=False,
        help_text=_("Without it, people join by invitation only."),
    )

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        languages = cleaned.get("languages") or []
        default = cleaned.get("default_language")
        if languages and default and default not in languages:
            self.add_error(
                "default_language", _("The default language must be one of the club's languages.")
            )
        return cleaned


class CourtForm(forms.ModelForm[Court]):
    class Meta:
        model = Court
        fields = ["name", "sport", "surface", "indoor", "has_lights", "is_active", "position"]

    def __init__(self, *args: Any, club: Club, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.club = club
        self.fields["position"].help_text = _("Courts are listed by position, then name.")

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        taken = Court.objects.filter(club=self.club, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another court of this club has this name."))
        return name


def _weekday_choices() -> list[tuple[int, str]]:
    return [(day, weekday_name(day)) for day in range(7)]


class OpeningPeriodForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        coerce=int,
        choices=_weekday_choices,
    )
    opens_at = forms.TimeField(
        label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes_at = forms.TimeField(
        label=_("Closes"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        return cleaned


class BaseOpeningHoursFormSet(forms.BaseFormSet[OpeningPeriodForm]):
    def periods(self) -> list[Period]:
        return [
            Period(
                f.cleaned_data["weekday"], f.cleaned_data["opens_at"], f.cleaned_data["closes_at"]
            )
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        problems = period_problems(self.periods())
        if problems:
            raise forms.ValidationError(problems)


OpeningHoursFormSet = cast(
    type[BaseOpeningHoursFormSet],
    forms.formset_factory(
        OpeningPeriodForm,
        formset=BaseOpeningHoursFormSet,
        extra=3,
        can_delete=True,
        max_num=42,
        validate_max=True,
        absolute_max=50,
    ),
)


class ClosureForm(forms.Form):
    court = forms.ModelChoiceField(
        label=_("Court"),
        queryset=Court.objects.none(),
        required=False,
        empty_label=_("Whole club"),
    )
    starts_at = forms.DateTimeField(
        label=_("From"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, club: Club, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.club = club
        court_field = self.fields["court"]
        assert isinstance(court_field, forms.ModelChoiceField)  # noqa: S101 - declared above
        court_field.queryset = courts_of(club, active_only=False)
        self.fields["starts_at"].help_text = _("In the club's time zone (%(zone)s).") % {
            "zone": club.timezone
        }

    def full_clean(self) -> None:
        # Times are typed in the club's local time whatever the visitor's own zone.
        with timezone.override(self.club.tzinfo):
            super().full_clean()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The closure must end after it starts."))
        return cleaned


class MembershipTypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(
        self, *args: Any, club: Club, instance: MembershipType | None = None, **kwargs: Any
    ) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial", {"name": instance.name, "description": instance.description}
            )
        super().__init__(*args, **kwargs)
        self.club, self.instance = club, instance

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        taken = MembershipType.objects.filter(club=self.club, name__iexact=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This club already has a membership type of this name."))
        return name


def _type_field(club: Club, empty_label: str) -> forms.ModelChoiceField[MembershipType]:
    return forms.ModelChoiceField(
        label=_("Membership type"),
        queryset=membership_types_of(club),
        required=False,
        empty_label=empty_label,
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, club: Club, roles: tuple[Role, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)  # noqa: S101 - declared above
        role_field.choices = [(role.value, role.label) for role in roles]
        self.fields["membership_type"] = _type_field(club, str(_("No membership type")))

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MemberTypeForm(forms.Form):
    def __init__(self, *args: Any, club: Club, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership_type"] = _type_field(club, str(_("No membership type")))


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or email"), max_length=100, required=False)


class InvitedSignUpForm(SignUpForm):
    """Sign-up for an invited person: the address is the invitation's and cannot change."""

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].disabled = True
        self.fields["email"].initial = email
