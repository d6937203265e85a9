"""Nothing a user sends can stop the service (issue 8, finding 6).

Alex edits a link by hand, pastes a date from a spreadsheet or lets a script run wild: numbers
beyond 64 bits, years 9999 and 0001, a superscript two. Every page still answers with a page
that says what was wrong (and shows what it shows by default), and the API answers 422 with
the field named, on SQLite and on PostgreSQL alike. The bounds come from one place,
coparent.core.limits; a date inside them at either edge still works.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from coparent.core.limits import DB_INT_MAX, FIRST_DATE, LAST_DATE
from coparent.families.models import Family
from coparent.messaging.services import thread_start
from coparent.schedule.services import plan_accept, plan_propose
from tests.api.conftest import as_  # noqa: F401 - the API callers, shared with tests/api

BEYOND_64_BITS = str(2**64)
HUGE = "9" * 40
RANGE = "Enter a date between 1901-01-01 and 2198-12-31."
ODD_DATES = ["9999-12-31", "0001-01-01"]
ZONE = "Pacific/Kiritimati"  # UTC+14: the zone farthest from UTC


def today() -> date:
    return timezone.now().astimezone(ZoneInfo(ZONE)).date()


@pytest.fixture
def thread(cast):
    message = thread_start(
        access=cast.access(cast.alex),
        subject="Pickup",
        topic="school",
        body="Friday at 15:00 at the school gate?",
    )
    return message.thread


@pytest.fixture
def plan_in_force(cast):
    """A 2-2-3 plan whose rotation starts in the engine's first accepted year, in force from
    tomorrow, in the family's own zone."""
    Family.objects.filter(pk=cast.family.pk).update(timezone=ZONE)
    plan = {
        "timezone": ZONE,
        "parents": ["Alex", "Sam"],
        "start": FIRST_DATE.isoformat(),
        "exchange_time": "18:00",
        "pattern": "2-2-3",
    }
    version = plan_propose(
        access=cast.access(cast.alex), plan=plan, effective_from=today() + timedelta(days=2)
    )
    plan_accept(access=cast.access(cast.sam), version=version)
    return plan


def page(cast, path):
    response = cast.client_for(cast.alex).get(f"/families/{cast.family.pk}{path}")
    assert response.status_code == 200, response.status_code
    return response


def api_path(cast, path):
    return f"/families/{cast.family.pk}{path}"


def assert_field_error(response, field, message=None):
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    if message:
        assert errors[field] == [message]


def page_messages(response):
    return [str(m) for m in response.context["messages"]]


# --- offsets beyond 64 bits ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/threads", "/record", "/events", "/threads/THREAD/messages"])
def test_an_offset_beyond_64_bits_is_a_field_error(cast, as_, thread, path):  # noqa: F811
    response = as_(cast.alex).get(
        api_path(cast, path.replace("THREAD", str(thread.pk))), offset=BEYOND_64_BITS
    )
    assert_field_error(response, "offset")


def test_the_largest_offset_a_database_holds_is_an_empty_page(cast, as_, thread):  # noqa: F811
    response = as_(cast.alex).get(api_path(cast, "/threads"), offset=str(DB_INT_MAX))
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 1}


@pytest.mark.parametrize("path", ["/messages/", "/record/", "/events/"])
def test_a_page_number_beyond_64_bits_shows_the_last_page(cast, thread, path):
    page(cast, f"{path}?page={BEYOND_64_BITS}")


# --- message ids beyond 64 bits -------------------------------------------------------------


@pytest.mark.parametrize("value", [2**64, -(2**70), 0])
def test_message_ids_beyond_64_bits_are_a_field_error(cast, as_, thread, value):  # noqa: F811
    response = as_(cast.sam).post(
        api_path(cast, f"/threads/{thread.pk}/viewed"), {"message_ids": [value]}
    )
    assert_field_error(response, "message_ids.0")


def test_a_list_of_ids_longer_than_a_database_query_takes_is_refused(
    cast,
    as_,  # noqa: F811
    thread,
):
    response = as_(cast.sam).post(
        api_path(cast, f"/threads/{thread.pk}/viewed"), {"message_ids": list(range(1, 40_000))}
    )
    assert_field_error(response, "message_ids")


# --- sender= huge -----------------------------------------------------------------------------


@pytest.mark.parametrize("sender", [BEYOND_64_BITS, HUGE])
def test_a_huge_sender_is_a_field_error(cast, as_, thread, sender):  # noqa: F811
    response = as_(cast.alex).get(api_path(cast, "/messages/search"), q="Friday", sender=sender)
    assert_field_error(response, "sender")

    shown = page(cast, f"/messages/search/?q=Friday&sender={sender}")
    assert "sender" in shown.context["form"].errors
    assert shown.context["hits"] is None


def test_an_offset_postgresql_does_not_know_is_read_as_the_same_moment_in_utc(
    cast,
    as_,  # noqa: F811
):
    # Found by Schemathesis: +23:17 is valid ISO 8601, but PostgreSQL refuses offsets beyond
    # ±15:59 and the query failed with a 500.
    response = as_(cast.alex).get(
        api_path(cast, "/events"), **{"to": "2040-08-16T21:52:38.4+23:17"}
    )
    assert response.status_code == 200, response.content


def test_the_record_refuses_an_actor_beyond_64_bits(cast, as_):  # noqa: F811
    response = as_(cast.alex).get(api_path(cast, "/record"), actor=BEYOND_64_BITS)
    assert_field_error(response, "actor")


# --- years 9999 and 0001 ----------------------------------------------------------------------


@pytest.mark.parametrize("day", ODD_DATES)
def test_search_dates_outside_the_years_are_field_errors(cast, as_, thread, day):  # noqa: F811
    response = as_(cast.alex).get(
        api_path(cast, "/messages/search"), q="Friday", **{"from": day, "to": day}
    )
    assert_field_error(response, "from", RANGE)
    assert response.json()["errors"]["to"] == [RANGE]

    shown = page(cast, f"/messages/search/?q=Friday&date_from={day}&date_to={day}")
    assert shown.context["form"].errors["date_from"] == [RANGE]
    assert shown.context["hits"] is None
    assert RANGE in shown.content.decode()


@pytest.mark.parametrize("day", ODD_DATES)
@pytest.mark.parametrize("operation", ["/calendar", "/timeshare"])
def test_calendar_and_timeshare_dates_outside_the_years_are_field_errors(
    cast,
    as_,  # noqa: F811
    plan_in_force,
    operation,
    day,
):
    caller = as_(cast.alex)
    assert_field_error(caller.get(api_path(cast, operation), **{"from": day}), "from", RANGE)
    assert_field_error(
        caller.get(api_path(cast, operation), **{"from": "2040-01-01", "to": day}), "to", RANGE
    )


@pytest.mark.parametrize("month", ["9999-12", "0001-01", f"{HUGE}-01", "2030-13", "²"])
def test_the_month_page_explains_a_month_it_cannot_show(cast, plan_in_force, month):
    shown = page(cast, f"/schedule/?month={month}")
    assert shown.context["month"] == today().replace(day=1)  # the current month
    [message] = page_messages(shown)
    assert message.startswith("Month in the address was not used: ")


@pytest.mark.parametrize("day", [*ODD_DATES, "2030-02-30", BEYOND_64_BITS])
def test_the_agenda_explains_a_first_day_it_cannot_show(cast, plan_in_force, day):
    shown = page(cast, f"/schedule/agenda/?from={day}")
    assert shown.context["first"] == today()
    [message] = page_messages(shown)
    assert message.startswith("First day in the address was not used: ")


@pytest.mark.parametrize("day", ODD_DATES)
@pytest.mark.parametrize("path", ["/schedule/timeshare/", "/schedule/timeshare.csv"])
def test_the_timeshare_page_and_csv_refuse_dates_outside_the_years(cast, plan_in_force, path, day):
    shown = page(cast, f"{path}?start={day}&end={day}")
    if path.endswith("/"):
        assert shown.context["form"].errors["start"] == [RANGE]
        assert RANGE in shown.content.decode()
    # The default period (this year) is counted instead.
    assert str(today().year) in shown.content.decode()


@pytest.mark.parametrize("day", ODD_DATES)
def test_a_plan_preview_outside_the_years_is_a_field_error(cast, as_, day):  # noqa: F811
    plan = {"timezone": "UTC", "start": "2040-01-02", "exchange_time": "18:00", "pattern": "5-2"}
    response = as_(cast.alex).post(
        api_path(cast, "/plans/preview"), {"plan": plan, "from": day, "to": day}
    )
    assert_field_error(response, "from", RANGE)
    response = as_(cast.alex).post(api_path(cast, "/plans"), {"plan": plan, "effective_from": day})
    assert_field_error(response, "effective_from", RANGE)


def _editor_post(**fields):
    data = {
        "pattern": "2-2-3",
        "first_parent": "A",
        "start": "2040-01-02",
        "exchange_time": "18:00",
        "timezone": "UTC",
        "effective_from": "2040-01-01",
    }
    for prefix in ("holiday", "birthday", "school_break"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update(fields)
    return data


@pytest.mark.parametrize("day", [*ODD_DATES, "9999-12-01"])
@pytest.mark.parametrize("field", ["effective_from", "start"])
def test_the_plan_editor_refuses_a_date_outside_the_years(cast, field, day):
    alex = cast.client_for(cast.alex)
    base = f"/families/{cast.family.pk}/schedule/plan/"
    preview = alex.post(base + "preview/", _editor_post(**{field: day}))
    assert preview.status_code == 200
    assert preview.context["preview"] == {"ok": False}
    assert preview.context["edit"].form.errors[field] == [RANGE]
    assert "The plan has problems" in preview.content.decode()

    proposed = alex.post(base, _editor_post(action="propose", **{field: day}))
    assert proposed.status_code == 400
    assert proposed.context["edit"].form.errors[field] == [RANGE]


# --- before=² on the thread page ---------------------------------------------------------------


@pytest.mark.parametrize("before", ["²", "-1", "0", BEYOND_64_BITS, HUGE, "1e3"])
def test_an_odd_before_on_a_thread_shows_the_latest_messages_and_says_why(cast, thread, before):
    shown = page(cast, f"/messages/threads/{thread.pk}/?before={before}")
    assert "Friday at 15:00 at the school gate?" in shown.content.decode()
    [message] = page_messages(shown)
    assert message.startswith("Page in the address was not used: ")


def test_the_largest_before_a_database_holds_shows_the_thread(cast, thread):
    shown = page(cast, f"/messages/threads/{thread.pk}/?before={DB_INT_MAX}")
    assert "Friday at 15:00 at the school gate?" in shown.content.decode()
    assert page_messages(shown) == []


# --- the edges of the accepted years still work ---------------------------------------------


@pytest.mark.parametrize("first", [FIRST_DATE, LAST_DATE])
def test_the_first_and_last_accepted_days_can_be_shown_and_counted(
    cast,
    as_,  # noqa: F811
    plan_in_force,
    first,
):
    caller = as_(cast.alex)
    for operation in ("/calendar", "/timeshare"):
        response = caller.get(api_path(cast, operation), **{"from": first.isoformat()})
        assert response.status_code in {200, 400}, response.content  # 400: no plan in 1901
        if response.status_code == 400:
            assert response.json()["errors"] == {"__all__": ["No plan is in force yet."]}
    month = first.strftime("%Y-%m")
    assert page_messages(page(cast, f"/schedule/?month={month}")) == []
    assert page_messages(page(cast, f"/schedule/agenda/?from={first}")) == []
    # Twenty years from the first day, or up to the last one.
    start, end = (
        (first, first + timedelta(days=366 * 20))
        if first == FIRST_DATE
        else (first - timedelta(days=365 * 20), first)
    )
    shown = page(cast, f"/schedule/timeshare/?start={start}&end={end}")
    assert not shown.context["form"].errors
    days = {"from": str(start), "to": str(start + timedelta(days=3 * 366))}
    if first == LAST_DATE:
        days = {"from": str(end - timedelta(days=3 * 366)), "to": str(end)}
    preview = caller.post(api_path(cast, "/plans/preview"), {"plan": plan_in_force, **days})
    assert preview.status_code == 200, preview.content
