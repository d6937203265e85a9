"""The family's zone is chosen when the family is created (the browser's, unless the parent
picks another) and changed by a parent, in the record for both to see; each member may choose
a zone of their own, given beside the family's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from coparent.families import services
from coparent.families.models import Family
from coparent.records.models import RecordEntry
from tests.factories import UserFactory
from tests.families.helpers import client_for


def test_a_family_is_created_in_the_zone_the_parent_chose(db):
    jo = UserFactory(display_name="Jo")
    client = client_for(jo)
    form = client.get(reverse("families:create")).content.decode()
    # The list starts on UTC; the page's script moves it to the browser's own zone.
    assert 'data-guess-zone="1"' in form

    client.post(reverse("families:create"), {"name": "Lee family", "timezone": "Europe/Paris"})

    family = Family.objects.get(created_by=jo)
    assert family.timezone == "Europe/Paris"
    created = RecordEntry.objects.get(family=family, kind="family.created")
    assert created.data["timezone"] == "Europe/Paris"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "x" * 10_000, "US/Central"])
def test_a_zone_that_is_not_in_the_list_is_refused_on_its_field(db, zone):
    jo = UserFactory(display_name="Jo")
    response = client_for(jo).post(reverse("families:create"), {"name": "Lee", "timezone": zone})
    assert response.status_code == 200
    assert response.context["form"].errors["timezone"]
    assert not Family.objects.filter(created_by=jo).exists()
    if zone == "US/Central":  # an old alias: the service knows it, the list does not offer it
        return
    with pytest.raises(services.ValidationError) as refused:
        services.family_create(user=jo, name="Lee", timezone_name=zone)
    assert "timezone" in refused.value.message_dict


def test_sam_moves_the_family_to_auckland_and_the_record_says_so(cast):
    url = reverse("families:settings", args=[cast.family.pk])
    response = client_for(cast.sam).post(url, {"timezone": "Pacific/Auckland"})

    assert response.status_code == 302
    cast.family.refresh_from_db()
    assert cast.family.timezone == "Pacific/Auckland"
    entry = RecordEntry.objects.filter(family=cast.family).order_by("-seq").first()
    assert (entry.kind, entry.actor, entry.data) == (
        "family.zone_changed",
        cast.sam,
        {"from": "UTC", "to": "Pacific/Auckland"},
    )
    # Choosing it again changes and records nothing.
    client_for(cast.sam).post(url, {"timezone": "Pacific/Auckland"})
    assert RecordEntry.objects.filter(family=cast.family).order_by("-seq").first() == entry
    record = client_for(cast.alex).get(reverse("records:timeline", args=[cast.family.pk]))
    assert "now shown in Pacific/Auckland (before: UTC)" in record.content.decode()


def test_only_a_parent_changes_the_familys_zone(cast):
    for who in (cast.morgan, cast.vic):
        with pytest.raises(services.PermissionDenied):
            services.family_zone_set(access=cast.access(who), timezone_name="Europe/Paris")
    response = client_for(cast.alex).post(
        reverse("families:settings", args=[cast.family.pk]), {"timezone": "Nowhere/Else"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["timezone"]
    cast.family.refresh_from_db()
    assert cast.family.timezone == "UTC"


def test_alex_chooses_his_own_zone_and_can_drop_it_again(cast):
    client = client_for(cast.alex)
    client.post(reverse("accounts:zone"), {"timezone": "America/Chicago"})
    cast.alex.refresh_from_db()
    assert cast.alex.timezone == "America/Chicago"
    refused = client.post(reverse("accounts:zone"), {"timezone": "Atlantis/Capital"})
    assert refused.status_code == 200 and refused.context["form"].errors["timezone"]
    client.post(reverse("accounts:zone"), {"timezone": ""})
    cast.alex.refresh_from_db()
    assert cast.alex.timezone == ""


# --- Filters take dates in the family's zone --------------------------------------------------


def test_the_record_and_message_filters_take_the_familys_dates(cast):
    """A message sent at 23:30 UTC on 1 March is on 2 March in Auckland: the filters find it
    on the family's date, as its pages show it."""
    from coparent.messaging.selectors import search_messages
    from coparent.messaging.services import thread_start
    from coparent.records.selectors import record_entries
    from coparent.web.zones import family_zone

    Family.objects.filter(pk=cast.family.pk).update(timezone="Pacific/Auckland")
    cast.family.refresh_from_db()
    late = datetime(2027, 3, 1, 23, 30, tzinfo=UTC)
    message = thread_start(
        access=cast.access(cast.sam), subject="Late", topic="other", body="Late news", at=late
    )
    access, zone = cast.access(cast.alex), family_zone(cast.family)
    march_2 = {"date_from": date(2027, 3, 2), "date_to": date(2027, 3, 2)}

    hits = search_messages(access, "late", zone=zone, **march_2)
    assert [h.message.pk for h in hits] == [message.pk]
    assert search_messages(access, "late", zone=zone, date_to=date(2027, 3, 1)) == []
    entries = record_entries(access, kind="message.sent", zone=zone, **march_2)
    assert entries.count() == 1
    # The API keeps its documented UTC days.
    assert record_entries(access, kind="message.sent", **march_2).count() == 0

    page = client_for(cast.alex).get(
        reverse("messaging:search", args=[cast.family.pk]),
        {"q": "late", "date_from": "2027-03-02", "date_to": "2027-03-02"},
    )
    assert "Late" in page.content.decode() and "1 message found" in page.content.decode()


def test_an_export_for_a_day_takes_the_familys_day(cast):
    """Asked on the export page, the dates are the family's: the message of 23:30 UTC on
    1 March is in an Auckland family's export of 2 March, and the document says whose days."""
    from django.test import TestCase

    from coparent.messaging.services import thread_start
    from coparent.records.export import build_export
    from coparent.records.models import ExportJob

    Family.objects.filter(pk=cast.family.pk).update(timezone="Pacific/Auckland")
    cast.family.refresh_from_db()
    thread_start(
        access=cast.access(cast.sam),
        subject="Late",
        topic="other",
        body="Late news",
        at=datetime(2027, 3, 1, 23, 30, tzinfo=UTC),
    )
    url = reverse("records:export", args=[cast.family.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_for(cast.alex).post(
            url, {"file_format": "json", "date_from": "2027-03-02", "date_to": "2027-03-02"}
        )
    job = ExportJob.objects.get(family=cast.family)
    assert job.timezone == "Pacific/Auckland"
    document = build_export(
        family=cast.family,
        date_from=job.date_from,
        date_to=job.date_to,
        zone=ZoneInfo(job.timezone),
    )
    assert document["scope"]["timezone"] == "Pacific/Auckland"
    in_scope = [e["kind"] for e in document["entries"] if "at" in e]
    assert in_scope == ["message.sent"]


def test_families_from_before_zones_take_their_plans_zone(cast):
    """The migration that gave families a zone: the Rivera family's accepted plan is in
    Chicago, so its pages keep showing Chicago's times; the Okafor family has no plan and
    stays on UTC until a parent chooses."""
    from importlib import import_module

    from django.apps import apps

    from coparent.schedule.services import plan_accept, plan_propose
    from tests.schedule.conftest import plan_data, today

    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=today())
    plan_accept(access=cast.access(cast.sam), version=version)
    migration = import_module("coparent.schedule.migrations.0002_family_zone_from_plan")

    migration.family_zone_from_plan(apps, None)

    cast.family.refresh_from_db()
    cast.other_family.refresh_from_db()
    assert (cast.family.timezone, cast.other_family.timezone) == ("America/Chicago", "UTC")


@pytest.mark.parametrize("changes", [1, 8])
def test_the_settings_page_costs_the_same_however_often_the_zone_changed(
    cast, changes, django_assert_num_queries
):
    zones = ["Europe/Paris", "America/Chicago"]
    for i in range(changes):
        services.family_zone_set(access=cast.access(cast.sam), timezone_name=zones[i % 2])
    browser = client_for(cast.alex)
    url = reverse("families:settings", kwargs={"family_id": cast.family.pk})
    browser.get(url)  # the session's first visit notes the browser once
    # 1 the session, 2 its user, 3 the session list check, 4 membership with its family (the
    # access path), 5 the header's unread notifications.
    with django_assert_num_queries(5):
        assert browser.get(url).status_code == 200
