"""Pages render as in production here (static files found without collectstatic)."""

from __future__ import annotations

import pytest

from tests.families.helpers import pages  # noqa: F401  (the fixture, for every test here)


@pytest.fixture(autouse=True)
def _pages(pages):  # noqa: F811
    """Every test here renders real pages."""
