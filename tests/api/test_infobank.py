"""The info bank through the API, as a script or an app would use it: add with a retry-safe
key, refuse bad input field by field, change and read the history, reveal (logged), and the
emergency card a nanny's phone reads."""

from __future__ import annotations

import json

import pytest

from coparent.infobank.models import InfoItem, RevealLog
from coparent.infobank.services import item_add, item_change, reveal
from tests.kit import API, AUTH_QUERIES


def _child(cast, rest: str = "") -> str:
    return f"/families/{cast.family.pk}/children/{cast.mia.pk}{rest}"


def test_alex_adds_an_allergy_once_whatever_the_retries(cast, as_):
    alex = as_(cast.alex)
    body = {"kind": "allergy", "values": {"allergen": "Peanuts", "severity": "severe"}}
    answers = [
        alex.client.post(
            API + _child(cast, "/info"),
            json.dumps(body),
            content_type="application/json",
            headers={**alex.headers(), "Idempotency-Key": "k-1"},
            secure=True,
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert InfoItem.objects.filter(family=cast.family).count() == 1
    made = answers[0].json()
    assert made["for_care"] is True and made["title"] == "Peanuts"
    assert made["fields"][0]["set_by"] == "Alex"


def test_a_passport_added_with_retries_leaves_no_guessable_trace_of_its_number(cast, as_):
    """Alex's script retries adding Mia's passport (9 digits: a billion guesses). The retry
    returns the first item; the key's row keeps the request's fingerprint with the number only
    as an HMAC under the site's key, so hashing every 9-digit number finds nothing; the same
    key with another number is refused."""
    from coparent.messaging import idempotency
    from coparent.messaging.models import IdempotencyKey

    alex = as_(cast.alex)
    values = {"document": "passport", "number": "123456789", "country": "NL"}

    def add(number: str):
        return alex.client.post(
            API + _child(cast, "/info"),
            json.dumps({"kind": "identity", "values": {**values, "number": number}}),
            content_type="application/json",
            headers={**alex.headers(), "Idempotency-Key": "passport-1"},
            secure=True,
        )

    first, again = add("123456789"), add("123456789")
    assert [first.status_code, again.status_code] == [201, 201]
    assert first.json()["id"] == again.json()["id"]
    assert add("987654321").status_code not in (200, 201)
    assert InfoItem.objects.filter(family=cast.family).count() == 1
    (kept,) = IdempotencyKey.objects.filter(user=cast.alex)
    plain = idempotency.fingerprint(
        {"child": str(cast.mia.pk), "kind": "identity", "values": values, "for_care": None}
    )
    assert kept.request_hash and kept.request_hash != plain


def test_a_medicine_without_a_name_or_unit_is_a_400_naming_the_fields(cast, as_):
    response = as_(cast.alex).post(
        _child(cast, "/info"), {"kind": "medicine", "values": {"dose_amount": "5"}}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "dose_unit"}
    assert not InfoItem.objects.filter(family=cast.family).exists()


def test_history_change_and_reveal(cast, as_):
    item = item_add(
        access=cast.access(cast.alex),
        child=cast.mia,
        kind="identity",
        values={"document": "passport", "number": "NXC4PR7Q2", "country": "NL"},
    )
    sam = as_(cast.sam)
    changed = sam.put(
        f"/families/{cast.family.pk}/info/{item.pk}",
        {"values": {"document": "passport", "number": "NXC4PR7Q2", "country": "BE"}},
    )
    assert changed.status_code == 200
    detail = changed.json()
    assert [v["set_by"]["display_name"] for v in detail["history"]] == ["Sam", "Alex"]
    assert detail["history"][0]["changed"] == ["Issuing country"]
    assert "NXC4PR7Q2" not in changed.content.decode()
    assert detail["values"]["number"] == "••••••7Q2"
    revealed = sam.post(f"/families/{cast.family.pk}/info/{item.pk}/reveal")
    assert revealed.json() == {"item": str(item.pk), "field": "number", "value": "NXC4PR7Q2"}
    assert RevealLog.objects.filter(item=item, user=cast.sam).count() == 1
    assert len(sam.get(f"/families/{cast.family.pk}/info/{item.pk}").json()["reveals"]) == 1


def test_vic_reads_only_what_is_marked_for_care(cast, as_):
    alex = cast.access(cast.alex)
    item_add(access=alex, child=cast.mia, kind="allergy", values={"allergen": "Peanuts"})
    item_add(access=alex, child=cast.mia, kind="school", values={"school": "Oak Primary"})
    vic = as_(cast.vic)
    listed = vic.get(_child(cast, "/info")).json()
    assert [i["title"] for i in listed] == ["Peanuts"]
    card = vic.get(_child(cast, "/emergency-card")).json()
    assert card["date_of_birth"] is None and card["name"] == "Mia"
    assert [s["key"] for s in card["sections"]] == ["allergies"]
    assert "Oak Primary" not in json.dumps(card)


def test_the_list_costs_a_fixed_number_of_queries(cast, as_, django_assert_max_num_queries):
    alex = cast.access(cast.alex)
    for n in range(6):
        item_add(access=alex, child=cast.mia, kind="allergy", values={"allergen": f"A{n}"})
    caller = as_(cast.alex)
    caller.get(_child(cast, "/info"))  # the token's first use is written once a minute
    # token, membership, child, items, versions with their setters, the parents' homes (a
    # home address in safe mode shows as its label, docs/safety.md).
    with django_assert_max_num_queries(AUTH_QUERIES + 5):
        assert len(caller.get(_child(cast, "/info")).json()) == 6
    with django_assert_max_num_queries(AUTH_QUERIES + 5):
        assert caller.get(_child(cast, "/emergency-card")).status_code == 200


@pytest.mark.parametrize("n", [1, 5])
def test_one_item_costs_the_same_however_long_its_history(cast, as_, django_assert_num_queries, n):
    # A passport changed `n - 1` times by alternating parents, its number revealed `n` times.
    item = item_add(
        access=cast.access(cast.alex),
        child=cast.mia,
        kind="identity",
        values={"document": "passport", "number": "NXC4PR7Q2", "country": "NL"},
    )
    for i in range(n - 1):
        item_change(
            access=cast.access(cast.sam if i % 2 else cast.alex),
            item=item,
            values={"document": "passport", "number": "NXC4PR7Q2", "country": f"B{i}"[:2]},
        )
    for _ in range(n):
        reveal(access=cast.access(cast.alex), item=item)
    caller = as_(cast.sam)
    path = f"/families/{cast.family.pk}/info/{item.pk}"
    caller.get(path)  # the token's first use is written once a minute
    # auth; 1 membership; 2 the item with who made it; 3 its versions with who set them; 4 the
    # parents' homes (safe mode, docs/safety.md); 5 its reveals with who asked.
    with django_assert_num_queries(AUTH_QUERIES + 5):
        answer = caller.get(path)
    assert len(answer.json()["history"]) == n
