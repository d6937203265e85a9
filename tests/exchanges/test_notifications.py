"""The other parent hears of a check-in, a note or a pickup pass through the notification
centre — never the one who acted, never a viewer, never what a note says — and only in the app
and by push unless they ask for email."""

from __future__ import annotations

from datetime import timedelta

from coparent.core.notify import Kind
from coparent.exchanges.selectors import key_of
from coparent.exchanges.services import check_in, note_add, pass_issue
from coparent.notifications.models import Notification
from coparent.schedule.selectors import schedule_of


def test_the_other_parent_hears_of_a_tap_and_a_note_but_not_its_words(
    cast, first, django_capture_on_commit_callbacks, mailoutbox
):
    planned, giver, receiver = first
    with django_capture_on_commit_callbacks(execute=True):
        check_in(access=cast.access(giver), planned_at=planned, step="handed_over", at=planned)
        note_add(
            access=cast.access(giver),
            planned_at=planned,
            text="She was upset about the phone.",
            at=planned,
        )

    told = Notification.objects.filter(recipient=receiver).order_by("created_at", "pk")
    assert [n.kind for n in told] == [Kind.EXCHANGE, Kind.EXCHANGE]
    assert told[0].title == f"{giver.display_name} handed the children over"
    assert told[1].title == f"{giver.display_name} wrote a note about an exchange"
    assert all(key_of(planned) in n.url for n in told)
    assert all("phone" not in f"{n.title} {n.body}" for n in told)
    assert not Notification.objects.filter(recipient__in=[giver, cast.morgan, cast.vic])
    assert not mailoutbox, "email only for those who ask for it"


def test_a_pass_is_news_for_the_other_parent(cast, first, django_capture_on_commit_callbacks):
    planned, _, _ = first
    segments, _ = schedule_of(cast.access(cast.alex)).expand(planned, planned + timedelta(days=9))
    mine = next(s for s in segments if s.parent == "A")
    with django_capture_on_commit_callbacks(execute=True):
        pass_issue(
            access=cast.access(cast.alex),
            children=[cast.mia.pk],
            start=mine.start,
            end=mine.start + timedelta(hours=2),
        )
    (news,) = Notification.objects.filter(recipient=cast.sam)
    assert news.title.startswith("Alex issued a pickup pass for Mia")
    assert not Notification.objects.filter(recipient=cast.alex)
