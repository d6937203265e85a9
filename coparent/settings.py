"""Coparent settings: one module, everything read from the environment (STYLE.md 9).

Environment variables (documented in README.md):
  COPARENT_DATA_DIR   data folder (default ./var): SQLite file, keys, uploads, dev emails
  DATABASE_URL        default SQLite in the data folder; postgres://user@host:port/name
  COPARENT_DB_CONN_MAX_AGE      seconds a web process keeps its database connection (600; 0:
                                a new one for every request)
  DEBUG               1 for development; default 0
  ALLOWED_HOSTS       comma-separated; default 127.0.0.1,localhost
  COPARENT_BASE_URL   absolute base URL for links in emails (default http://127.0.0.1:8000)
  EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
  EMAIL_USE_TLS, EMAIL_USE_SSL, DEFAULT_FROM_EMAIL
  COPARENT_SECURE_SSL_REDIRECT  redirect http to https when not DEBUG (default 1)
  COPARENT_BEHIND_PROXY         trust X-Forwarded-Proto from a reverse proxy (default 0)
  REDIS_URL           redis://host:port/db for the shared cache; default the database cache
  COPARENT_RATE_LIMITS          rate-limit overrides, e.g. "message.user=200/h,tone.user=off"
  COPARENT_PUSH_SERVICES        push services a browser's subscription may name
  COPARENT_PUSH_CONTACT         the VAPID contact (mailto: or https:) push services may use
  COPARENT_BACKUP_DIR           where the worker's daily backups go (default DATA_DIR/backups)
  COPARENT_BACKUP_KEEP          how many daily backups it keeps (default 7; 0: none taken)
"""

from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path

import dj_database_url

from coparent.core.notify import PUSH_SERVICES
from coparent.infra.env import env_bool, env_int, env_list, env_str
from coparent.infra.keys import ensure_secret_key, ensure_signing_key, ensure_vapid_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("COPARENT_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = ensure_secret_key(DATA_DIR)
# Generated on first run, like the secret key, so the first record head can be signed.
ensure_signing_key(DATA_DIR)
# And the web push key (docs/notifications.md, "Push"), so every process signs with the same.
ensure_vapid_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
BASE_URL = env_str("COPARENT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "coparent.accounts",
    "coparent.families",
    "coparent.records",
    "coparent.messaging",
    "coparent.events",
    "coparent.schedule",
    "coparent.agreements",
    "coparent.exchanges",
    "coparent.documents",
    "coparent.notifications",
    # After the centre: its periodic scans are registered (and started by the worker) first.
    "coparent.requests",
    # After them too: the journal's weekly seal starts after the scans.
    "coparent.journal",
    "coparent.infobank",
    "coparent.expenses",
    "coparent.insights",
    # Last of the periodic tasks the worker starts: the daily backup (coparent.backup.tasks).
    "coparent.backup",
    "coparent.api",
    "coparent.web",
]

MIDDLEWARE = [
    "coparent.web.middleware.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # allauth's: the request it needs for its flows, and its "log in again first" redirects.
    "allauth.account.middleware.AccountMiddleware",
    "coparent.accounts.middleware.SessionTrackingMiddleware",
    # The zone and locale every time on the page is read in (coparent/web/zones.py).
    "coparent.web.zones.ZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "coparent.web.middleware.RateLimitMiddleware",
    # A professional with no second factor is sent to set one up (coparent.families.selectors).
    "coparent.web.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must come last: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coparent.urls"
WSGI_APPLICATION = "coparent.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                # The header's unread notifications, counted only on pages that show it.
                "coparent.notifications.context_processors.header",
            ],
            # `{% url %}` with its answers remembered (issue #17, "The cost of a request").
            "builtins": ["coparent.web.templatetags.remembered_url"],
        },
    },
    {
        # Plain-text templates (emails, their subjects): rendered through coparent.infra.mail, never
        # HTML-escaped. Second in the list, so HTML pages and Template("...") keep the
        # escaping engine above.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Database -----------------------------------------------------------------------------
_default_db_url = f"sqlite:///{DATA_DIR / 'coparent.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db_url) or _default_db_url,
        # Each web process keeps its connection between requests: opening one costs more than
        # the queries of a typical page (on SQLite, the connection's set-up and the PRAGMAs
        # below; on PostgreSQL, a round trip and authentication), issue #17 point 2. The health
        # check at each request's start replaces one the server dropped.
        conn_max_age=env_int("COPARENT_DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work beside the writer; synchronous=FULL makes every acknowledged
        # commit durable across a power cut, which an evidence record needs.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=10000;"
        ),
        # IMMEDIATE takes the write lock at BEGIN, so two appends to the record never both
        # read the same head and then fight to upgrade their locks.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = (
        {"NAME": str(DATA_DIR / "test.sqlite3")}
        if env_bool("COPARENT_TEST_SQLITE_FILE", False)
        else {}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache and rate limits -----------------------------------------------------------------
# Shared by every process (rate limits must count across gunicorn workers and servers): the
# database cache by default, whose table a migration creates (coparent/web/migrations), or
# Redis when REDIS_URL is set. Never the per-process memory cache for what must be shared.
CACHE_TABLE = "coparent_cache"
_redis_url = env_str("REDIS_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": env_str("COPARENT_CACHE_PREFIX", "coparent"),
        }
        if _redis_url
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            # The default (300 entries) would cull live rate-limit counters under load.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    ),
    # Rendered pieces of pages (`{% fragment %}`, coparent/web/templatetags/fragments.py), each
    # process its own: their keys hold versions read from the database on every request, so
    # nothing needs sharing, and a deploy starts empty (never an older template's markup).
    # Bounded: at most this many pieces (a page of the inbox is about 10 kB), culled when full.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "coparent-fragments",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
COPARENT_RATE_LIMIT_CACHE = "default"
# ACTION.KEY: COUNT/PERIOD (s, m, h, d; "10/15m" is ten per fifteen minutes). KEY is what is
# counted: the signed-in user, the client's ip, or the email address a message would go to.
# docs/operations.md explains each; COPARENT_RATE_LIMITS overrides them ("off" removes one).
_RATE_LIMIT_DEFAULTS = {
    "signup.ip": "10/h",
    "signup.email": "3/h",
    "password_reset.ip": "10/h",
    "password_reset.email": "3/h",
    "email_change.user": "5/h",
    "email_change.email": "3/h",
    "message.user": "120/h",
    "message.ip": "600/h",
    "upload.user": "60/h",
    "upload.ip": "300/h",
    "invitation.user": "20/d",
    "invitation.ip": "50/d",
    "invitation.email": "5/d",
    "tone.user": "60/m",
    # The pickup pass check page, the only anonymous page about a family.
    "pass_check.ip": "60/h",
    # The record verifier page, open to anyone holding an export (a court's clerk).
    "record_verify.ip": "30/h",
}


def _rate_limits(overrides: list[str]) -> dict[str, str]:
    limits = dict(_RATE_LIMIT_DEFAULTS)
    for item in overrides:
        name, _sep, spec = item.partition("=")
        if not _sep:
            raise ValueError(f"COPARENT_RATE_LIMITS: {item!r} is not NAME=COUNT/PERIOD")
        if spec.strip().lower() == "off":
            limits.pop(name.strip(), None)
        else:
            limits[name.strip()] = spec.strip()
    return limits


COPARENT_RATE_LIMITS = _rate_limits(env_list("COPARENT_RATE_LIMITS", []))

# --- Accounts and security ----------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the session's user by SQL written once (issue #17).
    "coparent.accounts.backends.ModelBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "account_login"

AXES_FAILURE_LIMIT = env_int("COPARENT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours: a locked account may try again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# allauth's login form names the address "login" and authenticates with `email=`.
AXES_USERNAME_CALLABLE = "coparent.accounts.identity.typed_email"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The page above for people, JSON for API clients (the API asks for a password to make a token).
AXES_LOCKOUT_CALLABLE = "coparent.accounts.identity.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("COPARENT_BEHIND_PROXY", False) else None

# --- django-allauth: sign-up, confirmation, reset, re-authentication, 2FA, passkeys, sessions --
# docs/operations.md ("Accounts") explains each choice; coparent/accounts/adapter.py holds the
# site's own answers where allauth asks (emails, stages, safe redirects).
ACCOUNT_ADAPTER = "coparent.accounts.adapter.AccountAdapter"
MFA_ADAPTER = "coparent.accounts.adapter.MFAAdapter"
ACCOUNT_FORMS = {
    "signup": "coparent.accounts.forms.SignupForm",
    "login": "coparent.accounts.forms.LoginForm",
    "reauthenticate": "coparent.accounts.forms.ReauthenticateForm",
    "change_password": "coparent.accounts.forms.PasswordChangeForm",
    "reset_password": "coparent.accounts.forms.PasswordResetForm",
    "reset_password_from_key": "coparent.accounts.forms.PasswordResetKeyForm",
}
MFA_FORMS = {
    "authenticate": "coparent.accounts.forms.AuthenticateForm",
    "add_webauthn": "coparent.accounts.forms.AddPasskeyForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# An address need not be confirmed to log in (a reminder says so); a sign-up itself never logs
# in, so that a taken address gets the very same answer (the adapter's sign-up stage).
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a link shows a button: mail scanners cannot spend it
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
COPARENT_EMAIL_CONFIRM_DAYS = 3
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = COPARENT_EMAIL_CONFIRM_DAYS
# A sign-up waits in its browser's session for the link as long as the link lives; the
# second-factor step has its own, shorter limit (PENDING_LOGIN_SECONDS).
ACCOUNT_LOGIN_TIMEOUT = COPARENT_EMAIL_CONFIRM_DAYS * 24 * 3600
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = False  # the site's own notices (coparent/accounts/tasks.py)
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_METHODS = {"password"}
# How long a re-authentication stays fresh before email, password or 2FA can change.
COPARENT_REAUTH_SECONDS = env_int("COPARENT_REAUTH_SECONDS", 600)
ACCOUNT_REAUTHENTICATION_TIMEOUT = COPARENT_REAUTH_SECONDS
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# One mechanism for limits (docs/operations.md): sign-up, reset and email change are counted by
# coparent.infra.ratelimit; wrong passwords by django-axes. allauth keeps only what has no
# counterpart there, in the same shared cache (CACHES["default"]): wrong second-factor codes
# and passkey attempts per account and per client, re-authentication, password changes and
# how often a confirmation link may be sent again.
ACCOUNT_RATE_LIMITS = {
    "signup": False,
    "reset_password": False,
    "manage_email": False,
    # A confirmation link leaves at most once a minute per address (the resend button).
    "confirm_email": "1/m/key",
    "login": "60/m/ip",
    "login_failed": "30/m/ip,10/15m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_TOTP_ISSUER = "Coparent"
MFA_TOTP_TOLERANCE = 1  # one step either side, as django-otp allowed, for phones a little off
MFA_RECOVERY_CODES_SHOW_ONCE = True
# allauth's rule: no second factor before the address is confirmed, so nobody can sign up with
# another person's address and lock its owner out behind a factor the owner does not have.
MFA_ALLOW_UNVERIFIED_EMAIL = False
MFA_TRUST_ENABLED = False
# Passkeys need a secure origin: https, or http://localhost for development; the relying
# party is the host name the browser used (docs/operations.md, "Passkeys").
USERSESSIONS_TRACK_ACTIVITY = False  # last-seen is written once a minute by our middleware
COPARENT_INVITATION_DAYS = env_int("COPARENT_INVITATION_DAYS", 14)

# Django's database sessions, read with the session list's row in one query.
SESSION_ENGINE = "coparent.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("COPARENT_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("COPARENT_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("COPARENT_HSTS_PRELOAD", True)
    # /healthz is probed by load balancers over plain http inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("COPARENT_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Browser features no page of Coparent uses are off for every page and anything it frames.
# Only names Chromium recognises: an unknown one is an error in the browser's console.
COPARENT_PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_FILE_PATH = str(DATA_DIR / "emails")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "coparent.infra.mail.DevelopmentEmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Coparent <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Web push (docs/notifications.md) ------------------------------------------------------
# The push services a browser's subscription may name (host, ".domain" for its subdomains, or
# "http://host" for one on this machine): the server POSTs to them, so no other address.
COPARENT_PUSH_SERVICES = env_list("COPARENT_PUSH_SERVICES", list(PUSH_SERVICES))
# How a push service reaches the operator (the VAPID "sub" claim): mailto: or an https address.
COPARENT_PUSH_CONTACT = env_str(
    "COPARENT_PUSH_CONTACT",
    BASE_URL
    if BASE_URL.startswith("https://")
    else "mailto:" + (parseaddr(DEFAULT_FROM_EMAIL)[1] or "no-reply@localhost"),
)

# --- Background tasks ----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("COPARENT_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Backups -----------------------------------------------------------------------------
# The worker takes one a day into this folder and keeps the newest BACKUP_KEEP (0: it takes
# none; `coparent backup FILE` still works). Put the folder on another disk when you can.
BACKUP_DIR = Path(env_str("COPARENT_BACKUP_DIR") or DATA_DIR / "backups").resolve()
BACKUP_KEEP = env_int("COPARENT_BACKUP_KEEP", 7)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "uploads"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("COPARENT_LOG_LEVEL", "WARNING")},
}
