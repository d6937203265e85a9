"""Writes to the family record. The only code path that inserts record rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core.record.chain import GENESIS_PREV, entry_hash, format_at, seal
from coparent.core.when import DEFAULT_LOCALE, pick_locale
from coparent.families.models import Family
from coparent.families.selectors import FamilyAccess
from coparent.records import hooks
from coparent.records.models import ExportJob, Kind, RecordEntry, RecordSeal
from coparent.records.tasks import run_export_job


class RecordError(RuntimeError):
    pass


def record_append(
    *,
    family: Family,
    kind: str,
    actor: User | None,
    data: dict[str, Any],
    at: datetime | None = None,
    sealed: dict[str, Any] | None = None,
) -> RecordEntry:
    """Append one entry to `family`'s record.

    Must run inside the caller's `transaction.atomic` block, so that the entry and the fact it
    describes commit together or not at all. The family row is locked first (PostgreSQL; SQLite
    serialises writers with IMMEDIATE transactions), so two concurrent appends cannot both
    extend the same head.

    `sealed` is content that not everyone who reads the record may read (a message's subject
    and text): the entry carries only its salted commitment as `data["sealed"]`, and a
    `RecordSeal` row keeps the content with its salt, disclosed by `records.disclosure` to the
    readers its kind allows (docs/record.md, "Sealed content").

    The apps that react to facts (the notification centre) hear of the entry through
    `records.hooks`, inside this transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RecordError("record_append must run inside the transaction of the fact it records")
    opened = None
    if sealed is not None:
        if "sealed" in data:
            raise RecordError("an entry's own data cannot use the key 'sealed'")
        opened, commitment = seal(sealed)
        data = {**data, "sealed": commitment}
    Family.objects.select_for_update().filter(pk=family.pk).values_list("pk", flat=True).first()
    last = (
        RecordEntry.objects.filter(family=family)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_PREV)
    at_text = format_at(at or timezone.now())
    actor_id = str(actor.pk) if actor is not None else None
    digest = entry_hash(seq=seq, at=at_text, kind=kind, actor=actor_id, data=data, prev=prev)
    entry = RecordEntry.objects.create(
        family=family,
        seq=seq,
        at=at_text,
        kind=kind,
        actor=actor,
        data=data,
        prev=prev,
        hash=digest,
    )
    if opened is not None:
        RecordSeal.objects.create(family=family, entry=entry, opened=opened)
    hooks.appended(entry)
    return entry


def record_export(
    *,
    access: FamilyAccess,
    file_format: str,
    kinds: Sequence[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    zone: ZoneInfo | None = None,
    locale: str = DEFAULT_LOCALE,
    sections: Sequence[str] | None = None,
) -> ExportJob:
    """A parent or consented professional exports the record (for a court, a mediator...).
    The dates are calendar days in `zone` (the family's on the page; UTC by default); the PDF
    writes its dates the way `locale` does (the asker's browser's: "14 Mar 2027" or
    "Mar 14, 2027") and holds the readable `sections` chosen (records.report; every one when
    None).

    The export itself is a fact the other parent is entitled to see, so it is recorded at once,
    with the job that will build the document, in one transaction. The task worker then builds
    and renders the document (a PDF of thousands of entries takes many seconds) up to that very
    entry, so the signed export ends with it. The worker hears of the job only once it commits.
    """
    access.require_shared()
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValidationError({"date_to": [_("The end date must be on or after the start date.")]})
    scope_kinds = sorted(kinds) if kinds else None
    zone_name = (zone or ZoneInfo("UTC")).key
    with transaction.atomic():
        entry = record_append(
            family=access.family,
            kind=Kind.RECORD_EXPORTED,
            actor=access.membership.user,
            data={
                "format": file_format,
                "kinds": scope_kinds,
                "from": date_from.isoformat() if date_from else None,
                "to": date_to.isoformat() if date_to else None,
                "timezone": zone_name,
            },
        )
        job = ExportJob.objects.create(
            family=access.family,
            requested_by=access.membership.user,
            file_format=file_format,
            kinds=scope_kinds,
            date_from=date_from,
            date_to=date_to,
            sections=sorted(sections) if sections else None,
            timezone=zone_name,
            locale=pick_locale(locale.replace("_", "-")),
            head_seq=entry.seq,
        )
        job_id = str(job.pk)
        transaction.on_commit(lambda: run_export_job.enqueue(job_id))
    return job
