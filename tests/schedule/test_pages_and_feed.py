"""The calendar, the editor, the time-share and the feed, as the family uses them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from coparent.events.services import event_add
from coparent.families.services import family_zone_set
from coparent.schedule.models import PlanVersion
from coparent.schedule.services import (
    plan_accept,
    plan_propose,
)
from tests.schedule.conftest import plan_data


@pytest.fixture
def in_force(cast, soon):
    # The family reads its times where its plan is (as the migration to family zones sets it).
    family_zone_set(access=cast.access(cast.alex), timezone_name="America/Chicago")
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    plan_accept(access=cast.access(cast.sam), version=version)
    return version


def party(cast, days: int, title: str = "Mia's birthday party"):
    start = timezone.now() + timedelta(days=days)
    return event_add(
        access=cast.access(cast.alex),
        title=title,
        kind="birthday_party",
        children=[cast.mia],
        timezone_name="America/Chicago",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Bounce park",
        notify=False,
    )


def test_vic_sees_the_month_with_exchanges_and_mias_party(cast, in_force, soon):
    party(cast, 10)
    month = (timezone.now() + timedelta(days=10)).strftime("%Y-%m")

    page = cast.client_for(cast.vic).get(f"/families/{cast.family.pk}/schedule/", {"month": month})

    text = page.content.decode()
    assert page.status_code == 200
    assert "Mia&#x27;s birthday party" in text
    # An exchange in a day's cell: its time and an arrow, the whole sentence on hover.
    assert '6:00\u202fPM</time> <span aria-hidden="true">→</span>' in text
    assert "Alex hands over to Sam at Lincoln Elementary, front door" in text
    assert "Sam hands over to Alex at Lincoln Elementary, front door" in text
    assert 'class="parent-a"' in text and 'class="parent-b"' in text


def test_the_agenda_lists_each_exchange_in_the_familys_zone(cast, in_force, soon):
    page = cast.client_for(cast.sam).get(
        f"/families/{cast.family.pk}/schedule/agenda/", {"from": soon.isoformat()}
    )
    assert page.status_code == 200
    assert "6:00\u202fPM" in page.content.decode()
    assert "Times in America/Chicago (C" in page.content.decode()


def test_the_editor_proposes_a_plan_and_shows_field_errors(cast, soon):
    client = cast.client_for(cast.alex)
    form = {
        "pattern": "custom",
        "rotation": "AABBC",
        "first_parent": "A",
        "start": soon.isoformat(),
        "exchange_time": "18:00",
        "timezone": "America/Chicago",
        "country": "US",
        "effective_from": soon.isoformat(),
        "holiday-TOTAL_FORMS": "1",
        "holiday-INITIAL_FORMS": "0",
        "holiday-0-holiday": "Thanksgiving Day",
        "holiday-0-from_day": "-1",
        "holiday-0-from_time": "18:00",
        "holiday-0-until_day": "3",
        "holiday-0-until_time": "18:00",
        "holiday-0-parent": "A",
        "holiday-0-years": "even",
        "birthday-TOTAL_FORMS": "0",
        "birthday-INITIAL_FORMS": "0",
        "school_break-TOTAL_FORMS": "2",
        "school_break-INITIAL_FORMS": "0",
        "school_break-0-name": "Winter",
        "school_break-0-start": "2030-12-20",
        "school_break-0-end": "2030-12-10",
        "school_break-0-split": "whole",
        "school_break-0-parent": "A",
        "school_break-0-years": "odd_only",
        "action": "propose",
    }
    url = f"/families/{cast.family.pk}/schedule/plan/"

    refused = client.post(url, form)

    assert refused.status_code == 400
    edit = refused.context["edit"]
    assert edit.form.errors["rotation"] == ["Use only the letters A (Alex) and B (Sam); found C."]
    assert edit.breaks.forms[0].errors["end"] == ["The break must end after its first day."]
    assert not PlanVersion.objects.exists()

    form.update(
        {
            "pattern": "2-2-3",
            "rotation": "",
            "school_break-0-end": "2031-01-03",
            "note": "Fresh start",
        }
    )
    sent = client.post(url, form)
    assert sent.status_code == 302
    version = PlanVersion.objects.get()
    assert version.plan["pattern"] == "2-2-3"
    assert version.plan["holiday"][0] == {
        "name": "Thanksgiving Day",
        "date": "Thanksgiving Day",
        "start": "-1d 18:00",
        "end": "+3d 18:00",
        "odd_years": "B",
        "even_years": "A",
    }
    assert version.plan["parents"] == ["Alex", "Sam"]


def test_spare_rows_whose_selects_post_a_value_are_left_out(cast, soon):
    """A browser posts every select, so a spare school-break row arrives as split=whole with
    empty dates; it is a blank row, not a break with missing dates."""
    client = cast.client_for(cast.alex)
    form = {
        "pattern": "2-2-3",
        "first_parent": "A",
        "start": soon.isoformat(),
        "exchange_time": "18:00",
        "timezone": "America/Chicago",
        "effective_from": soon.isoformat(),
        "holiday-TOTAL_FORMS": "1",
        "holiday-INITIAL_FORMS": "0",
        "holiday-0-from_day": "0",
        "holiday-0-until_day": "1",
        "holiday-0-parent": "A",
        "holiday-0-years": "every",
        "birthday-TOTAL_FORMS": "0",
        "birthday-INITIAL_FORMS": "0",
        "school_break-TOTAL_FORMS": "2",
        "school_break-INITIAL_FORMS": "0",
        "school_break-0-split": "whole",
        "school_break-0-parent": "A",
        "school_break-0-years": "every",
        "school_break-1-split": "whole",
        "school_break-1-parent": "B",
        "school_break-1-years": "even",
        "action": "propose",
    }
    response = client.post(f"/families/{cast.family.pk}/schedule/plan/", form)
    assert response.status_code == 302
    assert "school_break" not in PlanVersion.objects.get().plan


def test_the_preview_fragment_shows_months_and_the_time_share(cast, soon):
    response = cast.client_for(cast.alex).post(
        f"/families/{cast.family.pk}/schedule/plan/preview/",
        {
            "pattern": "alternating-weeks",
            "first_parent": "A",
            "start": soon.isoformat(),
            "exchange_time": "18:00",
            "timezone": "Europe/London",
            "effective_from": soon.isoformat(),
            "holiday-TOTAL_FORMS": "0",
            "holiday-INITIAL_FORMS": "0",
            "birthday-TOTAL_FORMS": "0",
            "birthday-INITIAL_FORMS": "0",
            "school_break-TOTAL_FORMS": "0",
            "school_break-INITIAL_FORMS": "0",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert '<table class="month">' in text and "Overnights" in text
    assert "<html" not in text


def test_sam_accepts_on_the_proposals_page_and_declines_need_a_reason(cast, soon):
    version = plan_propose(access=cast.access(cast.alex), plan=plan_data(), effective_from=soon)
    sam = cast.client_for(cast.sam)
    base = f"/families/{cast.family.pk}/schedule/proposals/{version.pk}"

    page = sam.get(f"/families/{cast.family.pk}/schedule/proposals/")
    assert "Accept" in page.content.decode()
    assert sam.post(f"{base}/decline/", {"reason": ""}).status_code == 400
    assert sam.post(f"{base}/accept/").status_code == 302
    version.refresh_from_db()
    assert version.status == "accepted"


def test_the_time_share_page_chart_and_csv(cast, in_force, soon):
    client = cast.client_for(cast.morgan)
    period = {"start": soon.isoformat(), "end": (soon + timedelta(days=28)).isoformat()}

    page = client.get(f"/families/{cast.family.pk}/schedule/timeshare/", period)
    text = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in text and "<title" in text and "partial-day" in text.lower()

    download = client.get(f"/families/{cast.family.pk}/schedule/timeshare.csv", period)
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    overnights = next(r for r in rows if r[1] == "overnights" and "/" in r[0])
    assert float(overnights[3]) + float(overnights[4]) == 28
    assert float(overnights[5]) + float(overnights[6]) == pytest.approx(100)
