"""Distances for "at the exchange place": known distances, symmetry, and the coarse positions
of one gate always counting as near."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import given
from hypothesis import strategies as st

from coparent.core.geo import NEAR_M, distance_m, near

latitudes = st.floats(min_value=-80, max_value=80, allow_nan=False)
longitudes = st.floats(min_value=-179, max_value=179, allow_nan=False)


def test_known_distances() -> None:
    # One degree of latitude is about 111.2 km everywhere.
    assert abs(distance_m((0, 0), (1, 0)) - 111_195) < 50
    # Chicago's Loop to O'Hare, about 25 km.
    assert 24_000 < distance_m((41.8781, -87.6298), (41.9742, -87.9073)) < 26_000
    assert distance_m((51.5, -0.12), (51.5, -0.12)) == 0


@given(latitudes, longitudes, latitudes, longitudes)
def test_distance_is_symmetric_and_never_negative(a: float, b: float, c: float, d: float) -> None:
    assert distance_m((a, b), (c, d)) >= 0
    assert abs(distance_m((a, b), (c, d)) - distance_m((c, d), (a, b))) < 1e-6


@given(latitudes, longitudes, st.floats(-0.0004, 0.0004), st.floats(-0.0004, 0.0004))
def test_two_coarse_positions_of_one_gate_are_near(
    lat: float, lon: float, dy: float, dx: float
) -> None:
    def coarse(value: float) -> Decimal:
        return Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)

    first = (coarse(lat), coarse(lon))
    second = (coarse(lat + dy), coarse(lon + dx))
    assert near(first, second)


def test_the_next_street_is_not_near() -> None:
    assert not near((41.890, -87.634), (41.894, -87.634))  # about 445 m north
    assert NEAR_M < 445
