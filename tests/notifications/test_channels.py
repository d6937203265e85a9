"""Each kind of news reaches the person it concerns once on each channel they chose — in the
app, by email and by web push — and never the one who acted. Every job may run twice (a worker
restarted mid-job): the second run tells nobody anything more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core import mail

from coparent.core.notify import Channel, Kind
from coparent.events import services as events
from coparent.events.services import current_details
from coparent.notifications.models import Delivery, Notification
from coparent.notifications.tasks import tell
from coparent.records.models import RecordEntry
from coparent.schedule.services import plan_accept, plan_decline, plan_propose, plan_withdraw
from tests.api.test_access import PLAN
from tests.events.conftest import add_party
from tests.messaging.conftest import start
from tests.notifications.conftest import centre_of, emails_to, on_push, prefer

EVERYWHERE = {(kind, channel): True for kind in Kind for channel in Channel}


def _proposal(cast: Any, by: Any) -> Any:
    return plan_propose(access=cast.access(by), plan=PLAN, effective_from=date(2040, 1, 2))


def _in_force(cast: Any) -> Any:
    version = _proposal(cast, cast.alex)
    plan_accept(access=cast.access(cast.sam), version=version)
    return version


@dataclass(frozen=True)
class Story:
    """Who acts, what they do (`act`, after `setup`), who must hear of it, and how it reads."""

    kind: Kind
    acts: str
    told: str
    act: Callable[[Any, Any], object]
    title: str
    setup: Callable[[Any], Any] = lambda cast: None


STORIES = {
    "Alex proposes a plan": Story(
        Kind.PROPOSAL,
        "alex",
        "sam",
        lambda cast, _: _proposal(cast, cast.alex),
        "Alex proposed a parenting plan",
    ),
    "Sam accepts it": Story(
        Kind.PROPOSAL,
        "sam",
        "alex",
        lambda cast, version: plan_accept(access=cast.access(cast.sam), version=version),
        "Sam accepted your proposed plan",
        setup=lambda cast: _proposal(cast, cast.alex),
    ),
    "Sam declines it": Story(
        Kind.PROPOSAL,
        "sam",
        "alex",
        lambda cast, version: plan_decline(
            access=cast.access(cast.sam), version=version, reason="Weeks are too long"
        ),
        "Sam declined your proposed plan",
        setup=lambda cast: _proposal(cast, cast.alex),
    ),
    "Alex withdraws it": Story(
        Kind.PROPOSAL,
        "alex",
        "sam",
        lambda cast, version: plan_withdraw(access=cast.access(cast.alex), version=version),
        "Alex withdrew the proposed plan",
        setup=lambda cast: _proposal(cast, cast.alex),
    ),
    "Alex adds Mia's party": Story(
        Kind.EVENT,
        "alex",
        "sam",
        lambda cast, _: add_party(cast),
        "New event for Mia: Mia's birthday party",
    ),
    "Alex moves it": Story(
        Kind.EVENT,
        "alex",
        "sam",
        lambda cast, party: events.event_update(
            access=cast.access(cast.alex),
            event=party,
            **{**current_details(party), "place": "Riverside Park"},
        ),
        "Changed: Mia's birthday party",
        setup=add_party,
    ),
    "Alex cancels it": Story(
        Kind.EVENT,
        "alex",
        "sam",
        lambda cast, party: events.event_cancel(access=cast.access(cast.alex), event=party),
        "Cancelled: Mia's birthday party",
        setup=add_party,
    ),
    "Sam answers Alex's party": Story(
        Kind.RSVP,
        "sam",
        "alex",
        lambda cast, party: events.rsvp_set(
            access=cast.access(cast.sam), event=party, answer="yes"
        ),
        "Sam answered “Mia's birthday party”: yes",
        setup=add_party,
    ),
    "Alex writes to Sam": Story(
        Kind.MESSAGE,
        "alex",
        "sam",
        lambda cast, _: start(cast, body="Can you take Mia on Friday?"),
        "New message from Alex in “School pickup on Friday”",
    ),
}


@pytest.mark.parametrize("story", STORIES.values(), ids=STORIES.keys())
def test_each_kind_reaches_each_channel_once(
    cast, push_service, story, django_capture_on_commit_callbacks
):
    told, acts = getattr(cast, story.told), getattr(cast, story.acts)
    for person in (cast.alex, cast.sam):
        prefer(person, cells=EVERYWHERE)
    on_push(told, push_service, "phone")
    on_push(acts, push_service, "actor's phone")
    with django_capture_on_commit_callbacks(execute=True):
        subject = story.setup(cast)
    Notification.objects.all().delete()
    mail.outbox.clear()
    push_service.received.clear()

    with django_capture_on_commit_callbacks(execute=True):
        story.act(cast, subject)

    (notice,) = centre_of(told)
    assert (notice.kind, notice.title) == (story.kind, story.title)
    assert notice.actor == acts and centre_of(acts) == []
    assert len(emails_to(told)) == 1 and emails_to(acts) == []
    assert push_service.refused == []
    (pushed,) = push_service.to("phone")
    assert pushed["title"] == story.title and pushed["url"] == notice.url
    assert push_service.to("actor's phone") == [] and push_service.refused == []

    # The same job again (a worker restarted half-way): nothing new anywhere.
    entry = RecordEntry.objects.filter(family=cast.family).order_by("-seq").first()
    tell.call(entry.pk)
    assert len(centre_of(told)) == 1 and len(emails_to(told)) == 1
    assert len(push_service.to("phone")) == 1
    assert sorted(Delivery.objects.values_list("channel", "status")) == [
        ("email", "sent"),
        ("push", "sent"),
    ]


def test_the_defaults_email_proposals_events_and_messages_but_not_answers(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        party = add_party(cast, by=cast.alex)  # Sam: the app and an email
        events.rsvp_set(access=cast.access(cast.sam), event=party, answer="no")  # Alex: the app
        version = _proposal(cast, cast.sam)  # Alex: the app and an email
    assert [n.kind for n in centre_of(cast.sam)] == [Kind.EVENT]
    assert [n.kind for n in centre_of(cast.alex)] == [Kind.PROPOSAL, Kind.RSVP]
    assert [m.subject for m in emails_to(cast.sam)] == ["New event for Mia: Mia's birthday party"]
    assert [m.subject for m in emails_to(cast.alex)] == ["Sam proposed a parenting plan"]
    assert version.proposed_by == cast.sam


def test_only_parents_hear_of_a_new_event_and_a_viewer_or_mediator_of_nothing(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add_party(cast)
    assert centre_of(cast.morgan) == [] and centre_of(cast.vic) == []
    assert centre_of(cast.olivia) == []


def test_the_mediator_hears_of_a_message_he_was_included_in(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start(cast, include=[cast.mediator])
    assert [n.kind for n in centre_of(cast.morgan)] == [Kind.MESSAGE]
    assert centre_of(cast.vic) == []


def test_a_plan_that_takes_effect_alone_tells_nobody(cast, django_capture_on_commit_callbacks):
    """Alex alone in a family: his first plan applies at once; nobody to tell."""
    from coparent.families import services as families
    from coparent.families.selectors import get_family_access
    from tests.factories import UserFactory

    dana = UserFactory(display_name="Dana")
    family = families.family_create(user=dana, name="Dana's")
    with django_capture_on_commit_callbacks(execute=True):
        plan_propose(
            access=get_family_access(dana, family.pk), plan=PLAN, effective_from=date(2040, 1, 2)
        )
    assert not Notification.objects.exists() and mail.outbox == []


def test_a_kind_turned_off_in_the_app_still_emails_and_turned_off_everywhere_is_not_kept(
    cast, django_capture_on_commit_callbacks
):
    prefer(cast.sam, cells={(Kind.EVENT, Channel.IN_APP): False})
    with django_capture_on_commit_callbacks(execute=True):
        add_party(cast)
    assert centre_of(cast.sam) == [] and len(emails_to(cast.sam)) == 1

    prefer(cast.sam, cells={(Kind.MESSAGE, c): False for c in Channel})
    with django_capture_on_commit_callbacks(execute=True):
        start(cast)
    assert not Notification.objects.filter(recipient=cast.sam, kind=Kind.MESSAGE).exists()


def test_push_without_a_device_sends_nothing_and_says_so(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start(cast)
    push = Delivery.objects.get(channel="push")
    assert push.status == Delivery.Status.NOWHERE


def test_nothing_is_told_for_the_demo_or_imported_history(cast, django_capture_on_commit_callbacks):
    from coparent.infra.notifications import notifications_off

    with django_capture_on_commit_callbacks(execute=True) as callbacks, notifications_off():
        start(cast)
        _in_force(cast)
    with django_capture_on_commit_callbacks(execute=True) as more:
        add_party(cast, notify=False)
    assert callbacks == [] and more == []
    assert not Notification.objects.exists() and mail.outbox == []


def test_a_member_who_left_no_longer_sees_that_familys_notifications(
    cast, django_capture_on_commit_callbacks
):
    from coparent.families.services import membership_end
    from coparent.notifications.selectors import centre, unread_count

    with django_capture_on_commit_callbacks(execute=True):
        start(cast, include=[cast.mediator])
    assert unread_count(cast.morgan) == 1
    membership_end(access=cast.access(cast.alex), membership=cast.mediator)
    assert unread_count(cast.morgan) == 0 and list(centre(cast.morgan)) == []


def test_a_deactivated_account_is_told_nothing(
    cast, push_service, django_capture_on_commit_callbacks
):
    on_push(cast.sam, push_service, "phone")
    cast.sam.is_active = False
    cast.sam.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        add_party(cast)
    assert mail.outbox == [] and push_service.received == []
    assert centre_of(cast.sam) == []
