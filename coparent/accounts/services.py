"""Writes for accounts (STYLE.md 3): keyword-only, typed, atomic, each one leaving its trace in
the append-only security log (AuditEvent); notices leave through the task worker after commit.

django-allauth does the sign-up, confirmation, reset, re-authentication and second-factor
flows; what it leaves to the site is here, called from its signals (coparent/accounts/signals.py):
a credential change (password changed or reset, email changed, second factor on or off) bumps
`User.credentials_version` and ends every other session of the person, their rows leave the
session store and the session list (allauth's UserSession). The session the change was made
from stays signed in, with a fresh key and the new version. A password change or reset and an
email change also revoke every API token, and the notice email says how many.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from allauth.usersessions.models import UserSession
from axes.utils import reset as axes_reset
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import Task

from coparent.accounts import selectors
from coparent.accounts.adapter import client_ip
from coparent.accounts.models import ApiToken, AuditEvent, User, hash_token, new_token
from coparent.accounts.selectors import LAST_USED_RESOLUTION, SESSION_CREDENTIALS_VERSION
from coparent.accounts.tasks import send_credentials_notice, send_email_changed_notice
from coparent.core.zones import is_known_zone

Kind = AuditEvent.Kind

# The longest a token may be set to live; without a date it lives until revoked.
TOKEN_MAX_DAYS = 3650


# --- Who is asking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, for the security log."""

    ip_address: str | None = None
    user_agent: str = ""


def client_info(request: HttpRequest | None) -> ClientInfo:
    if request is None:
        return ClientInfo()
    return ClientInfo(
        ip_address=client_ip(request),
        user_agent=(request.headers.get("user-agent") or "")[:300],
    )


def audit_log(
    *,
    kind: str,
    user: User | None = None,
    client: ClientInfo | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one security event. The table refuses UPDATE and DELETE, so this is the only way
    anything touches it."""
    client = client or ClientInfo()
    return AuditEvent.objects.create(
        user=user,
        kind=kind,
        ip_address=client.ip_address,
        user_agent=client.user_agent,
        detail=detail or {},
    )


# --- Credential changes ------------------------------------------------------------------------

# What each kind of change takes down besides the other sessions: a token minted by whoever
# held the old password or address must not outlive them.
REVOKES_TOKENS: set[str] = {Kind.PASSWORD_CHANGED, Kind.PASSWORD_RESET, Kind.EMAIL_CHANGED}
NOTICES: dict[str, Task[[int], None]] = {
    Kind.PASSWORD_CHANGED: send_credentials_notice,
    Kind.PASSWORD_RESET: send_credentials_notice,
    Kind.EMAIL_CHANGED: send_email_changed_notice,
}


def _own_session(request: HttpRequest | None, user: User) -> SessionBase | None:
    session: SessionBase | None = getattr(request, "session", None)
    if session is not None and str(session.get(SESSION_KEY, "")) == str(user.pk):
        return session
    return None


def _end_other_sessions(*, user: User, keep_key: str | None) -> int:
    """End every listed session of the person but `keep_key`; returns how many were still
    alive (a row whose session the store has already dropped ends without counting)."""
    ended = 0
    for row in UserSession.objects.filter(user=user).exclude(session_key=keep_key or ""):
        if row.exists():
            ended += 1
        row.end()
    return ended


def _tokens_revoke_all(*, user: User, at: datetime) -> int:
    """Revoke every API token of the person. Returns how many were revoked (the notice email
    says so)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=at)


def credentials_changed(
    *,
    user: User,
    kind: str,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """After allauth changed a credential of `user` (a password, the address, a second
    factor): bump the credentials version, end every other session, revoke the API tokens when
    the kind says so, log it, and send the notice after commit.

    The session of `request` stays signed in, under a fresh key, if it is the person's own; a
    session that is not (a reset link, a confirmation link opened elsewhere) ends like the rest.
    """
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(credentials_version=F("credentials_version") + 1)
        user.refresh_from_db(fields=["credentials_version"])
        keep = _own_session(request, user)
        if keep is not None:
            old_key = keep.session_key
            # A new key after a credential change, as Django's update_session_auth_hash does.
            keep.cycle_key()
            keep[HASH_SESSION_KEY] = user.get_session_auth_hash()
            keep[SESSION_CREDENTIALS_VERSION] = user.credentials_version
            if old_key:
                UserSession.objects.filter(session_key=old_key).update(session_key=keep.session_key)
        ended = _end_other_sessions(
            user=user, keep_key=keep.session_key if keep is not None else None
        )
        facts: dict[str, Any] = {**(detail or {}), "sessions_ended": ended}
        if kind in REVOKES_TOKENS:
            facts["tokens_revoked"] = _tokens_revoke_all(user=user, at=timezone.now())
        event = audit_log(kind=kind, user=user, client=client_info(request), detail=facts)
        notice = NOTICES.get(kind)
        if notice is not None:
            event_id = event.pk
            transaction.on_commit(lambda: notice.enqueue(event_id))
    return event


def password_reset_done(*, user: User, request: HttpRequest | None = None) -> AuditEvent:
    """A password set through a reset link. The link proved the person reads the address, so
    it also counts as confirming it, and it lifts a login lock-out."""
    with transaction.atomic():
        if not user.email_confirmed:
            email_confirmed(user=user, email=user.email, request=request, log=False)
        event = credentials_changed(user=user, kind=Kind.PASSWORD_RESET, request=request)
    axes_reset(username=user.email)
    return event


def email_confirmed(
    *, user: User, email: str, request: HttpRequest | None = None, log: bool = True
) -> None:
    """allauth marked `email` confirmed: mirror it on the account (every page shows the
    reminder from there, without a query) and log it."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        if email.lower() == user.email and user.email_confirmed_at is None:
            user.email_confirmed_at = timezone.now()
            user.save(update_fields=["email_confirmed_at"])
            EmailAddress.objects.filter(user=user, email__iexact=email).update(verified=True)
        if log:
            audit_log(
                kind=Kind.EMAIL_CONFIRMED,
                user=user,
                client=client_info(request),
                detail={"email": email},
            )


def email_change_request(*, user: User, new_email: str, request: HttpRequest) -> None:
    """Start moving the account to `new_email`: nothing changes until the link sent there is
    opened (allauth's confirmation, with CHANGE_EMAIL); an earlier pending change is replaced.
    Whether another account uses the address is not said: the adapter sends that address a
    notice instead of a link, and the move is refused if it ever came to it."""
    from allauth.account.internal.flows.manage_email import sync_user_email_address
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        sync_user_email_address(user)
        EmailAddress.objects.filter(user=user).exclude(email=user.email).delete()
        EmailAddress.objects.add_new_email(request, user, new_email)


def email_moved(
    *, user: User, old: str, new: str, request: HttpRequest | None = None
) -> AuditEvent:
    """allauth moved the account to a confirmed new address."""
    with transaction.atomic():
        user.refresh_from_db(fields=["email"])
        if user.email_confirmed_at is None:
            user.email_confirmed_at = timezone.now()
            user.save(update_fields=["email_confirmed_at"])
        return credentials_changed(
            user=user,
            kind=Kind.EMAIL_CHANGED,
            request=request,
            detail={"from": old, "to": new},
        )


# --- Sessions ----------------------------------------------------------------------------------


def session_begin(*, request: HttpRequest | None, user: User) -> None:
    """Called on every login: stamp the session with the credentials version and list it."""
    session: SessionBase | None = getattr(request, "session", None)
    if request is None or session is None:
        return
    session[SESSION_CREDENTIALS_VERSION] = user.credentials_version
    if not session.session_key:
        session.save()
    _session_list(request=request, user=user, key=session.session_key or "")


def _session_list(*, request: HttpRequest, user: User, key: str) -> None:
    client = client_info(request)
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "last_seen_at": now,
            "ip": client.ip_address or "0.0.0.0",  # noqa: S104 - unknown, not a bind address
            "user_agent": client.user_agent,
        },
        create_defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "ip": client.ip_address or "0.0.0.0",  # noqa: S104
            "user_agent": client.user_agent,
        },
    )


def session_seen(*, request: HttpRequest, user: User) -> str:
    """Bookkeeping for one signed-in request. Returns "" when the session may go on, or why it
    must end: "credentials_changed" or "session_ended"."""
    session: SessionBase = request.session
    if session.get(SESSION_CREDENTIALS_VERSION) != user.credentials_version:
        return "credentials_changed"
    key = session.session_key or ""
    # On every signed-in page: three plain values by the unique key, with no model to build, as
    # SQL written once (`selectors.session_list_row`; issue #17, "The cost of a request").
    found = selectors.session_list_row(key)
    if not found:
        # A session from before tracking began, or one the login hook could not list.
        _session_list(request=request, user=user, key=key)
        return ""
    row_pk, row_user_id, last_seen_at = found[0]
    if row_user_id != user.pk:
        return "session_ended"
    now = timezone.now()
    if now - last_seen_at >= LAST_USED_RESOLUTION:
        client = client_info(request)
        UserSession.objects.filter(pk=row_pk).update(
            last_seen_at=now,
            user_agent=client.user_agent,
            ip=client.ip_address or "0.0.0.0",  # noqa: S104
        )
    return ""


def session_logged_out(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def session_end(*, user: User, user_session: UserSession, client: ClientInfo | None = None) -> None:
    """End one of the person's sessions from another browser: that browser is logged out at
    its next request."""
    if user_session.user_id != user.pk:
        raise PermissionDenied
    session_id = user_session.pk
    with transaction.atomic():
        user_session.end()
        audit_log(
            kind=Kind.SESSION_ENDED,
            user=user,
            client=client,
            detail={
                "session": session_id,
                "device": selectors.describe_user_agent(user_session.user_agent),
            },
        )


# --- API tokens --------------------------------------------------------------------------------


def token_create(
    *,
    user: User,
    name: str,
    expires_in_days: int | None = None,
    client: ClientInfo | None = None,
) -> tuple[ApiToken, str]:
    """A personal API token, valid until revoked or, with `expires_in_days`, until then.
    Returns the row and the raw token; the raw token is shown once and only its hash is stored.

    The pages and the API ask the person to prove it is them first (a fresh re-authentication
    or the password); this service trusts its caller for that, so the demo can make tokens."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name, such as the app that uses it.")]
    elif len(name) > 100:
        errors["name"] = [_("A name can be at most 100 characters.")]
    if expires_in_days is not None and not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        errors["expires_in_days"] = [
            _("Choose between 1 and %(max)d days, or no expiry.") % {"max": TOKEN_MAX_DAYS}
        ]
    if errors:
        raise ValidationError(errors)
    raw = new_token()
    now = timezone.now()
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            token_hash=hash_token(raw),
            hint=raw[:8],
            created_at=now,
            expires_at=expires_at,
        )
        audit_log(
            kind=Kind.TOKEN_CREATED,
            user=user,
            client=client,
            detail={
                "token": token.pk,
                "name": name,
                "hint": token.hint,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return token, raw


def token_revoke(*, user: User, token: ApiToken, client: ClientInfo | None = None) -> None:
    """Revoke a token at once; revoking twice changes nothing."""
    if token.user_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            token.refresh_from_db(fields=["revoked_at"])
            audit_log(
                kind=Kind.TOKEN_REVOKED,
                user=user,
                client=client,
                detail={"token": token.pk, "name": token.name, "hint": token.hint},
            )


def own_zone_set(*, user: User, timezone_name: str) -> User:
    """The member's own time zone ("" for none: the family's zone is theirs). Family pages then
    give each time in it too, beside the family's; account pages use it."""
    timezone_name = (timezone_name or "").strip()
    if timezone_name and not is_known_zone(timezone_name):
        raise ValidationError(
            {"timezone": [_("Choose a time zone from the list, or none to use your family's.")]}
        )
    user.timezone = timezone_name
    user.save(update_fields=["timezone"])
    return user
