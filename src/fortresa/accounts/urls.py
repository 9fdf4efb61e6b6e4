from django.urls import path

from fortresa.accounts import views
from fortresa.accounts.views import passkeys

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.verify, name="verify"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("reauthenticate/", views.reauthenticate, name="reauthenticate"),
    path("unlock/<str:token>/", views.unlock, name="unlock"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "password/reset/<str:uidb64>/<str:token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("password/change/", views.password_change, name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="set_language"),
    path("security/", views.security, name="security"),
    path("security/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("security/two-factor/remove/", views.two_factor_disable, name="two_factor_disable"),
    path("security/recovery-codes/", views.recovery_codes_renew, name="recovery_codes_renew"),
    path("security/sessions/", views.sessions, name="sessions"),
    path(
        "security/sessions/end-others/",
        views.sessions_end_others,
        name="sessions_end_others",
    ),
    path("passkeys/register/options/", passkeys.register_options, name="passkey_register_options"),
    path("passkeys/register/", passkeys.register, name="passkey_register"),
    path("passkeys/login/options/", passkeys.login_options, name="passkey_login_options"),
    path("passkeys/login/", passkeys.login, name="passkey_login"),
    path("passkeys/<int:passkey_id>/remove/", passkeys.remove, name="passkey_remove"),
    path("privacy/", views.privacy, name="privacy"),
    path(
        "staff/<slug:slug>/members/<int:user_id>/unlock/",
        views.staff_unlock,
        name="staff_unlock",
    ),
]
