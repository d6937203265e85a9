"""Story 8: every week each parent receives a signed checkpoint of the family record, and can
download one whenever they like; a later export proves it extends what they kept."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from coparent.core.record.verify import checkpoint_problem
from coparent.families.services import child_add
from coparent.records.export import build_export
from coparent.records.models import Checkpoint
from coparent.records.tasks import issue_weekly_checkpoints


def _export_page(cast) -> str:
    return f"/families/{cast.family.pk}/record/export/"


def test_each_parent_gets_the_weekly_checkpoint_by_email_once_a_week(cast, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    mail.outbox.clear()

    assert issue_weekly_checkpoints.call() == 2  # the Riveras and the Okafors
    again = issue_weekly_checkpoints.call()

    assert again == 0
    rivera = Checkpoint.objects.get(family=cast.family)
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {cast.alex.email, cast.sam.email, cast.olivia.email}
    letter = sent[cast.sam.email]
    assert "weekly checkpoint of the Rivera family record" in letter.subject
    assert rivera.note in letter.body and f"{rivera.seq}:{rivera.hash}" in letter.body
    # The mediator and the viewer are not parents: no checkpoint email.
    assert cast.morgan.email not in sent and cast.vic.email not in sent

    time_machine.move_to(timezone.now() + timedelta(days=7, minutes=1), tick=False)
    assert issue_weekly_checkpoints.call() == 2
    assert Checkpoint.objects.filter(family=cast.family).count() == 2


def test_a_checkpoint_downloaded_now_is_extended_by_the_next_export(cast):
    browser = cast.client_for(cast.sam)
    response = browser.get(f"/families/{cast.family.pk}/record/checkpoint/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="coparent-checkpoint-')
    held = response.content.decode()

    child_add(access=cast.access(cast.alex), name="Noa", date_of_birth=timezone.now().date())
    later = build_export(family=cast.family)

    assert checkpoint_problem(later, held) is None


def test_the_export_page_lists_the_weekly_checkpoints_to_download(
    cast, django_assert_max_num_queries
):
    issue_weekly_checkpoints.call()
    rivera = Checkpoint.objects.get(family=cast.family)
    browser = cast.client_for(cast.alex)

    with django_assert_max_num_queries(12):
        page = browser.get(_export_page(cast)).content.decode()

    link = f"/families/{cast.family.pk}/record/checkpoint/{rivera.pk}/"
    assert link in page and rivera.hash[:16] in page
    assert browser.get(link).content.decode() == rivera.note


def test_only_the_familys_parents_and_professionals_get_checkpoints(cast, as_):
    issue_weekly_checkpoints.call()
    rivera = Checkpoint.objects.get(family=cast.family)
    okafor = Checkpoint.objects.get(family=cast.other_family)
    now = f"/families/{cast.family.pk}/record/checkpoint/"
    weekly = f"{now}{rivera.pk}/"

    assert cast.client_for(cast.morgan).get(weekly).status_code == 200
    assert cast.client_for(cast.vic).get(now).status_code == 403
    assert cast.client_for(cast.olivia).get(weekly).status_code == 404
    # Another family's checkpoint under the Riveras' address: not there at all.
    assert cast.client_for(cast.alex).get(f"{now}{okafor.pk}/").status_code == 404

    api = as_(cast.morgan).get(f"/families/{cast.family.pk}/record/checkpoint").json()
    assert api["note"].startswith(f"coparent-record/1/{cast.family.pk}\n")
    assert as_(cast.vic).get(f"/families/{cast.family.pk}/record/checkpoint").status_code == 403
