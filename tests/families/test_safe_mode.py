"""Safety in high conflict (issue #17, point 3): Alex keeps a home address in Coparent and turns
safe mode on. The plan's exchanges happen at Alex's home ("home:A"): Sam's exchange pages,
calendar, API, calendar feed, reminders and exported report say "Alex's home (address
private)" and never the address or the street; the exchanges still take check-ins; Alex reads
the address everywhere. Turning safe mode off shows Sam the address again. Each change is a new
version and a record entry that never holds the address (docs/safety.md)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.utils import DatabaseError

from coparent.core.infobank import commit
from coparent.core.schedule import local_midnight
from coparent.exchanges import selectors as exchanges
from coparent.exchanges.services import check_in
from coparent.families.models import HomeAddress
from coparent.families.selectors import HomePlaces, own_home
from coparent.families.services import family_zone_set, home_set
from coparent.notifications.reminders import exchange_drafts
from coparent.records.export import build_export, export_html
from coparent.records.models import Kind, RecordEntry
from coparent.records.report import ReportScope, build_sections
from coparent.records.summaries import summarize
from coparent.schedule.models import PlanVersion
from coparent.schedule.services import feed_create, feed_token_of, plan_accept, plan_propose
from tests.kit import API, client_for
from tests.schedule.conftest import CHICAGO, plan_data
from tests.schedule.conftest import soon as soon  # the fixture: a date a little ahead

ADDRESS = "742 Evergreen Terrace\nSpringfield, OR 97403"
STREET = "Evergreen Terrace"
PRIVATE = "Alex's home (address private)"


@pytest.fixture
def at_alexs(cast, soon: date) -> datetime:
    """A plan in force from `soon` whose exchanges are at Alex's home; Alex keeps the address
    with safe mode on. Returns the first exchange's planned instant."""
    family_zone_set(access=cast.access(cast.alex), timezone_name=CHICAGO)
    version = plan_propose(
        access=cast.access(cast.alex),
        plan=plan_data(exchange_place="home:A"),
        effective_from=soon,
    )
    plan_accept(access=cast.access(cast.sam), version=version)
    home_set(access=cast.access(cast.alex), address=ADDRESS, safe_mode=True)
    start = local_midnight(ZoneInfo(CHICAGO), soon)
    first = exchanges.exchanges_between(cast.access(cast.alex), start, start + timedelta(days=8))
    return first[0].planned_at


def _what_sam_reads(cast, planned_at: datetime) -> dict[str, str]:
    """Sam's exchange pages, calendar day, API reads, feed, reminder and exported report."""
    sam = client_for(cast.sam)
    fam = f"/families/{cast.family.pk}"
    key = exchanges.key_of(planned_at)
    day = planned_at.astimezone(ZoneInfo(CHICAGO)).date().isoformat()
    low, high = planned_at - timedelta(days=1), planned_at + timedelta(days=7)
    window = f"from={low.isoformat()}&to={high.isoformat()}"
    bodies = {
        "exchange page": sam.get(f"{fam}/exchanges/{key}/"),
        "exchange list": sam.get(f"{fam}/exchanges/"),
        "calendar day": sam.get(f"{fam}/schedule/day/{day}/"),
        "agenda": sam.get(f"{fam}/schedule/agenda/"),
        "dashboard": sam.get(f"{fam}/"),
        "plan proposals": sam.get(f"{fam}/schedule/proposals/"),
        "API exchange": sam.get(f"{API}/families/{cast.family.pk}/exchanges/{key}"),
        "API exchanges": sam.get(
            f"{API}/families/{cast.family.pk}/exchanges?{window.replace('+', '%2B')}"
        ),
        "API calendar": sam.get(f"{API}/families/{cast.family.pk}/calendar?from={day}"),
        "feed": sam.get(f"/feeds/{feed_token_of(feed_create(access=cast.access(cast.sam)))}.ics"),
    }
    for name, response in bodies.items():
        assert response.status_code == 200, (name, response.status_code)
    text = {name: response.content.decode() for name, response in bodies.items()}
    reminders = [d for d in exchange_drafts(now=planned_at - timedelta(hours=1))]
    text["reminder"] = " ".join(d.body for d in reminders if d.recipient_id == cast.sam.pk)
    export = build_export(family=cast.family, reader=cast.sam)
    text["export"] = json.dumps(export)
    text["record PDF's HTML"] = export_html(
        export, family=cast.family, access=cast.access(cast.sam)
    )
    # The report's exchanges section over the weeks of the exchange, as Sam exports it.
    scope = ReportScope(
        access=cast.access(cast.sam),
        zone=ZoneInfo(CHICAGO),
        locale="en",
        first=planned_at.astimezone(ZoneInfo(CHICAGO)).date(),
        stop=planned_at.astimezone(ZoneInfo(CHICAGO)).date() + timedelta(days=14),
        export=export,
        names={str(cast.alex.pk): "Alex", str(cast.sam.pk): "Sam"},
    )
    text["report"] = " ".join(s.html for s in build_sections(scope, ["calendar", "exchanges"]))
    return text


def _leaks(text: dict[str, str]) -> set[str]:
    return {name for name, body in text.items() if STREET in body or "97403" in body}


def test_alex_turns_safe_mode_on_and_sam_never_reads_the_address(cast, at_alexs):
    text = _what_sam_reads(cast, at_alexs)

    assert _leaks(text) == set()
    for name in ("exchange page", "API exchange", "API exchanges", "feed", "reminder", "report"):
        assert PRIVATE in text[name].replace("&#x27;", "'").replace("\\'", "'"), name
    # The calendar feed's LOCATION is the label, never the address.
    assert "LOCATION:Alex's home (address private)" in text["feed"]


def test_the_exchanges_at_alexs_home_still_take_check_ins(cast, at_alexs):
    with time_machine.travel(at_alexs - timedelta(minutes=5), tick=False):
        # Alex, standing at home, marks the exchange place there; Sam arrives.
        check_in(
            access=cast.access(cast.alex),
            planned_at=at_alexs,
            step="arrived",
            latitude=45.04612,
            longitude=-123.02201,
            pin_place=True,
        )
        made = client_for(cast.sam).post(
            f"{API}/families/{cast.family.pk}/exchanges/{exchanges.key_of(at_alexs)}/check-ins",
            json.dumps({"step": "arrived", "latitude": 45.0462, "longitude": -123.0221}),
            content_type="application/json",
        )
    assert made.status_code == 201, made.content
    assert made.json()["at_place"] is True  # judged against Alex's mark, never shown to Sam
    row = exchanges.exchange_at(cast.access(cast.sam), at_alexs)
    assert row is not None and len(row.check_ins) == 2
    # The record says where the place is only by its name: Alex's home, no address.
    (pinned,) = RecordEntry.objects.filter(family=cast.family, kind=Kind.EXCHANGE_PLACE_PINNED)
    assert pinned.data["place"] == "Alex's home"
    assert _leaks(_what_sam_reads(cast, at_alexs)) == set()


def test_alex_always_reads_the_address_of_alexs_own_home(cast, at_alexs):
    alex = client_for(cast.alex)
    key = exchanges.key_of(at_alexs)

    page = alex.get(f"/families/{cast.family.pk}/exchanges/{key}/").content.decode()
    api = alex.get(f"{API}/families/{cast.family.pk}/exchanges/{key}").json()

    assert "Alex&#x27;s home, 742 Evergreen Terrace, Springfield, OR 97403" in page
    assert api["place"] == "Alex's home, 742 Evergreen Terrace, Springfield, OR 97403"


def test_turning_safe_mode_off_shows_sam_the_address_again(cast, at_alexs):
    home_set(access=cast.access(cast.alex), address=ADDRESS, safe_mode=False)

    api = client_for(cast.sam).get(
        f"{API}/families/{cast.family.pk}/exchanges/{exchanges.key_of(at_alexs)}"
    )

    assert api.json()["place"] == "Alex's home, 742 Evergreen Terrace, Springfield, OR 97403"


def test_viewers_follow_safe_mode_and_professionals_never_read_a_home_address(cast, at_alexs):
    places = HomePlaces(cast.access(cast.alex))
    viewer, mediator = places.seen_by(cast.viewer), places.seen_by(cast.mediator)
    assert viewer.show("home:A") == mediator.show("home:A") == PRIVATE

    home_set(access=cast.access(cast.alex), address=ADDRESS, safe_mode=False)
    places = HomePlaces(cast.access(cast.alex))

    assert places.seen_by(cast.viewer).show("home:A").endswith("Springfield, OR 97403")
    assert places.seen_by(cast.mediator).show("home:A") == PRIVATE


def test_a_place_typed_with_the_address_is_hidden_too(cast, at_alexs):
    """A plan written before safe mode, with the address as free text: Sam reads the label."""
    sam = HomePlaces(cast.access(cast.sam))
    alex = HomePlaces(cast.access(cast.alex))

    assert sam.show("curbside at 742 evergreen terrace") == PRIVATE
    assert alex.show("curbside at 742 evergreen terrace") == "curbside at 742 evergreen terrace"
    assert sam.show("Lincoln Elementary") == "Lincoln Elementary"


def test_each_change_is_a_new_version_and_a_record_entry_without_the_address(cast, at_alexs):
    access = cast.access(cast.alex)
    home_set(access=access, address=ADDRESS, safe_mode=True)  # the same again: nothing new
    home_set(access=access, address="9 Quiet Lane, Salem", safe_mode=True)
    home_set(access=access, address="9 Quiet Lane, Salem", safe_mode=False)

    versions = list(HomeAddress.objects.filter(family=cast.family, user=cast.alex).order_by("n"))
    entries = list(RecordEntry.objects.filter(family=cast.family, kind=Kind.HOME_CHANGED))

    assert [v.n for v in versions] == [1, 2, 3]
    assert [summarize(e.kind, e.data) for e in entries] == [
        "Alex changed their home address; Alex turned safe mode on: their address is private",
        "Alex changed their home address",
        "Alex turned safe mode off",
    ]
    for entry in entries:
        assert STREET not in json.dumps(entry.data) and "Quiet Lane" not in json.dumps(entry.data)
    # The commitment proves which address was kept, for a parent holding it and the salt.
    assert entries[0].data["address"] == commit(ADDRESS, versions[0].salt)
    assert own_home(access) == versions[-1]


def test_a_version_is_never_changed_or_removed(cast, at_alexs):
    version = HomeAddress.objects.get(family=cast.family, user=cast.alex)
    for attempt in (
        lambda: HomeAddress.objects.filter(pk=version.pk).update(safe_mode=False),
        lambda: HomeAddress.objects.filter(pk=version.pk).delete(),
    ):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            attempt()


def test_only_a_parent_keeps_a_home_and_a_long_address_is_refused_on_its_field(cast):
    with pytest.raises(ValidationError) as refused:
        home_set(access=cast.access(cast.alex), address="x" * 301, safe_mode=True)
    assert "address" in refused.value.message_dict

    api = client_for(cast.vic).put(
        f"{API}/families/{cast.family.pk}/home",
        json.dumps({"address": "1 Main St", "safe_mode": True}),
        content_type="application/json",
    )
    assert api.status_code == 403


def test_alex_sets_the_address_and_safe_mode_on_the_page_and_through_the_api(cast):
    alex = client_for(cast.alex)
    page = f"/families/{cast.family.pk}/settings/home/"

    assert alex.get(page).status_code == 200
    saved = alex.post(page, {"address": ADDRESS, "safe_mode": "on"})
    assert saved.status_code == 302
    assert "Safe mode is on" in alex.get(page).content.decode()

    api = alex.get(f"{API}/families/{cast.family.pk}/home").json()
    assert api["address"] == ADDRESS and api["safe_mode"] is True and api["version"] == 1
    off = alex.put(
        f"{API}/families/{cast.family.pk}/home",
        json.dumps({"address": ADDRESS, "safe_mode": False}),
        content_type="application/json",
    ).json()
    assert off["safe_mode"] is False and off["version"] == 2
    # Sam has a home of his own to keep, and never reads Alex's through this operation.
    sams = client_for(cast.sam).get(f"{API}/families/{cast.family.pk}/home").json()
    assert sams == {"address": "", "safe_mode": False, "version": 0, "changed_at": None}


def test_the_plan_editor_offers_a_parents_home_without_its_address(cast, soon):
    alex = client_for(cast.alex)
    editor = alex.get(f"/families/{cast.family.pk}/schedule/plan/").content.decode()
    assert "At Alex&#x27;s home" in editor and "At Sam&#x27;s home" in editor

    version = plan_propose(
        access=cast.access(cast.alex),
        plan=plan_data(exchange_place="home:B"),
        effective_from=soon,
    )
    stored = PlanVersion.objects.get(pk=version.pk).plan
    assert stored["exchange_place"] == "home:B"
    proposals = client_for(cast.sam).get(f"/families/{cast.family.pk}/schedule/proposals/")
    assert "Sam&#x27;s home" in proposals.content.decode()


def test_alexs_home_page_and_read_cost_the_same_after_one_change_or_ten(
    cast, django_assert_num_queries
):
    alex = client_for(cast.alex)
    page = f"/families/{cast.family.pk}/settings/home/"
    read = f"{API}/families/{cast.family.pk}/home"
    home_set(access=cast.access(cast.alex), address=ADDRESS, safe_mode=True)

    for changes in (0, 9):
        for n in range(changes):
            home_set(access=cast.access(cast.alex), address=f"{n} Quiet Ln", safe_mode=n % 2 == 0)
        # The session, the user, the session row (usersessions), the seat (the one access
        # path), the latest version of Alex's home, the navigation's unread count.
        with django_assert_num_queries(6):
            assert alex.get(page).status_code == 200
        # The same without the unread count.
        with django_assert_num_queries(5):
            assert alex.get(read).status_code == 200
