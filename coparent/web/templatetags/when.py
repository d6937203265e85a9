"""Dates and times on every page, in one style: `{% load when %}` and

- `{{ instant|moment }}` — date and time in the page's zone ("Nov 30, 2027, 6:54 PM"), with
  the member's own zone beside it when they chose one that differs; `|moment:"weekday"` for
  "Tue, Nov 30, 6:54 PM";
- `{% span start end zone_name %}` — from one instant to another in another zone (an event's
  own), named, with the page's zone and the member's own beside it where they differ;
- `{{ instant|clock }}` — the time of day only ("6:54 PM");
- `{{ date|day }}`, `{{ date|day:"weekday" }}`, `{{ date|day:"month" }}`… — a calendar date
  in one of coparent.core.when.DAY_STYLES; `{{ date|long_day }}` written out in full;
- `{{ number|count }}` — a count without a needless ".0" ("188");
- `{% zone_label %}` — "Times in Pacific/Auckland (NZDT)", once per page.

The zone and the locale come from the request (coparent.web.zones). In HTML an instant is a
`<time datetime="…">` with its offset; in plain text (emails) the same words without markup.
No template writes a format string of its own.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from coparent.core import when
from coparent.core.zones import zone_or_utc
from coparent.web import zones

register = template.Library()

Shown = str | SafeString


def _other(
    moment: datetime, primary: ZoneInfo, other: ZoneInfo | None, locale: str, style: str
) -> str:
    """The same instant in `other`, when it differs from `primary`: the time, and the date too
    when it falls on another day there ("11:54 PM in Chicago", "Nov 29, 11:54 PM in Chicago")."""
    if other is None or other == primary:
        return ""
    here, there = when.in_zone(moment, primary), when.in_zone(moment, other)
    if here.date() == there.date():
        shown = when.format_clock(there, locale)
    else:
        shown = when.format_moment(there, other, locale, style="weekday")
    return _("%(time)s in %(place)s") % {"time": shown, "place": when.zone_place(other)}


def _instant(
    moment: datetime, text: str, other: str, autoescape: bool, *, zone_name: str = ""
) -> Shown:
    named = f" ({zone_name})" if zone_name else ""
    beside = f" ({other})" if other else ""
    if not autoescape:
        return f"{text}{named}{beside}"
    html = format_html('<time datetime="{}">{}</time>', moment.isoformat(), text)
    if zone_name:
        html = format_html('{} <span class="zone-name">({})</span>', html, zone_name)
    if other:
        html = format_html('{} <span class="other-zone">({})</span>', html, other)
    return html


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value, zones.UTC_ZONE)


@register.filter(needs_autoescape=True)
def moment(value: object, style: str = "date", autoescape: bool = True) -> Shown:
    """Date and time in the page's zone, the member's own beside it when it differs."""
    instant = _aware(value)
    if instant is None:
        return "" if value is None else str(value)
    frame = zones.current()
    local = when.in_zone(instant, frame.zone)
    text = when.format_moment(local, frame.zone, frame.locale, style=style)
    other = _other(instant, frame.zone, frame.own, frame.locale, style)
    return _instant(local, text, other, autoescape)


@register.filter(needs_autoescape=True)
def clock(value: object, how: str = "", autoescape: bool = True) -> Shown:
    """The time of day in the page's zone, the member's own beside it when it differs;
    `clock:"alone"` without it, where room is short (a month's cell, whose day page gives
    both), and `clock:"text"` as bare words (for an attribute or a sentence made first)."""
    instant = _aware(value)
    if instant is None:
        return "" if value is None else str(value)
    frame = zones.current()
    local = when.in_zone(instant, frame.zone)
    text = when.format_clock(local, frame.locale)
    if how == "text":
        return text
    other = "" if how else _other(instant, frame.zone, frame.own, frame.locale, "weekday")
    return _instant(local, text, other, autoescape)


@register.filter
def day(value: object, style: str = "date") -> str:
    """A calendar date in one of the named styles; an instant gives its date in the page's
    zone."""
    frame = zones.current()
    if isinstance(value, datetime):
        instant = _aware(value)
        assert instant is not None  # noqa: S101 - a datetime is always made aware above
        value = when.in_zone(instant, frame.zone)
    if not isinstance(value, date):
        return "" if value is None else str(value)
    return when.format_day(value, frame.locale, style)


@register.filter
def long_day(value: object) -> str:
    if not isinstance(value, date):
        return "" if value is None else str(value)
    if isinstance(value, datetime):
        value = when.in_zone(value, zones.current().zone).date()
    return when.format_long_date(value, zones.current().locale)


@register.filter
def count(value: object) -> str:
    """A number without a needless ".0", in the reader's locale ("188", "182.5")."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    return when.format_number(float(value), zones.current().locale)


@register.simple_tag(takes_context=True)
def span(context: template.Context, start: datetime, end: datetime, zone_name: str) -> Shown:
    """From `start` to `end` in the zone `zone_name` (an event's own), named when it is not the
    page's, with the page's zone and the member's own beside it where they differ."""
    frame = zones.current()
    zone = zone_or_utc(zone_name)
    text = when.format_span(start, end, zone, frame.locale)
    named = when.zone_place(zone) if zone != frame.zone else ""
    # The page's zone, and the member's own, each where it is not the event's.
    others = [z for z in dict.fromkeys((frame.zone, frame.own)) if z is not None and z != zone]
    other = "; ".join(
        _("%(time)s in %(place)s")
        % {"time": when.format_span(start, end, z, frame.locale), "place": when.zone_place(z)}
        for z in others
    )
    return _instant(when.in_zone(start, zone), text, other, context.autoescape, zone_name=named)


@register.simple_tag
def zone_label() -> SafeString:
    """The one line that says which zone a page's times are in (and the member's own, when
    each time gives it too)."""
    frame = zones.current()
    now = timezone.now()
    text = _("Times in %(zone)s") % {"zone": when.zone_label(frame.zone, now)}
    if frame.own is not None:
        text += "; " + _("yours in %(zone)s beside them") % {
            "zone": when.zone_label(frame.own, now)
        }
    return format_html('<p class="zone-label muted">{}.</p>', text)
