"""Calendar feed figures for `make bench`: a year of the engine's calendar file, and the
served feed.

(f) `write_ics` over twelve months of the schedule figures' plan (bench/schedule.py: 2-2-5-5
in Chicago, 12 holidays, 50 overrides), expansion, stays merged by nights, every exchange and
the VTIMEZONE included: the pure writer.
(g) GET /feeds/<token>.ics on SQLite through Django's test client (no network): a family with
the demo's US plan, a later change of the exchange time and a child event every week, so 21
months of stays, exchanges and events with their SEQUENCEs.

Each figure is the median of several runs after one warm-up.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

RUNS = 7
TARGET_MS = 200


def _median_ms(action: Callable[[], object]) -> float:
    action()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _served_feed() -> str:
    from django.utils import timezone

    from coparent.accounts.models import User
    from coparent.events.services import event_add
    from coparent.families.selectors import get_family_access
    from coparent.families.services import child_add, family_create, family_zone_set
    from coparent.schedule.demo import us_plan
    from coparent.schedule.services import feed_create, feed_token_of, plan_propose

    user = User.objects.create(email="feed-bench@example.org", display_name="Bench Parent")
    family = family_create(user=user, name="Feed bench")
    access = get_family_access(user, family.pk)
    family_zone_set(access=access, timezone_name="America/Chicago")
    access = get_family_access(user, family.pk)
    child = child_add(access=access, name="Mia", date_of_birth=date(2016, 5, 2))
    today = timezone.now().date()
    plan_propose(access=access, plan=us_plan(access, today), effective_from=today)
    changed = {**us_plan(access, today), "exchange_time": "18:00"}
    plan_propose(access=access, plan=changed, effective_from=today + timedelta(days=180))
    start = timezone.now()
    for week in range(-13, 78):
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
    return f"/feeds/{feed_token_of(feed_create(access=access))}.ics"


def report(line: Callable[[str, str, str, bool], None]) -> list[bool]:
    from django.conf import settings
    from django.test import Client
    from schedule import bench_plan  # bench/schedule.py, beside this file

    from coparent.core.schedule import expand_dates
    from coparent.core.schedule.ical import write_ics

    plan = bench_plan()
    first, stop = date(2027, 1, 1), date(2028, 1, 1)
    margin = timedelta(days=62)

    def year_file() -> None:
        expansion = expand_dates(plan, first - margin, stop + margin)
        write_ics(
            plan,
            expansion.segments,
            expansion.exchanges,
            window=(first, stop),
            namespace="bench",
            name="bench",
            stamp=datetime(2027, 1, 1, tzinfo=UTC),
        )

    results = []
    ms = _median_ms(year_file)
    results.append(ms <= TARGET_MS)
    line("(f) a year's calendar file from the engine", f"{ms:,.0f} ms", "≤ 200 ms", results[-1])

    url = _served_feed()
    host = next(
        (h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")),
        "localhost",
    )
    client = Client(HTTP_HOST=host)

    def served() -> None:
        response = client.get(url, secure=True)
        assert response.status_code == 200, response.content[:200]

    ms = _median_ms(served)
    results.append(ms <= TARGET_MS)
    line("(g) the served feed, 21 months + 91 events", f"{ms:,.0f} ms", "≤ 200 ms", results[-1])
    return results
