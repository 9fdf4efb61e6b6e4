"""Forms of the payment pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from fortresa.payments.providers import PROVIDERS


class PayBookingForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Pay with"),
        choices=[("gateway", _("Online payment")), ("tickets", _("My booking tickets"))],
        widget=forms.RadioSelect,
    )


class TicketPackForm(forms.Form):
    pack = forms.TypedChoiceField(label=_("Ticket pack"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args: Any, packs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["pack"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = packs


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to refund"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )

    def __init__(self, *args: Any, refundable: Decimal, currency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refundable = refundable
        self.fields["amount"].help_text = _(
            "In %(currency)s; at most %(amount)s, what is left of this payment."
        ) % {"currency": currency, "amount": refundable}

    def clean_amount(self) -> Decimal:
        amount = Decimal(self.cleaned_data["amount"])
        if amount > self.refundable:
            raise forms.ValidationError(
                _("At most %(amount)s can still be refunded.") % {"amount": self.refundable}
            )
        return amount


class GatewayForm(forms.Form):
    """The club's gateway; each credential left blank keeps the stored value."""

    provider = forms.ChoiceField(label=_("Payment gateway"))
    live = forms.BooleanField(label=_("Live payments (not the gateway's sandbox)"), required=False)
    enabled = forms.BooleanField(label=_("Accept online payments"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ChoiceField)  # noqa: S101 - declared above
        provider.choices = [(key, cls.name) for key, cls in PROVIDERS.items()]
        for key, cls in PROVIDERS.items():
            for credential in cls.credential_fields:
                widget: forms.Widget
                if credential.name == "public_key":
                    widget = forms.Textarea(attrs={"rows": 4})
                elif credential.secret:
                    widget = forms.PasswordInput(render_value=False)
                else:
                    widget = forms.TextInput()
                self.fields[f"{key}__{credential.name}"] = forms.CharField(
                    label=f"{cls.name}: {credential.label}",
                    required=False,
                    max_length=4000,
                    widget=widget,
                    help_text=_("Leave blank to keep the stored value.")
                    if credential.secret
                    else "",
                )
        if settings.PROFILE != "production":
            # Only the simulators live at another address; production talks to the real one.
            self.fields["base_url"] = forms.URLField(
                label=_("Gateway address (simulators only)"), required=False, assume_scheme="https"
            )

    def credentials(self) -> dict[str, str]:
        provider = self.cleaned_data["provider"]
        prefix = f"{provider}__"
        return {
            name.removeprefix(prefix): str(value).strip()
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix)
        }
