"""Rate limits for what a person can make the server do on someone's behalf: sign up, ask for a
password reset, send a message, invite someone, upload a file, ask the tone coach.

Every process counts in the one shared cache (the database cache by default, Redis when
`REDIS_URL` is set), so a limit holds however many gunicorn workers or servers answer; a
per-process memory cache would give each worker its own allowance.

A limit is a rule named `<action>.<key>` in `settings.COPARENT_RATE_LIMITS` ("message.user":
"120/h"). The key says what is counted: `user` (the signed-in person), `ip` (the client
address, as django-axes resolves it) or `email` (the address an email would go to, hashed so
the cache never holds it). `hit(request, action)` counts one attempt against every rule of the
action whose key is known, and raises `RateLimited` when any is over. Windows are fixed (the
counter of the current minute, hour or day), which is cheap and good enough: at a window's
edge a client gets at most twice its allowance.

Views and endpoints call `hit()`, never the services: the demo, the command line and the
benchmarks go straight to the services and are never limited.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, router, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

KEYS = ("user", "ip", "email")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
# Set on the request when a limit refused it, so the page middleware can answer 429.
REQUEST_ATTRIBUTE = "coparent_rate_limited"


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, name: str, spec: str) -> Limit:
        """ "5/h", "60/m", "100/d", "10/15m" (ten every fifteen minutes)."""
        match = _SPEC.match(spec)
        if not match:
            raise ImproperlyConfigured(
                f"Rate limit {name!r}: {spec!r} is not COUNT/PERIOD such as 5/h or 10/15m."
            )
        count, times, unit = match.groups()
        return cls(int(count), int(times or 1) * _UNITS[unit])


@lru_cache(maxsize=8)
def _parsed(items: tuple[tuple[str, str], ...]) -> dict[str, dict[str, Limit]]:
    by_action: dict[str, dict[str, Limit]] = {}
    for name, spec in items:
        action, _dot, key = name.rpartition(".")
        if not action or key not in KEYS:
            raise ImproperlyConfigured(
                f"Rate limit {name!r}: name it ACTION.KEY, KEY being one of {', '.join(KEYS)}."
            )
        by_action.setdefault(action, {})[key] = Limit.parse(name, spec)
    return by_action


def limits(action: str) -> dict[str, Limit]:
    """The limits of one action, by key, from the settings as they are now (tests change
    them)."""
    configured: Mapping[str, str] = settings.COPARENT_RATE_LIMITS
    return _parsed(tuple(sorted(configured.items()))).get(action, {})


class RateLimited(ValidationError):
    """Too many attempts. A ValidationError, so a view that already puts a service's refusal
    on its form shows this one there too; the API answers it with 429 and `Retry-After`."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        minutes = math.ceil(self.retry_after / 60)
        if self.retry_after < 120:
            wait = ngettext(
                "Try again in %(n)d second.", "Try again in %(n)d seconds.", self.retry_after
            ) % {"n": self.retry_after}
        else:
            wait = ngettext(
                "Try again in %(n)d minute.", "Try again in %(n)d minutes.", minutes
            ) % {"n": minutes}
        super().__init__(
            _("Too many attempts in a short time. Nothing was done. %(wait)s") % {"wait": wait},
            code="rate_limited",
        )


def _cache() -> BaseCache:
    return caches[settings.COPARENT_RATE_LIMIT_CACHE]


def _count(cache: BaseCache, counters: dict[str, tuple[int, int]]) -> dict[str, int]:
    """Add each counter's cost ({key: (cost, ttl)}) and return the new totals.

    Redis (and any cache whose incr() keeps the expiry) increments atomically. The database
    cache has no atomic increment (its incr() is a read and a write, and resets the expiry), so
    there each counter is read and written back inside one transaction that holds its row's
    lock (_count_in_table): two requests at the same instant are counted one after the other,
    and the last slot goes to exactly one of them."""
    if isinstance(cache, BaseDatabaseCache):
        return _count_in_table(cache, counters)
    totals: dict[str, int] = {}
    for key, (cost, ttl) in counters.items():
        if cache.add(key, cost, timeout=ttl):
            totals[key] = cost
            continue
        try:
            totals[key] = int(cache.incr(key, cost))
        except ValueError:  # expired between add() and incr()
            cache.set(key, cost, timeout=ttl)
            totals[key] = cost
    return totals


def _count_in_table(
    cache: BaseDatabaseCache, counters: dict[str, tuple[int, int]]
) -> dict[str, int]:
    """The database cache's counters, each a read-modify-write serialised by the database.

    add() inserts a missing counter (a second inserter meets the unique key, waits for the
    first to commit, and gets False); an existing one is locked (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite's transactions here begin IMMEDIATE, holding the write lock already)
    before it is read, so no other request reads it until this one has written and committed.
    Counters are taken in sorted order, so two requests never wait on each other's."""
    db = router.db_for_write(cache.cache_model_class)
    connection = connections[db]
    table = connection.ops.quote_name(cache.cache_model_class._meta.db_table)
    totals: dict[str, int] = {}
    with transaction.atomic(using=db):
        for key in sorted(counters):
            cost, ttl = counters[key]
            # A counter that is there already (the usual case) skips add(), which would cost a
            # cull check and a read only to say no. On SQLite this read is already under the
            # write lock; on PostgreSQL it is read again below, once locked.
            current = cache.get(key)
            if current is None and cache.add(key, cost, timeout=ttl):
                totals[key] = cost
                continue
            if connection.features.has_select_for_update:
                with connection.cursor() as cursor:
                    # The table's name from the settings, quoted; the key as a parameter.
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608
                        [cache.make_and_validate_key(key)],
                    )
                current = cache.get(key)
            total = int(current or 0) + cost
            cache.set(key, total, timeout=ttl)
            totals[key] = total
    return totals


def _identities(request: HttpRequest | None, user: Any, email: str | None) -> dict[str, str | None]:
    if user is None and request is not None:
        # A bearer token's owner is request.auth (django-ninja); a browser's is request.user.
        user = getattr(request, "auth", None) or getattr(request, "user", None)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    user_id = str(user.pk) if signed_in else None
    ip = get_client_ip_address(request) if request is not None else None
    address = (email or "").strip().lower()
    return {
        "user": user_id,
        "ip": ip or None,
        "email": hashlib.sha256(address.encode()).hexdigest()[:32] if address else None,
    }


# The limiter's clock; tests pin it so that a run never straddles a window's edge.
_clock = time.time


def hit(
    request: HttpRequest | None,
    action: str,
    *,
    cost: int = 1,
    user: Any = None,
    email: str | None = None,
) -> None:
    """Count `cost` attempts of `action` for everyone it can be pinned on; raise RateLimited
    (and mark the request) when any of the action's limits is now exceeded.

    `cost` is how many of the thing this one request does (files uploaded at once); 0 counts
    nothing."""
    if cost <= 0:
        return
    configured = limits(action)
    if not configured:
        return
    who = _identities(request, user, email)
    now = _clock()
    windows: dict[str, tuple[Limit, int]] = {}
    for key, limit in configured.items():
        identity = who[key]
        if identity is not None:
            window = int(now // limit.seconds)
            counter = f"rl:{action}:{key}:{identity}:{limit.seconds}:{window}"
            windows[counter] = (limit, window)
    if not windows:
        return
    # Kept a minute past the window's end, so a slow clock never revives an old count.
    totals = _count(_cache(), {c: (cost, limit.seconds + 60) for c, (limit, _w) in windows.items()})
    retry_after = 0
    for counter, (limit, window) in windows.items():
        if totals[counter] > limit.count:
            retry_after = max(retry_after, math.ceil((window + 1) * limit.seconds - now))
    if retry_after:
        refused = RateLimited(retry_after)
        if request is not None:
            setattr(request, REQUEST_ATTRIBUTE, refused)
        raise refused
