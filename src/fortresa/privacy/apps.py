from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "fortresa.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from fortresa.notifications.kinds import EmailKind, register_kind

        # The privacy area's mail goes through the one pipeline (DKIM, log, limits, list
        # headers). None of it can be refused: an erasure confirmation carries the undo
        # link, an Art. 34 notice is owed by law, a reminder goes to the security contacts.
        for kind in (
            EmailKind(
                "erasure_confirmation",
                _("Account erased"),
                "account",
                "privacy/email/erasure",
            ),
            EmailKind(
                "breach_notice",
                _("Security incident concerning your data"),
                "account",
                "privacy/email/breach_member",
            ),
            EmailKind(
                "breach_reminder",
                _("Breach notification deadline"),
                "account",
                "privacy/email/breach_reminder",
            ),
        ):
            register_kind(kind)
