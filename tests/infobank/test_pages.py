"""The info-bank pages as the family uses them: Alex adds an allergy from his phone, Sam reads
it with who set it, Vic the nanny finds it on Mia's emergency card and never sees the school."""

from __future__ import annotations

import pytest

from coparent.infobank.models import InfoItem, RevealLog
from coparent.infobank.services import item_add, item_change

PASSPORT = "NXC4PR7Q2"


def _url(cast, rest: str) -> str:
    return f"/families/{cast.family.pk}/info/{rest}"


@pytest.fixture
def filled(cast):
    alex = cast.access(cast.alex)
    allergy = item_add(
        access=alex,
        child=cast.mia,
        kind="allergy",
        values={"allergen": "Peanuts", "reaction": "Hives", "severity": "severe"},
    )
    item_add(access=alex, child=cast.mia, kind="school", values={"school": "Oak Primary"})
    item_add(
        access=alex,
        child=cast.mia,
        kind="emergency_contact",
        values={"name": "Grandma Rosa", "relation": "Grandmother", "phone": "+31 6 1234 5678"},
    )
    passport = item_add(
        access=alex,
        child=cast.mia,
        kind="identity",
        values={"document": "passport", "number": PASSPORT, "country": "NL"},
    )
    item_change(
        access=cast.access(cast.sam),
        item=allergy,
        values={"allergen": "Peanuts", "reaction": "Hives, swollen lips", "severity": "severe"},
    )
    return allergy, passport


def test_alex_adds_an_allergy_and_sam_sees_who_set_it(cast):
    alex = cast.client_for(cast.alex)
    response = alex.post(
        _url(cast, f"{cast.mia.pk}/add/allergy/"),
        {"allergen": "Bee stings", "severity": "life_threatening", "for_care": "on"},
    )
    assert response.status_code == 302
    page = cast.client_for(cast.sam).get(_url(cast, f"{cast.mia.pk}/")).content.decode()
    assert "Bee stings" in page and "Life-threatening" in page
    assert "set by Alex" in page


def test_a_medicine_without_a_name_or_a_unit_is_refused_beside_its_fields(cast):
    alex = cast.client_for(cast.alex)
    response = alex.post(_url(cast, f"{cast.mia.pk}/add/medicine/"), {"dose_amount": "5"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "dose_unit"}
    assert "unit" in form.errors["dose_unit"][0]
    assert not InfoItem.objects.filter(family=cast.family).exists()
    assert 'id="id_name_error"' in response.content.decode()


def test_an_unknown_kind_is_not_there(cast):
    response = cast.client_for(cast.alex).get(_url(cast, f"{cast.mia.pk}/add/tattoo/"))
    assert response.status_code == 404


def test_vic_sees_the_allergy_on_the_card_but_not_the_school(cast, filled):
    vic = cast.client_for(cast.vic)
    for rest in (f"{cast.mia.pk}/", f"{cast.mia.pk}/card/"):
        page = vic.get(_url(cast, rest)).content.decode()
        assert "Peanuts" in page and "Grandma Rosa" in page
        assert "Oak Primary" not in page and "School" not in page
        assert "Passport" not in page
    allergy, _passport = filled
    assert vic.get(_url(cast, f"items/{allergy.pk}/")).status_code == 403


def test_the_history_shows_each_earlier_value_with_who_and_when(cast, filled):
    allergy, _passport = filled
    page = cast.client_for(cast.alex).get(_url(cast, f"items/{allergy.pk}/")).content.decode()
    assert "Hives, swollen lips" in page and ">Hives<" in page
    history = page.split("History</h2>")[1]
    assert history.index("Changed</strong>") < history.index("by Sam") < history.index("Added")
    assert history.index("Added") < history.index("by Alex")


def test_the_passport_number_shows_only_on_reveal_and_each_reveal_is_logged(cast, filled):
    _allergy, passport = filled
    alex = cast.client_for(cast.alex)
    for rest in (f"{cast.mia.pk}/", f"items/{passport.pk}/", f"items/{passport.pk}/change/"):
        page = alex.get(_url(cast, rest)).content.decode()
        assert PASSPORT not in page, rest
    assert (
        PASSPORT
        not in cast.client_for(cast.morgan).get(_url(cast, f"{cast.mia.pk}/")).content.decode()
    )
    response = alex.post(_url(cast, f"items/{passport.pk}/reveal/"))
    assert response.status_code == 200
    assert PASSPORT in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert RevealLog.objects.filter(item=passport, user=cast.alex).count() == 1
    # Changing the country without retyping the number keeps the number.
    alex.post(
        _url(cast, f"items/{passport.pk}/change/"),
        {"document": "passport", "number": "", "country": "BE"},
    )
    latest = passport.versions.order_by("-n").first()
    assert latest.values == {"document": "passport", "number": PASSPORT, "country": "BE"}


def test_remove_keeps_the_history(cast, filled):
    allergy, _passport = filled
    alex = cast.client_for(cast.alex)
    assert alex.post(_url(cast, f"items/{allergy.pk}/remove/")).status_code == 302
    assert "Peanuts" not in alex.get(_url(cast, f"{cast.mia.pk}/")).content.decode()
    history = alex.get(_url(cast, f"items/{allergy.pk}/")).content.decode()
    assert "Removed" in history and "Peanuts" in history


def test_another_familys_child_and_item_are_not_there(cast, filled):
    olivia_family = f"/families/{cast.other_family.pk}/info/"
    olivia = cast.client_for(cast.olivia)
    allergy, _ = filled
    assert olivia.get(f"{olivia_family}{cast.mia.pk}/").status_code == 404
    assert olivia.get(f"{olivia_family}items/{allergy.pk}/").status_code == 404
    alex = cast.client_for(cast.alex)
    assert alex.get(_url(cast, f"{cast.other_child.pk}/card/")).status_code == 404


def test_the_pages_cost_a_fixed_number_of_queries(cast, filled, django_assert_max_num_queries):
    allergy, _passport = filled
    alex = cast.client_for(cast.alex)
    vic = cast.client_for(cast.vic)
    # session, user, membership, (axes/usersessions), child, items, versions with their setters,
    # the parents' homes (safe mode's labels, docs/safety.md).
    for client, rest, most in (
        (alex, "", 8),
        (alex, f"{cast.mia.pk}/", 10),
        (vic, f"{cast.mia.pk}/card/", 10),
        (alex, f"items/{allergy.pk}/", 10),
    ):
        with django_assert_max_num_queries(most):
            assert client.get(_url(cast, rest)).status_code == 200
    # More items cost no more queries.
    for n in range(5):
        item_add(
            access=cast.access(cast.alex),
            child=cast.mia,
            kind="allergy",
            values={"allergen": f"Pollen {n}"},
        )
    with django_assert_max_num_queries(10):
        assert alex.get(_url(cast, f"{cast.mia.pk}/")).status_code == 200


def test_the_card_prints_on_one_page(cast, filled):
    page = cast.client_for(cast.alex).get(_url(cast, f"{cast.mia.pk}/card/")).content.decode()
    assert "infobank/infobank.css" in page and "data-print" in page
    assert "Born" in page  # a parent's card carries the date of birth, for a hospital
    from django.contrib.staticfiles import finders

    css = open(finders.find("infobank/infobank.css")).read()
    assert "@media print" in css and ".site-header" in css
