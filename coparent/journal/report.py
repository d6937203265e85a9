"""The journal section of the record's PDF (coparent.records.report): only in its author's own
export. The journal is private (docs/journal.md): another parent's or a professional's export
never carries a word of it, and the section is left out of theirs entirely."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from coparent.core.when import format_day
from coparent.journal.selectors import own_versions_between
from coparent.records.report import Built, ReportScope, register_section


@dataclass(frozen=True)
class JournalLine:
    day: str
    written: str
    number: int
    text: str
    tags: str


def build(scope: ReportScope) -> Built | None:
    if not scope.access.is_parent:
        return None
    versions = own_versions_between(scope.access, scope.first, scope.stop)
    return Built(
        "journal/report/journal.html",
        {
            "lines": [
                JournalLine(
                    day=format_day(v.happened_on, scope.locale),
                    written=scope.moment(v.written_at),
                    number=v.number,
                    text=v.text,
                    tags=", ".join(str(t) for t in v.tags),
                )
                for v in versions
            ]
        },
    )


def register() -> None:
    register_section("journal", gettext_lazy("My journal (private)"), order=80, build=build)
