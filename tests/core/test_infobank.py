"""The info bank's rules: what a parent may write about a child, what is masked, what a nanny
needs for care (coparent.core.infobank)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.core import infobank
from coparent.core.infobank import InfoProblem, mask, validate


def test_a_medicine_without_a_name_is_refused_with_the_field_named() -> None:
    with pytest.raises(InfoProblem) as error:
        validate("medicine", {"dose_amount": "5", "dose_unit": "ml"})
    assert set(error.value.problems) == {"name"}
    assert "medicine" in error.value.problems["name"]


def test_a_dose_without_a_unit_is_refused_never_guessed() -> None:
    with pytest.raises(InfoProblem) as error:
        validate("medicine", {"name": "Ibuprofen", "dose_amount": "5"})
    assert set(error.value.problems) == {"dose_unit"}
    assert "unit" in error.value.problems["dose_unit"]


def test_a_unit_without_an_amount_is_refused_too() -> None:
    with pytest.raises(InfoProblem) as error:
        validate("medicine", {"name": "Ibuprofen", "dose_unit": "ml"})
    assert set(error.value.problems) == {"dose_amount"}


def test_a_complete_medicine_is_cleaned() -> None:
    clean = validate(
        "medicine",
        {"name": "  Ibuprofen ", "dose_amount": "2,50", "dose_unit": "ml", "schedule": ""},
    )
    assert clean == {"name": "Ibuprofen", "dose_amount": "2.5", "dose_unit": "ml"}
    assert infobank.title("medicine", clean) == "Ibuprofen 2.5 ml"


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "1e9", "NaN", "0.0001"])
def test_a_dose_must_be_a_sensible_amount(amount: str) -> None:
    with pytest.raises(InfoProblem) as error:
        validate("medicine", {"name": "X", "dose_amount": amount, "dose_unit": "mg"})
    assert "dose_amount" in error.value.problems


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(InfoProblem) as error:
        validate("emergency_contact", {"phone": "call me", "colour": "red"})
    assert set(error.value.problems) == {"name", "phone", "values"}


def test_an_unknown_kind_and_a_bad_choice_are_refused() -> None:
    with pytest.raises(InfoProblem) as error:
        validate("tattoo", {})
    assert "kind" in error.value.problems
    with pytest.raises(InfoProblem) as error:
        validate("allergy", {"allergen": "Peanuts", "severity": "apocalyptic"})
    assert "severity" in error.value.problems


def test_sizes_need_clothes_or_shoes() -> None:
    with pytest.raises(InfoProblem) as error:
        validate("sizes", {"notes": "growing fast"})
    assert "clothes" in error.value.problems
    assert validate("sizes", {"shoes": "EU 31"}) == {"shoes": "EU 31"}


def test_an_identity_document_has_a_masked_number_and_a_checked_expiry() -> None:
    with pytest.raises(InfoProblem) as error:
        validate("identity", {"document": "passport", "number": "X", "expires": "soon"})
    assert set(error.value.problems) == {"expires", "country"}
    clean = validate(
        "identity",
        {"document": "passport", "number": "NXC4PR7Q2", "expires": "2031-05-01", "country": "NL"},
    )
    assert infobank.shown("identity", clean)["number"] == "••••••7Q2"
    assert "NXC4PR7Q2" not in str(infobank.public("identity", clean, salt="s"))


def test_mask_examples() -> None:
    assert mask("") == ""
    assert mask("1234") == "••••"
    assert mask("123456") == "••••56"
    assert mask("AB1234567890") == "••••••••7890"


@given(st.text(min_size=0, max_size=60))
def test_mask_shows_at_most_four_characters_and_keeps_the_length(value: str) -> None:
    masked = mask(value)
    assert len(masked) == len(value)
    hidden = masked.count(infobank.MASK_CHAR) - value.count(infobank.MASK_CHAR)
    shown = len(value) - hidden
    assert shown <= 4
    assert shown <= len(value) // 3 + 1 or shown == 0
    assert value.endswith(masked.lstrip(infobank.MASK_CHAR)) or not value


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_a_commitment_changes_with_the_value_and_the_salt(value: str, salt: str) -> None:
    assert infobank.commit(value, salt) == infobank.commit(value, salt)
    assert infobank.commit(value, salt) != infobank.commit(value + "x", salt)
    assert infobank.commit(value, salt) != infobank.commit(value, salt + "x")


@given(
    st.sampled_from(sorted(infobank.KINDS)),
    st.dictionaries(st.sampled_from(["name", "phone", "allergen", "notes", "x"]), st.text()),
)
def test_validate_either_cleans_or_names_the_problem(kind: str, values: dict[str, str]) -> None:
    try:
        clean = validate(kind, values)
    except InfoProblem as error:
        assert error.problems
        assert all(message for message in error.problems.values())
    else:
        # Clean values validate again to themselves: a stored version always reads back.
        assert validate(kind, clean) == clean
        assert all(v for v in clean.values())


def test_every_kind_is_in_one_section_and_care_kinds_exist() -> None:
    listed = [k for s in infobank.SECTIONS for k in s.kinds]
    assert sorted(listed) == sorted(infobank.KINDS)
    assert infobank.CARE_BY_DEFAULT <= set(infobank.KINDS)
    assert set(infobank.EMERGENCY_CARD) <= set(infobank.KINDS)
    assert "school" not in infobank.CARE_BY_DEFAULT


def test_diff_names_added_changed_and_cleared_fields() -> None:
    change = infobank.diff({"a": "1", "b": "2"}, {"b": "3", "c": "4"})
    assert change.added == ("c",)
    assert change.changed == ("b",)
    assert change.cleared == ("a",)


def test_each_kind_has_a_phrase_for_sentences() -> None:
    assert infobank.KINDS["identity"].phrase == "passport or ID"
    assert infobank.KINDS["allergy"].phrase == "allergy"
