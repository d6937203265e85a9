"""The demo families' agreements: several signed clauses (decisions reserved to both parents,
social media and travel among them; a swap silence rule; an expense split) and one clause
waiting, every step in a record that stays in time order and verifies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coparent.agreements.models import ClauseStatus, ClauseVersion
from coparent.agreements.selectors import terms_in_force
from coparent.cli.demo_data import build_demo
from coparent.core.agreement import Decision, RequestKind
from coparent.records.models import RecordEntry

NOW = datetime(2027, 3, 14, 6, 30, tzinfo=UTC)  # early in the UTC day: "yesterday" is close


@pytest.fixture
def demo(db):
    return build_demo(now=NOW)


def test_both_demo_families_have_an_agreement_with_one_clause_waiting(demo):
    for family in demo:
        terms = terms_in_force(family.family, NOW)
        assert {Decision.SOCIAL_MEDIA, Decision.TRAVEL} <= set(terms.reserved)
        rule, ref = terms.silence_for(RequestKind.SWAP)
        assert (rule.days, rule.outcome, ref.title) == (7, "approve", "Swapping days")
        assert terms.split is not None
        versions = ClauseVersion.objects.filter(family=family.family)
        assert versions.filter(status=ClauseStatus.IN_FORCE).count() >= 6
        assert versions.filter(status=ClauseStatus.PROPOSED).count() == 1
    assert terms_in_force(demo[1].family, NOW).split[0] == (60, 40)


def test_the_first_family_declined_amended_and_signed_a_mediators_draft(demo):
    versions = ClauseVersion.objects.filter(family=demo[0].family)
    assert versions.filter(status=ClauseStatus.DECLINED).count() == 1
    assert versions.filter(status=ClauseStatus.SUPERSEDED).count() == 1
    draft = versions.get(title="Holiday plans shared early")
    assert draft.proposed_by.display_name == "Priya Shah" and draft.signatures.count() == 2
    assert terms_in_force(demo[0].family, NOW).response_hours[0] == 24


def test_the_agreement_keeps_the_demo_record_in_time_order(demo):
    for family in demo:
        ats = list(
            RecordEntry.objects.filter(family=family.family)
            .order_by("seq")
            .values_list("at", flat=True)
        )
        assert ats == sorted(ats)
