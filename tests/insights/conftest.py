"""The Riveras' plan in force from a few days ahead, and its first exchange (the exchanges'
fixtures), for the insights' stories."""

from tests.exchanges.conftest import first as first  # noqa: F401 - a fixture
from tests.schedule.conftest import soon as soon  # noqa: F401 - a fixture
