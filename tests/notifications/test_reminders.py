"""Reminders, with the clock moved: two hours before an exchange both parents hear who hands
over to whom and where; a day before a child's event, the parents who may come hear of it.
Each lead time is the person's own; each reminder comes once, however often the worker scans;
and the worker keeps scanning by itself."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from coparent.cli import worker
from coparent.core.notify import Kind
from coparent.events import services as events
from coparent.exchanges.selectors import key_of
from coparent.infra import periodic
from coparent.notifications.models import Notification
from coparent.notifications.tasks import remind, scan_reminders
from coparent.schedule.services import plan_accept, plan_propose
from tests.notifications.conftest import centre_of, prefer

CHICAGO = ZoneInfo("America/Chicago")
PARIS = ZoneInfo("Europe/Paris")
PLAN = {
    "timezone": "America/Chicago",
    "parents": ["Alex", "Sam"],
    "start": "2030-05-06",
    "exchange_time": "18:00",
    "pattern": "2-2-3",
    "exchange_place": "Lincoln Elementary",
}
# Day -1 of 2-2-3 is Sam's ("B"), day 0 Alex's: on Monday 6 May 2030 at 18:00 in Chicago, Sam
# hands the children over to Alex at school.
EXCHANGE = datetime(2030, 5, 6, 18, 0, tzinfo=CHICAGO)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def plan(cast):
    with at(datetime(2030, 5, 1, 9, 0, tzinfo=CHICAGO)):
        version = plan_propose(
            access=cast.access(cast.alex), plan=PLAN, effective_from=date(2030, 5, 6)
        )
        plan_accept(access=cast.access(cast.sam), version=version)
    Notification.objects.all().delete()  # the proposal's own news: not what this is about
    return version


def _reminders(user, kind=Kind.EXCHANGE_REMINDER):
    return [n for n in centre_of(user) if n.kind == kind]


def test_two_hours_before_the_exchange_both_parents_hear_who_hands_over(cast, plan):
    with at(EXCHANGE - timedelta(hours=2, minutes=1)):
        assert remind(now=datetime.now(CHICAGO)) == 0
    with at(EXCHANGE - timedelta(hours=2)):
        assert remind(now=datetime.now(CHICAGO)) == 2

    (alexs,) = _reminders(cast.alex)
    (sams,) = _reminders(cast.sam)
    assert alexs.title == sams.title == "Exchange at Mon, May 6, 6:00\u202fPM CDT"
    assert alexs.body == "Sam hands the children over to you. At Lincoln Elementary."
    assert sams.body == "You hand the children over to Alex. At Lincoln Elementary."
    # One tap from the reminder to the exchange's page, where the check-in is.
    assert alexs.url.endswith(f"/exchanges/{key_of(EXCHANGE)}/")

    # The worker scans again and again until the exchange: nothing more.
    for minutes in (5, 60, 119):
        with at(EXCHANGE - timedelta(hours=2) + timedelta(minutes=minutes)):
            remind(now=datetime.now(CHICAGO))
    assert len(_reminders(cast.alex)) == len(_reminders(cast.sam)) == 1
    assert mail.outbox == []  # reminders are not emailed unless asked for


def test_each_parent_chooses_how_long_before(cast, plan):
    prefer(cast.sam, exchange_lead_minutes=30)
    with at(EXCHANGE - timedelta(hours=1)):
        remind(now=datetime.now(CHICAGO))
    assert len(_reminders(cast.alex)) == 1 and _reminders(cast.sam) == []
    with at(EXCHANGE - timedelta(minutes=30)):
        remind(now=datetime.now(CHICAGO))
    assert len(_reminders(cast.sam)) == 1


def test_a_scan_after_a_worker_outage_still_reminds_but_not_once_it_began(cast, plan):
    with at(EXCHANGE - timedelta(minutes=10)):  # the worker was down until ten minutes before
        assert remind(now=datetime.now(CHICAGO)) == 2
    Notification.objects.all().delete()
    with at(EXCHANGE):
        assert remind(now=datetime.now(CHICAGO)) == 0


def _party(cast, *, start: datetime, all_day: bool = False):
    with at(start - timedelta(days=10)):
        arguments = (
            {"all_day": True, "start_date": start.date()}
            if all_day
            else {
                "starts_at": start.replace(tzinfo=None),
                "ends_at": start.replace(tzinfo=None) + timedelta(hours=2),
            }
        )
        return events.event_add(
            access=cast.access(cast.alex),
            title="Mia's birthday party",
            kind="birthday_party",
            children=[cast.mia],
            timezone_name="Europe/Paris",
            place="Funtime",
            notify=False,
            **arguments,
        )


def test_a_day_before_a_childs_event_the_parents_are_reminded(cast):
    start = datetime(2030, 6, 15, 14, 0, tzinfo=PARIS)
    _party(cast, start=start)
    with at(start - timedelta(days=1, minutes=1)):
        assert remind(now=datetime.now(PARIS)) == 0
    with at(start - timedelta(days=1)):
        assert remind(now=datetime.now(PARIS)) == 2
        assert remind(now=datetime.now(PARIS)) == 2  # the same two, not new ones
    (sams,) = _reminders(cast.sam, Kind.EVENT_REMINDER)
    assert sams.title == "Coming up for Mia: Mia's birthday party"
    assert sams.body == "Sat, Jun 15, 2:00\u202fPM CEST · Funtime"
    assert len(_reminders(cast.alex, Kind.EVENT_REMINDER)) == 1


def test_a_parent_who_said_no_is_not_reminded(cast):
    start = datetime(2030, 6, 15, 14, 0, tzinfo=PARIS)
    party = _party(cast, start=start)
    with at(start - timedelta(days=5)):
        events.rsvp_set(access=cast.access(cast.sam), event=party, answer="no")
    with at(start - timedelta(hours=3)):
        remind(now=datetime.now(PARIS))
    assert _reminders(cast.sam, Kind.EVENT_REMINDER) == []
    assert len(_reminders(cast.alex, Kind.EVENT_REMINDER)) == 1


def test_an_all_day_event_is_reminded_at_nine_the_day_before(cast):
    _party(cast, start=datetime(2030, 6, 15, tzinfo=PARIS), all_day=True)
    with at(datetime(2030, 6, 14, 8, 59, tzinfo=PARIS)):
        assert remind(now=datetime.now(PARIS)) == 0
    with at(datetime(2030, 6, 14, 9, 0, tzinfo=PARIS)):
        assert remind(now=datetime.now(PARIS)) == 2
    (sams,) = _reminders(cast.sam, Kind.EVENT_REMINDER)
    assert sams.body == "Sat, Jun 15, 2030, all day · Funtime"


def test_a_moved_event_is_reminded_at_its_new_time(cast):
    start = datetime(2030, 6, 15, 14, 0, tzinfo=PARIS)
    party = _party(cast, start=start)
    with at(start - timedelta(days=1)):
        remind(now=datetime.now(PARIS))
        details = events.current_details(party)
        later = details["starts_at"] + timedelta(days=2)
        events.event_update(
            access=cast.access(cast.alex),
            event=party,
            notify=False,
            **{**details, "starts_at": later, "ends_at": later + timedelta(hours=2)},
        )
    with at(start + timedelta(days=1)):
        remind(now=datetime.now(PARIS))
    assert len(_reminders(cast.sam, Kind.EVENT_REMINDER)) == 2


def test_the_worker_scans_by_itself_every_five_minutes(cast, plan, settings, monkeypatch):
    """The real worker and queue: `coparent worker` starts the scan, and each scan queues the
    next five minutes later, which the worker runs once the clock gets there."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    # Only this scan among the periodic tasks, so that the worker's one task is this one.
    only = {p.task.module_path: p for p in periodic.registered() if p.task == scan_reminders}
    monkeypatch.setattr(periodic, "_REGISTERED", only)
    scans = DBTaskResult.objects.filter(task_path=scan_reminders.module_path)

    with at(EXCHANGE - timedelta(hours=2, minutes=3)):
        worker.build(max_tasks=1, start_periodic=True).run()
        assert periodic.start_all() == 0  # a second worker starting finds one waiting
        assert _reminders(cast.alex) == []  # three minutes too early
        (waiting,) = scans.filter(status="READY")
        assert waiting.run_after == EXCHANGE - timedelta(hours=1, minutes=58)

    with at(EXCHANGE - timedelta(hours=1, minutes=58)):
        worker.build(max_tasks=1).run()
    assert len(_reminders(cast.alex)) == len(_reminders(cast.sam)) == 1
    assert scans.filter(status="SUCCESSFUL").count() == 2
    assert scans.filter(status="READY").count() == 1  # and the next one waits


def test_sams_reminder_reads_the_british_way_after_his_browser_said_so(cast, plan):
    from django.contrib.auth import get_user_model

    from tests.families.helpers import client_for

    client_for(cast.sam).get("/notifications/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert get_user_model().objects.get(pk=cast.sam.pk).locale == "en_GB"
    with at(EXCHANGE - timedelta(hours=2)):
        assert remind(now=datetime.now(CHICAGO)) == 2
    (alexs,) = _reminders(cast.alex)
    (sams,) = _reminders(cast.sam)
    assert alexs.title == "Exchange at Mon, May 6, 6:00\u202fPM CDT"
    assert sams.title == "Exchange at Mon 6 May, 18:00 CDT"
    assert sams.body == "You hand the children over to Alex. At Lincoln Elementary."
