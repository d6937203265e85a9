"""The month grid's cells, written in Python.

The calendar is the page parents open most (docs/operations.md, "Load and scale"), and its six
weeks of cells — each a link, a sentence for screen readers, a day bar, marks and the day's
details — cost most of its time when rendered by template includes in a loop (issue #17 point
6). This tag writes the same HTML as those templates did (`_day_summary.html`, `_daybar.html`,
`_day_details.html` with `short`), with the same translated sentences and the same date and time
filters, in a fraction of the time. The day page and the agenda still use those templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from coparent.schedule.selectors import Day
from coparent.web.templatetags.when import clock
from coparent.web.templatetags.when import day as day_filter

register = template.Library()

# The links differ only by the day or the event: reversed once with a stand-in, then filled.
_DAY_PLACEHOLDER = "0000-00-00"
_EVENT_PLACEHOLDER = str(UUID(int=0))
_MARKS = (
    ("handovers", '<span class="mark mark-exchange">⇄</span>'),
    ("events", '<span class="mark mark-event">●</span>'),
    ("blocks", '<span class="mark mark-holiday">★</span>'),
)


def _link(pattern: tuple[str, str] | None, value: object) -> str:
    assert pattern is not None  # noqa: S101 - only called with a link to make
    return f"{pattern[0]}{value}{pattern[1]}"


def _pattern(url: str, placeholder: str) -> tuple[str, str]:
    before, _found, after = url.rpartition(placeholder)
    return before, after


class _Grid:
    """One grid's writing: the sentences translated once, the links reversed once, each
    exchange's time formatted once (it appears in the summary and in the details)."""

    def __init__(self, day_url: tuple[str, str] | None, event_url: tuple[str, str] | None):
        self.day_url, self.event_url = day_url, event_url
        self.with_ = gettext("with %(name)s")
        self.then = gettext("then %(name)s")
        self.exchange_at = gettext("exchange at %(at)s, %(giver)s to %(taker)s")
        self.hands_over = gettext("%(at)s: %(giver)s hands over to %(taker)s")
        self.at_place = gettext("%(sentence)s at %(place)s")
        self.cancelled = gettext("cancelled")
        self._clocks: dict[datetime, str] = {}

    def clock_text(self, at: datetime) -> str:
        if at not in self._clocks:
            self._clocks[at] = esc(clock(at, "text"))
        return self._clocks[at]

    def summary(self, day: Day) -> str:
        """What a day holds, in words, for screen readers (the colours and marks say it to
        the eye)."""
        parts: list[str] = []
        names = day.names
        if names:
            parts.append(": ")
            for index, name in enumerate(names):
                if index:
                    parts.append(", " + self.then % {"name": esc(name)})
                else:
                    parts.append(self.with_ % {"name": esc(name)})
        for x in day.handovers:
            sentence = self.exchange_at % {
                "at": self.clock_text(x.at),
                "giver": esc(x.giver),
                "taker": esc(x.taker),
            }
            parts.append("; " + sentence)
        if day.events:
            n = len(day.events)
            parts.append("; " + ngettext("%(n)s event", "%(n)s events", n) % {"n": n})
        for label in day.blocks:
            parts.append("; " + esc(label))
        parts.append(".\n")
        return "".join(parts)

    @staticmethod
    def daybar(day: Day) -> str:
        if not day.slices:
            return "\n"
        rects = "".join(
            f'<rect x="{s.start_minute}" y="0" width="{s.minutes}" height="10" '
            f'class="{"parent-a" if s.parent == "A" else "parent-b"}"></rect>'
            for s in day.slices
        )
        return (
            '<svg class="daybar" viewBox="0 0 1440 10" preserveAspectRatio="none" '
            f'aria-hidden="true" focusable="false">{rects}</svg>\n'
        )

    def details(self, day: Day) -> str:
        """A day's holidays, exchanges and events, short: an exchange is its time and an
        arrow (the whole sentence on hover and for screen readers)."""
        blocks = "".join(f'<li class="block-label">{esc(label)}</li>' for label in day.blocks)
        handovers: list[str] = []
        for x in day.handovers:
            sentence = self.hands_over % {
                "at": self.clock_text(x.at),
                "giver": esc(x.giver),
                "taker": esc(x.taker),
            }
            if x.place:
                sentence = self.at_place % {"sentence": sentence, "place": esc(x.place)}
            handovers.append(
                f'\n  <li class="exchange" title="{sentence}">{clock(x.at, "alone")} '
                '<span aria-hidden="true">→</span> '
                f'<span class="who-{esc(x.taker_letter.lower())}" aria-hidden="true"></span>'
                f'<span class="visually-hidden">{sentence}</span></li>\n  '
            )
        events: list[str] = []
        for event in day.events:
            title: str = esc(event.title)
            if self.event_url is not None:
                title = f'<a href="{_link(self.event_url, event.pk)}">{title}</a>'
            cancelled = event.is_cancelled
            events.append(
                f'<li class="event{" event-cancelled" if cancelled else ""}">{title}'
                + (f' <span class="visually-hidden">({self.cancelled})</span>' if cancelled else "")
                + "</li>"
            )
        return (
            f'<ul class="details">\n  {blocks}\n  {"".join(handovers)}\n  {"".join(events)}'
            "\n</ul>\n"
        )

    def cell(self, day: Day) -> str:
        classes = ("" if day.in_month else "out") + (" today" if day.is_today else "")
        if day.slices:
            classes += f" with-{esc(day.overnight.lower())}"
        iso = day.date.isoformat()
        current = ' aria-current="date"' if day.is_today else ""
        number = esc(day_filter(day.date, "number"))
        if self.day_url is not None:
            head = (
                f'<a class="day-link" href="{_link(self.day_url, iso)}">'
                f'<span class="day-number">{number}</span><span class="visually-hidden"> '
                f"{esc(day_filter(day.date, 'weekday'))}{self.summary(day)}</span></a>\n      "
            )
        else:
            head = (
                f'<span class="day-number">{number}</span>'
                f'<span class="visually-hidden">{self.summary(day)}</span>'
            )
        marks = "".join(html for name, html in _MARKS if getattr(day, name))
        return (
            f'<td class="{classes}" data-date="{iso}"{current}>\n      {head}\n      '
            f"{self.daybar(day)}\n      "
            f'<span class="marks" aria-hidden="true">{marks}</span>\n      '
            f"{self.details(day)}\n    </td>"
        )


@register.simple_tag(takes_context=True)
def month_rows(context: template.Context, weeks: Iterable[Iterable[Day]]) -> SafeString:
    """The grid's rows (`<tr>` of seven `<td>`), as `_month.html` wrote them: with
    `link_days` in the context each day links to its day page, with `link_events` each event
    to its own."""
    link_days, link_events = context.get("link_days"), context.get("link_events")
    family_id: Any = context["request"].family.pk if (link_days or link_events) else None
    day_url = (
        _pattern(
            reverse("schedule:day", kwargs={"family_id": family_id, "day": _DAY_PLACEHOLDER}),
            _DAY_PLACEHOLDER,
        )
        if link_days
        else None
    )
    event_url = (
        _pattern(
            reverse("events:detail", kwargs={"family_id": family_id, "event_id": UUID(int=0)}),
            _EVENT_PLACEHOLDER,
        )
        if link_events
        else None
    )
    grid = _Grid(day_url, event_url)
    rows = ("<tr>\n    " + "".join(grid.cell(day) for day in week) + "\n  </tr>" for week in weeks)
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
