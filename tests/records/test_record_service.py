"""The record grows one linked entry per fact, in the same transaction as the fact."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.db import transaction

from coparent.core.record.chain import GENESIS_PREV, entry_hash
from coparent.families import services
from coparent.families.models import Child
from coparent.records.models import RecordEntry
from coparent.records.services import RecordError, record_append


def _chain(family):
    return list(RecordEntry.objects.filter(family=family).order_by("seq"))


def test_every_entry_links_to_the_one_before_and_hashes_its_contents(cast):
    entries = _chain(cast.family)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev == GENESIS_PREV
    for before, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev == before.hash
    for entry in entries:
        actor = str(entry.actor_id) if entry.actor_id is not None else None
        assert entry.hash == entry_hash(
            seq=entry.seq,
            at=entry.at,
            kind=entry.kind,
            actor=actor,
            data=entry.data,
            prev=entry.prev,
        )


def test_each_family_has_its_own_chain(cast):
    other = _chain(cast.other_family)
    assert [e.kind for e in other] == ["family.created", "member.joined", "child.added"]
    assert other[0].prev == GENESIS_PREV


def test_a_fact_and_its_entry_commit_together_or_not_at_all(cast):
    before = RecordEntry.objects.filter(family=cast.family).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.child_add(
            access=cast.access(cast.alex), name="Zoe", date_of_birth=date(2021, 3, 3)
        )
        raise RuntimeError("the request failed after the child was added")
    assert not Child.objects.filter(name="Zoe").exists()
    assert RecordEntry.objects.filter(family=cast.family).count() == before


def test_appending_outside_a_transaction_is_refused(cast, monkeypatch):
    # Every test runs inside a transaction, so pretend, for this one call, to be outside one.
    outside = SimpleNamespace(in_atomic_block=False)
    with monkeypatch.context() as patch:
        patch.setattr(transaction, "get_connection", lambda: outside)
        with pytest.raises(RecordError):
            record_append(family=cast.family, kind="test", actor=None, data={})


def test_what_is_recorded_for_the_foundation(cast):
    kinds = {e.kind for e in _chain(cast.family)}
    assert {
        "family.created",
        "member.invited",
        "member.joined",
        "consent.given",
        "child.added",
    } <= kinds
    access = cast.access(cast.alex)
    services.child_update(
        access=access, child=cast.mia, name="Mia Rose", date_of_birth=cast.mia.date_of_birth
    )
    services.consent_withdraw(access=access, professional=cast.mediator)
    services.membership_end(access=access, membership=cast.viewer)
    last = _chain(cast.family)[-3:]
    assert [e.kind for e in last] == ["child.changed", "consent.withdrawn", "member.left"]
    assert last[0].data["changes"] == {"name": {"from": "Mia", "to": "Mia Rose"}}
    assert last[0].actor_id == cast.alex.pk
