"""Reads for accounts (STYLE.md 3): a person's sessions, tokens, second factor and security log.

Every lookup of a session or token by id starts from the requesting user, so another person's
id answers 404 exactly like a missing one.
"""

from __future__ import annotations

import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime, timedelta

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coparent.accounts.models import (
    TOKEN_PREFIX,
    ApiToken,
    AuditEvent,
    EmailConfirmation,
    User,
    UserSession,
    hash_token,
)
from coparent.infra.secrets_links import hash_link_token, link_token

# Session keys this app keeps. The values are small JSON-safe scalars or dicts.
SESSION_CREDENTIALS_VERSION = "accounts.credentials_version"
SESSION_REAUTH_AT = "accounts.reauth_at"
SESSION_PENDING_LOGIN = "accounts.pending_login"

EMAIL_CONFIRM_PURPOSE = "email-confirm"
# A password-checked person has this long to type the second-factor code.
PENDING_LOGIN_SECONDS = 5 * 60
# Bearer-token and session bookkeeping is written at most this often, to limit writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# --- Email confirmation ------------------------------------------------------------------------


def confirmation_token(confirmation_id: int) -> str:
    """The raw link token of a confirmation; derived from its id, never stored."""
    return link_token(EMAIL_CONFIRM_PURPOSE, confirmation_id)


class ConfirmationProblem(Exception):
    """Why a confirmation link cannot be used; `message` is shown to the person."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # "invalid", "used", "expired" or "taken"
        self.message = message


def confirmation_for_token(token: str) -> EmailConfirmation:
    """The usable confirmation behind a raw link token, or a plain reason why it is not usable."""
    confirmation = (
        EmailConfirmation.objects.filter(token_hash=hash_link_token(token))
        .select_related("user")
        .first()
    )
    if confirmation is None or not confirmation.user.is_active:
        raise ConfirmationProblem(
            "invalid",
            _("This confirmation link is not valid. Check that you copied all of it."),
        )
    if confirmation.used_at is not None:
        raise ConfirmationProblem(
            "used",
            _(
                "This link has already been used, or a newer link replaced it. "
                "Each link works once."
            ),
        )
    if confirmation.expires_at <= timezone.now():
        raise ConfirmationProblem(
            "expired", _("This link has expired. Ask for a new one from your account page.")
        )
    return confirmation


def pending_email_change(user: User) -> EmailConfirmation | None:
    """The newest unused, unexpired link that would move the account to another address."""
    return (
        EmailConfirmation.objects.filter(
            user=user, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .exclude(email=user.email)
        .order_by("-created_at")
        .first()
    )


# --- Second factor ---------------------------------------------------------------------------


def totp_device(user: User) -> TOTPDevice | None:
    """The confirmed authenticator-app device; its presence means second factor is on."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The provisioning URL as an inline SVG made on the server: no external request, no
    script, no style attribute (CSP allows neither)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage)
    svg: str = image.to_string(encoding="unicode")
    return svg


# --- Login and re-authentication state kept in the session --------------------------------------


@dataclass(frozen=True)
class PendingLogin:
    """A person who typed the right password but not yet the second-factor code."""

    user: User
    backend: str
    next_url: str
    failures: int


def pending_login(session: SessionBase) -> PendingLogin | None:
    state = session.get(SESSION_PENDING_LOGIN)
    if not isinstance(state, dict):
        return None
    started = state.get("at", 0)
    if timezone.now().timestamp() - started > PENDING_LOGIN_SECONDS:
        return None
    user = User.objects.filter(pk=state.get("user"), is_active=True).first()
    if user is None:
        return None
    return PendingLogin(
        user=user,
        backend=str(state.get("backend", "")),
        next_url=str(state.get("next", "")),
        failures=int(state.get("failures", 0)),
    )


def reauth_is_fresh(session: SessionBase) -> bool:
    """Did this session re-enter its password within COPARENT_REAUTH_SECONDS?"""
    at = session.get(SESSION_REAUTH_AT)
    if not isinstance(at, int | float):
        return False
    age = timezone.now().timestamp() - at
    return 0 <= age <= settings.COPARENT_REAUTH_SECONDS


# --- Sessions ----------------------------------------------------------------------------------


def active_sessions(user: User) -> QuerySet[UserSession]:
    """The person's signed-in browsers, most recently used first. A session the store has
    already expired (no visit for SESSION_COOKIE_AGE) is left out."""
    cutoff = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.filter(
        user=user, ended_at__isnull=True, last_seen_at__gte=cutoff
    ).order_by("-last_seen_at", "-id")


def get_active_session(user: User, session_id: int) -> UserSession:
    """One of the person's own active sessions; anyone else's, or an ended one, is a 404."""
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


def user_for_token(raw: str) -> User | None:
    """The active owner of an unrevoked, unexpired bearer token, or None.

    This is the API's one authentication path. It records when the token was last used, at
    most once a minute, so a busy client does not turn every read into a write.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            token_hash=hash_token(raw),
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .select_related("user")
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Security log ------------------------------------------------------------------------------


def recent_audit_events(user: User, limit: int = 20) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(user=user).order_by("-at", "-id")[:limit])


def last_confirmation_sent_at(user: User, email: str) -> datetime | None:
    latest = (
        EmailConfirmation.objects.filter(user=user, email=email)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return latest
