"""A US family's record prints on Letter, a French or British one on A4, and a zone with no
country (UTC) on A4."""

from __future__ import annotations

import pytest

from coparent.core.paper import country_of_zone, paper_for_zone


@pytest.mark.parametrize(
    ("zone", "paper"),
    [
        ("America/Chicago", "letter"),
        ("America/Los_Angeles", "letter"),
        ("America/Toronto", "letter"),
        ("America/Mexico_City", "letter"),
        ("Asia/Manila", "letter"),
        ("Europe/Paris", "A4"),
        ("Europe/London", "A4"),
        ("America/Sao_Paulo", "A4"),
        ("Australia/Sydney", "A4"),
        ("UTC", "A4"),
        ("Not/AZone", "A4"),
    ],
)
def test_the_paper_follows_the_country_of_the_familys_zone(zone, paper):
    assert paper_for_zone(zone) == paper


def test_the_country_comes_from_the_zone_database():
    assert country_of_zone("America/Chicago") == "US"
    assert country_of_zone("Europe/Berlin") == "DE"
    assert country_of_zone("UTC") is None
