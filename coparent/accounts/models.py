"""People and their credentials.

A person logs in with an email address; there is no username. django-allauth keeps the rest of
the credentials in its own tables: the addresses and whether each is confirmed
(`allauth.account.EmailAddress`), the second factors and passkeys (`allauth.mfa.Authenticator`)
and the signed-in browsers (`allauth.usersessions.UserSession`). Security events go to the
append-only `AuditEvent` log, never to a family's record (a family's record is evidence both
parents see; who typed a wrong password is nobody's business but the account holder's).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coparent.core.zones import ZONE_MAX_CHARS


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        from allauth.account.models import EmailAddress

        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        # allauth reads confirmation from its own table; email_confirmed_at mirrors it so that
        # every page can show the reminder without another query.
        EmailAddress.objects.using(self._db).create(
            user=user, email=user.email, primary=True, verified=user.email_confirmed
        )
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # Addresses are stored lower-case; people type them in any case.
        return self.get(email__iexact=(username or "").strip())

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, email_confirmed_at=timezone.now())
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True, max_length=254)
    display_name = models.CharField(_("name"), max_length=100)
    # Set when allauth confirms the account's address (signals.on_email_confirmed).
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Bumped on every credential change; sessions remember the value they started with, so a
    # password, email or second-factor change ends every other session at its next request.
    credentials_version = models.PositiveIntegerField(default=1)
    # The member's own IANA zone, if they chose one: family pages then give each time in it too,
    # beside the family's; pages outside a family use it. Empty: the family's zone.
    timezone = models.CharField(_("your time zone"), max_length=ZONE_MAX_CHARS, blank=True)
    # The locale whose conventions this person's dates follow (en_GB: "14 Mar"; en_US: "Mar
    # 14"), from their browser's Accept-Language on the pages they open (web.zones), so that
    # what is written for them away from a page — notifications, emails — reads their way.
    locale = models.CharField(max_length=35, default="en")

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


TOKEN_PREFIX = "cpt_"  # noqa: S105 - a public prefix that marks Coparent tokens, not a secret


def hash_token(raw: str) -> str:
    """Tokens are long random strings, so one fast hash is enough; the raw value is never
    stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters, shown in lists so a person can tell tokens apart.
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    # Written at most once a minute (selectors.LAST_USED_RESOLUTION), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Optional: the API refuses the token from this moment on.
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        """Not revoked (an expired token is still listed as active until revoked)."""
        return self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class AuditEvent(models.Model):
    """Append-only security log: logins, failures, lock-outs, credential and token changes.

    Database triggers refuse UPDATE and DELETE (see the migration), like the family record.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        LOGOUT = "logout", _("Logged out")
        SIGNUP = "signup", _("Signed up")
        SIGNUP_EXISTING = "signup_existing", _("Sign-up tried with your address")
        EMAIL_CONFIRMED = "email_confirmed", _("Email confirmed")
        EMAIL_CHANGED = "email_changed", _("Email changed")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset")
        OTP_ENABLED = "otp_enabled", _("Second factor turned on")
        OTP_DISABLED = "otp_disabled", _("Second factor turned off")
        OTP_FAILED = "otp_failed", _("Wrong second-factor code")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("New recovery codes made")
        PASSKEY_ADDED = "passkey_added", _("Passkey added")
        PASSKEY_REMOVED = "passkey_removed", _("Passkey removed")
        SESSION_ENDED = "session_ended", _("Session ended")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")

    user = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # For a failed login the typed email (truncated), since there may be no user.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"
