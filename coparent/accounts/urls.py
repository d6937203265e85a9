"""The site's own account pages, in the "accounts" namespace. The pages allauth provides keep
allauth's URL names (its flows reverse them), in coparent/accounts/auth_urls.py."""

from django.urls import path

from coparent.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.security, name="security"),
    # Before allauth's "confirm/<key>/", which would otherwise swallow it.
    path("confirm/resend/", views.confirm_resend, name="confirm_resend"),
    path("zone/", views.own_zone, name="zone"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/end/", views.session_end, name="session_end"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
