"""The site's answers where django-allauth asks (settings.ACCOUNT_ADAPTER, MFA_ADAPTER).

- Every email leaves through coparent.infra.mail (plain text, never HTML-escaped), with links on the
  configured base URL, never the request's Host header.
- A login goes through the site's stages: a sign-up waits for its confirmation link (and never
  logs in by itself), then the second factor.
- Redirects after login stay on this site, over https when the page was.
- Messages are the site's own words.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation, EmailConfirmationHMAC
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

from coparent.accounts.models import User
from coparent.infra.mail import send_email

# allauth's emails, by its template prefix, and the site's templates that say the same. An
# email allauth would send that is not here fails loudly instead of going out unreviewed.
EMAILS = {
    "account/email/email_confirmation_signup": "accounts/email/confirm_email",
    "account/email/email_confirmation": "accounts/email/confirm_email",
    "account/email/account_already_exists": "accounts/email/signup_existing",
    "account/email/password_reset_key": "accounts/email/password_reset",
}

# allauth's messages, by template, in the site's words; None says nothing (the page itself
# says it). Others keep allauth's text.
MESSAGES: dict[str, Promise | None] = {
    "account/messages/logged_in.txt": None,
    "account/messages/logged_out.txt": _("You are logged out."),
    "account/messages/email_confirmation_sent.txt": None,
    "account/messages/email_confirmed.txt": None,
    "account/messages/primary_email_set.txt": None,
    "account/messages/email_changed.txt": None,
    "account/messages/password_changed.txt": _(
        "Your password is changed. Your other sessions were logged out."
    ),
    "mfa/messages/totp_activated.txt": _(
        "Two-step login is on. Your other sessions were logged out."
    ),
    "mfa/messages/totp_deactivated.txt": _(
        "The second factor is off. Your other sessions were logged out."
    ),
    "mfa/messages/recovery_codes_generated.txt": None,
    "mfa/messages/webauthn_added.txt": _("The passkey is added."),
    "mfa/messages/webauthn_removed.txt": _("The passkey is removed."),
    "usersessions/messages/sessions_logged_out.txt": _("Your other sessions are logged out."),
}


def absolute(path: str) -> str:
    return settings.BASE_URL + path


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as django-axes resolves it, so the security log, the login
    throttle and the rate limits agree on who is asking."""
    raw = get_client_ip_address(request) if request is not None else None
    try:
        return str(ipaddress.ip_address(raw)) if raw else None
    except ValueError:
        return None


def safe_next(request: HttpRequest, url: str | None) -> str:
    """`url` if it stays on this site (over https when this page is), else ""."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _("That email address and password do not match an account."),
        "incorrect_password": _("That password is not right."),
        "too_many_login_attempts": _(
            "Too many wrong attempts in a short time. Wait a few minutes and try again."
        ),
    }

    # --- Emails ----------------------------------------------------------------------------

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        send_email(template=EMAILS[template_prefix], context=context, to=email)

    def get_email_confirmation_url(
        self, request: HttpRequest, emailconfirmation: EmailConfirmation | EmailConfirmationHMAC
    ) -> str:
        return absolute(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        uid, _dash, token = key.partition("-")
        return absolute(
            reverse("account_reset_password_from_key", kwargs={"uidb36": uid, "key": token})
        )

    def send_confirmation_mail(
        self,
        request: HttpRequest,
        emailconfirmation: EmailConfirmation | EmailConfirmationHMAC,
        signup: bool,
    ) -> None:
        address = emailconfirmation.email_address
        user = address.user
        is_change = address.email != user.email
        if is_change and User.objects.filter(email__iexact=address.email).exclude(pk=user.pk):
            # A move to an address another account uses: the page did not say so (it would
            # reveal that account). Its owner learns that someone tried; no link goes out,
            # since the move could never happen.
            send_email(
                template="accounts/email/email_taken",
                context={"email": address.email},
                to=address.email,
            )
            return
        send_email(
            template=EMAILS["account/email/email_confirmation"],
            to=address.email,
            context={
                "user": user,
                "email": address.email,
                "is_change": is_change,
                "link": self.get_email_confirmation_url(request, emailconfirmation),
                "days": settings.COPARENT_EMAIL_CONFIRM_DAYS,
            },
        )

    def send_account_already_exists_mail(self, email: str) -> None:
        from coparent.accounts import services

        owner = User.objects.filter(email__iexact=email, is_active=True).first()
        if owner is None:
            return
        request = allauth_context.request
        services.audit_log(
            kind=services.Kind.SIGNUP_EXISTING, user=owner, client=services.client_info(request)
        )
        send_email(
            template=EMAILS["account/email/account_already_exists"],
            to=owner.email,
            context={
                "user": owner,
                "login_link": absolute(reverse("account_login")),
                "reset_link": absolute(reverse("account_reset_password")),
            },
        )

    def send_password_reset_mail(
        self, user: AbstractBaseUser, email: str, context: dict[str, Any]
    ) -> None:
        send_email(
            template=EMAILS["account/email/password_reset_key"],
            to=email,
            context={"user": user, "email": email, "link": context["password_reset_url"]},
        )

    # --- Logins ----------------------------------------------------------------------------

    def get_login_stages(self) -> list[str]:
        # Not allauth's login-by-code, phone or trusted-browser stages: none is used here.
        return [
            "coparent.accounts.stages.SignupConfirmationStage",
            "allauth.mfa.stages.AuthenticateStage",
        ]

    def respond_email_verification_sent(
        self, request: HttpRequest, user: AbstractBaseUser | None
    ) -> HttpResponse:
        url = reverse("account_email_verification_sent")
        next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
        return HttpResponseRedirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)

    def respond_user_inactive(self, request: HttpRequest, user: AbstractBaseUser) -> HttpResponse:
        messages.error(request, _("This account is closed."))
        return HttpResponseRedirect(reverse("account_login"))

    def post_login(
        self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
    ) -> HttpResponse:
        response: HttpResponse = super().post_login(request, user, **kwargs)
        if isinstance(user, User) and not user.email_confirmed:
            messages.warning(
                request,
                _("Please confirm your email address: open the link we sent to %(email)s.")
                % {"email": user.email},
            )
        return response

    def is_safe_url(self, url: str | None) -> bool:
        request = allauth_context.request
        return bool(safe_next(request, url))

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request) or "0.0.0.0"  # noqa: S104 - an unknown address, not a bind

    def clean_email(self, email: str) -> str:
        return email.strip().lower()

    def save_user(
        self,
        request: HttpRequest,
        user: AbstractBaseUser,
        form: forms.BaseForm,
        commit: bool = True,
    ) -> AbstractBaseUser:
        assert isinstance(user, User)  # noqa: S101 - AUTH_USER_MODEL
        user.display_name = form.cleaned_data["display_name"]
        saved: AbstractBaseUser = super().save_user(request, user, form, commit=commit)
        return saved

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        if message_template in MESSAGES:
            text = MESSAGES[message_template]
            if text is not None:
                messages.add_message(request, level, str(text), extra_tags=extra_tags)
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _("That code is not right."),
    }

    def get_totp_label(self, user: AbstractBaseUser) -> str:
        return str(getattr(user, "email", ""))

    def build_totp_svg(self, url: str) -> str:
        """The provisioning URL as an inline SVG made on the server: no external request, no
        script, no style attribute (CSP allows neither)."""
        import qrcode
        import qrcode.image.svg

        image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage)
        svg: str = image.to_string(encoding="unicode")
        return svg

    def _get_site_name(self) -> str:
        return "Coparent"

    def generate_authenticator_name(self, user: AbstractBaseUser, type: Authenticator.Type) -> str:
        count = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return str(_("Passkey %(number)d") % {"number": count + 1})
