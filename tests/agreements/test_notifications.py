"""Proposals and answers reach the people they concern through the notification centre, never
the one who acted, never a viewer, never a decline's reason."""

from __future__ import annotations

from coparent.agreements import services
from coparent.core.notify import Kind
from coparent.notifications.models import Notification
from coparent.notifications.sources import drafts_for
from coparent.records.models import RecordEntry
from tests.agreements.conftest import propose, url


def _told(kind: str) -> dict[str, str]:
    entry = RecordEntry.objects.filter(kind=kind).latest("seq")
    drafts = drafts_for(entry)
    assert all(d.kind == Kind.AGREEMENT for d in drafts)
    return {str(d.recipient_id): d.title for d in drafts}


def test_sam_hears_of_alexs_proposal_in_the_centre_and_by_email(
    cast, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        version = propose(cast)
    (note,) = Notification.objects.filter(recipient=cast.sam)
    assert note.kind == "agreement"
    assert note.title == "Alex proposed a clause for the agreement: “Exchanges at the curb”"
    assert note.url == url(cast, "clause", clause_id=version.clause_id)
    assert not Notification.objects.filter(recipient__in=[cast.alex, cast.morgan, cast.vic])
    assert [m.to for m in mailoutbox] == [[cast.sam.email]]


def test_alex_hears_that_sam_signed_and_that_sam_declined_without_the_reason(cast):
    version = propose(cast)
    services.clause_sign(access=cast.access(cast.sam), version=version)
    assert _told("agreement.clause_signed") == {
        str(cast.alex.pk): "Sam signed “Exchanges at the curb”"
    }
    other = propose(cast, title="Bedtimes")
    services.clause_decline(
        access=cast.access(cast.sam), version=other, reason="Private reason here"
    )
    told = _told("agreement.clause_declined")
    assert told == {str(cast.alex.pk): "Sam declined “Bedtimes”"}
    entry = RecordEntry.objects.filter(kind="agreement.clause_declined").latest("seq")
    assert all("Private reason" not in d.body for d in drafts_for(entry))


def test_the_mediators_draft_asks_both_parents_then_the_one_still_to_sign(cast):
    version = propose(cast, cast.morgan)
    assert set(_told("agreement.clause_proposed")) == {str(cast.alex.pk), str(cast.sam.pk)}
    services.clause_sign(access=cast.access(cast.alex), version=version)
    # Sam still has to sign; Morgan hears that the draft moved.
    assert set(_told("agreement.clause_signed")) == {str(cast.sam.pk), str(cast.morgan.pk)}
    services.clause_sign(access=cast.access(cast.sam), version=version)
    assert set(_told("agreement.clause_signed")) == {str(cast.alex.pk), str(cast.morgan.pk)}


def test_a_withdrawal_tells_the_other_parent(cast):
    version = propose(cast)
    services.clause_withdraw(access=cast.access(cast.alex), version=version)
    assert _told("agreement.clause_withdrawn") == {
        str(cast.sam.pk): "Alex withdrew the proposed clause “Exchanges at the curb”"
    }
