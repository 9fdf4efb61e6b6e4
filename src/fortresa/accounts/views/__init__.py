from fortresa.accounts.views.login import LoginView, LogoutView, reauthenticate, unlock, verify
from fortresa.accounts.views.passwords import (
    PasswordResetConfirmView,
    password_change,
    password_reset,
    password_reset_complete,
    password_reset_sent,
)
from fortresa.accounts.views.profile import profile, set_language
from fortresa.accounts.views.security import (
    privacy,
    recovery_codes_renew,
    security,
    sessions,
    sessions_end_others,
    staff_unlock,
    two_factor_disable,
    two_factor_setup,
)

__all__ = [
    "LoginView",
    "LogoutView",
    "PasswordResetConfirmView",
    "password_change",
    "password_reset",
    "password_reset_complete",
    "password_reset_sent",
    "privacy",
    "profile",
    "reauthenticate",
    "recovery_codes_renew",
    "security",
    "sessions",
    "sessions_end_others",
    "set_language",
    "staff_unlock",
    "two_factor_disable",
    "two_factor_setup",
    "unlock",
    "verify",
]
