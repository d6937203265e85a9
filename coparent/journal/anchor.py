"""The weekly seal: once a week every family's record gets one `journal.anchor` entry holding one
commitment per active parent, in sorted order. For a parent with a journal it is
sha256(salt || head hash) of their chain, with a fresh random salt kept for them (`Anchor`) and
carried by their export; for a parent without one it is the same hash of random bytes. The
entry looks the same in every family, so it says nothing about who keeps a journal, while
fixing in the signed family record that the author's chain had this head by then.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction

from coparent.core.record.chain import format_at
from coparent.core.record.journal import anchor_commitment, new_salt
from coparent.families.models import Family, Membership
from coparent.journal.models import Anchor, Link
from coparent.records.models import Kind, RecordEntry
from coparent.records.services import record_append

EVERY = timedelta(days=7)
# A run within this long of the last seal writes none: restarts and a second worker are safe.
QUIET = timedelta(days=6)


def anchor_family(family: Family, *, now: datetime) -> bool:
    """Seal one family's journals, unless it was sealed less than QUIET ago."""
    with transaction.atomic():
        recent = RecordEntry.objects.filter(
            family=family, kind=Kind.JOURNAL_ANCHOR, at__gte=format_at(now - QUIET)
        ).exists()
        if recent:
            return False
        pending: list[Anchor] = []
        commitments: list[str] = []
        for seat in Membership.objects.filter(family=family).active().parents():
            head = (
                Link.objects.filter(family=family, author_id=seat.user_id)
                .order_by("-seq")
                .values_list("seq", "hash")
                .first()
            )
            salt = new_salt()
            if head is None:
                commitments.append(anchor_commitment(salt, secrets.token_hex(32)))
                continue
            commitment = anchor_commitment(salt, head[1])
            commitments.append(commitment)
            pending.append(
                Anchor(
                    family=family,
                    author_id=seat.user_id,
                    salt=salt,
                    head_seq=head[0],
                    head_hash=head[1],
                    commitment=commitment,
                )
            )
        entry = record_append(
            family=family,
            kind=Kind.JOURNAL_ANCHOR,
            actor=None,
            data={"commitments": sorted(commitments)},
            at=now,
        )
        for anchor in pending:
            anchor.record_seq = entry.seq
        Anchor.objects.bulk_create(pending)
    return True


def anchor_all(*, now: datetime) -> int:
    """Seal every family; returns how many were sealed this run."""
    return sum(anchor_family(family, now=now) for family in Family.objects.order_by("pk"))
