"""The weekly seal: every family's record gets the same-looking `journal.anchor` entry, one
commitment per parent, whether anyone keeps a journal or not; Alex's export carries the salt
that opens hers, so a verifier can match it to the signed family record."""

from __future__ import annotations

import copy
from datetime import timedelta

from django.utils import timezone

from coparent.core.record.verify_journal import verify_journal
from coparent.journal import services
from coparent.journal.anchor import anchor_all
from coparent.journal.export import build_journal
from coparent.notifications.models import Notification
from coparent.records.export import build_export
from coparent.records.models import Kind, RecordEntry
from coparent.records.summaries import summarize


def _anchors(family):
    return list(RecordEntry.objects.filter(family=family, kind=Kind.JOURNAL_ANCHOR))


def test_every_family_gets_the_same_looking_seal_and_alexs_export_opens_hers(cast, write):
    entry = write("Sam was late.")
    services.entry_correct(access=cast.access(cast.alex), entry=entry, text="Sam was very late.")
    notes = Notification.objects.count()
    assert anchor_all(now=timezone.now()) == 2

    (ours,) = _anchors(cast.family)
    (theirs,) = _anchors(cast.other_family)
    assert ours.actor is None and ours.data.keys() == theirs.data.keys() == {"commitments"}
    assert len(ours.data["commitments"]) == 2  # Alex and Sam: one each, journal or not
    assert len(theirs.data["commitments"]) == 1  # Olivia, who has none
    assert Notification.objects.count() == notes
    assert "reveal nothing" in summarize(ours.kind, ours.data)

    document = build_journal(cast.access(cast.alex))
    (anchor,) = document["anchors"]
    assert anchor["record_seq"] == ours.seq and anchor["head_seq"] == 2
    assert anchor["commitment"] in ours.data["commitments"]
    assert verify_journal(document).ok
    forged = copy.deepcopy(document)
    forged["anchors"][0]["salt"] = "00" * 32
    assert "does not open its commitment" in verify_journal(forged).reason

    # Sam has no journal: nothing to open, and his commitment is noise.
    assert build_journal(cast.access(cast.sam))["anchors"] == []
    # The family's signed record carries the seal for everyone, and still verifies.
    from coparent.core.record.verify import verify_document

    assert verify_document(build_export(family=cast.family, reader=cast.sam)).ok


def test_a_second_run_in_the_same_week_seals_nothing(cast):
    now = timezone.now()
    assert anchor_all(now=now) == 2
    assert anchor_all(now=now + timedelta(days=2)) == 0
    assert anchor_all(now=now + timedelta(days=7)) == 2
    assert len(_anchors(cast.family)) == 2


def test_the_seal_runs_weekly_on_the_worker_and_starts_after_the_scans():
    from coparent.infra import periodic
    from coparent.journal import tasks
    from coparent.notifications.tasks import scan_reminders
    from coparent.requests.tasks import scan_requests

    order = [p.task for p in periodic.registered()]
    seal = order.index(tasks.anchor_journals)
    assert order.index(scan_reminders) < seal and order.index(scan_requests) < seal
    assert periodic.registered()[seal].every == timedelta(days=7)
