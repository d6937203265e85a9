"""Account pages (thin views, STYLE.md 6): decorators, a form, one service call, a redirect."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from coparent.accounts import selectors, services
from coparent.accounts.decorators import reauth_required
from coparent.accounts.forms import (
    CodeForm,
    EmailChangeForm,
    LoginForm,
    OtpConfirmForm,
    PasswordChangeForm,
    PasswordResetForm,
    ReauthForm,
    SignupForm,
    TokenCreateForm,
)
from coparent.accounts.identity import confirm_identity, throttled_message
from coparent.accounts.models import EmailConfirmation, User
from coparent.accounts.selectors import ConfirmationProblem
from coparent.infra import ratelimit

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# What a sign-up leaves in the browser's session: the address (to show on the next page), where
# to go afterwards, and, for a new account, who it is, so that opening the confirmation link in
# this same browser logs the person in. A taken address leaves the same keys with no user.
SESSION_SIGNUP = "accounts.signup"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _safe_next(request: HttpRequest) -> str:
    """The `next` URL from the form or the query string, if it stays on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _after_login(next_url: str) -> HttpResponseRedirect:
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


def _remind_to_confirm(request: HttpRequest, user: User) -> None:
    if not user.email_confirmed:
        messages.warning(
            request,
            _("Please confirm your email address: open the link we sent to %(email)s.")
            % {"email": user.email},
        )


# --- Sign-up and confirmation ------------------------------------------------------------------


@sensitive_post_parameters("password", "password_confirm")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return _after_login(next_url)
    # An invitation page may pass the invited address along, to save typing.
    initial = {"email": request.GET.get("email", "")[:254]}
    form = SignupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            # Each sign-up emails the address typed: limited per address and per client.
            ratelimit.hit(request, "signup", email=email)
            user = services.user_signup(
                email=email,
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password"],
                client=services.client_info(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The same answer whether the account was created or the address was taken (the
            # owner got an email instead): nobody logs in here, so nothing tells them apart.
            request.session[SESSION_SIGNUP] = {
                "email": services.normalize_email(email),
                "next": next_url,
                "user": user.pk if user is not None else None,
                "version": user.credentials_version if user is not None else None,
            }
            return redirect(_with_next("accounts:check_email", next_url))
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@never_cache
def check_email(request: HttpRequest) -> HttpResponse:
    """After sign-up (anyone), or for a signed-in person whose address is not confirmed yet."""
    signup = request.session.get(SESSION_SIGNUP)
    return render(
        request,
        "accounts/check_email.html",
        {
            "next": _safe_next(request),
            "days": settings.COPARENT_EMAIL_CONFIRM_DAYS,
            "signup_email": signup.get("email", "") if isinstance(signup, dict) else "",
        },
    )


@login_required
@require_POST
def confirm_resend(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.email_confirmed:
        messages.info(request, _("Your email address is already confirmed."))
    elif services.email_confirmation_resend(user=user):
        messages.success(request, _("We sent a new link to %(email)s.") % {"email": user.email})
    else:
        messages.info(
            request,
            _("We sent a link less than a minute ago. Check your inbox and your spam folder."),
        )
    return redirect(_with_next("accounts:check_email", _safe_next(request)))


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link will do and a button; only the POST uses the link, so mail
    scanners that follow links cannot spend it."""
    try:
        if request.method == "POST":
            session = request.session if request.user.is_authenticated else None
            confirmation = services.email_confirm(
                token=token, session=session, client=services.client_info(request)
            )
            next_url = _log_in_after_signup(request, confirmation)
            return render(
                request,
                "accounts/confirm_done.html",
                {"confirmation": confirmation, "next": next_url},
            )
        confirmation = selectors.confirmation_for_token(token)
    except ConfirmationProblem as problem:
        status = 404 if problem.reason == "invalid" else 410
        return render(request, "accounts/confirm_problem.html", {"problem": problem}, status=status)
    is_change = confirmation.email != confirmation.user.email
    return render(
        request,
        "accounts/confirm.html",
        {"confirmation": confirmation, "is_change": is_change},
    )


def _log_in_after_signup(request: HttpRequest, confirmation: EmailConfirmation) -> str:
    """Opening the link of a new account in the browser that signed up logs the person in,
    as if they had logged in right after signing up; any other browser must log in. Returns
    where to go next ("" for the default).

    Not when the account has since turned on a second factor or changed its password: then
    the link alone must not be enough to sign in."""
    state = request.session.get(SESSION_SIGNUP)
    if not isinstance(state, dict):
        return ""
    next_url = str(state.get("next") or "")
    user = confirmation.user
    if (
        not request.user.is_authenticated
        and state.get("user") == user.pk
        and state.get("version") == user.credentials_version
        and confirmation.email == user.email
        and user.is_active
        and not selectors.has_second_factor(user)
    ):
        request.session.pop(SESSION_SIGNUP, None)
        auth_login(request, user, backend=MODEL_BACKEND)
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


# --- Login, second step, logout ----------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return _after_login(next_url)
    form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        user = form.user
        backend = getattr(user, "backend", MODEL_BACKEND)
        if selectors.has_second_factor(user):
            services.pending_login_start(
                session=request.session, user=user, backend=backend, next_url=next_url
            )
            return redirect("accounts:login_2fa")
        auth_login(request, user, backend=backend)
        _remind_to_confirm(request, user)
        return _after_login(next_url)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_2fa(request: HttpRequest) -> HttpResponse:
    """The second step: the password was right, and the person is not logged in until the code
    is (a half-login in the session that lapses after five minutes)."""
    pending = selectors.pending_login(request.session)
    if pending is None:
        services.pending_login_clear(session=request.session)
        messages.info(request, _("Please log in again."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_verify(
                user=pending.user,
                code=form.cleaned_data["code"],
                client=services.client_info(request),
            )
        except services.OtpThrottled as throttled:
            form.add_error("code", throttled_message(throttled))
        else:
            if device is not None:
                services.pending_login_clear(session=request.session)
                auth_login(request, pending.user, backend=pending.backend or MODEL_BACKEND)
                django_otp.login(request, device)
                _after_recovery_code(request, pending.user, device)
                _remind_to_confirm(request, pending.user)
                return _after_login(pending.next_url)
            if services.pending_login_failed(session=request.session):
                messages.error(request, _("Too many wrong codes. Enter your password again."))
                return redirect(_with_next("accounts:login", pending.next_url))
            form.add_error("code", _("That code is not right."))
    return render(request, "accounts/login_2fa.html", {"form": form})


def _after_recovery_code(request: HttpRequest, user: User, device: Any) -> None:
    if device.persistent_id.startswith("otp_static."):
        left = selectors.recovery_codes_left(user)
        messages.warning(
            request,
            ngettext(
                "You used a recovery code. %(left)d code is left; make new ones on your "
                "account page.",
                "You used a recovery code. %(left)d codes are left; make new ones on your "
                "account page.",
                left,
            )
            % {"left": left},
        )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.info(request, _("You are logged out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- Password reset (Django's views, our templates and services) -------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    title = gettext_lazy("Reset your password")

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        # Links in emails use the configured base URL, never the request's Host header.
        return {"base_url": settings.BASE_URL}

    def form_valid(self, form: Any) -> HttpResponse:
        # Each request may email the address: limited per address and per client, counted
        # whether or not an account uses it, so the limit tells nothing either.
        try:
            ratelimit.hit(self.request, "password_reset", email=form.cleaned_data["email"])
        except ratelimit.RateLimited as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        # The service sets the password, bumps the credentials version and ends the other
        # sessions, so a reset throws out whoever knew the old password.
        session = self.request.session if self.request.user.is_authenticated else None
        try:
            services.password_reset_complete(
                user=form.user,
                password=form.cleaned_data["new_password1"],
                session=session,
                client=services.client_info(self.request),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- The account page and re-authentication ----------------------------------------------------


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/security.html",
        {
            "has_2fa": selectors.has_second_factor(user),
            "codes_left": selectors.recovery_codes_left(user),
            "pending_change": selectors.pending_email_change(user),
            "events": selectors.recent_audit_events(user),
            "session_count": selectors.active_sessions(user).count(),
        },
    )


@login_required
@sensitive_post_parameters("password", "code")
@never_cache
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    next_url = _safe_next(request) or reverse("accounts:security")
    if request.method == "POST":
        form = confirm_identity(request, user, request.POST)
        if not form.errors:
            services.reauth_mark(session=request.session)
            return redirect(next_url)
    else:
        form = ReauthForm(request, user, selectors.has_second_factor(user))
    return render(request, "accounts/reauth.html", {"form": form, "next": next_url})


@reauth_required
@sensitive_post_parameters("password", "password_confirm")
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                password=form.cleaned_data["password"],
                session=request.session,
                client=services.client_info(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your password is changed. Your other sessions were logged out.")
            )
            return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


@reauth_required
@never_cache
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # The link goes to an address of the person's choosing: limited per account and
            # per address.
            ratelimit.hit(request, "email_change", email=form.cleaned_data["email"])
            confirmation = services.email_change_request(
                user=user,
                new_email=form.cleaned_data["email"],
                client=services.client_info(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "We sent a link to %(email)s. Your address changes when you open it; "
                    "until then, nothing changes."
                )
                % {"email": confirmation.email},
            )
            return redirect("accounts:security")
    return render(
        request,
        "accounts/email_change.html",
        {"form": form, "pending_change": selectors.pending_email_change(user)},
    )


# --- Second factor -----------------------------------------------------------------------------


def _codes_page(request: HttpRequest, codes: list[str], *, first_time: bool) -> HttpResponse:
    # Rendered straight from the POST, never stored for a later page: shown this once.
    return render(
        request,
        "accounts/otp_codes.html",
        {"codes": codes, "first_time": first_time},
    )


@reauth_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if selectors.has_second_factor(user):
        messages.info(request, _("The second factor is already on."))
        return redirect("accounts:security")
    device = services.otp_setup_start(user=user)
    form = OtpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.otp_enable(
                user=user,
                device=device,
                code=form.cleaned_data["code"],
                session=request.session,
                client=services.client_info(request),
            )
        except services.OtpThrottled as throttled:
            form.add_error("code", throttled_message(throttled))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # This browser proved the code, so it counts as verified from now on.
            django_otp.login(request, device)
            return _codes_page(request, codes, first_time=True)
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": selectors.totp_qr_svg(device),
            "secret": selectors.totp_secret_text(device),
        },
    )


@reauth_required
@never_cache
@require_http_methods(["GET", "POST"])
def otp_disable(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.has_second_factor(user):
        messages.info(request, _("The second factor is already off."))
        return redirect("accounts:security")
    if request.method == "POST":
        services.otp_disable(
            user=user, session=request.session, client=services.client_info(request)
        )
        messages.success(
            request,
            _("The second factor is off. Your other sessions were logged out."),
        )
        return redirect("accounts:security")
    return render(request, "accounts/otp_disable.html")


@reauth_required
@never_cache
@require_http_methods(["GET", "POST"])
def otp_recovery(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.has_second_factor(user):
        messages.info(request, _("Turn on the second factor first."))
        return redirect("accounts:security")
    if request.method == "POST":
        codes = services.recovery_codes_regenerate(user=user, client=services.client_info(request))
        return _codes_page(request, codes, first_time=False)
    return render(
        request,
        "accounts/otp_recovery.html",
        {"codes_left": selectors.recovery_codes_left(user)},
    )


# --- Sessions ----------------------------------------------------------------------------------


@login_required
@never_cache
def sessions(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.active_sessions(_user(request)))
    for row in rows:
        row.device_label = selectors.describe_user_agent(row.user_agent)  # type: ignore[attr-defined]
    return render(
        request,
        "accounts/sessions.html",
        {"rows": rows, "current_key": request.session.session_key},
    )


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    row = selectors.get_active_session(user, pk)
    if row.session_key == request.session.session_key:
        # Ending the session you are using is logging out.
        auth_logout(request)
        messages.info(request, _("You are logged out."))
        return redirect(settings.LOGOUT_REDIRECT_URL)
    services.session_end(user=user, user_session=row, client=services.client_info(request))
    messages.success(request, _("That session is logged out."))
    return redirect("accounts:sessions")


# --- API tokens --------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The list needs only a login; making a token needs a fresh re-authentication, since a
    token outlives the session (someone at an unlocked laptop must not mint one)."""
    user = _user(request)
    if request.method == "POST" and not selectors.reauth_is_fresh(request.session):
        # Back here afterwards with the form filled in as it was.
        typed = {
            key: request.POST.get(key, "")[:100]
            for key in ("name", "expires_in_days")
            if request.POST.get(key)
        }
        back = reverse("accounts:tokens") + (f"?{urlencode(typed)}" if typed else "")
        return redirect(_with_next("accounts:reauth", back))
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
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    token = selectors.get_api_token(user, pk)
    services.token_revoke(user=user, token=token, client=services.client_info(request))
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
