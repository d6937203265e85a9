"""Writes for accounts (STYLE.md 3): keyword-only, typed, atomic, each one leaving its trace in
the append-only security log (AuditEvent); emails leave through the task worker after commit.

A credential change (password, password reset, email, second factor on or off) bumps
`User.credentials_version` and ends every other session of the person: their rows leave the
session store and their UserSession rows are marked ended. The session the change was made
from stays signed in, with a fresh key and the new version. A password change or reset and an
email change also revoke every API token, and the notice email says how many.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coparent.accounts import selectors
from coparent.accounts.models import (
    ApiToken,
    AuditEvent,
    EmailConfirmation,
    User,
    UserSession,
    hash_token,
    new_token,
)
from coparent.accounts.selectors import (
    LAST_USED_RESOLUTION,
    SESSION_CREDENTIALS_VERSION,
    SESSION_PENDING_LOGIN,
    SESSION_REAUTH_AT,
    ConfirmationProblem,
)
from coparent.accounts.tasks import (
    send_credentials_notice,
    send_email_changed_notice,
    send_email_confirmation,
    send_signup_attempt_notice,
)
from coparent.infra.labels import check_label
from coparent.infra.secrets_links import hash_link_token

Kind = AuditEvent.Kind

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Wrong second-factor codes allowed in one half-finished login before the password is asked
# again, which puts the attempt back under the failed-login throttle (django-axes).
PENDING_LOGIN_MAX_FAILURES = 5
# A new confirmation email is not sent more often than this, so nobody can mail-bomb an
# address through the resend button.
RESEND_INTERVAL = timedelta(seconds=60)
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
    # The same resolution django-axes uses, so the log and the throttle agree on the address.
    raw_ip = get_client_ip_address(request)
    try:
        ip = str(ipaddress.ip_address(raw_ip)) if raw_ip else None
    except ValueError:
        ip = None
    return ClientInfo(ip_address=ip, user_agent=(request.headers.get("user-agent") or "")[:300])


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


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _validate_new_password(password: str, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


# --- Sign-up and email confirmation --------------------------------------------------------------


def user_signup(
    *, email: str, display_name: str, password: str, client: ClientInfo | None = None
) -> User | None:
    """Create an account and send the confirmation link; the email stays marked unconfirmed
    until the link is opened.

    The answer never tells whether the address already has an account (anyone could otherwise
    learn who uses Coparent): for a taken address nothing is created, the owner is told by
    email that someone tried, and None comes back, which the page shows exactly as a
    successful sign-up. Bad input gets field errors either way, since those depend only on
    what was typed.
    """
    email = normalize_email(email)
    display_name = (display_name or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid email address.")]
    if not display_name:
        errors["display_name"] = [_("Enter your name.")]
    elif len(display_name) > 100:
        errors["display_name"] = [_("A name can be at most 100 characters.")]
    check_label(errors, "display_name", display_name)
    try:
        validate_password(password, User(email=email, display_name=display_name))
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    owner = User.objects.filter(email__iexact=email).first()
    if owner is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email, password=password, display_name=display_name
                )
                audit_log(kind=Kind.SIGNUP, user=user, client=client)
                email_confirmation_create(user=user, email=email)
            return user
        except IntegrityError:  # another sign-up took the address a moment ago
            owner = User.objects.filter(email__iexact=email).first()
            if owner is None:
                raise
    # Hash the password anyway, so the answer takes as long as a real sign-up.
    make_password(password)
    with transaction.atomic():
        event = audit_log(kind=Kind.SIGNUP_EXISTING, user=owner, client=client)
        event_id = event.pk
        transaction.on_commit(lambda: send_signup_attempt_notice.enqueue(event_id))
    return None


def email_confirmation_create(*, user: User, email: str) -> EmailConfirmation:
    """Issue a single-use link for `email` and mail it after commit. The database keeps only
    the hash of the link token; the worker re-derives the token from the id."""
    now = timezone.now()
    with transaction.atomic():
        # The token is derived from the id, which exists only after the insert; until the
        # update below the row holds a random hash that no token can match.
        confirmation = EmailConfirmation.objects.create(
            user=user,
            email=email,
            token_hash=secrets.token_hex(32),
            created_at=now,
            expires_at=now + timedelta(days=settings.COPARENT_EMAIL_CONFIRM_DAYS),
        )
        confirmation.token_hash = hash_link_token(selectors.confirmation_token(confirmation.pk))
        confirmation.save(update_fields=["token_hash"])
        confirmation_id = confirmation.pk
        transaction.on_commit(lambda: send_email_confirmation.enqueue(confirmation_id))
    return confirmation


def email_confirmation_resend(*, user: User) -> bool:
    """Send a fresh link for the account's address. False when there is nothing to do: the
    address is confirmed already, or a link left less than a minute ago."""
    if user.email_confirmed:
        return False
    last = selectors.last_confirmation_sent_at(user, user.email)
    if last is not None and timezone.now() - last < RESEND_INTERVAL:
        return False
    email_confirmation_create(user=user, email=user.email)
    return True


def email_change_request(
    *, user: User, new_email: str, client: ClientInfo | None = None
) -> EmailConfirmation:
    """Start moving the account to a new address. Nothing changes until the link sent to the
    new address is opened; an earlier pending change is replaced."""
    new_email = normalize_email(new_email)
    try:
        validate_email(new_email)
    except ValidationError as error:
        raise ValidationError({"email": [_("Enter a valid email address.")]}) from error
    if new_email == user.email:
        raise ValidationError({"email": [_("This is already your email address.")]})
    # Whether another account uses the address is not said here (that would tell anyone with
    # an account who else has one): the link goes out either way, and the worker sends that
    # address a notice instead when it belongs to another account (tasks.send_email_confirmation);
    # a link that somehow reached it would still be refused (_email_move).
    with transaction.atomic():
        EmailConfirmation.objects.filter(user=user, used_at__isnull=True).exclude(
            email=user.email
        ).update(used_at=timezone.now())
        return email_confirmation_create(user=user, email=new_email)


def email_confirm(
    *, token: str, session: SessionBase | None = None, client: ClientInfo | None = None
) -> EmailConfirmation:
    """Use a confirmation link once. For the account's own address it marks the address
    confirmed; for another address it moves the account there (a credential change).

    `session` is the session of the request that opened the link; it stays signed in only if
    it belongs to the same person.
    """
    try:
        with transaction.atomic():
            found = selectors.confirmation_for_token(token)
            # Lock the row so a double click cannot use the link twice.
            confirmation = (
                EmailConfirmation.objects.select_for_update()
                .select_related("user")
                .get(pk=found.pk)
            )
            if confirmation.used_at is not None:
                raise ConfirmationProblem(
                    "used", _("This link has already been used. Each link works once.")
                )
            user = confirmation.user
            now = timezone.now()
            confirmation.used_at = now
            confirmation.save(update_fields=["used_at"])
            if confirmation.email == user.email:
                if user.email_confirmed_at is None:
                    user.email_confirmed_at = now
                    user.save(update_fields=["email_confirmed_at"])
                audit_log(
                    kind=Kind.EMAIL_CONFIRMED,
                    user=user,
                    client=client,
                    detail={"email": user.email},
                )
                # Earlier links to the same address have nothing left to prove.
                EmailConfirmation.objects.filter(
                    user=user, email=user.email, used_at__isnull=True
                ).update(used_at=now)
                return confirmation
            _email_move(user=user, confirmation=confirmation, session=session, client=client)
    except IntegrityError as error:
        raise _address_taken() from error
    return confirmation


def _address_taken() -> ConfirmationProblem:
    return ConfirmationProblem(
        "taken",
        _("Another account now uses this email address, so yours cannot move to it."),
    )


def _email_move(
    *,
    user: User,
    confirmation: EmailConfirmation,
    session: SessionBase | None,
    client: ClientInfo | None,
) -> None:
    if User.objects.filter(email__iexact=confirmation.email).exclude(pk=user.pk).exists():
        raise _address_taken()
    now = timezone.now()
    old = user.email
    user.email = confirmation.email
    user.email_confirmed_at = now
    user.save(update_fields=["email", "email_confirmed_at"])
    # Every other outstanding link (to the old address, or to another new one) is now stale.
    EmailConfirmation.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    ended = _credentials_changed(user=user, session=session)
    revoked = _tokens_revoke_all(user=user, at=now)
    event = audit_log(
        kind=Kind.EMAIL_CHANGED,
        user=user,
        client=client,
        detail={
            "from": old,
            "to": user.email,
            "sessions_ended": ended,
            "tokens_revoked": revoked,
        },
    )
    event_id = event.pk
    transaction.on_commit(lambda: send_email_changed_notice.enqueue(event_id))


# --- Credential changes ------------------------------------------------------------------------


def _session_store() -> type[SessionBase]:
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    return store


def _end_sessions(*, user: User, keep_key: str | None, at: datetime) -> int:
    rows = list(
        UserSession.objects.filter(user=user, ended_at__isnull=True)
        .exclude(session_key=keep_key or "")
        .only("pk", "session_key")
    )
    store = _session_store()
    for row in rows:
        store().delete(row.session_key)
    UserSession.objects.filter(pk__in=[row.pk for row in rows]).update(ended_at=at)
    return len(rows)


def _belongs_to(session: SessionBase | None, user: User) -> bool:
    return session is not None and str(session.get(SESSION_KEY, "")) == str(user.pk)


def _credentials_changed(*, user: User, session: SessionBase | None) -> int:
    """Bump the credentials version and end every other session; keep `session` if it is the
    person's own, under a fresh key. Returns how many sessions ended."""
    User.objects.filter(pk=user.pk).update(credentials_version=F("credentials_version") + 1)
    user.refresh_from_db(fields=["credentials_version"])
    keep = session if (session is not None and _belongs_to(session, user)) else None
    ended = _end_sessions(
        user=user, keep_key=keep.session_key if keep is not None else None, at=timezone.now()
    )
    if keep is not None:
        old_key = keep.session_key
        # A new key after a credential change, as Django's update_session_auth_hash does.
        keep.cycle_key()
        keep[HASH_SESSION_KEY] = user.get_session_auth_hash()
        keep[SESSION_CREDENTIALS_VERSION] = user.credentials_version
        if old_key:
            UserSession.objects.filter(session_key=old_key).update(session_key=keep.session_key)
    return ended


def _tokens_revoke_all(*, user: User, at: datetime) -> int:
    """Revoke every API token of the person. Called on a password change, a password reset and
    an email change: a token minted by whoever held the old credentials must not outlive
    them. Returns how many were revoked (the notice email says so)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=at)


def password_change(
    *,
    user: User,
    password: str,
    session: SessionBase | None = None,
    client: ClientInfo | None = None,
) -> None:
    _validate_new_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        ended = _credentials_changed(user=user, session=session)
        revoked = _tokens_revoke_all(user=user, at=timezone.now())
        event = audit_log(
            kind=Kind.PASSWORD_CHANGED,
            user=user,
            client=client,
            detail={"sessions_ended": ended, "tokens_revoked": revoked},
        )
        event_id = event.pk
        transaction.on_commit(lambda: send_credentials_notice.enqueue(event_id))


def password_reset_complete(
    *,
    user: User,
    password: str,
    session: SessionBase | None = None,
    client: ClientInfo | None = None,
) -> None:
    """Set the password chosen through a reset link. The link proved the person reads the
    address, so it also counts as confirming it, and it lifts a login lock-out."""
    _validate_new_password(password, user, field="new_password1")
    with transaction.atomic():
        user.set_password(password)
        fields = ["password"]
        if user.email_confirmed_at is None:
            user.email_confirmed_at = timezone.now()
            fields.append("email_confirmed_at")
        user.save(update_fields=fields)
        ended = _credentials_changed(user=user, session=session)
        revoked = _tokens_revoke_all(user=user, at=timezone.now())
        event = audit_log(
            kind=Kind.PASSWORD_RESET,
            user=user,
            client=client,
            detail={"sessions_ended": ended, "tokens_revoked": revoked},
        )
        event_id = event.pk
        transaction.on_commit(lambda: send_credentials_notice.enqueue(event_id))
    axes_reset(username=user.email)


# --- Second factor -----------------------------------------------------------------------------


class OtpThrottled(Exception):
    """Too many wrong codes in a row: django-otp asks the person to wait until `until`."""

    def __init__(self, until: datetime | None) -> None:
        super().__init__("second-factor verification throttled")
        self.until = until

    @property
    def seconds(self) -> int:
        if self.until is None:
            return 1
        return max(1, int((self.until - timezone.now()).total_seconds()) + 1)


def normalize_code(code: str) -> str:
    """People type codes with spaces or dashes, in either case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def _verify_device(device: Device, code: str) -> bool:
    """Check a code against one device under a row lock, respecting django-otp's throttle.
    A wrong code commits the device's failure count, so this must not run inside a
    transaction that is later rolled back."""
    with transaction.atomic():
        locked = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, info = locked.verify_is_allowed()
        if not allowed:
            raise OtpThrottled((info or {}).get("locked_until"))
        verified: bool = locked.verify_token(code)
    return verified


def otp_setup_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator device to show as a QR code; reused if setup was
    started before, so reloading the page does not change the secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def otp_enable(
    *,
    user: User,
    device: TOTPDevice,
    code: str,
    session: SessionBase | None = None,
    client: ClientInfo | None = None,
) -> list[str]:
    """Turn the second factor on once the person proves the app shows the right code.
    Returns the recovery codes, to be shown once."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not _verify_device(device, normalize_code(code)):
        raise ValidationError(
            {"code": [_("That code is not right. Check the time on your phone and try again.")]}
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _recovery_codes_replace(user)
        ended = _credentials_changed(user=user, session=session)
        audit_log(kind=Kind.OTP_ENABLED, user=user, client=client, detail={"sessions_ended": ended})
    return codes


def otp_disable(
    *, user: User, session: SessionBase | None = None, client: ClientInfo | None = None
) -> None:
    with transaction.atomic():
        deleted, _counts = TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        if not deleted:
            return
        ended = _credentials_changed(user=user, session=session)
        audit_log(
            kind=Kind.OTP_DISABLED, user=user, client=client, detail={"sessions_ended": ended}
        )


def recovery_codes_regenerate(*, user: User, client: ClientInfo | None = None) -> list[str]:
    """New recovery codes; the old ones stop working. Returns the codes, to be shown once."""
    if not selectors.has_second_factor(user):
        raise ValidationError(_("Turn on the second factor first."))
    with transaction.atomic():
        return _recovery_codes_replace(user)


def otp_verify(*, user: User, code: str, client: ClientInfo | None = None) -> Device | None:
    """Check a second-factor code: six digits go to the authenticator app, anything else is
    tried as a recovery code (each works once). Every miss is logged as OTP_FAILED.

    Raises OtpThrottled while django-otp's back-off is running.
    """
    code = normalize_code(code)
    model: type[Device] = TOTPDevice if re.fullmatch(r"\d{6}", code) else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first() if code else None
    try:
        verified = device is not None and _verify_device(device, code)
    except OtpThrottled:
        audit_log(kind=Kind.OTP_FAILED, user=user, client=client, detail={"throttled": True})
        raise
    if not verified or device is None:
        audit_log(kind=Kind.OTP_FAILED, user=user, client=client)
        return None
    if isinstance(device, StaticDevice):
        audit_log(
            kind=Kind.RECOVERY_CODE_USED,
            user=user,
            client=client,
            detail={"left": device.token_set.count()},
        )
    return device


# --- Half-finished logins and re-authentication (session state only) ----------------------------


def pending_login_start(
    *, session: SessionBase, user: User, backend: str, next_url: str = ""
) -> None:
    """Remember that the password was right; the person is not logged in until the code is."""
    session[SESSION_PENDING_LOGIN] = {
        "user": user.pk,
        "at": int(timezone.now().timestamp()),
        "backend": backend,
        "next": next_url,
        "failures": 0,
    }


def pending_login_failed(*, session: SessionBase) -> bool:
    """Count a wrong code; True when the half-login is dropped and the password is needed
    again."""
    state = session.get(SESSION_PENDING_LOGIN)
    if not isinstance(state, dict):
        return True
    state["failures"] = int(state.get("failures", 0)) + 1
    if state["failures"] >= PENDING_LOGIN_MAX_FAILURES:
        session.pop(SESSION_PENDING_LOGIN, None)
        return True
    session[SESSION_PENDING_LOGIN] = state
    return False


def pending_login_clear(*, session: SessionBase) -> None:
    session.pop(SESSION_PENDING_LOGIN, None)


def reauth_mark(*, session: SessionBase) -> None:
    """The person just proved it is them; sensitive changes are open for a while."""
    session[SESSION_REAUTH_AT] = int(timezone.now().timestamp())


# --- Sessions ----------------------------------------------------------------------------------


def session_begin(*, session: SessionBase, user: User, client: ClientInfo | None = None) -> None:
    """Called on every login: stamp the session with the credentials version and list it."""
    client = client or ClientInfo()
    session[SESSION_CREDENTIALS_VERSION] = user.credentials_version
    if not session.session_key:
        session.save()
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "last_seen_at": now,
            "ended_at": None,
            "user_agent": client.user_agent,
            "ip_address": client.ip_address,
        },
        create_defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "user_agent": client.user_agent,
            "ip_address": client.ip_address,
        },
    )


def session_seen(*, session: SessionBase, user: User, client: ClientInfo | None = None) -> str:
    """Bookkeeping for one signed-in request. Returns "" when the session may go on, or why it
    must end: "credentials_changed" or "session_ended"."""
    if session.get(SESSION_CREDENTIALS_VERSION) != user.credentials_version:
        return "credentials_changed"
    client = client or ClientInfo()
    key = session.session_key or ""
    row = (
        UserSession.objects.filter(session_key=key)
        .only("pk", "user_id", "ended_at", "last_seen_at")
        .first()
    )
    now = timezone.now()
    if row is None:
        # A session from before tracking began, or one the login hook could not list.
        UserSession.objects.create(
            user=user,
            session_key=key,
            created_at=now,
            last_seen_at=now,
            user_agent=client.user_agent,
            ip_address=client.ip_address,
        )
        return ""
    if row.user_id != user.pk or row.ended_at is not None:
        return "session_ended"
    if now - row.last_seen_at >= LAST_USED_RESOLUTION:
        UserSession.objects.filter(pk=row.pk).update(
            last_seen_at=now, user_agent=client.user_agent, ip_address=client.ip_address
        )
    return ""


def session_logged_out(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )


def session_end(*, user: User, user_session: UserSession, client: ClientInfo | None = None) -> None:
    """End one of the person's sessions from another browser: that browser is logged out at
    its next request."""
    if user_session.user_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        _session_store()().delete(user_session.session_key)
        UserSession.objects.filter(pk=user_session.pk, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        audit_log(
            kind=Kind.SESSION_ENDED,
            user=user,
            client=client,
            detail={
                "session": user_session.pk,
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
