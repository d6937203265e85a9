"""The fixed cast (STYLE.md 11), shared by every test so a failure test cannot pass for the
wrong reason:

- Alex and Sam, the two parents of the Rivera family (family one), with children Mia and Leo;
- Morgan, a mediator invited to the Rivera family with the consent of both parents;
- Vic, a viewer of the Rivera family (Alex's new partner);
- Olivia, a parent of the Okafor family (family two): the outsider.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from coparent.accounts.models import User
from coparent.families import services
from coparent.families.models import Child, Family, Membership
from coparent.families.selectors import FamilyAccess, get_family_access
from tests.factories import PASSWORD, UserFactory
from tests.frozen import frozen
from tests.kit import Caller, callers, client_for

# Property tests judge correctness, not speed (speed lives in `make bench`): on a loaded
# two-core machine, or beside other test processes, Hypothesis's timing checks fail tests
# whose code is fine, so neither a deadline nor the "too slow" health check applies here.
hypothesis_settings.register_profile(
    "coparent", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("coparent")


@dataclass
class Cast:
    alex: User
    sam: User
    morgan: User
    vic: User
    olivia: User
    family: Family
    other_family: Family
    mia: Child
    leo: Child
    other_child: Child
    mediator: Membership
    viewer: Membership

    def access(self, user: User, family: Family | None = None) -> FamilyAccess:
        return get_family_access(user, (family or self.family).pk)

    def client_for(self, user: User | None) -> Client:
        """A browser over https logged in as `user` (tests/kit.py)."""
        return client_for(user)

    @property
    def password(self) -> str:
        return PASSWORD


def _join(family_access: FamilyAccess, user: User, role: str, **kwargs: str) -> Membership:
    issued = services.invitation_create(
        access=family_access, email=user.email, role=role, send_email=False, **kwargs
    )
    return services.invitation_accept(token=issued.token, user=user)


def build_cast() -> Cast:
    """The cast, made through the services as a family would make it. The `cast` fixture runs
    this once per test process and gives each test the same rows (tests/frozen.py)."""
    alex = UserFactory(email="alex@example.org", display_name="Alex")
    sam = UserFactory(email="sam@example.org", display_name="Sam")
    morgan = UserFactory(email="morgan@example.org", display_name="Morgan")
    # A professional opens a family only with a second factor (docs/permissions.md).
    TOTP.activate(morgan, generate_totp_secret())
    vic = UserFactory(email="vic@example.org", display_name="Vic")
    olivia = UserFactory(email="olivia@example.org", display_name="Olivia")

    family = services.family_create(user=alex, name="Rivera family")
    alex_access = get_family_access(alex, family.pk)
    mia = services.child_add(access=alex_access, name="Mia", date_of_birth=date(2016, 5, 2))
    leo = services.child_add(access=alex_access, name="Leo", date_of_birth=date(2019, 9, 14))
    _join(alex_access, sam, "parent")
    mediator = _join(alex_access, morgan, "professional", professional_kind="mediator")
    services.consent_give(access=get_family_access(sam, family.pk), professional=mediator)
    viewer = _join(alex_access, vic, "viewer", relationship="Alex's partner")

    other_family = services.family_create(user=olivia, name="Okafor family")
    other_child = services.child_add(
        access=get_family_access(olivia, other_family.pk),
        name="Ada",
        date_of_birth=date(2015, 1, 20),
    )
    return Cast(
        alex=alex,
        sam=sam,
        morgan=morgan,
        vic=vic,
        olivia=olivia,
        family=family,
        other_family=other_family,
        mia=mia,
        leo=leo,
        other_child=other_child,
        mediator=mediator,
        viewer=viewer,
    )


@pytest.fixture
def cast(db: None) -> Cast:
    return frozen("cast", build_cast)


@pytest.fixture
def as_(cast: Cast) -> Callable[[User | None], Caller]:
    """`as_(cast.alex)` is Alex calling the API with a fresh personal token; `as_(None)` is an
    anonymous caller."""
    return callers()


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis (127.0.0.1:6379, started before every session and CI run), or the
    one REDIS_URL names."""
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _own_rate_counters(settings: pytest.FixtureRequest) -> None:
    """Rate-limit counters in the database cache roll back with each test's transaction. In
    Redis (the suite run with REDIS_URL set) they would outlive it and a reused user id would
    inherit them, so each test then counts under its own key prefix."""
    default = settings.CACHES["default"]
    if "redis" in default["BACKEND"].lower():
        settings.CACHES = {
            **settings.CACHES,
            "default": {**default, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"},
        }


@pytest.fixture(autouse=True)
def _fresh_fragments() -> None:
    """The cached pieces of pages (`{% fragment %}`) live in this process's memory, and the
    frozen cast gives every test the same family and user ids: each test starts with none, as
    a newly started server does."""
    from django.core.cache import caches

    caches["fragments"].clear()


@pytest.fixture(autouse=True)
def _rate_limit_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate limits count in fixed windows (a minute, an hour, a day); a test that crossed a
    window's edge half-way would see its count start again. The limiter's clock stands still at
    the start of a day, so every window a test fills is the same one from start to end."""
    from coparent.infra import ratelimit

    monkeypatch.setattr(ratelimit, "_clock", lambda: 86_400.0 * 20_833)


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings: pytest.FixtureRequest) -> None:
    """Tests use a fast hasher, in-memory email and tasks that run at once (STYLE.md 9)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.AXES_ENABLED = True
    # Production settings redirect plain http to https and serve hashed static names that
    # only exist after collectstatic; the test client speaks http and needs neither.
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`make test` runs the suite on every core with pytest-xdist, one test file to a worker
    at a time (--dist loadfile). The browser tests share one `coparent serve` and one
    Chromium, so all of tests/browser goes to a single worker as one unit of work. (xdist's
    own way, the xdist_group mark with --dist loadgroup, loses its marks under pytest 9:
    pytest-xdist#1386.)"""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserTestsTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/browser/"):
                return "tests/browser/"
            return super()._split_scope(nodeid)

    return BrowserTestsTogether(config, log)  # type: ignore[arg-type]
