"""Audit receivers: logins, logouts, failed logins and lock-outs go to the append-only security
log, whichever code path caused them (our views, django-axes, the test client).

A login also starts the session's bookkeeping (credentials version, the listed session) and a
logout ends it, so every way in or out of an account is tracked the same way.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from coparent.accounts import services
from coparent.accounts.models import AuditEvent, User

Kind = AuditEvent.Kind


def _typed_email(value: object) -> str:
    return str(value or "").strip()[:254]


def _user_with_email(email: str) -> User | None:
    # Linking a failure to the account lets its owner see the attempts on the security page.
    if not email:
        return None
    return User.objects.filter(email__iexact=email).first()


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    client = services.client_info(request)
    services.audit_log(kind=Kind.LOGIN, user=user, client=client)
    session = getattr(request, "session", None)
    if session is not None:
        services.session_begin(session=session, user=user, client=client)


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
    email = _typed_email(credentials.get("username") or credentials.get("email"))
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
