"""Both demo families have a plan with holidays in force, and a later accepted change."""

from __future__ import annotations

from datetime import UTC, datetime

from coparent.cli.demo_data import build_demo
from coparent.families.selectors import get_family_access
from coparent.records.models import RecordEntry
from coparent.schedule import selectors

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


def test_each_demo_family_agreed_a_plan_and_a_change(db):
    for demo in build_demo(now=NOW):
        parent = next(u.user for u in demo.users if u.role == "parent")
        access = get_family_access(parent, demo.family.pk)
        versions = selectors.plan_versions(access)
        assert [v.status for v in versions] == ["accepted", "accepted"]
        schedule = selectors.schedule_of(access)
        assert len(schedule.pieces) == 2
        assert schedule.pieces[0].plan.holidays
        # The family reads its times where its plan is.
        assert demo.family.timezone == schedule.pieces[0].plan.zone.key != "UTC"
        # The record tells the story in time order.
        stamps = list(
            RecordEntry.objects.filter(family=demo.family)
            .order_by("seq")
            .values_list("at", flat=True)
        )
        assert stamps == sorted(stamps)
        kinds = RecordEntry.objects.filter(family=demo.family, kind__startswith="plan.")
        assert kinds.count() == 4
