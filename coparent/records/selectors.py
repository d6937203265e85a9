"""Reads of the family record for people: the timeline and a plain-language summary of each
entry.

Only parents and consented professionals read the record; a viewer's role stops at the calendar
and child events, so every selector here starts with `access.require_shared()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core.record.chain import format_at
from coparent.core.schedule import local_midnight
from coparent.families.selectors import FamilyAccess, get_owned
from coparent.records.disclosure import (
    ADDRESS,
    AS_STORED,
    EntryView,
    entry_views,
    held_back_line,
    readable_data,
)
from coparent.records.models import Checkpoint, ExportJob, RecordEntry
from coparent.records.summaries import SUMMARIES, register_summary, summarize

__all__ = ["SUMMARIES", "register_summary"]  # re-exported: apps register their kinds here too


def record_entries(
    access: FamilyAccess,
    *,
    kind: str | None = None,
    actor_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    zone: ZoneInfo | None = None,
) -> QuerySet[RecordEntry]:
    """The family's record, newest first, with each entry's actor in the same query.

    Dates are calendar days in `zone` (the family's, on the pages; UTC by default, as the API
    documents), both ends included. `at` is stored as the fixed-width UTC text that was hashed
    ("2027-03-14T15:05:09.123456Z"), so comparing it with the same text of an instant orders
    exactly like the instants do.
    """
    access.require_shared()
    entries = (
        RecordEntry.objects.filter(family=access.family).select_related("actor").order_by("-seq")
    )
    if kind:
        entries = entries.filter(kind=kind)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    zone = zone or ZoneInfo("UTC")
    if date_from is not None:
        entries = entries.filter(at__gte=format_at(local_midnight(zone, date_from)))
    if date_to is not None and date_to < date.max:
        entries = entries.filter(
            at__lt=format_at(local_midnight(zone, date_to + timedelta(days=1)))
        )
    return entries


def record_people(access: FamilyAccess) -> QuerySet[User]:
    """Everyone who has ever held a seat in the family, present or past: the people whose
    actions the record can show."""
    access.require_shared()
    return (
        User.objects.filter(memberships__family=access.family)
        .distinct()
        .order_by("display_name", "pk")
    )


def entry_summary(entry: RecordEntry, view: EntryView = AS_STORED) -> str:
    if view.withheld and view.reason == ADDRESS:
        return held_back_line()
    return summarize(entry.kind, readable_data(entry.kind, entry.data, view))


@dataclass(frozen=True)
class EntryRow:
    entry: RecordEntry
    at: datetime | None
    summary: str
    # A message of a conversation the reader is not part of, recorded before messages were
    # sealed: its line says who and when, nothing of what (records.disclosure); or an entry
    # holding the home address of a parent in safe mode: its line says only that.
    withheld: bool = False

    @property
    def actor_name(self) -> str:
        actor = self.entry.actor
        return str(actor) if actor is not None else _("Coparent")

    @property
    def short_hash(self) -> str:
        return self.entry.hash[:12]


def entry_rows(access: FamilyAccess, entries: Iterable[RecordEntry]) -> list[EntryRow]:
    """Entries ready for a page, as the member in `access` may read them: parsed time and
    summary. Queries: the entries'; with message entries among them, one for the member's
    conversations and one for the seals opened (records.disclosure)."""
    entries = list(entries)
    views = entry_views(
        access.family, access.membership.user, [(e.seq, e.kind, e.data) for e in entries]
    )
    rows = []
    for entry in entries:
        try:
            at: datetime | None = datetime.fromisoformat(entry.at)
        except ValueError:
            at = None
        view = views.get(entry.seq, AS_STORED)
        rows.append(
            EntryRow(entry=entry, at=at, summary=entry_summary(entry, view), withheld=view.withheld)
        )
    return rows


def get_export_job(access: FamilyAccess, job_id: object) -> ExportJob:
    """One of the export jobs this member asked for (viewers, who may not read the record, get
    403). The file was made for its asker: it opens their sealed conversations and shows their
    own home address in safe mode (records.disclosure), so another member's job, even the
    other parent's, is the same 404 as another family's or none at all."""
    access.require_shared()
    mine = ExportJob.objects.filter(requested_by_id=access.membership.user_id)
    return get_owned(mine, access, job_id)


def get_checkpoint(access: FamilyAccess, checkpoint_id: object) -> Checkpoint:
    """One of the family's weekly checkpoints; another family's answers 404 like a missing one."""
    access.require_shared()
    return get_owned(Checkpoint, access, checkpoint_id)
