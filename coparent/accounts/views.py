"""Account pages. Sign-up, login, confirmation, reset, re-authentication, the second factor and
passkeys are django-allauth's views, subclassed only to render the site's templates and to add
what allauth leaves to the site (the rate limits of coparent.infra.ratelimit, the answers that must
not reveal an account, the lapse of a half-finished login). The account overview, the session
list and the API tokens are the site's own thin views (STYLE.md 6)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode

from allauth.account import app_settings as account_settings
from allauth.account import views as account_views
from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows import email_verification
from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from allauth.account.internal.stagekit import clear_login, stash_login, unstash_login
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.stages import EmailVerificationStage, LoginStageController
from allauth.mfa.base import views as mfa_views
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes import views as recovery_views
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.totp import views as totp_views
from allauth.mfa.totp.internal import auth as totp_auth
from allauth.mfa.webauthn import views as webauthn_views
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic.base import ContextMixin

from coparent.accounts import selectors, services
from coparent.accounts.adapter import safe_next
from coparent.accounts.forms import (
    EmailChangeForm,
    OwnZoneForm,
    PasswordResetForm,
    PasswordResetKeyForm,
    SignupForm,
    TokenCreateForm,
)
from coparent.accounts.http import AuthenticatedRequest
from coparent.accounts.models import User
from coparent.accounts.stages import CREDENTIALS_VERSION
from coparent.infra import ratelimit

ViewFunction = Callable[..., HttpResponse]


def _next(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class _NextInContext(ContextMixin):
    """`next` for the templates, only when it stays on this site (allauth's own context value
    is whatever was sent)."""

    request: HttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["next"] = _next(self.request)
        return context


# --- Login, logout, sign-up --------------------------------------------------------------------


class LoginView(_NextInContext, account_views.LoginView):
    template_name = "accounts/login.html"


class LogoutView(account_views.LogoutView):
    # A link or an image must not log anyone out.
    http_method_names = ["post"]


class SignupView(_NextInContext, account_views.SignupView):
    template_name = "accounts/signup.html"

    def get_success_url(self) -> str | None:  # type: ignore[override]  # allauth's sign-up reads None as "its own default"
        # Only where the person asked to go; allauth's default comes after the login.
        return _next(self.request) or None

    def form_valid(self, form: SignupForm) -> HttpResponse:
        try:
            # Each sign-up emails the address typed: limited per address and per client.
            ratelimit.hit(self.request, "signup", email=form.cleaned_data["email"])
        except ratelimit.RateLimited as error:
            form.add_error(None, error)
            return cast(HttpResponse, self.form_invalid(form))
        response: HttpResponse = super().form_valid(form)
        return response


@never_cache
def check_email(request: HttpRequest) -> HttpResponse:
    """After a sign-up (anyone: a sign-up never logs in), or for a signed-in person whose
    address is not confirmed yet (account_email_verification_sent)."""
    pending = unstash_login(request, peek=True)
    email = ""
    if pending is not None and pending.signup:
        email = pending.email or getattr(pending.user, "email", "") or ""
    return render(
        request,
        "accounts/check_email.html",
        {
            "next": _next(request),
            "days": settings.COPARENT_EMAIL_CONFIRM_DAYS,
            "signup_email": email,
        },
    )


@login_required
@require_POST
def confirm_resend(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if user.email_confirmed:
        messages.info(request, _("Your email address is already confirmed."))
    elif email_verification.send_verification_email_for_user(request, user):
        messages.success(request, _("We sent a new link to %(email)s.") % {"email": user.email})
    else:
        # allauth's "confirm_email" limit (settings.ACCOUNT_RATE_LIMITS): no one can mail-bomb
        # an address through this button.
        messages.info(
            request,
            _("We sent a link less than a minute ago. Check your inbox and your spam folder."),
        )
    return redirect(_with_next(reverse("account_email_verification_sent"), _next(request)))


class ConfirmationProblem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _confirmation(key: str) -> EmailConfirmationHMAC:
    """The usable confirmation behind a link, or why it is not usable. allauth signs the
    address's id into the link, so nothing of it is stored; once used, its address is
    confirmed (or replaced), which is what spends it."""
    max_age = 24 * 3600 * account_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS
    try:
        pk = signing.loads(key, max_age=max_age, salt=account_settings.SALT)
    except signing.SignatureExpired as error:
        raise ConfirmationProblem(
            410, _("This link has expired. Ask for a new one from your account page.")
        ) from error
    except signing.BadSignature as error:
        raise ConfirmationProblem(
            404, _("This confirmation link is not valid. Check that you copied all of it.")
        ) from error
    address = EmailAddress.objects.select_related("user").filter(pk=pk).first()
    if address is None or address.verified:
        raise ConfirmationProblem(
            410,
            _(
                "This link has already been used, or a newer link replaced it. "
                "Each link works once."
            ),
        )
    if not address.user.is_active:
        raise ConfirmationProblem(404, _("This confirmation link is not valid."))
    if User.objects.filter(email__iexact=address.email).exclude(pk=address.user_id).exists():
        raise ConfirmationProblem(
            410, _("Another account now uses this email address, so yours cannot move to it.")
        )
    return EmailConfirmationHMAC(address)


def _pending_signup_still_valid(request: HttpRequest, user: User) -> None:
    """Opening the link in the browser that signed up logs the person in, but not once the
    credentials changed since (a password changed or reset, the second factor turned on): then
    the link alone must not be enough."""
    stage = LoginStageController.enter(request, EmailVerificationStage.key)
    if stage is None or stage.login.user is None or stage.login.user.pk != user.pk:
        return
    if stage.state.get(CREDENTIALS_VERSION) != user.credentials_version:
        clear_login(request)


@method_decorator(never_cache, name="dispatch")
class ConfirmEmailView(account_views.ConfirmEmailView):
    """GET shows what the link will do and a button; only the POST uses the link, so mail
    scanners that follow links cannot spend it."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            confirmation = _confirmation(self.kwargs["key"])
        except ConfirmationProblem as problem:
            return self._problem(problem)
        address = confirmation.email_address
        return render(
            request,
            "accounts/confirm.html",
            {"address": address, "is_change": address.email != address.user.email},
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            confirmation = _confirmation(self.kwargs["key"])
        except ConfirmationProblem as problem:
            return self._problem(problem)
        address = confirmation.email_address
        _pending_signup_still_valid(request, address.user)
        stage = LoginStageController.enter(request, EmailVerificationStage.key)
        next_url = (stage.login.redirect_url or "") if stage is not None else ""
        confirmed, _response = email_verification.verify_email_and_resume(request, confirmation)
        if confirmed is None:
            return self._problem(
                ConfirmationProblem(410, _("This email address cannot be confirmed now."))
            )
        return render(
            request,
            "accounts/confirm_done.html",
            {"address": confirmed, "next": safe_next(request, next_url)},
        )

    def _problem(self, problem: ConfirmationProblem) -> HttpResponse:
        return render(
            self.request,
            "accounts/confirm_problem.html",
            {"problem": problem},
            status=problem.status,
        )


# --- Password reset ----------------------------------------------------------------------------


class PasswordResetView(account_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Each request may email the address: limited per address and per client, counted
        # whether or not an account uses it, so the limit tells nothing either.
        try:
            ratelimit.hit(self.request, "password_reset", email=form.cleaned_data["email"])
        except ratelimit.RateLimited as error:
            form.add_error(None, error)
            return cast(HttpResponse, self.form_invalid(form))
        response: HttpResponse = super().form_valid(form)
        return response


class PasswordResetDoneView(account_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetFromKeyView(account_views.PasswordResetFromKeyView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = PasswordResetKeyForm


class PasswordResetFromKeyDoneView(account_views.PasswordResetFromKeyDoneView):
    template_name = "accounts/password_reset_complete.html"


# --- Re-authentication and credential changes ------------------------------------------------


class ReauthenticateView(_NextInContext, account_views.ReauthenticateView):
    template_name = "accounts/reauth.html"

    def get_default_success_url(self) -> str:
        return reverse("accounts:security")


@method_decorator(reauthentication_required(app="allauth.account"), name="dispatch")
class PasswordChangeView(account_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")


_needs_reauthentication: Callable[[ViewFunction], ViewFunction] = reauthentication_required(
    app="allauth.account"
)


@login_required
@_needs_reauthentication
@never_cache
@require_http_methods(["GET", "POST"])
def email_change(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = EmailChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["email"]
        try:
            # The link goes to an address of the person's choosing: limited per account and
            # per address.
            ratelimit.hit(request, "email_change", email=new_email)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            services.email_change_request(user=user, new_email=new_email, request=request)
            messages.success(
                request,
                _(
                    "We sent a link to %(email)s. Your address changes when you open it; "
                    "until then, nothing changes."
                )
                % {"email": new_email},
            )
            return redirect("accounts:security")
    return render(
        request,
        "accounts/email_change.html",
        {"form": form, "pending_change": selectors.pending_email_change(user)},
    )


# --- The second factor and passkeys ------------------------------------------------------------


class AuthenticateView(mfa_views.AuthenticateView):
    """The second step: the password was right, and the person is not logged in until the
    code (or a passkey) is. The half-login lapses after five minutes, and five wrong codes in
    it ask for the password again, which puts the attempt back under the failed-login
    throttle (django-axes)."""

    template_name = "accounts/login_2fa.html"
    MAX_FAILURES = 5

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        login = unstash_login(request, peek=True)
        if login is not None and time.time() - login.initiated_at > (
            selectors.PENDING_LOGIN_SECONDS
        ):
            clear_login(request)
            messages.info(request, _("Please log in again."))
            return redirect("account_login")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: forms.Form) -> HttpResponse:
        response: HttpResponse = super().form_valid(form)
        authenticator: Authenticator | None = getattr(form, "authenticator", None)
        if authenticator is not None and authenticator.type == Authenticator.Type.RECOVERY_CODES:
            authenticator.refresh_from_db()
            left = selectors.recovery_codes_left(authenticator)
            messages.warning(
                self.request,
                ngettext(
                    "You used a recovery code. %(left)d code is left; make new ones on your "
                    "account page.",
                    "You used a recovery code. %(left)d codes are left; make new ones on your "
                    "account page.",
                    left,
                )
                % {"left": left},
            )
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        user = self.stage.login.user
        has_passkeys = Authenticator.objects.filter(
            user_id=user.pk, type=Authenticator.Type.WEBAUTHN
        ).exists()
        if not has_passkeys:
            context["webauthn_form"] = None
        elif "js_data" in context:
            context["request_options_json"] = json.dumps(context["js_data"])
        return context

    def form_invalid(self, form: forms.Form) -> HttpResponse:
        stage = self.stage
        failures = int(stage.state.get("failures", 0)) + 1
        if failures >= self.MAX_FAILURES:
            next_url = stage.login.redirect_url or ""
            clear_login(self.request)
            messages.error(self.request, _("Too many wrong codes. Enter your password again."))
            return redirect(_with_next(reverse("account_login"), safe_next(self.request, next_url)))
        stage.state["failures"] = failures
        stash_login(self.request, stage.login)
        response: HttpResponse = super().form_invalid(form)
        return response


class TwoFactorView(mfa_views.IndexView):
    template_name = "accounts/two_factor.html"


class _SameSecretActivateForm(totp_forms.ActivateTOTPForm):
    """Reloading the set-up page keeps the secret, so a code already scanned stays right."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.user = kwargs.pop("user")
        super(totp_forms.ActivateTOTPForm, self).__init__(*args, **kwargs)
        self.secret = totp_auth.get_totp_secret(regenerate=False)
        self.fields["code"].label = _("Code from the app")
        self.fields["code"].help_text = _("The six digits the app shows for Coparent.")
        self.fields["code"].widget.attrs.update(
            placeholder="", inputmode="numeric", pattern=r"[0-9 ]*", autocapitalize="none"
        )


class ActivateTOTPView(totp_views.ActivateTOTPView):
    request: AuthenticatedRequest  # allauth lets only signed-in people set up a factor
    template_name = "accounts/otp_setup.html"
    form_class = _SameSecretActivateForm

    def get_form_class(self) -> type[_SameSecretActivateForm]:
        return _SameSecretActivateForm

    def form_valid(self, form: _SameSecretActivateForm) -> HttpResponse:
        response: HttpResponse = super().form_valid(form)
        # allauth announces a new authenticator app only once its transaction commits; the
        # session must be renewed within this response (signals.on_authenticator_added
        # leaves this one to us).
        services.credentials_changed(
            user=self.request.user, kind=services.Kind.OTP_ENABLED, request=self.request
        )
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        secret = context["form"].secret
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        return context


class DeactivateTOTPView(totp_views.DeactivateTOTPView):
    template_name = "accounts/otp_disable.html"
    success_url = reverse_lazy("accounts:security")


class ViewRecoveryCodesView(recovery_views.ViewRecoveryCodesView):
    """The codes, shown once (MFA_RECOVERY_CODES_SHOW_ONCE), right after they were made."""

    template_name = "accounts/otp_codes.html"


class GenerateRecoveryCodesView(recovery_views.GenerateRecoveryCodesView):
    template_name = "accounts/otp_recovery.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not selectors.second_factors(request.user).any:
            messages.info(request, _("Turn on the second factor first."))
            return redirect("mfa_index")
        return super().dispatch(request, *args, **kwargs)


class AddPasskeyView(webauthn_views.AddWebAuthnView):
    template_name = "accounts/passkey_add.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        # For the page's script, in an attribute: the CSP allows no inline script.
        context["creation_options_json"] = json.dumps(context["js_data"])
        return context


class RemovePasskeyView(webauthn_views.RemoveWebAuthnView):
    template_name = "accounts/passkey_remove.html"
    success_url = reverse_lazy("mfa_index")


class PasskeyLoginView(webauthn_views.LoginWebAuthnView):
    """Log in with a passkey alone: the page asks here (GET, JSON) for a challenge, the browser
    signs it, and the POST logs in (allauth verifies the signature with fido2)."""


# --- The account page --------------------------------------------------------------------------


@login_required
@never_cache
def security(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "factors": selectors.second_factors(user),
            "pending_change": selectors.pending_email_change(user),
            "events": selectors.recent_audit_events(user),
            "session_count": selectors.active_sessions(user).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def own_zone(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = OwnZoneForm(request.POST or None, initial={"timezone": user.timezone})
    if request.method == "POST" and form.is_valid():
        try:
            services.own_zone_set(user=user, timezone_name=form.cleaned_data["timezone"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your time zone is saved."))
            return redirect("accounts:security")
    return render(request, "accounts/zone.html", {"form": form})


# --- Sessions ----------------------------------------------------------------------------------


@login_required
@never_cache
def sessions(request: AuthenticatedRequest) -> HttpResponse:
    rows = selectors.session_rows(request.user)
    return render(
        request,
        "accounts/sessions.html",
        {"rows": rows, "current_key": request.session.session_key},
    )


@login_required
@require_POST
def session_end(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    row = selectors.get_active_session(user, pk)
    if row.session_key == request.session.session_key:
        # Ending the session you are using is logging out.
        return account_views.LogoutView.as_view()(request)
    services.session_end(user=user, user_session=row, client=services.client_info(request))
    messages.success(request, _("That session is logged out."))
    return redirect("accounts:sessions")


# --- API tokens --------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    """The list needs only a login; making a token needs a fresh re-authentication, since a
    token outlives the session (someone at an unlocked laptop must not mint one)."""
    user = request.user
    if request.method == "POST" and not did_recently_reauthenticate(request):
        # Back here afterwards with the form filled in as it was.
        typed = {
            key: request.POST.get(key, "")[:100]
            for key in ("name", "expires_in_days")
            if request.POST.get(key)
        }
        back = reverse("accounts:tokens") + (f"?{urlencode(typed)}" if typed else "")
        return redirect(_with_next(reverse("account_reauthenticate"), back))
    initial = {key: request.GET.get(key, "")[:100] for key in ("name", "expires_in_days")}
    form = TokenCreateForm(request.POST or None, initial=initial)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.token_create(
                user=user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                client=services.client_info(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The raw token goes into this one response and nowhere else.
            created = {"token": token, "raw": raw}
            form = TokenCreateForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "created": created, "tokens": list(selectors.api_tokens(user))},
    )


@login_required
@require_POST
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    token = selectors.get_api_token(user, pk)
    services.token_revoke(user=user, token=token, client=services.client_info(request))
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
