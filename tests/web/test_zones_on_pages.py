"""Every time a page shows is in the family's zone, or the member's own (ARCHITECTURE.md): the
Rivera family lives in Auckland and Alex has moved to Chicago. Each page that shows a time
names the zone once, gives Alex's Chicago time beside the family's where it shows an instant,
and never says "UTC" — which only the record's technical view keeps, as stored."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from coparent.accounts.services import own_zone_set, token_create
from coparent.events.services import event_add
from coparent.families.models import Family
from coparent.messaging.services import thread_start
from coparent.records.services import record_export
from coparent.schedule.services import plan_accept, plan_propose
from tests.families.helpers import client_for
from tests.schedule.conftest import plan_data

AUCKLAND, CHICAGO = "Pacific/Auckland", "America/Chicago"


@pytest.fixture
def auckland(cast):
    """The Rivera family in Auckland, with a plan in force there since today, a proposed
    change, Mia's party in three days, a conversation, a token and an export; Alex reads in
    Chicago."""
    alex, sam = cast.access(cast.alex), cast.access(cast.sam)
    # As if chosen when the family was created (a change would be in the record, naming UTC).
    Family.objects.filter(pk=cast.family.pk).update(timezone=AUCKLAND)
    cast.family.refresh_from_db()
    alex, sam = cast.access(cast.alex), cast.access(cast.sam)
    own_zone_set(user=cast.alex, timezone_name=CHICAGO)
    yesterday = _today() - timedelta(days=1)
    plan = plan_data(timezone=AUCKLAND, start=yesterday.isoformat(), country="NZ", holiday=[])
    plan_accept(access=sam, version=plan_propose(access=alex, plan=plan, effective_from=_today()))
    plan_propose(
        access=sam,
        plan={**plan, "pattern": "alternating-weeks"},
        effective_from=yesterday + timedelta(days=30),
    )
    start = timezone.now() + timedelta(days=3)
    cast.event = event_add(
        access=sam,
        title="Mia's birthday party",
        kind="birthday_party",
        children=[cast.mia],
        timezone_name=AUCKLAND,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        notify=False,
    )
    cast.thread = thread_start(
        access=sam, subject="Dentist", topic="health", body="The dentist moved Mia to Friday."
    ).thread
    token_create(user=cast.alex, name="sync", expires_in_days=30)
    # An export job is its asker's alone (records.selectors.get_export_job): one each.
    with TestCase.captureOnCommitCallbacks(execute=True):
        cast.export_jobs = {
            "alex": record_export(access=alex, file_format="json"),
            "sam": record_export(access=sam, file_format="json"),
        }
    return cast


def _today() -> date:
    return timezone.now().astimezone(ZoneInfo(AUCKLAND)).date()


def _fam(c, path: str = "") -> str:
    return f"/families/{c.family.pk}/{path}"


# Family pages: the family's zone, with Alex's beside each instant they show.
FAMILY_PAGES = {
    "dashboard": lambda c: _fam(c),
    "month": lambda c: _fam(c, "schedule/"),
    # Tomorrow: day 2 of the rotation that started yesterday, when Alex hands over at 18:00.
    "day": lambda c: _fam(c, f"schedule/day/{_today() + timedelta(days=1)}/"),
    "agenda": lambda c: _fam(c, "schedule/agenda/"),
    "proposals": lambda c: _fam(c, "schedule/proposals/"),
    "timeshare": lambda c: _fam(c, "schedule/timeshare/"),
    "events": lambda c: _fam(c, "events/"),
    "event": lambda c: _fam(c, f"events/{c.event.pk}/"),
    "inbox": lambda c: _fam(c, "messages/"),
    "thread": lambda c: _fam(c, f"messages/threads/{c.thread.pk}/"),
    "search": lambda c: _fam(c, "messages/search/?q=dentist"),
    "record": lambda c: _fam(c, "record/"),
    "export": lambda c: _fam(c, "record/export/"),
    "export_job": lambda c: _fam(c, f"record/export/{c.export_jobs[c.reader].pk}/"),
    "members": lambda c: _fam(c, "members/"),
    "children": lambda c: _fam(c, "children/"),
}
# The pages that show an instant (not only dates): each gives Alex's Chicago time beside it.
SHOW_AN_INSTANT = {
    "dashboard",
    "day",
    "proposals",
    "events",
    "event",
    "inbox",
    "thread",
    "search",
    "record",
    "export_job",
}
ACCOUNT_PAGES = {
    "security": lambda c: reverse("accounts:security"),
    "tokens": lambda c: reverse("accounts:tokens"),
    "sessions": lambda c: reverse("accounts:sessions"),
    "passkeys": lambda c: reverse("mfa_index"),
}


@pytest.mark.parametrize("who", ["alex", "sam"])
@pytest.mark.parametrize("page", sorted(FAMILY_PAGES))
def test_a_family_page_reads_in_the_familys_zone(auckland, page, who):
    auckland.reader = who  # whose own objects a page shows, where only its owner may read it
    response = client_for(getattr(auckland, who)).get(FAMILY_PAGES[page](auckland))

    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("Times in Pacific/Auckland (NZ") == 1  # once per page
    assert "UTC" not in text
    if who == "sam":  # no zone of her own: the family's alone
        assert "Chicago" not in text
        return
    assert "yours in America/Chicago" in text
    if page in SHOW_AN_INSTANT:
        assert " in Chicago)" in text  # Alex's own time beside the family's


@pytest.mark.parametrize("page", sorted(ACCOUNT_PAGES))
def test_an_account_page_reads_in_alexs_own_zone(auckland, page):
    text = client_for(auckland.alex).get(ACCOUNT_PAGES[page](auckland)).content.decode()
    assert "Times in America/Chicago (C" in text
    assert "UTC" not in text


def test_without_a_zone_of_her_own_sam_reads_her_account_in_her_familys(auckland):
    text = client_for(auckland.sam).get(reverse("accounts:security")).content.decode()
    assert "Times in Pacific/Auckland (NZ" in text


def test_only_the_records_technical_view_keeps_utc(auckland):
    client = client_for(auckland.alex)
    plain = client.get(_fam(auckland, "record/")).content.decode()
    technical = client.get(_fam(auckland, "record/?view=technical")).content.decode()

    assert "UTC" not in plain and "Hash" not in plain
    assert "Time as recorded (UTC)" in technical and "Hash" in technical
    # As stored and hashed: the UTC text of the entry, to the microsecond.
    first = auckland.family.record_entries.order_by("seq").first()
    assert f"<code>{first.at}</code>" in technical


def test_the_pdf_reads_in_the_familys_zone(auckland):
    from coparent.records.export import build_export, export_html

    html = export_html(build_export(family=auckland.family), family=auckland.family)
    assert "In Pacific/Auckland (NZ" in html
    assert "UTC" not in html


def test_the_browsers_locale_is_kept_once_and_only_for_someone_the_page_loaded(
    auckland, django_assert_num_queries
):
    from coparent.accounts.models import User

    client = client_for(auckland.sam)
    british = {"accept-language": "en-GB"}
    client.get(reverse("accounts:security"), headers=british)
    assert User.objects.get(pk=auckland.sam.pk).locale == "en_GB"
    # The same locale again: the page costs what it did, without a write.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as counted:
        client.get(reverse("accounts:security"), headers=british)
    assert not [q for q in counted.captured_queries if q["sql"].startswith("UPDATE")]
    # No header: nothing is changed. The health check loads nobody, so it writes nothing.
    client.get(reverse("accounts:security"))
    with django_assert_num_queries(0):
        client.get("/healthz", headers={"accept-language": "fr-FR"})
    assert User.objects.get(pk=auckland.sam.pk).locale == "en_GB"
