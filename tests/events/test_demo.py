"""Both demo families have a year of their children's events — past and still ahead — each
answered by the parents, some moved, some cancelled, with each child's birthday party."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coparent.cli.demo_data import build_demo
from coparent.events.models import ChildEvent, Rsvp
from coparent.families.models import Role
from coparent.records.models import RecordEntry

NOW = datetime(2027, 3, 14, 15, 0, tzinfo=UTC)


def test_both_demo_families_have_a_year_of_answered_child_events(db):
    for demo in build_demo(now=NOW):
        family = demo.family
        events = ChildEvent.objects.filter(family=family)
        assert events.count() >= 25
        assert events.filter(ends_at__lt=NOW - timedelta(days=250)).exists()
        assert events.filter(starts_at__gt=NOW + timedelta(days=20)).exists()
        assert events.filter(status="cancelled").exists()
        assert events.filter(sequence__gt=0, status="scheduled").exists()  # moved ones
        assert events.filter(all_day=True).exists()
        for child in family.children.all():
            assert (
                events.filter(kind="birthday_party", title__startswith=child.name)
                .filter(title__contains="birthday party", children=child)
                .exists()
            ), child.name
        parents = {m.user_id for m in family.memberships.filter(role=Role.PARENT)}
        assert set(Rsvp.objects.filter(family=family).values_list("user_id", flat=True)) == parents
        kinds = set(
            RecordEntry.objects.filter(family=family, kind__startswith="event.").values_list(
                "kind", flat=True
            )
        )
        assert kinds == {"event.added", "event.changed", "event.cancelled", "event.rsvp"}
