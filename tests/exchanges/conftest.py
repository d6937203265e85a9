"""The Riveras' plan in force from a few days ahead, and its first exchange."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coparent.accounts.models import User
from coparent.core.schedule import local_midnight
from coparent.exchanges import selectors
from coparent.families.services import family_zone_set
from coparent.schedule.services import plan_accept, plan_propose
from tests.schedule.conftest import CHICAGO, plan_data
from tests.schedule.conftest import soon as soon  # the fixture: a date a little ahead


@pytest.fixture
def first(cast, soon: date) -> tuple[datetime, User, User]:
    """The first exchange once the plan is in force: when, who gives, who receives."""
    family_zone_set(access=cast.access(cast.alex), timezone_name=CHICAGO)
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    plan_accept(access=cast.access(cast.sam), version=version)
    start = local_midnight(ZoneInfo(CHICAGO), soon)
    (row, *_rest) = selectors.exchanges_between(
        cast.access(cast.alex), start, start + timedelta(days=8)
    )
    giver = cast.alex if row.giver_name == "Alex" else cast.sam
    receiver = cast.sam if giver == cast.alex else cast.alex
    return row.planned_at, giver, receiver
