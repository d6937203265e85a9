"""Signed checkpoints of a family's record (docs/record.md, "Checkpoints").

A checkpoint is the record's head (entry number and hash) signed by the server in the
transparency-log checkpoint form (`core.record.chain.make_checkpoint`). Each parent receives
one every week by email, and can download one of the record as it is at any moment; keeping it
is what lets them prove later, with `coparent verify FILE.json --checkpoint FILE`, that the
record they are shown still extends what they saw — a server that rewrote the past would need
their checkpoint's hash at that entry, and cannot produce it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet

from coparent.core.record.chain import GENESIS_PREV, make_checkpoint
from coparent.families.models import Family
from coparent.families.selectors import FamilyAccess
from coparent.infra.keys import ensure_signing_key
from coparent.records.models import Checkpoint, RecordEntry

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class SignedCheckpoint:
    seq: int
    hash: str
    note: str


def checkpoint_now(family: Family) -> SignedCheckpoint:
    """The record as it is now, signed; writes nothing (one query)."""
    last = (
        RecordEntry.objects.filter(family=family)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    seq, head = last if last is not None else (0, GENESIS_PREV)
    key = ensure_signing_key(settings.DATA_DIR)
    note = make_checkpoint(key, family=str(family.pk), seq=seq, hash=head)
    return SignedCheckpoint(seq=seq, hash=head, note=note)


def week_of(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def families_due(now: datetime) -> QuerySet[Family]:
    """Families with a record and no checkpoint in the last seven days."""
    recent = Checkpoint.objects.filter(family=OuterRef("pk"), created_at__gt=now - WEEK)
    entries = RecordEntry.objects.filter(family=OuterRef("pk"))
    return Family.objects.filter(Exists(entries)).exclude(Exists(recent)).order_by("pk")


def checkpoint_issue(family: Family, now: datetime) -> Checkpoint | None:
    """Issue this week's checkpoint of `family`; None when another worker already did."""
    signed = checkpoint_now(family)
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(
                family=family,
                seq=signed.seq,
                hash=signed.hash,
                note=signed.note,
                week=week_of(now),
                created_at=now,
            )
    except IntegrityError:
        return None


def recent_checkpoints(access: FamilyAccess, *, limit: int = 8) -> list[Checkpoint]:
    """The family's latest weekly checkpoints, newest first (one query)."""
    access.require_shared()
    return list(Checkpoint.objects.filter(family=access.family).order_by("-created_at")[:limit])
