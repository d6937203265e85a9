"""Story 5 ("there's just no communication") and story 7 ("there's no such thing as 50-50"),
told in figures: each parent sees how quickly each of them answered, how the exchanges went,
the time-share planned beside what happened — and, in a mirror only they look into, how their
own messages read to the tone coach. Never the other parent's wording."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coparent.exchanges.services import check_in
from coparent.insights import selectors
from coparent.insights.selectors import reply_minutes
from coparent.messaging.services import message_send, thread_start

CHICAGO = ZoneInfo("America/Chicago")
MARCH = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
HOSTILE = "You ALWAYS do this, you're a terrible father. See you in court."
KIND = "Thanks for taking Mia to the dentist, see you at 6."
# The API reads what the page reads (see the page's budget below) without the session and the
# header's count, the caller found by the token: 8, measured with and without conversations.
QUERIES_OF_THE_API = 8


def _url(cast, **query):
    return f"/families/{cast.family.pk}/insights/"


def _conversation(cast, start=MARCH):
    """Alex writes; Sam answers two hours later; Morgan, the mediator, adds a word; Alex
    answers Sam half an hour after Sam wrote; Alex adds a second, kind message."""
    opened = thread_start(
        access=cast.access(cast.alex),
        subject="Dentist",
        topic="health",
        body=HOSTILE,
        at=start,
    )
    thread = opened.thread
    message_send(
        access=cast.access(cast.sam), thread=thread, body="Sure.", at=start + timedelta(hours=2)
    )
    return thread


def _march(cast, user, **kwargs):
    return selectors.family_insights(
        cast.access(user),
        date(2027, 3, 1),
        date(2027, 4, 1),
        CHICAGO,
        now=MARCH + timedelta(days=40),
        **kwargs,
    )


def test_sam_took_two_hours_to_answer_and_alex_half_an_hour(cast):
    thread = _conversation(cast)
    message_send(
        access=cast.access(cast.alex),
        thread=thread,
        body="Great.",
        at=MARCH + timedelta(hours=2, minutes=30),
    )
    message_send(
        access=cast.access(cast.alex), thread=thread, body=KIND, at=MARCH + timedelta(hours=3)
    )

    shown = _march(cast, cast.sam)

    (march,) = shown.replies
    assert shown.names == ("Alex", "Sam")
    assert march.median_minutes == {"A": 30, "B": 120}
    # Alex's second message in a row answers nothing: one reply each.
    assert march.replies == {"A": 1, "B": 1}


def test_a_mediators_word_neither_answers_nor_makes_anyone_wait():
    letters = {1: "A", 2: "B"}
    at = datetime(2027, 3, 1, 9, tzinfo=UTC)
    rows = [
        ("t", 1, at),
        ("t", 3, at + timedelta(minutes=5)),  # the mediator
        ("t", 2, at + timedelta(minutes=60)),
        ("u", 2, at + timedelta(minutes=61)),  # another conversation starts afresh
        ("u", 1, at + timedelta(minutes=100)),
    ]
    assert reply_minutes(rows, letters, at) == [
        ("B", at + timedelta(minutes=60), 60.0),
        ("A", at + timedelta(minutes=100), 39.0),
    ]
    # A reply before the period only opens nothing: it is not counted.
    assert reply_minutes(rows, letters, at + timedelta(minutes=90)) == [
        ("A", at + timedelta(minutes=100), 39.0)
    ]


def test_alex_sees_how_his_own_messages_read_and_never_sams(cast):
    thread = _conversation(cast)
    message_send(
        access=cast.access(cast.alex), thread=thread, body=KIND, at=MARCH + timedelta(hours=3)
    )
    message_send(
        access=cast.access(cast.sam), thread=thread, body=HOSTILE, at=MARCH + timedelta(hours=4)
    )

    alex = _march(cast, cast.alex).tone
    sam = _march(cast, cast.sam).tone

    assert alex is not None and sam is not None
    (mine,) = alex.months
    assert mine is not None and (mine.sent, mine.hostile, mine.flagged_percent) == (2, 1, 50)
    (theirs,) = sam.months
    # Sam's mirror holds Sam's two messages: "Sure." and the hostile one.
    assert theirs is not None and (theirs.sent, theirs.hostile) == (2, 1)


def test_the_mediator_sees_the_family_figures_but_no_parents_tone(cast):
    _conversation(cast)
    shown = _march(cast, cast.morgan)
    assert shown.tone is None and shown.replies[0].replies == {"A": 0, "B": 1}
    page = cast.client_for(cast.morgan).get(
        _url(cast), {"start": "2027-03-01", "end": "2027-04-01"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "Time to reply" in body and "Your tone" not in body and 'id="tone-table"' not in body


def test_a_viewer_may_not_and_another_family_does_not_exist(cast):
    assert cast.client_for(cast.vic).get(_url(cast)).status_code == 403
    assert cast.client_for(cast.olivia).get(_url(cast)).status_code == 404


def test_a_late_handover_counts_late_for_both_and_moves_the_time_share(cast, first):
    planned, giver, receiver = first
    late = planned + timedelta(minutes=40)
    check_in(access=cast.access(giver), planned_at=planned, step="handed_over", at=late)
    local = planned.astimezone(CHICAGO).date()
    month = local.replace(day=1)

    shown = selectors.family_insights(
        cast.access(receiver),
        month,
        selectors.add_months(month, 1),
        CHICAGO,
        now=planned + timedelta(days=40),
    )

    (punctual,) = shown.punctuality
    assert punctual.late == {"A": 1, "B": 1} and punctual.on_time == {"A": 0, "B": 0}
    assert punctual.on_time_percent("A") == 0
    (share,) = shown.shares
    assert share.planned is not None and share.actual is not None
    assert sum(share.planned.values()) == sum(share.actual.values()) > 0


def test_a_missed_exchange_shows_in_the_actual_overnights(cast, first):
    planned, giver, receiver = first
    check_in(access=cast.access(receiver), planned_at=planned, step="arrived", at=planned)
    first_day = planned.astimezone(CHICAGO).date() - timedelta(days=1)
    shown = selectors.family_insights(
        cast.access(giver),
        first_day,
        first_day + timedelta(days=10),
        CHICAGO,
        now=planned + timedelta(days=40),
    )
    assert sum(p.missed["A"] for p in shown.punctuality) == 1
    kept = "A" if giver == cast.alex else "B"
    planned_nights = sum(s.planned[kept] for s in shown.shares if s.planned)
    actual_nights = sum(s.actual[kept] for s in shown.shares if s.actual)
    assert actual_nights > planned_nights


def test_the_page_draws_charts_with_their_tables_and_names_them(cast, time_machine):
    time_machine.move_to(MARCH + timedelta(days=5), tick=False)
    _conversation(cast)
    page = cast.client_for(cast.alex).get(_url(cast)).content.decode()
    # The last twelve months by default, this month included.
    assert page.count('<tr><th scope="row">') >= 12 * 3
    assert "<svg viewBox" in page and 'id="replies-svg-title"' in page and "<desc" in page
    assert 'id="tone-table"' in page and "Your tone" in page
    assert 'aria-current="page">Insights' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2027-05-02", "end": "2027-05-01"}, "The end must come after the start."),
        ({"start": "2026-01-01", "end": "2027-06-01"}, "Choose a period of at most a year."),
        ({"start": "yesterday"}, "Enter a valid date."),
    ],
)
def test_a_bad_period_is_refused_beside_its_field(cast, query, message):
    answer = cast.client_for(cast.alex).get(_url(cast), query)
    assert answer.status_code == 400
    assert message in answer.content.decode()


def test_the_page_costs_the_same_queries_however_many_messages(
    cast, first, time_machine, django_assert_num_queries
):
    planned, giver, receiver = first
    time_machine.move_to(planned + timedelta(days=3), tick=False)
    check_in(access=cast.access(giver), planned_at=planned, step="handed_over", at=planned)
    browser = cast.client_for(cast.alex)
    browser.get(_url(cast))  # warm the session

    def page():
        # Session, user, its session row; membership (family_view); the parents; the
        # messages' times; plan versions (read once: the exchanges and the time-share),
        # parents, occurrences, check-ins, notes (the exchanges); Alex's own texts (his
        # tone); the header's count of notifications.
        with django_assert_num_queries(13):
            assert browser.get(_url(cast)).status_code == 200

    page()
    thread = thread_start(
        access=cast.access(cast.alex), subject="Week", topic="other", body="Hi", at=planned
    ).thread
    for hour in range(1, 21):
        who = cast.sam if hour % 2 else cast.alex
        message_send(
            access=cast.access(who), thread=thread, body=KIND, at=planned + timedelta(hours=hour)
        )
    page()


def test_the_api_costs_the_same_queries_however_many_messages(cast, as_, django_assert_num_queries):
    url = f"/families/{cast.family.pk}/insights"
    alex = as_(cast.alex)

    def read():
        with django_assert_num_queries(QUERIES_OF_THE_API):
            assert alex.get(url, **{"from": "2027-03-01", "to": "2027-04-01"}).status_code == 200

    alex.get(url)  # the token's first use of the minute is written down once, not each time
    read()
    _conversation(cast)
    _conversation(cast, start=MARCH + timedelta(days=7))
    read()


def test_the_api_gives_the_same_figures_and_the_callers_own_tone_only(cast, as_):
    _conversation(cast)
    url = f"/families/{cast.family.pk}/insights"

    alex = as_(cast.alex).get(url, **{"from": "2027-03-01", "to": "2027-04-01"})
    morgan = as_(cast.morgan).get(url, **{"from": "2027-03-01", "to": "2027-04-01"})

    assert alex.status_code == 200, alex.json()
    (march,) = alex.json()["months"]
    assert march["month"] == "2027-03" and march["reply_median_minutes"] == {"A": None, "B": 120}
    assert (march["own_messages_sent"], march["own_messages_hostile"]) == (1, 1)
    (seen,) = morgan.json()["months"]
    assert seen["replies"] == {"A": 0, "B": 1} and seen["own_messages_sent"] is None


def test_the_api_refuses_a_backwards_or_too_long_period_on_to(cast, as_):
    url = f"/families/{cast.family.pk}/insights"
    for period in (
        {"from": "2027-05-02", "to": "2027-05-01"},
        {"from": "2026-01-01", "to": "2027-06-01"},
    ):
        refused = as_(cast.alex).get(url, **period)
        assert refused.status_code == 400 and "to" in refused.json()["errors"]


def test_a_chart_scales_its_bars_and_leaves_a_gap_for_a_month_without_figures():
    from coparent.insights.charts import bar_chart

    chart = bar_chart(
        [("Jan", [50, None]), ("Feb", [100, 25])], ("Alex", "Sam"), write=str, scale_to=100
    )

    assert chart is not None and [len(g.bars) for g in chart.groups] == [2, 2]
    jan, feb = chart.groups
    assert jan.bars[1].width == 0 and jan.bars[1].text == "–"
    assert feb.bars[0].width == 2 * jan.bars[0].width
    assert bar_chart([("Jan", [None, None])], ("Alex", "Sam"), write=str) is None
