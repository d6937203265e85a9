import pytest

from tests.factories import UserFactory
from tests.families.helpers import pages  # noqa: F401  (the fixture, for every test here)


@pytest.fixture(autouse=True)
def _pages(pages):  # noqa: F811
    """Every test in this folder renders pages."""


@pytest.fixture
def dana(db):
    """A lawyer with an account and no family yet."""
    return UserFactory(email="dana@example.org", display_name="Dana")
