"""The first login stage (adapter.get_login_stages), in place of allauth's email verification.

A login never waits for the address to be confirmed (the site reminds instead). A sign-up
always does: it sends the link (or, for an address that already has an account, the owner's
notice) and answers "check your email", whichever happened, so nothing tells the two apart.
The sign-up stays pending in that browser's session; opening the link there and pressing the
button resumes it (allauth's LOGIN_ON_EMAIL_CONFIRMATION), which logs the person in unless
the second factor is now on (the next stage then asks for it) or the credentials changed since
(views.ConfirmEmailView drops the pending sign-up).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.email_verification import send_verification_email_at_login
from allauth.account.stages import EmailVerificationStage
from django.http import HttpResponseBase

# Where the pending sign-up remembers the credentials it started with.
CREDENTIALS_VERSION = "credentials_version"


class SignupConfirmationStage(EmailVerificationStage):
    def handle(self) -> tuple[HttpResponseBase | None, bool]:
        login = self.login
        if not login.signup:
            return None, True
        send_verification_email_at_login(self.request, login)
        if login.user is not None:
            self.state[CREDENTIALS_VERSION] = getattr(login.user, "credentials_version", None)
        response: HttpResponseBase = get_adapter().respond_email_verification_sent(
            self.request, login.user
        )
        return response, True
