"""Receivers: the security log and the site's answer to each credential change, whichever code
path caused them (allauth's flows, django-axes, the test client).

allauth tells what happened through signals, so this is where the site hears of it; each
receiver only translates the event and calls one service, where the rules live. Logins,
logouts, failed logins and lock-outs come from Django and django-axes; a login also starts the
session's bookkeeping (credentials version, the listed session) and a logout ends it.
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from coparent.accounts import selectors, services
from coparent.accounts.models import AuditEvent, User

Kind = AuditEvent.Kind
AuthType = Authenticator.Type


def _typed_email(value: object) -> str:
    return str(value or "").strip()[:254]


def _user_with_email(email: str) -> User | None:
    # Linking a failure to the account lets its owner see the attempts on the security page.
    if not email:
        return None
    return User.objects.filter(email__iexact=email).first()


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    services.audit_log(kind=Kind.LOGIN, user=user, client=services.client_info(request))
    services.session_begin(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    detail = {}
    # The session-tracking middleware says why it ended a session (credentials changed, or
    # ended from another browser); a plain logout has no reason.
    reason = getattr(request, "accounts_logout_reason", "")
    if reason:
        detail["reason"] = reason
    services.audit_log(
        kind=Kind.LOGOUT, user=user, client=services.client_info(request), detail=detail
    )
    session = getattr(request, "session", None)
    services.session_logged_out(session_key=getattr(session, "session_key", None))


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    email = _typed_email(credentials.get("email") or credentials.get("username"))
    services.audit_log(
        kind=Kind.LOGIN_FAILED,
        user=_user_with_email(email),
        client=services.client_info(request),
        detail={"email": email},
    )


@receiver(user_locked_out, dispatch_uid="accounts.audit_locked_out")
def on_locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    email = _typed_email(username)
    services.audit_log(
        kind=Kind.LOCKED_OUT,
        user=_user_with_email(email),
        client=services.client_info(request),
        detail={"email": email},
    )


# --- allauth: sign-up, addresses, passwords ------------------------------------------------------


@receiver(account_signals.user_signed_up, dispatch_uid="accounts.audit_signup")
def on_signed_up(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    services.audit_log(kind=Kind.SIGNUP, user=user, client=services.client_info(request))


@receiver(account_signals.email_confirmed, dispatch_uid="accounts.email_confirmed")
def on_email_confirmed(
    sender: Any, request: HttpRequest, email_address: EmailAddress, **kwargs: Any
) -> None:
    user = User.objects.get(pk=email_address.user_id)
    services.email_confirmed(user=user, email=email_address.email, request=request)


@receiver(account_signals.email_changed, dispatch_uid="accounts.email_changed")
def on_email_changed(
    sender: Any,
    request: HttpRequest,
    user: User,
    from_email_address: EmailAddress | None,
    to_email_address: EmailAddress,
    **kwargs: Any,
) -> None:
    old = from_email_address.email if from_email_address is not None else ""
    services.email_moved(user=user, old=old, new=to_email_address.email, request=request)


@receiver(account_signals.password_changed, dispatch_uid="accounts.password_changed")
def on_password_changed(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    services.credentials_changed(user=user, kind=Kind.PASSWORD_CHANGED, request=request)


@receiver(account_signals.password_reset, dispatch_uid="accounts.password_reset")
def on_password_reset(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    services.password_reset_done(user=user, request=request)


# --- allauth.mfa: second factors and passkeys ----------------------------------------------------

# A new authenticator app is handled by views.ActivateTOTPView: allauth announces it only after
# commit, too late to renew the session of the response that turned it on.
_ADDED: dict[str, str] = {AuthType.WEBAUTHN: Kind.PASSKEY_ADDED}
_REMOVED: dict[str, str] = {
    AuthType.TOTP: Kind.OTP_DISABLED,
    AuthType.WEBAUTHN: Kind.PASSKEY_REMOVED,
}


def _passkey(authenticator: Authenticator) -> dict[str, Any]:
    if authenticator.type != AuthType.WEBAUTHN:
        return {}
    name = str(authenticator.data.get("name", ""))
    return {"passkey": authenticator.pk, "name": name[:100]}


@receiver(mfa_signals.authenticator_added, dispatch_uid="accounts.authenticator_added")
def on_authenticator_added(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    kind = _ADDED.get(authenticator.type)
    if kind is not None:
        services.credentials_changed(
            user=user, kind=kind, request=request, detail=_passkey(authenticator)
        )


@receiver(mfa_signals.authenticator_removed, dispatch_uid="accounts.authenticator_removed")
def on_authenticator_removed(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    kind = _REMOVED.get(authenticator.type)
    if kind is not None:
        services.credentials_changed(
            user=user, kind=kind, request=request, detail=_passkey(authenticator)
        )


@receiver(mfa_signals.authenticator_reset, dispatch_uid="accounts.authenticator_reset")
def on_authenticator_reset(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == AuthType.RECOVERY_CODES:
        services.audit_log(
            kind=Kind.RECOVERY_CODES_RENEWED, user=user, client=services.client_info(request)
        )


@receiver(mfa_signals.authenticator_used, dispatch_uid="accounts.authenticator_used")
def on_authenticator_used(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == AuthType.RECOVERY_CODES:
        authenticator.refresh_from_db()
        left = selectors.recovery_codes_left(authenticator)
        services.audit_log(
            kind=Kind.RECOVERY_CODE_USED,
            user=user,
            client=services.client_info(request),
            detail={"left": left},
        )


@receiver(mfa_signals.authentication_failed, dispatch_uid="accounts.authentication_failed")
def on_authentication_failed(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    services.audit_log(kind=Kind.OTP_FAILED, user=user, client=services.client_info(request))
