"""The agreement's terms: what a signed clause means for requests and warnings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coparent.core.agreement import (
    ClauseRef,
    ClauseTerms,
    Decision,
    RequestKind,
    SilenceRule,
    TermsError,
    combine,
    parse_terms,
    topics_mentioned,
    warnings_for,
)


def ref(clause_id: str, day: int) -> ClauseRef:
    return ClauseRef(clause_id, 1, f"Clause {clause_id}", datetime(2026, 1, day, tzinfo=UTC))


def test_terms_round_trip_through_their_stored_shape() -> None:
    terms = ClauseTerms(
        reserved=frozenset({Decision.SOCIAL_MEDIA, Decision.TRAVEL}),
        silence=(SilenceRule(RequestKind.SWAP, 7, "approve"),),
        response_hours=48,
        split=(60, 40),
    )
    assert parse_terms(terms.as_data()) == terms
    assert parse_terms({}) == ClauseTerms() and parse_terms(None).empty


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(TermsError) as caught:
        parse_terms(
            {
                "reserved": ["tattoos"],
                "silence": [{"kind": "swap", "days": 0, "outcome": "approve"}],
                "split": {"A": 70, "B": 40},
                "response_hours": True,
                "colour": "blue",
            }
        )
    assert set(caught.value.problems) == {
        "reserved",
        "silence.0",
        "split",
        "response_hours",
        "terms",
    }


def test_two_silence_rules_for_one_kind_are_refused() -> None:
    rule = {"kind": "swap", "days": 7, "outcome": "approve"}
    with pytest.raises(TermsError) as caught:
        parse_terms({"silence": [rule, {**rule, "outcome": "decline"}]})
    assert "silence.1" in caught.value.problems


def test_the_later_signature_wins_and_a_request_names_its_clause() -> None:
    first = (ref("1", 1), ClauseTerms(silence=(SilenceRule(RequestKind.SWAP, 7, "approve"),)))
    later = (ref("2", 5), ClauseTerms(silence=(SilenceRule(RequestKind.SWAP, 3, "decline"),)))
    joint = (ref("3", 2), ClauseTerms(reserved=frozenset({Decision.SOCIAL_MEDIA})))
    terms = combine([later, joint, first])
    rule, clause = terms.silence_for(RequestKind.SWAP) or (None, None)
    assert rule == SilenceRule(RequestKind.SWAP, 3, "decline") and clause == ref("2", 5)
    assert terms.clause_for(RequestKind.SOCIAL_MEDIA) == ref("3", 2)
    assert terms.clause_for(RequestKind.SWAP) == ref("2", 5)
    assert terms.clause_for(RequestKind.OTHER) is None


@pytest.mark.parametrize(
    ("text", "decision"),
    [
        ("Opening her social media account", Decision.SOCIAL_MEDIA),
        ("Maya's first phone for her birthday", None),
        ("Getting her a phone for her birthday", Decision.SOCIAL_MEDIA),
        ("Half-term trip abroad to Lisbon", Decision.TRAVEL),
        ("Braces consultation", Decision.MEDICAL),
        ("Baptism at St Mary's", Decision.RELIGION),
        ("Signing him up for summer camp", Decision.ACTIVITIES),
        ("Football practice", None),
        ("Call me on the phone when you land", None),
    ],
)
def test_words_that_touch_a_reserved_decision(text: str, decision: Decision | None) -> None:
    found = topics_mentioned(text)
    assert (decision in found) if decision else not found


def test_a_warning_only_for_what_the_agreement_reserves() -> None:
    terms = combine([(ref("9", 1), ClauseTerms(reserved=frozenset({Decision.SOCIAL_MEDIA})))])
    assert warnings_for("Opening her Instagram account", terms) == [
        (Decision.SOCIAL_MEDIA, ref("9", 1))
    ]
    assert warnings_for("Trip abroad", terms) == []
