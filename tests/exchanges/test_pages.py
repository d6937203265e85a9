"""The gate story on the pages: Sam taps "I'm here" at the school, Alex marks the hand-over, and
both see both sides — never where anyone was."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coparent.exchanges.models import CheckIn, Note
from coparent.exchanges.selectors import key_of


def _url(cast, rest=""):
    return f"/families/{cast.family.pk}/exchanges/{rest}"


def test_both_parents_check_in_and_see_each_other(cast, first, time_machine):
    planned, giver, receiver = first
    time_machine.move_to(planned - timedelta(minutes=3), tick=False)
    key = key_of(planned)
    giving, receiving = cast.client_for(giver), cast.client_for(receiver)

    listing = giving.get(_url(cast)).content.decode()
    assert f"exchanges/{key}/" in listing

    page = giving.get(_url(cast, f"{key}/")).content.decode()
    assert "I&#x27;m here" in page and "Handed over" in page and "Received" not in page

    answer = giving.post(
        _url(cast, f"{key}/check-in/"),
        {"step": "arrived", "latitude": "41.878113", "longitude": "-87.629799"},
        follow=True,
    )
    assert "Checked in: you are at the exchange." in answer.content.decode()
    time_machine.move_to(planned + timedelta(minutes=4), tick=False)
    receiving.post(_url(cast, f"{key}/check-in/"), {"step": "received"})

    seen = receiving.get(_url(cast, f"{key}/")).content.decode()
    assert giver.display_name in seen and "Received" in seen and "On time" in seen
    assert "41.87" not in seen and "87.6" not in seen and "shared your location" not in seen
    mine = giving.get(_url(cast, f"{key}/")).content.decode()
    assert "you shared your location, kept to about 100 m" in mine
    assert CheckIn.objects.count() == 2


def test_a_note_is_added_and_a_huge_one_is_refused_on_the_form(cast, first, time_machine):
    planned, giver, receiver = first
    time_machine.move_to(planned + timedelta(minutes=30), tick=False)
    browser = cast.client_for(receiver)
    key = key_of(planned)

    refused = browser.post(_url(cast, f"{key}/notes/"), {"text": "x" * 100_000})
    assert refused.status_code == 400
    assert "At most 4,000 characters" in refused.content.decode()
    assert not Note.objects.exists()

    browser.post(_url(cast, f"{key}/notes/"), {"text": "Denied entry at the gate, 15:05."})
    assert (
        "Denied entry at the gate, 15:05."
        in cast.client_for(giver).get(_url(cast, f"{key}/")).content.decode()
    )


@pytest.mark.parametrize("key", ["not-a-time", "20270101T000000Z", "99999999T999999Z"])
def test_a_time_with_no_exchange_is_not_found(cast, first, key):
    assert cast.client_for(cast.alex).get(_url(cast, f"{key}/")).status_code == 404


def test_the_pages_cost_a_fixed_number_of_queries(
    cast, first, time_machine, django_assert_num_queries
):
    planned, giver, receiver = first
    time_machine.move_to(planned, tick=False)
    browser = cast.client_for(receiver)
    key = key_of(planned)
    for step in ("arrived", "received"):
        browser.post(_url(cast, f"{key}/check-in/"), {"step": step})
    browser.post(_url(cast, f"{key}/notes/"), {"text": "On time."})
    browser.get(_url(cast))  # warm the session
    # Session, user, listing; membership (family_view); plan versions, parents, occurrences,
    # check-ins, notes, their photos; the agreement's exchange rules; the unread count of the
    # navigation.
    with django_assert_num_queries(12):
        assert browser.get(_url(cast)).status_code == 200
    with django_assert_num_queries(12):
        assert browser.get(_url(cast, f"{key}/")).status_code == 200


def test_only_the_page_with_taps_may_ask_for_the_location(cast, first, time_machine):
    planned, giver, _ = first
    time_machine.move_to(planned - timedelta(minutes=3), tick=False)
    browser = cast.client_for(giver)
    tapping = browser.get(_url(cast, f"{key_of(planned)}/"))
    assert "geolocation=(self)" in tapping["Permissions-Policy"]
    assert "camera=()" in tapping["Permissions-Policy"]
    assert "geolocation=()" in browser.get(_url(cast))["Permissions-Policy"]


def test_no_answer_of_the_api_carries_a_location(cast, first, time_machine, as_):
    planned, giver, receiver = first
    time_machine.move_to(planned, tick=False)
    as_(giver).post(
        f"/families/{cast.family.pk}/exchanges/{key_of(planned)}/check-ins",
        {"step": "arrived", "latitude": 41.878113, "longitude": -87.629799},
    )
    for who in (giver, receiver):
        listed = as_(who).get(f"/families/{cast.family.pk}/exchanges").content.decode()
        one = as_(who).get(f"/families/{cast.family.pk}/exchanges/{key_of(planned)}")
        assert one.json()["check_ins"][0]["location_shared"] is True
        for body in (listed, one.content.decode()):
            assert "41.87" not in body and "87.6" not in body and "latitude" not in body


def test_the_agreements_exchange_rules_stand_beside_the_exchanges(cast, first):
    from coparent.agreements.services import clause_propose, clause_sign

    curb = clause_propose(
        access=cast.access(cast.alex),
        topic="boundaries",
        title="At the curb",
        body="Exchanges happen at the curb; neither parent enters the other's home uninvited.",
    )
    clause_sign(access=cast.access(cast.sam), version=curb)
    planned, _, _ = first
    for path in ("", f"{key_of(planned)}/"):
        page = cast.client_for(cast.sam).get(_url(cast, path)).content.decode()
        assert "What the agreement says about exchanges" in page and "At the curb" in page


def test_the_other_parent_sees_at_the_exchange_place_and_no_more(cast, first, time_machine):
    planned, giver, receiver = first
    time_machine.move_to(planned - timedelta(minutes=3), tick=False)
    key = key_of(planned)
    cast.client_for(giver).post(
        _url(cast, f"{key}/check-in/"),
        {"step": "arrived", "latitude": "41.890213", "longitude": "-87.634519", "pin_place": "1"},
    )
    seen = cast.client_for(receiver).get(_url(cast, f"{key}/")).content.decode()
    assert "at the exchange place" in seen
    assert "41.89" not in seen and "87.63" not in seen
