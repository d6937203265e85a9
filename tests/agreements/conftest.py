"""Shared pieces for the agreement tests: clauses proposed and signed through the services, and
the pages rendered as in production."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from coparent.agreements import services
from coparent.agreements.models import ClauseVersion
from tests.families.helpers import pages  # noqa: F401  (the fixture, for every test here)

CURB = "Exchanges happen at the curb. Neither parent enters the other's home uninvited."
SOCIAL = {"reserved": ["social_media"]}


@pytest.fixture(autouse=True)
def _pages(pages):  # noqa: F811
    """Pages render as in production (static files found without collectstatic)."""


def propose(cast: Any, by: Any = None, **overrides: Any) -> ClauseVersion:
    """`by` (Alex unless said) proposes the curbside clause."""
    arguments: dict[str, Any] = {
        "topic": "boundaries",
        "title": "Exchanges at the curb",
        "body": CURB,
        "terms": None,
    }
    arguments.update(overrides)
    return services.clause_propose(access=cast.access(by or cast.alex), **arguments)


def signed(cast: Any, by: Any = None, **overrides: Any) -> ClauseVersion:
    """A clause `by` (Alex unless said) proposed and the other parent signed: in force."""
    by = by or cast.alex
    version = propose(cast, by, **overrides)
    other = cast.sam if by == cast.alex else cast.alex
    return services.clause_sign(access=cast.access(other), version=version)


def url(cast: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"agreements:{name}", kwargs={"family_id": cast.family.pk, **kwargs})
