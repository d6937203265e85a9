"""Sam's notification centre: newest first, a page at a time, each leading to what it is
about; the unread count in the header of every page; marking read, one or all, only by POST
with the CSRF token; and nobody else's notification, ever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coparent.core.notify import Channel, Kind
from coparent.notifications import services
from coparent.notifications.models import Notification
from coparent.notifications.selectors import PAGE_SIZE
from coparent.notifications.sources import Draft
from tests.families.helpers import call_view, client_for
from tests.messaging.conftest import start
from tests.notifications.conftest import prefer

CENTRE = "/notifications/"


def _news(cast, n: int, *, to=None) -> list[Notification]:
    """`n` notifications to Sam (or `to`), an hour apart, the last one the newest."""
    recipient = to or cast.sam
    now = timezone.now()
    made = services.store(
        [
            Draft(
                family_id=cast.family.pk,
                recipient_id=recipient.pk,
                kind=Kind.EVENT,
                key=f"test:{i}",
                title=f"News {i}",
                body="",
                url=f"/families/{cast.family.pk}/events/",
            )
            for i in range(n)
        ]
    )
    for i, notification in enumerate(made):
        Notification.objects.filter(pk=notification.pk).update(
            created_at=now - timedelta(hours=n - i)
        )
    return made


def test_sam_reads_his_notifications_newest_first_a_page_at_a_time(cast):
    _news(cast, PAGE_SIZE + 3)
    page = client_for(cast.sam).get(CENTRE)
    titles = [n.title for n in page.context["page"].object_list]
    assert titles[:3] == [f"News {PAGE_SIZE + 2}", f"News {PAGE_SIZE + 1}", f"News {PAGE_SIZE}"]
    assert len(titles) == PAGE_SIZE
    html = page.content.decode()
    assert "Rivera family" in html and "ago" in html and "UTC" not in html
    second = client_for(cast.sam).get(CENTRE + "?page=2")
    assert [n.title for n in second.context["page"].object_list] == ["News 2", "News 1", "News 0"]


def test_opening_a_notification_marks_it_read_and_leads_to_its_object(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = start(cast)
    (notice,) = Notification.objects.filter(recipient=cast.sam)
    sam = client_for(cast.sam)
    assert f'action="/notifications/{notice.pk}/open/"' in sam.get(CENTRE).content.decode()

    response = sam.post(reverse("notifications:open", kwargs={"notification_id": notice.pk}))

    assert response.status_code == 302
    assert response["Location"] == (
        f"/families/{cast.family.pk}/messages/threads/{message.thread_id}/"
    )
    notice.refresh_from_db()
    assert notice.is_read


def test_the_header_counts_the_unread_on_every_page(cast):
    _news(cast, 3)
    sam = client_for(cast.sam)
    for url in (
        f"/families/{cast.family.pk}/",
        f"/families/{cast.family.pk}/events/",
        "/accounts/",
    ):
        html = sam.get(url).content.decode()
        assert 'href="/notifications/" class="centre-link"' in html, url
        assert '3<span class="visually-hidden"> unread</span>' in html, url
    services.mark_all_read(user=cast.sam)
    html = sam.get(f"/families/{cast.family.pk}/").content.decode()
    assert "data-unread-notifications" not in html  # no badge at zero
    assert "data-unread-notifications" not in Client().get("/accounts/login/").content.decode()


def test_mark_one_and_mark_all_read(cast):
    first, *_rest = _news(cast, 3)
    sam = client_for(cast.sam)
    response = sam.post(
        reverse("notifications:read", kwargs={"notification_id": first.pk}), {"page": "1"}
    )
    assert response["Location"] == "/notifications/?page=1"
    assert sam.get(CENTRE).context["centre"].unread == 2
    assert sam.post(reverse("notifications:read_all")).status_code == 302
    assert sam.get(CENTRE).context["centre"].unread == 0


@pytest.mark.parametrize("name", ["open", "read"])
def test_marking_is_post_only_and_needs_the_csrf_token(cast, name):
    (notice,) = _news(cast, 1)
    url = reverse(f"notifications:{name}", kwargs={"notification_id": notice.pk})
    assert client_for(cast.sam).get(url).status_code == 405
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.sam)
    assert browser.post(url).status_code == 403
    assert browser.post(reverse("notifications:read_all")).status_code == 403
    notice.refresh_from_db()
    assert not notice.is_read


def test_alexs_notification_does_not_exist_for_sam(cast):
    (alexs,) = _news(cast, 1, to=cast.alex)
    for name in ("open", "read"):
        url = reverse(f"notifications:{name}", kwargs={"notification_id": alexs.pk})
        assert client_for(cast.sam).post(url).status_code == 404
    assert client_for(cast.sam).post("/notifications/99999999999999999999/read/").status_code == 404
    alexs.refresh_from_db()
    assert not alexs.is_read


def test_a_stored_link_never_leads_off_the_site(cast):
    (notice,) = _news(cast, 1)
    Notification.objects.filter(pk=notice.pk).update(url="https://evil.example/")
    response = client_for(cast.sam).post(
        reverse("notifications:open", kwargs={"notification_id": notice.pk})
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize("n", [1, 40])
def test_the_centre_costs_the_same_few_queries_however_many(cast, django_assert_num_queries, n):
    _news(cast, n)
    # 1 the count for the pager, 2 the page of notifications with their families, 3 the unread
    # count (which the header shows too, without asking again).
    with django_assert_num_queries(3):
        response = call_view(cast.sam, CENTRE)
    assert response.status_code == 200


def test_the_centre_says_so_when_there_is_nothing(cast):
    html = client_for(cast.vic).get(CENTRE).content.decode()
    assert "Nothing yet." in html and "Mark all read" not in html


# --- settings -----------------------------------------------------------------------------------


def test_sam_chooses_what_he_hears_of_and_where(cast):
    sam = client_for(cast.sam)
    page = sam.get(reverse("notifications:preferences"))
    form = page.context["form"]
    assert form["rsvp__email"].initial is False and form["proposal__email"].initial is True
    assert form["message__push"].initial is True and form["event__in_app"].initial is True

    data = {"exchange_lead_minutes": "30", "event_lead_minutes": "2880", "include_content": "on"}
    data |= {f"{k.value}__{c.value}": "on" for k in Kind for c in Channel}
    data.pop("message__email")
    response = sam.post(reverse("notifications:preferences"), data)

    assert response.status_code == 302
    from coparent.notifications.selectors import choices_for

    mine = choices_for(cast.sam)
    assert mine.wants(Kind.RSVP, Channel.EMAIL) and not mine.wants(Kind.MESSAGE, Channel.EMAIL)
    assert (mine.exchange_lead_minutes, mine.event_lead_minutes) == (30, 2880)
    assert mine.include_content and not mine.message_digest
    again = sam.get(reverse("notifications:preferences")).context["form"]
    assert again["message__email"].initial is False
    assert again["exchange_lead_minutes"].initial == 30


def test_a_lead_time_off_the_list_is_refused_beside_its_field(cast):
    response = client_for(cast.sam).post(
        reverse("notifications:preferences"),
        {"exchange_lead_minutes": "5", "event_lead_minutes": "1440"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["exchange_lead_minutes"]


def test_the_service_holds_lead_times_to_their_bounds(cast):
    from coparent.infra.errors import DomainError

    with pytest.raises(DomainError) as refused:
        prefer(cast.sam, exchange_lead_minutes=14, event_lead_minutes=10081)
    assert set(refused.value.message_dict) == {"exchange_lead_minutes", "event_lead_minutes"}


def test_the_settings_page_reads_four_queries(cast, django_assert_num_queries):
    prefer(cast.sam, include_content=True)
    # 1 the grid's choices, 2 the other preferences, 3 the devices with push on, 4 the header's
    # unread notifications.
    with django_assert_num_queries(4):
        call_view(cast.sam, "/notifications/settings/")
