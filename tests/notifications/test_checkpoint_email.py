"""Story 8, kept quiet on request: Sam turns the weekly checkpoint email off. The checkpoint
is still made and signed every week, and waits for him on the record's export page; Alex, who
kept the email, still receives it."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coparent.notifications.selectors import choices_for
from coparent.records.models import Checkpoint
from coparent.records.tasks import issue_weekly_checkpoints
from tests.kit import client_for

SETTINGS = {"exchange_lead_minutes": "120", "event_lead_minutes": "1440"}


def test_sam_turns_the_checkpoint_email_off_and_still_finds_it_on_the_record_page(
    cast, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    sam = client_for(cast.sam)
    form = sam.get(reverse("notifications:preferences")).context["form"]
    assert form["checkpoint_email"].initial is True  # on unless he says otherwise
    # He saves the page with the box unticked.
    assert sam.post(reverse("notifications:preferences"), SETTINGS).status_code == 302
    assert choices_for(cast.sam).checkpoint_email is False
    mail.outbox.clear()

    issue_weekly_checkpoints.call()

    sent = {m.to[0] for m in mail.outbox}
    assert cast.alex.email in sent and cast.sam.email not in sent
    rivera = Checkpoint.objects.get(family=cast.family)
    page = sam.get(f"/families/{cast.family.pk}/record/export/").content.decode()
    assert f"/families/{cast.family.pk}/record/checkpoint/{rivera.pk}/" in page


def test_the_api_turns_it_off_and_a_client_that_says_nothing_keeps_it(cast, as_):
    sam = as_(cast.sam)
    body = {
        "exchange_lead_minutes": 120,
        "event_lead_minutes": 1440,
        "include_content": False,
        "message_digest": False,
    }
    assert sam.get("/notifications/preferences").json()["checkpoint_email"] is True

    off = sam.put("/notifications/preferences", {**body, "checkpoint_email": False}).json()
    kept = sam.put("/notifications/preferences", body).json()

    assert off["checkpoint_email"] is False and kept["checkpoint_email"] is False
    assert choices_for(cast.sam).checkpoint_email is False
