"""The agreement's state machine, as the parents and the mediator live it: a clause proposed by
one parent comes into force when the other signs; an amendment replaces it only once signed;
the mediator drafts but never signs; every refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from coparent.agreements import services
from coparent.agreements.models import ClauseSignature, ClauseStatus, ClauseVersion
from coparent.agreements.selectors import terms_in_force
from coparent.core.agreement import Decision, RequestKind
from coparent.records.models import RecordEntry
from tests.agreements.conftest import CURB, SOCIAL, propose, signed


def _kinds(cast):
    return list(
        RecordEntry.objects.filter(family=cast.family, kind__startswith="agreement.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def test_a_clause_alex_proposes_comes_into_force_when_sam_signs(cast):
    version = propose(cast, terms=SOCIAL)
    assert version.status == ClauseStatus.PROPOSED and version.number == 1
    assert terms_in_force(cast.family).reserved == {}

    services.clause_sign(access=cast.access(cast.sam), version=version)

    version.refresh_from_db()
    assert version.status == ClauseStatus.IN_FORCE
    assert version.signed_by == cast.sam and version.signed_at is not None
    terms = terms_in_force(cast.access(cast.alex))
    ref = terms.reserved[Decision.SOCIAL_MEDIA]
    assert (ref.clause_id, ref.version, ref.title) == (
        str(version.clause_id),
        1,
        "Exchanges at the curb",
    )
    assert terms.clause_for(RequestKind.SOCIAL_MEDIA) == ref
    assert _kinds(cast) == ["agreement.clause_proposed", "agreement.clause_signed"]


def test_the_record_carries_the_clause_itself(cast):
    version = signed(cast, terms=SOCIAL)
    entries = RecordEntry.objects.filter(family=cast.family, kind__startswith="agreement.")
    for entry in entries:
        assert entry.data["title"] == "Exchanges at the curb"
        assert entry.data["body"] == CURB
        assert entry.data["terms"] == {"reserved": ["social_media"]}
        assert entry.data["clause"] == str(version.clause_id)
    assert entries.get(kind="agreement.clause_signed").data["in_force"] is True


def test_nobody_signs_their_own_proposal_and_nothing_changes(cast):
    version = propose(cast)
    with pytest.raises(services.NotYours):
        services.clause_sign(access=cast.access(cast.alex), version=version)
    version.refresh_from_db()
    assert version.status == ClauseStatus.PROPOSED
    assert not ClauseSignature.objects.filter(version=version).exists()
    assert _kinds(cast) == ["agreement.clause_proposed"]


@pytest.mark.parametrize("how", ["signed", "withdrawn", "declined"])
def test_a_version_already_answered_cannot_be_signed_again(cast, how):
    version = propose(cast)
    if how == "signed":
        services.clause_sign(access=cast.access(cast.sam), version=version)
    elif how == "withdrawn":
        services.clause_withdraw(access=cast.access(cast.alex), version=version)
    else:
        services.clause_decline(access=cast.access(cast.sam), version=version, reason="Too vague")
    before = _kinds(cast)
    with pytest.raises(services.ClauseConflict) as refused:
        services.clause_sign(access=cast.access(cast.sam), version=version)
    assert "nothing changed" in refused.value.message
    assert refused.value.status == 409
    assert _kinds(cast) == before
    assert ClauseSignature.objects.filter(version=version).count() == (how == "signed")


def test_an_amendment_replaces_the_clause_only_once_it_is_signed(cast):
    first = signed(cast)
    amendment = services.clause_amend(
        access=cast.access(cast.sam),
        clause=first.clause,
        title="Exchanges at the curb or at school",
        body=CURB + " On school days the exchange is the school pickup.",
        terms=None,
    )
    assert amendment.number == 2 and amendment.clause_id == first.clause_id
    first.refresh_from_db()
    assert first.status == ClauseStatus.IN_FORCE  # still governing while the change waits

    services.clause_sign(access=cast.access(cast.alex), version=amendment)

    first.refresh_from_db()
    amendment.refresh_from_db()
    assert (first.status, amendment.status) == (ClauseStatus.SUPERSEDED, ClauseStatus.IN_FORCE)
    assert first.superseded_at == amendment.signed_at
    signed_entry = RecordEntry.objects.filter(kind="agreement.clause_signed").latest("seq")
    assert signed_entry.data["supersedes"] == 1


def test_terms_in_force_at_a_moment_before_an_amendment_are_the_old_ones(cast):
    first = signed(cast, terms={"silence": [{"kind": "swap", "days": 7, "outcome": "approve"}]})
    between = timezone.now()
    amendment = services.clause_amend(
        access=cast.access(cast.alex),
        clause=first.clause,
        title="Swaps",
        body="No answer within 3 days counts as consent to a swap.",
        terms={"silence": [{"kind": "swap", "days": 3, "outcome": "approve"}]},
        at=between + timedelta(seconds=1),
    )
    services.clause_sign(
        access=cast.access(cast.sam), version=amendment, at=between + timedelta(seconds=2)
    )
    then = terms_in_force(cast.family, between)
    now = terms_in_force(cast.family, between + timedelta(seconds=3))
    assert then.silence_for(RequestKind.SWAP)[0].days == 7
    assert now.silence_for(RequestKind.SWAP)[0].days == 3
    assert now.silence_for(RequestKind.SWAP)[1].version == 2


def test_one_version_of_a_clause_waits_at_a_time(cast):
    first = signed(cast)
    services.clause_amend(
        access=cast.access(cast.sam), clause=first.clause, title="A", body="Change one."
    )
    with pytest.raises(services.ClauseConflict):
        services.clause_amend(
            access=cast.access(cast.alex), clause=first.clause, title="B", body="Change two."
        )
    assert ClauseVersion.objects.filter(clause=first.clause).count() == 2


def test_an_amendment_must_change_something(cast):
    first = signed(cast)
    with pytest.raises(services.ClauseProblem):
        services.clause_amend(
            access=cast.access(cast.sam), clause=first.clause, title=first.title, body=first.body
        )


def test_the_mediator_proposes_both_parents_sign_and_the_mediator_never_signs(cast):
    version = propose(cast, cast.morgan, title="Holiday plans shared early", body="30 days ahead.")
    with pytest.raises(PermissionDenied):
        services.clause_sign(access=cast.access(cast.morgan), version=version)

    services.clause_sign(access=cast.access(cast.alex), version=version)
    version.refresh_from_db()
    assert version.status == ClauseStatus.PROPOSED  # Sam has not signed yet
    with pytest.raises(services.ClauseConflict):
        services.clause_sign(access=cast.access(cast.alex), version=version)

    services.clause_sign(access=cast.access(cast.sam), version=version)
    version.refresh_from_db()
    assert version.status == ClauseStatus.IN_FORCE and version.signed_by == cast.sam
    signed_entries = RecordEntry.objects.filter(kind="agreement.clause_signed").order_by("seq")
    assert [e.data["in_force"] for e in signed_entries] == [False, True]


def test_either_parent_may_decline_the_mediators_draft_even_after_the_other_signed(cast):
    version = propose(cast, cast.morgan)
    services.clause_sign(access=cast.access(cast.alex), version=version)
    services.clause_decline(access=cast.access(cast.sam), version=version, reason="Not yet")
    version.refresh_from_db()
    assert version.status == ClauseStatus.DECLINED and version.reason == "Not yet"


def test_a_decline_needs_a_reason_and_only_the_other_parent_gives_it(cast):
    version = propose(cast)
    with pytest.raises(services.ClauseProblem) as refused:
        services.clause_decline(access=cast.access(cast.sam), version=version, reason="  ")
    assert refused.value.field == "reason"
    with pytest.raises(services.NotYours):
        services.clause_decline(access=cast.access(cast.alex), version=version, reason="No")
    with pytest.raises(PermissionDenied):
        services.clause_decline(access=cast.access(cast.morgan), version=version, reason="No")
    version.refresh_from_db()
    assert version.status == ClauseStatus.PROPOSED


def test_only_the_one_who_proposed_withdraws(cast):
    version = propose(cast, cast.morgan)
    with pytest.raises(services.NotYours):
        services.clause_withdraw(access=cast.access(cast.alex), version=version)
    services.clause_withdraw(access=cast.access(cast.morgan), version=version)
    version.refresh_from_db()
    assert version.status == ClauseStatus.WITHDRAWN and version.answered_by == cast.morgan


def test_a_viewer_does_nothing_with_the_agreement(cast):
    version = propose(cast)
    vic = cast.access(cast.vic)
    for act in (
        lambda: propose(cast, cast.vic),
        lambda: services.clause_sign(access=vic, version=version),
        lambda: services.clause_decline(access=vic, version=version, reason="x"),
        lambda: services.clause_withdraw(access=vic, version=version),
        lambda: services.clause_amend(access=vic, clause=version.clause, title="x", body="y"),
    ):
        with pytest.raises(PermissionDenied):
            act()
    assert _kinds(cast) == ["agreement.clause_proposed"]


def test_a_clause_of_100000_characters_is_a_field_error_and_nothing_is_stored(cast):
    with pytest.raises(services.ClauseProblem) as refused:
        propose(cast, body="x" * 100_000)
    assert refused.value.field == "body"
    assert "10,000" in refused.value.message and "100,000" in refused.value.message
    assert not ClauseVersion.objects.exists()
    assert _kinds(cast) == []


def test_bad_terms_are_named_field_by_field(cast):
    with pytest.raises(services.ClauseProblem) as refused:
        propose(
            cast,
            title="",
            terms={
                "reserved": ["karaoke"],
                "silence": [{"kind": "swap", "days": 0, "outcome": "approve"}],
                "split": {"A": 70, "B": 20},
            },
        )
    fields = {field for field, _message in refused.value.problems}
    assert fields == {"title", "terms.reserved", "terms.silence.0", "terms.split"}
    assert not ClauseVersion.objects.exists()


def test_a_title_with_a_hidden_direction_mark_is_refused(cast):
    with pytest.raises(services.ClauseProblem) as refused:
        propose(cast, title="Pickup at \u202e00:51")
    assert refused.value.field == "title" and "U+202E" in refused.value.message


def test_a_lone_parent_waits_for_the_second_parent(cast):
    from coparent.families import services as families

    family = families.family_create(user=cast.olivia, name="Second family")
    access = cast.access(cast.olivia, family)
    version = services.clause_propose(
        access=access, topic="other", title="Bedtimes", body="Bedtime is 20:00."
    )
    assert version.status == ClauseStatus.PROPOSED
    assert terms_in_force(family).reserved == {}


def test_the_same_idempotency_key_returns_the_first_version(cast):
    access = cast.access(cast.alex)
    arguments = {"topic": "other", "title": "Bedtimes", "body": "Bedtime is 20:00."}
    first = services.clause_propose_once(access=access, idempotency_key="k-1", **arguments)
    again = services.clause_propose_once(access=access, idempotency_key="k-1", **arguments)
    assert again.replayed and again.version.pk == first.version.pk
    assert ClauseVersion.objects.count() == 1


def test_signatures_are_never_changed(cast):
    version = signed(cast)
    signature = ClauseSignature.objects.get(version=version)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        ClauseSignature.objects.filter(pk=signature.pk).update(signed_at=timezone.now())


# --- Two people acting at once ---------------------------------------------------------------
# Each service reads the version again under a row lock (select_for_update: PostgreSQL makes the
# second writer wait; SQLite's writers queue anyway), so an answer given on a page that was
# loaded before the other person acted is judged on what is stored, not on what the page saw.


def test_sam_signs_while_alex_withdraws_only_the_first_one_counts(cast):
    version = propose(cast)
    seen_by_alex = ClauseVersion.objects.get(pk=version.pk)  # Alex's page, loaded before
    services.clause_sign(access=cast.access(cast.sam), version=version)
    with pytest.raises(services.ClauseConflict):
        services.clause_withdraw(access=cast.access(cast.alex), version=seen_by_alex)
    version.refresh_from_db()
    assert version.status == ClauseStatus.IN_FORCE
    assert _kinds(cast) == ["agreement.clause_proposed", "agreement.clause_signed"]


def test_a_sign_and_a_decline_at_once_leave_one_answer(cast):
    version = propose(cast)
    stale = ClauseVersion.objects.get(pk=version.pk)
    services.clause_decline(access=cast.access(cast.sam), version=version, reason="No")
    with pytest.raises(services.ClauseConflict):
        services.clause_sign(access=cast.access(cast.sam), version=stale)
    assert not ClauseSignature.objects.exists()


def test_both_parents_sign_the_mediators_draft_at_once_and_it_comes_into_force(cast):
    version = propose(cast, cast.morgan)
    alexs, sams = (ClauseVersion.objects.get(pk=version.pk) for _ in range(2))
    services.clause_sign(access=cast.access(cast.alex), version=alexs)
    services.clause_sign(access=cast.access(cast.sam), version=sams)
    version.refresh_from_db()
    assert version.status == ClauseStatus.IN_FORCE
    assert ClauseSignature.objects.filter(version=version).count() == 2


def test_two_changes_to_one_clause_at_once_leave_one_waiting(cast):
    first = signed(cast)
    services.clause_amend(access=cast.access(cast.sam), clause=first.clause, title="A", body="1")
    with pytest.raises(services.ClauseConflict):
        services.clause_amend(
            access=cast.access(cast.alex), clause=first.clause, title="B", body="2"
        )
    assert ClauseVersion.objects.filter(clause=first.clause, status="proposed").count() == 1


def test_the_records_pdf_prints_the_clause_word_for_word(cast):
    from coparent.records.export import build_export, export_html

    signed(cast)
    html = export_html(build_export(family=cast.family), family=cast.family)
    assert html.count("Neither parent enters the other&#x27;s home uninvited.") == 2
    assert "Clause “Exchanges at the curb” (version 1) signed and in force" in html


def test_a_template_that_is_not_in_the_library_is_refused(cast):
    with pytest.raises(services.ClauseProblem) as refused:
        propose(cast, template="no-such-template")
    assert refused.value.field == "template"
