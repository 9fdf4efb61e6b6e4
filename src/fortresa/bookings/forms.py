"""Forms of the booking pages: booking a court, and the club's booking rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fortresa.accounts.models import User
from fortresa.bookings.models import RULE_FIELDS, BookingRules, MembershipTypeRules
from fortresa.bookings.rules import EffectiveRules, rule_problems
from fortresa.bookings.selectors.partners import find_partner, recent_partners
from fortresa.bookings.services.booking import MAX_GUEST_NAME, MAX_GUESTS, MAX_NOTE
from fortresa.bookings.slots import MAX_ISO_LENGTH, parse_local_start
from fortresa.clubs.models import Club, Court
from fortresa.clubs.selectors import courts_of


class PartnerChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


# Room for a long email address on each line, and a few lines to spare.
MAX_PARTNER_LINE = 254
MAX_PARTNER_LINES = 10


class BookingForm(forms.Form):
    """Book one court from one start; the court and start travel as hidden fields."""

    court = forms.ModelChoiceField(queryset=Court.objects.none(), widget=forms.HiddenInput)
    start = forms.CharField(max_length=MAX_ISO_LENGTH, widget=forms.HiddenInput)
    duration = forms.TypedChoiceField(label=_("Duration"), coerce=int)
    # The few people one usually plays with, one tick away; anyone else is typed.
    recent_partners = PartnerChoiceField(
        label=_("People you played with recently"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners = forms.CharField(
        label=_("Partners"),
        required=False,
        max_length=(MAX_PARTNER_LINE + 1) * MAX_PARTNER_LINES,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
    )
    guest_names = forms.CharField(
        label=_("Guests"),
        required=False,
        max_length=(MAX_GUEST_NAME + 1) * MAX_GUESTS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE)

    def __init__(
        self, *args: Any, club: Club, actor: User, rules: EffectiveRules, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.club = club
        court_field = self.fields["court"]
        assert isinstance(court_field, forms.ModelChoiceField)  # noqa: S101 - declared above
        court_field.queryset = courts_of(club)
        duration = self.fields["duration"]
        assert isinstance(duration, forms.TypedChoiceField)  # noqa: S101 - declared above
        duration.choices = [
            (minutes, ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
            for minutes in rules.durations()
        ]
        self.actor = actor
        if rules.partners_required:
            self._offer_partners(rules.partners_required)
        else:
            del self.fields["partners"]
            del self.fields["recent_partners"]
        if not rules.guests_allowed:
            del self.fields["guest_names"]

    def _offer_partners(self, required: int) -> None:
        recent = recent_partners(self.club, self.actor)
        choices = self.fields["recent_partners"]
        assert isinstance(choices, forms.ModelMultipleChoiceField)  # noqa: S101 - declared above
        if recent:
            choices.queryset = User.objects.filter(pk__in=[user.pk for user in recent])
            # Shown in the order of the last game together, not alphabetically.
            choices.choices = [(user.pk, str(user)) for user in recent]
        else:
            del self.fields["recent_partners"]
        typed = self.fields["partners"]
        typed.widget.attrs["rows"] = max(2, required)
        if recent:
            help_text = ngettext(
                "Choose exactly %(count)d partner among the club's members: tick them above, "
                "or type their email address or full name here.",
                "Choose exactly %(count)d partners among the club's members: tick them above, "
                "or type their email addresses or full names here, one per line.",
                required,
            )
        else:
            help_text = ngettext(
                "Choose exactly %(count)d partner among the club's members: type their email "
                "address or full name.",
                "Choose exactly %(count)d partners among the club's members: type their email "
                "addresses or full names, one per line.",
                required,
            )
        typed.help_text = help_text % {"count": required}

    def clean_partners(self) -> list[User]:
        text = str(self.cleaned_data.get("partners") or "")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_PARTNER_LINES:
            raise forms.ValidationError(
                _("Partners: at most %(count)d lines.") % {"count": MAX_PARTNER_LINES}
            )
        found: list[User] = []
        problems: list[str] = []
        for line in lines:
            match = find_partner(self.club, line[:MAX_PARTNER_LINE])
            if match.member is not None:
                found.append(match.member)
            elif match.ambiguous:
                problems.append(
                    _("Several members are called “%(text)s”: type their email address.")
                    % {"text": match.text}
                )
            else:
                problems.append(
                    _("No member of this club has the email address or name “%(text)s”.")
                    % {"text": match.text}
                )
        if problems:
            raise forms.ValidationError(problems)
        return found

    def clean_start(self) -> dt.datetime:
        start = parse_local_start(self.cleaned_data["start"], self.club.tzinfo)
        if start is None:
            raise forms.ValidationError(_("This is not a valid start time."))
        return start

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "court" in self.errors or "start" in self.errors:
            # Hidden fields have nowhere to show their errors: say it once for the form.
            raise forms.ValidationError(_("This slot cannot be booked: choose one in the grid."))
        if "partners" in self.fields and "partners" in cleaned:
            # Ticked and typed partners together, each person once, in the order given.
            chosen = [*cleaned.get("recent_partners", []), *cleaned["partners"]]
            cleaned["partners"] = list({user.pk: user for user in chosen}.values())
        return cleaned

    def clean_guest_names(self) -> list[str]:
        lines = str(self.cleaned_data.get("guest_names") or "").splitlines()
        return [line.strip() for line in lines if line.strip()]


class ClubRulesForm(forms.ModelForm[BookingRules]):
    class Meta:
        model = BookingRules
        fields = list(RULE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Most clubs charge members nothing per hour: blank means free.
        self.fields["court_fee"].required = False

    def clean_court_fee(self) -> Decimal:
        value = self.cleaned_data.get("court_fee")
        return Decimal("0.00") if value is None else Decimal(value)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if all(name in cleaned for name in RULE_FIELDS):
            rules = EffectiveRules().with_overrides(cleaned)
            for name, message in rule_problems(rules).items():
                self.add_error(name, message)
        return cleaned

    def effective(self) -> EffectiveRules:
        return EffectiveRules().with_overrides(self.cleaned_data)


class InheritSelect(forms.NullBooleanSelect):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [
            ("unknown", _("Same as the club")),
            ("true", _("Yes")),
            ("false", _("No")),
        ]


class MembershipTypeRulesForm(forms.ModelForm[MembershipTypeRules]):
    """Overrides for one membership type; a blank field inherits the club's rule."""

    class Meta:
        model = MembershipTypeRules
        fields = list(RULE_FIELDS)
        field_classes = {"guests_allowed": forms.NullBooleanField}
        widgets = {"guests_allowed": InheritSelect}

    def __init__(self, *args: Any, club_rules: EffectiveRules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.club_rules = club_rules
        for name in RULE_FIELDS:
            self.fields[name].required = False
            value = getattr(club_rules, name)
            if isinstance(value, bool):
                value = _("yes") if value else _("no")
            self.fields[name].help_text = _("Blank: same as the club (%(value)s).") % {
                "value": value
            }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rules = self.club_rules.with_overrides(cleaned)
        for name, message in rule_problems(rules).items():
            if cleaned.get(name) is not None:
                self.add_error(name, message)
            else:
                self.add_error(None, message)
        return cleaned

    def overrides(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in RULE_FIELDS}
