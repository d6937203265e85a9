"""Whose time a page is in: the one mechanism that sets it for every request.

- On a family's pages (`web.decorators.family_view`) times are in the **family's zone**; when
  the member chose a zone of their own and it differs, each time is given in it too.
- Elsewhere (the account pages, the security log, the tokens) times are in the member's own
  zone, or, without one, the zone of their first family; UTC only for someone with neither.
- Dates follow the reader's locale: the first tag of their browser's Accept-Language in the
  language of the page (coparent.core.when.pick_locale).

`ZoneMiddleware` sets the reader's frame at the start of every request and clears it at the end;
`family_view` narrows it to the family while its view runs (`in_family`). Templates read it
through the `when` template library (coparent/web/templatetags/when.py); code that formats
outside a request (an email, the PDF of an export) sets one with `reading_in`. On a family's
page Django's own current zone follows the frame, so a form's date-time field reads what a
person types in the zone the page shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from coparent.accounts.models import User
from coparent.core.when import DEFAULT_LOCALE, pick_locale
from coparent.core.zones import zone_or_utc
from coparent.families.models import Family, Membership


class Frame:
    """The zone and locale a page's times are read in. `own` is the member's own zone, given
    beside each time on a family page when it differs from the family's. The zone may be
    found lazily (a page outside a family that shows no time never looks it up)."""

    def __init__(
        self,
        zone: ZoneInfo | Callable[[], ZoneInfo],
        locale: str = DEFAULT_LOCALE,
        *,
        own: ZoneInfo | None = None,
        family: Family | None = None,
    ) -> None:
        self._zone = zone
        self.locale = locale
        self.own = own if own is not None and own != zone else None
        self.family = family

    @cached_property
    def zone(self) -> ZoneInfo:
        return self._zone if isinstance(self._zone, ZoneInfo) else self._zone()


UTC_ZONE = ZoneInfo("UTC")
_frame: ContextVar[Frame | None] = ContextVar("coparent_reading_frame", default=None)


def current() -> Frame:
    """The frame of the request being served (UTC in the default locale outside one)."""
    return _frame.get() or Frame(UTC_ZONE)


def activate(frame: Frame) -> None:
    _frame.set(frame)
    if isinstance(frame._zone, ZoneInfo):
        timezone.activate(frame._zone)


def deactivate() -> None:
    _frame.set(None)
    timezone.deactivate()


@contextmanager
def reading_in(zone: ZoneInfo, locale: str = DEFAULT_LOCALE) -> Iterator[Frame]:
    """Format in `zone` and `locale` inside the block (work done outside a request); the frame
    before it comes back afterwards."""
    frame = Frame(zone, locale)
    token = _frame.set(frame)
    try:
        with timezone.override(zone):
            yield frame
    finally:
        _frame.reset(token)


def family_zone(family: Family) -> ZoneInfo:
    return zone_or_utc(family.timezone)


def own_zone(user: object) -> ZoneInfo | None:
    """The zone a member chose for themselves, if any."""
    name = getattr(user, "timezone", "") if isinstance(user, User) else ""
    return zone_or_utc(name) if name else None


def _first_family_zone(user: User) -> ZoneInfo:
    """Without a zone of their own, a member reads the account pages in the zone of the first
    family they joined (one query, only on a page that shows a time)."""
    name = (
        Membership.objects.active()
        .filter(user=user)
        .order_by("joined_at", "pk")
        .values_list("family__timezone", flat=True)
        .first()
    )
    return zone_or_utc(name)


def request_locale(request: HttpRequest) -> str:
    return pick_locale(
        request.headers.get("Accept-Language", ""), translation.get_language() or DEFAULT_LOCALE
    )


@contextmanager
def in_family(request: HttpRequest, family: Family) -> Iterator[Frame]:
    """Read the view's page in `family`'s zone, with the member's own beside it (family_view);
    the frame before it comes back afterwards."""
    frame = Frame(
        family_zone(family),
        getattr(request, "reading_locale", None) or request_locale(request),
        own=own_zone(request.user),
        family=family,
    )
    token = _frame.set(frame)
    try:
        with timezone.override(frame.zone):
            yield frame
    finally:
        _frame.reset(token)


class ZoneMiddleware:
    """Sets the reader's frame for the request (after the session, locale and user are known)
    and clears it afterwards, so nothing leaks into the next request on the same thread. The
    API keeps its ISO 8601 times with offsets and needs no frame."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return self.get_response(request)
        locale = request_locale(request)
        request.reading_locale = locale  # type: ignore[attr-defined]  # read by in_family
        # Found only when a page formats a time: /healthz and the pages without one do no
        # database work for it.
        activate(Frame(lambda: reader_zone(request.user), locale))
        try:
            response = self.get_response(request)
        finally:
            deactivate()
        if request.headers.get("Accept-Language"):
            remember_locale(request, locale)
        return response


def remember_locale(request: HttpRequest, locale: str) -> None:
    """Keep the reader's locale on their account, for what is written for them away from a
    page (notifications, emails). Only for a person the page already loaded (the auth
    middleware caches them on the request), and only when it changed: one UPDATE the first
    time, none after, and no lookup at all on a page that needs no user (/healthz)."""
    user = getattr(request, "_cached_user", None)
    if isinstance(user, User) and user.locale != locale:
        User.objects.filter(pk=user.pk).update(locale=locale)
        user.locale = locale


def reader_zone(user: object) -> ZoneInfo:
    """The zone of a page outside a family: the member's own, else their first family's."""
    own = own_zone(user)
    if own is not None:
        return own
    if isinstance(user, User) and user.is_authenticated:
        return _first_family_zone(user)
    return UTC_ZONE
