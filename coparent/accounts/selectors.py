"""Reads for accounts (STYLE.md 3): a person's sessions, tokens, second factor and security log.

Every lookup of a session or token by id starts from the requesting user, so another person's
id answers 404 exactly like a missing one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import TOKEN_PREFIX, ApiToken, AuditEvent, User, hash_token
from coparent.infra.rows import Columns, convert

# Session keys this app keeps. The values are small JSON-safe scalars.
SESSION_CREDENTIALS_VERSION = "accounts.credentials_version"

# A password-checked person has this long to type the second-factor code.
PENDING_LOGIN_SECONDS = 5 * 60
# Bearer-token and session bookkeeping is written at most this often, to limit writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# --- Email address -----------------------------------------------------------------------------


def pending_email_change(user: User) -> EmailAddress | None:
    """The address the account is waiting to move to (a link went there), if any."""
    return (
        EmailAddress.objects.filter(user=user, verified=False)
        .exclude(email__iexact=user.email)
        .order_by("-pk")
        .first()
    )


# --- Second factors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SecondFactors:
    """What protects a login beyond the password, for the account page."""

    totp: bool
    passkeys: list[Authenticator]
    recovery_codes_left: int

    @property
    def any(self) -> bool:
        return self.totp or bool(self.passkeys)


def second_factors(user: User) -> SecondFactors:
    """One query: the person's authenticators (allauth.mfa)."""
    rows = list(Authenticator.objects.filter(user_id=user.pk).order_by("created_at", "pk"))
    codes = next((r for r in rows if r.type == Authenticator.Type.RECOVERY_CODES), None)
    return SecondFactors(
        totp=any(r.type == Authenticator.Type.TOTP for r in rows),
        passkeys=[r for r in rows if r.type == Authenticator.Type.WEBAUTHN],
        recovery_codes_left=recovery_codes_left(codes) if codes else 0,
    )


def recovery_codes_left(codes: Authenticator) -> int:
    """How many codes of a recovery-codes authenticator are still unused."""
    return len(RecoveryCodes(codes).get_unused_codes())


# What counts as a second factor: the authenticator app or a passkey. Recovery codes only stand
# in for one of them and are never made alone.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def second_factor_exists(user_field: str = "user_id") -> Exists:
    """An `Exists` for annotating rows that point at a user (through `user_field`): whether
    that person has a second factor. Annotated on the seat the family access path reads, so
    checking a professional's second factor costs no query of its own."""
    return Exists(
        Authenticator.objects.filter(user_id=OuterRef(user_field), type__in=SECOND_FACTOR_TYPES)
    )


def second_factor_sql(user_column: str) -> str:
    """`second_factor_exists` as SQL written by hand, for reads built without the ORM: an
    EXISTS over the authenticators of the user in `user_column` (a trusted column name)."""
    types = ", ".join(f"'{t}'" for t in SECOND_FACTOR_TYPES)
    return (
        f"EXISTS (SELECT 1 FROM {Authenticator._meta.db_table} a"  # noqa: S608 - a trusted column name and constant types
        f" WHERE a.user_id = {user_column} AND a.type IN ({types}))"
    )


def has_second_factor(user: User) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES).exists()


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


# --- Sessions ----------------------------------------------------------------------------------


@cache
def _session_row_sql() -> str:
    return (
        f"SELECT id, user_id, last_seen_at FROM {UserSession._meta.db_table}"  # noqa: S608 - the model's table, the value as a parameter
        " WHERE session_key = %s LIMIT 1"
    )


def session_list_row(session_key: str) -> list[tuple[int, int, datetime]]:
    """The session list's row of a session (allauth's UserSession) as (id, user id, last seen),
    or nothing: the check every signed-in page makes (services.session_seen), the same as
    UserSession.objects.filter(session_key=…).values_list("pk", "user_id", "last_seen_at")[:1]."""
    with connection.cursor() as cursor:
        cursor.execute(_session_row_sql(), [session_key])
        row = cursor.fetchone()
    if row is None:
        return []
    seen = convert(UserSession._meta.get_field("last_seen_at"), row[2], connection.alias)
    return [(row[0], row[1], seen)]


def active_sessions(user: User) -> QuerySet[UserSession]:
    """The person's signed-in browsers, most recently used first. A session the store has
    already expired (no visit for SESSION_COOKIE_AGE) is left out."""
    cutoff = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.filter(user=user, last_seen_at__gte=cutoff).order_by(
        "-last_seen_at", "-id"
    )


@dataclass(frozen=True)
class SessionRow:
    """A line of the sessions page: the session, and its browser in words."""

    session: UserSession
    device_label: str


def session_rows(user: User) -> list[SessionRow]:
    return [
        SessionRow(session=row, device_label=describe_user_agent(row.user_agent))
        for row in active_sessions(user)
    ]


def get_active_session(user: User, session_id: int) -> UserSession:
    """One of the person's own listed sessions; anyone else's, or an ended one, is a 404."""
    found = active_sessions(user).filter(pk=session_id).first()
    if found is None:
        raise Http404
    return found


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_user_agent(user_agent: str) -> str:
    """A short, human label ("Firefox on Linux") for a session list; the raw string stays
    available as a tooltip-free detail for those who want it."""
    if not user_agent:
        return _("Unknown device")
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or re.split(r"[\s/]", user_agent, maxsplit=1)[0][:40]


# --- API tokens --------------------------------------------------------------------------------


def api_tokens(user: User) -> QuerySet[ApiToken]:
    """The person's tokens, active ones first, newest first; never the raw value (it is not
    stored)."""
    # Said explicitly: NULLs sort first on SQLite but last on PostgreSQL.
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at", "-id"
    )


def get_api_token(user: User, token_id: int) -> ApiToken:
    """One of the person's own tokens; anyone else's is a 404."""
    found = ApiToken.objects.filter(user=user, pk=token_id).first()
    if found is None:
        raise Http404
    return found


_TOKEN = Columns(ApiToken, "t")
_TOKEN_USER = Columns(User, "u")


@cache
def _token_sql() -> str:
    """ApiToken.objects.filter(token_hash=…).select_related("user")[:1], as SQL."""
    return (
        f"SELECT {_TOKEN.sql}, {_TOKEN_USER.sql} FROM {ApiToken._meta.db_table} t"  # noqa: S608 - columns from the models, the value as a parameter
        f" INNER JOIN {User._meta.db_table} u ON u.id = t.user_id WHERE t.token_hash = %s LIMIT 1"
    )


def user_for_token(raw: str) -> User | None:
    """The active owner of an unrevoked, unexpired bearer token, or None.

    This is the API's one authentication path. It records when the token was last used, at
    most once a minute, so a busy client does not turn every read into a write.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    now = timezone.now()
    # One lookup by the unique hash (SHA-256 of a 256-bit random value: no slow KDF is needed),
    # with its user, the rules checked on the row: the same answer as filtering on them in SQL.
    # Written once by hand (`_token_sql`): the ORM's building of the query on every API request
    # cost more than the database's answer (issue #17, "The cost of a request").
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [hash_token(raw)])
        row = cursor.fetchone()
    token = None
    if row is not None:
        token = _TOKEN.build(row, 0, connection.alias)
        token.user = _TOKEN_USER.build(row, len(_TOKEN), connection.alias)
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at <= now)
        or not token.user.is_active
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Security log ------------------------------------------------------------------------------


def recent_audit_events(user: User, limit: int = 20) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(user=user).order_by("-at", "-id")[:limit])


# --- The session's user ------------------------------------------------------------------------

_SESSION_USER = Columns(User, "u")


@cache
def _user_sql() -> str:
    """User.objects.get(pk=…), as SQL."""
    return f"SELECT {_SESSION_USER.sql} FROM {User._meta.db_table} u WHERE u.id = %s"  # noqa: S608 - columns from the model, the value as a parameter


def user_by_id(user_id: Any, using: str = "default") -> User | None:
    """The person whose id a session holds, or None: the row `User.objects.get(pk=…)` gives,
    read by SQL written once (every signed-in page asks for it; the ORM's building of the query
    cost more than the database's answer, issue #17 "The cost of a request"). Whether they may
    still be signed in (active, the session's hash) is for the caller, as with the ORM's row."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    if pk is None:
        return None
    with connections[using].cursor() as cursor:
        cursor.execute(_user_sql(), [pk])
        row = cursor.fetchone()
    return None if row is None else _SESSION_USER.build(row, 0, using)
