"""Writes to the family record. The only code path that inserts record rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from coparent.accounts.models import User
from coparent.core.record.chain import GENESIS_PREV, entry_hash, format_at
from coparent.families.models import Family
from coparent.records.models import RecordEntry


class RecordError(RuntimeError):
    pass


def record_append(
    *,
    family: Family,
    kind: str,
    actor: User | None,
    data: dict[str, Any],
    at: datetime | None = None,
) -> RecordEntry:
    """Append one entry to `family`'s record.

    Must run inside the caller's `transaction.atomic` block, so that the entry and the fact it
    describes commit together or not at all. The family row is locked first (PostgreSQL; SQLite
    serialises writers with IMMEDIATE transactions), so two concurrent appends cannot both
    extend the same head.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RecordError("record_append must run inside the transaction of the fact it records")
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
    return RecordEntry.objects.create(
        family=family,
        seq=seq,
        at=at_text,
        kind=kind,
        actor=actor,
        data=data,
        prev=prev,
        hash=digest,
    )
