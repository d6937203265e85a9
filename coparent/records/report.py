"""The readable sections of the record's PDF: a report for a period, built per section.

The PDF of an export opens with a cover page and a table of contents, then one section per part
of family life the person chose on the export form (the messages, the calendar planned and as it
happened, the exchanges, the requests, the agreement, the expenses, the info bank, their own
journal), then every entry of the record and the proof. Each app registers the builder of its
own section here from its AppConfig.ready(), as it registers its entries' summaries, so the
record never imports the apps above it (the layers of pyproject.toml). A builder reads through
its app's selectors (a fixed number of queries, however many rows: tests/records/test_report.py
counts them) and returns a template and its context; every time in that context is already
written in the family's zone, so the templates only lay text out.

Sections built from the record itself (requests, agreement, info bank) read the export's own
entries, so what they print is exactly what the signed proof holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.core.schedule import local_midnight
from coparent.core.when import format_moment
from coparent.families.models import Family
from coparent.families.selectors import FamilyAccess
from coparent.records.models import Kind
from coparent.records.summaries import summarize


@dataclass(frozen=True)
class ReportScope:
    """What every section reads: whose report, which period, in which zone, and the export.

    `first` and `stop` are the period's local dates, `stop` excluded; `start` and `end` the
    instants they begin at in the family's zone."""

    access: FamilyAccess
    zone: ZoneInfo
    locale: str
    first: date
    stop: date
    export: dict[str, Any]
    names: dict[str, str]

    @property
    def family(self) -> Family:
        return self.access.family

    @property
    def start(self) -> datetime:
        return local_midnight(self.zone, self.first)

    @property
    def end(self) -> datetime:
        return local_midnight(self.zone, self.stop)

    def moment(self, at: datetime | str) -> str:
        """An instant (aware, or as the record writes it) as people read it in the family's
        zone and the reader's locale."""
        instant = datetime.fromisoformat(at) if isinstance(at, str) else at
        return format_moment(instant, self.zone, self.locale)

    def entries(self, kinds: Iterable[str]) -> list[dict[str, Any]]:
        """The export's entries of `kinds` that it carries in full (in scope, not withheld)."""
        wanted = {str(k) for k in kinds}
        return [e for e in self.export["entries"] if "at" in e and e["kind"] in wanted]

    def name_of(self, actor: object) -> str:
        if actor is None:
            return _("the system")
        return self.names.get(str(actor), f"#{actor}")


@dataclass(frozen=True)
class Built:
    """A built section: the template that lays it out and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


Builder = Callable[[ReportScope], "Built | list[Built] | None"]
"""Builds one section for a scope; None leaves the section out (the journal, in an export that
is not its author's). A long section comes as a list of pieces (the messages, a few hundred at
a time): the PDF lays each piece out on its own, so its memory does not grow with the section
(records.export.render_pdf)."""


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    order: int
    build: Builder
    # Printed when the reader ticks nothing; a section long and technical enough to double a
    # report (the list of every entry) is printed only when ticked.
    by_default: bool = True


_SECTIONS: dict[str, Section] = {}


def register_section(
    key: str, title: str | Promise, *, order: int, build: Builder, by_default: bool = True
) -> None:
    """An app adds a section to the record's PDF (once, however often this is called)."""
    _SECTIONS[key] = Section(key=key, title=title, order=order, build=build, by_default=by_default)


def sections() -> list[Section]:
    """Every registered section, in the order the PDF prints them."""
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def section_choices() -> list[tuple[str, str]]:
    """The export form's choices: every section, in the PDF's order."""
    return [(s.key, str(s.title)) for s in sections()]


@dataclass(frozen=True)
class RenderedSection:
    key: str
    title: str
    # The section's HTML in the pieces its builder gave, each laid out on its own in the PDF.
    parts: tuple[str, ...]

    @property
    def html(self) -> str:
        return "".join(self.parts)

    @property
    def anchor(self) -> str:
        return f"section-{self.key}"


def period_of(export: dict[str, Any], zone: ZoneInfo) -> tuple[date, date]:
    """The report's local dates [first, stop): the export's scope where it names them, else
    from the record's first entry to the day of the export."""
    scope = export["scope"]
    full = [e for e in export["entries"] if "at" in e]
    exported = datetime.fromisoformat(export["exported_at"]).astimezone(zone).date()
    if scope.get("from"):
        first = date.fromisoformat(scope["from"])
    elif full:
        first = datetime.fromisoformat(full[0]["at"]).astimezone(zone).date()
    else:
        first = exported
    stop = date.fromisoformat(scope["to"]) + timedelta(days=1) if scope.get("to") else exported
    if not scope.get("to"):
        stop += timedelta(days=1)
    return first, max(stop, first + timedelta(days=1))


def build_sections(scope: ReportScope, keys: Sequence[str] | None) -> list[RenderedSection]:
    """The chosen sections (when `keys` is empty or None, every one printed by default), built
    and laid out."""
    chosen = set(keys) if keys else None
    out = []
    for section in sections():
        if chosen is None and not section.by_default:
            continue
        if chosen is not None and section.key not in chosen:
            continue
        built = section.build(scope)
        if built is None:
            continue
        pieces = built if isinstance(built, list) else [built]
        parts = tuple(
            render_to_string(piece.template, {"scope": scope, **piece.context})
            if piece.template
            else ""
            for piece in pieces
        )
        out.append(RenderedSection(key=section.key, title=str(section.title), parts=parts))
    return out


# --- Sections read from the record itself ---------------------------------------------------


@dataclass(frozen=True)
class EntryLine:
    at: str
    who: str
    what: str
    summary: str
    text: str = ""


def _lines(scope: ReportScope, kinds: Iterable[str]) -> list[EntryLine]:
    lines = []
    for entry in scope.entries(kinds):
        body = entry["data"].get("body") if isinstance(entry["data"], dict) else None
        lines.append(
            EntryLine(
                at=scope.moment(entry["at"]),
                who=scope.name_of(entry["actor"]),
                what=_kind_label(entry["kind"]),
                summary=summarize(entry["kind"], entry["data"]),
                text=body if isinstance(body, str) else "",
            )
        )
    return lines


def _kind_label(kind: str) -> str:
    try:
        return str(Kind(kind).label)
    except ValueError:
        return kind


def _kinds(prefixes: Sequence[str]) -> list[str]:
    return [str(k) for k in Kind if str(k).startswith(tuple(prefixes))]


def _from_record(prefixes: Sequence[str], empty: str | Promise) -> Builder:
    kinds = _kinds(prefixes)

    def build(scope: ReportScope) -> Built:
        return Built(
            "records/export/_entry_lines.html",
            {"lines": _lines(scope, kinds), "empty": str(empty)},
        )

    return build


def _every_entry(scope: ReportScope) -> Built:
    # The table itself is laid out by records/export/record.html (it also serves the command's
    # PDF, which has no sections); this section only places it in the contents.
    return Built("")


EVERY_ENTRY = "entries"


def register() -> None:
    """The sections the record builds from its own entries."""
    register_section(
        "requests",
        gettext_lazy("Requests and decisions"),
        order=40,
        build=_from_record(
            ["request.", "plan."], gettext_lazy("No request or plan change in this period.")
        ),
    )
    register_section(
        "agreement",
        gettext_lazy("Agreement versions"),
        order=50,
        build=_from_record(["agreement."], gettext_lazy("No change to the agreement.")),
    )
    register_section(
        "infobank",
        gettext_lazy("Info bank history"),
        order=70,
        build=_from_record(["infobank."], gettext_lazy("No change to the info bank.")),
    )
    # A technical line per entry, each message again: at 10,000 messages it is half the pages
    # and two thirds of the time, and the JSON inside the PDF holds every entry anyway.
    register_section(
        EVERY_ENTRY,
        gettext_lazy("Every entry of the record"),
        order=100,
        build=_every_entry,
        by_default=False,
    )


# --- Charts: inline SVG drawn from Python's numbers, no script --------------------------------

# Colours with text contrast on white, distinguishable in greyscale print (dark, mid, light).
COLOURS = ("#2a5d84", "#d08c2b", "#b8413b", "#7a7a7a")
_WIDTH, _LABEL, _COUNT, _ROW, _BAR, _TOP = 480, 110, 90, 26, 16, 20


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: float
    text_y: float
    segments: list[Segment]
    counts: str


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, each 100% of its row, split into coloured segments, with a legend; the
    section's table gives the same numbers for whoever cannot see the drawing."""

    title: str
    width: int
    height: int
    bar_height: int
    rows: list[ChartRow]
    legend: list[tuple[str, str]]  # colour, name
    ticks: list[tuple[float, str, str]]  # x, text, text-anchor


def bar_chart(
    title: str, series: Sequence[str], rows: Sequence[tuple[str, Sequence[float], str]]
) -> BarChart | None:
    """A chart of `rows` (label, one value per series, the counts as written at the right);
    None when there is nothing to draw (no rows, or only empty ones)."""
    if not any(sum(values) for _label, values, _counts in rows):
        return None
    bar_x, bar_width = _LABEL, _WIDTH - _LABEL - _COUNT
    drawn = []
    for index, (label, values, counts) in enumerate(rows):
        total = float(sum(values))
        y = _TOP + index * _ROW
        segments, x = [], float(bar_x)
        for position, value in enumerate(values):
            width = round(bar_width * float(value) / total, 1) if total else 0.0
            if width:
                segments.append(Segment(round(x, 1), width, COLOURS[position % len(COLOURS)]))
            x += width
        drawn.append(ChartRow(label, y, y + _BAR / 2, segments, counts))
    return BarChart(
        title=title,
        width=_WIDTH,
        height=_TOP + len(rows) * _ROW,
        bar_height=_BAR,
        rows=drawn,
        legend=[(COLOURS[i % len(COLOURS)], name) for i, name in enumerate(series)],
        ticks=[
            (bar_x, "0%", "start"),
            (bar_x + bar_width / 2, "50%", "middle"),
            (bar_x + bar_width, "100%", "end"),
        ],
    )
