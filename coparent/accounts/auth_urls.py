"""django-allauth's pages, under allauth's URL names (its flows reverse them), each on the
site's own template. Only the pages the site uses exist: no login by emailed code, no phone,
no "trust this browser", no sign-up by passkey, no re-authentication by code alone
(settings.py, "django-allauth"). Every one has its row in tests/test_permission_matrix.py."""

from django.urls import path, re_path

from coparent.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="account_login"),
    path("login/2fa/", views.AuthenticateView.as_view(), name="mfa_authenticate"),
    path("login/passkey/", views.PasskeyLoginView.as_view(), name="mfa_login_webauthn"),
    path("logout/", views.LogoutView.as_view(), name="account_logout"),
    path("signup/", views.SignupView.as_view(), name="account_signup"),
    path("signup/check-email/", views.check_email, name="account_email_verification_sent"),
    re_path(
        r"^confirm/(?P<key>[-:\w]+)/$",
        views.ConfirmEmailView.as_view(),
        name="account_confirm_email",
    ),
    path("reauth/", views.ReauthenticateView.as_view(), name="account_reauthenticate"),
    path("email/change/", views.email_change, name="account_email"),
    path("password/change/", views.PasswordChangeView.as_view(), name="account_change_password"),
    path("password/reset/", views.PasswordResetView.as_view(), name="account_reset_password"),
    path(
        "password/reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="account_reset_password_done",
    ),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.PasswordResetFromKeyView.as_view(),
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetFromKeyDoneView.as_view(),
        name="account_reset_password_from_key_done",
    ),
    path("2fa/", views.TwoFactorView.as_view(), name="mfa_index"),
    path("2fa/totp/activate/", views.ActivateTOTPView.as_view(), name="mfa_activate_totp"),
    path("2fa/totp/deactivate/", views.DeactivateTOTPView.as_view(), name="mfa_deactivate_totp"),
    path(
        "2fa/recovery-codes/",
        views.ViewRecoveryCodesView.as_view(),
        name="mfa_view_recovery_codes",
    ),
    path(
        "2fa/recovery-codes/generate/",
        views.GenerateRecoveryCodesView.as_view(),
        name="mfa_generate_recovery_codes",
    ),
    path("2fa/passkeys/add/", views.AddPasskeyView.as_view(), name="mfa_add_webauthn"),
    path(
        "2fa/passkeys/<int:pk>/remove/",
        views.RemovePasskeyView.as_view(),
        name="mfa_remove_webauthn",
    ),
]
