"""Schedule API figure for `make bench`: (c) a year's calendar from the API on SQLite.

A family with a 2-2-5-5 plan with holidays (the demo's US plan), a later change, and a child
event every week; the median server time of GET /api/v1/families/{id}/calendar over a year,
through Django's test client (no network), after one warm-up call.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

RUNS = 7


def _setup() -> tuple[str, str]:
    from django.utils import timezone

    from coparent.accounts.models import User
    from coparent.accounts.services import token_create
    from coparent.events.services import event_add
    from coparent.families.selectors import get_family_access
    from coparent.families.services import child_add, family_create
    from coparent.schedule.demo import us_plan
    from coparent.schedule.services import plan_propose

    user = User.objects.create(email="plan-bench@example.org", display_name="Bench Parent")
    family = family_create(user=user, name="Calendar bench")
    access = get_family_access(user, family.pk)
    child = child_add(access=access, name="Mia", date_of_birth=date(2016, 5, 2))
    today = timezone.now().date()
    plan_propose(access=access, plan=us_plan(access, today), effective_from=today)
    changed = {**us_plan(access, today), "pattern": "2-2-3"}
    plan_propose(access=access, plan=changed, effective_from=today + timedelta(days=180))
    start = timezone.now()
    for week in range(52):
        moment = start + timedelta(days=7 * week)
        event_add(
            access=access,
            title=f"Swimming {week}",
            kind="sports",
            children=[child],
            timezone_name="America/Chicago",
            starts_at=moment,
            ends_at=moment + timedelta(hours=1),
            notify=False,
        )
    _, token = token_create(user=user, name="bench")
    return str(family.pk), token


def report(line: Callable[[str, str, str, bool], None]) -> list[bool]:
    from django.test import Client
    from django.utils import timezone

    family_id, token = _setup()
    from django.conf import settings

    # The test client's "testserver" is not an allowed host outside tests.
    host = next(
        (h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")),
        "localhost",
    )
    client = Client(HTTP_HOST=host)
    first = timezone.now().date()
    url = f"/api/v1/families/{family_id}/calendar"
    query = {"from": first.isoformat(), "to": (first + timedelta(days=365)).isoformat()}
    headers = {"Authorization": f"Bearer {token}"}

    def call() -> None:
        response = client.get(url, query, headers=headers, secure=True)
        assert response.status_code == 200, response.content[:200]

    call()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    ms = statistics.median(times) * 1000
    ok = ms <= 100
    line("(c) a year's calendar from the API (SQLite)", f"{ms:,.0f} ms", "≤ 100 ms", ok)
    return [ok]
