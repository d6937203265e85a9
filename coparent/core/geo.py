"""Distances on the earth for "at the exchange place or not", without Django.

Check-ins keep positions only to three decimals of a degree (about 100 m), so the answer is a
coarse one by design: `NEAR` is wide enough that two coarse positions of the same school gate
always count as near, and narrow enough that the next street's café does not.
"""

from __future__ import annotations

import math
from decimal import Decimal

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
NEAR_M = 200.0
"""How close a check-in's coarse position must be to the exchange place's to count as there:
two roundings of up to about 80 m each, plus the phone's own error."""


def distance_m(
    a: tuple[Decimal | float, Decimal | float], b: tuple[Decimal | float, Decimal | float]
) -> float:
    """The great-circle distance in metres between two (latitude, longitude) points (haversine,
    good to well under a metre at these distances)."""
    lat1, lon1 = math.radians(float(a[0])), math.radians(float(a[1]))
    lat2, lon2 = math.radians(float(b[0])), math.radians(float(b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def near(
    a: tuple[Decimal | float, Decimal | float], b: tuple[Decimal | float, Decimal | float]
) -> bool:
    return distance_m(a, b) <= NEAR_M
