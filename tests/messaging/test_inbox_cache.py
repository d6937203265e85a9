"""The inbox's body (its header with the unread badge, the topic filter, the list of
conversations) is kept rendered in the fragments cache (issue #17, "The cost of a request";
docs/operations.md, "The inbox, cached"). Each kind of change it shows is on the very next
request; no reader ever gets another's, nor another family's."""

from __future__ import annotations

from django.core.cache import caches
from django.urls import reverse

from coparent.accounts.models import User
from coparent.accounts.services import own_zone_set
from coparent.families.models import Membership
from coparent.families.selectors import get_family_access
from coparent.families.services import (
    consent_give,
    consent_withdraw,
    family_create,
    family_zone_set,
    home_set,
    invitation_accept,
    invitation_create,
    membership_end,
)
from coparent.messaging.services import messages_mark_viewed, thread_start
from tests.families.helpers import client_for
from tests.messaging.conftest import reply, start


def _inbox(cast, family=None, query=""):
    return reverse("messaging:inbox", kwargs={"family_id": (family or cast.family).pk}) + query


def _list(client, url, **headers):
    """The inbox's list alone (what the fragment holds): after the topic filter, before the
    page's end; the header's unread badge and the navigation are outside it."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    return (
        html.split('aria-label="Filter by topic"', 1)[1]
        .split("</form>", 1)[1]
        .split("</main>", 1)[0]
    )


def _kept() -> int:
    return len(caches["fragments"]._cache)  # type: ignore[attr-defined]  # LocMemCache's own store


def test_the_list_is_kept_and_answers_what_rendering_would(cast):
    start(cast, subject="Dentist", topic="health")
    alex = client_for(cast.alex)
    first = _list(alex, _inbox(cast))
    assert _kept() == 1
    assert _list(alex, _inbox(cast)) == first
    assert _kept() == 1  # the same entry answered
    caches["fragments"].clear()
    assert _list(alex, _inbox(cast)) == first  # rendered anew: the same markup


def _badge(client, url):
    """The header's unread badge beside "Inbox" (inside the kept body), or ""."""
    html = client.get(url).content.decode()
    inbox_link = html.split(">Inbox", 1)[1].split("</a>", 1)[0]
    if "badge" not in inbox_link:
        return ""
    return inbox_link.split('<span class="badge">', 1)[1].split("</span>", 1)[0]


def test_the_headers_unread_badge_and_the_chosen_topic_show_at_once(cast):
    thread = start(cast, subject="Pickup").thread
    sam = client_for(cast.sam)
    assert _badge(sam, _inbox(cast)) == "1 unread"
    reply(cast, cast.alex, thread, "And Saturday?")
    assert _badge(sam, _inbox(cast)) == "2 unread"
    messages_mark_viewed(access=cast.access(cast.sam), thread=thread)
    assert _badge(sam, _inbox(cast)) == ""
    health = sam.get(_inbox(cast, query="?topic=health")).content.decode()
    assert '<option value="health" selected>' in health and "All topics</a>" in health
    assert '<option value="health" selected>' not in sam.get(_inbox(cast)).content.decode()


def test_a_new_message_from_the_other_parent_shows_at_once(cast):
    thread = start(cast, subject="Pickup").thread
    alex = client_for(cast.alex)
    before = _list(alex, _inbox(cast))
    assert "1 message" in before and "unread" not in before
    reply(cast, cast.sam, thread, "Yes, 15:00 works.")
    after = _list(alex, _inbox(cast))
    assert "2 messages" in after and "1 unread" in after


def test_a_new_conversation_shows_at_once(cast):
    start(cast, subject="Pickup")
    sam = client_for(cast.sam)
    assert "Dentist" not in _list(sam, _inbox(cast))
    start(cast, cast.alex, subject="Dentist", topic="health")
    assert "Dentist" in _list(sam, _inbox(cast))


def test_the_readers_own_first_view_clears_the_unread_badge_at_once(cast):
    thread = start(cast, subject="Pickup").thread
    sam = client_for(cast.sam)
    assert "1 unread" in _list(sam, _inbox(cast))
    # Opening the thread records the first view (a record entry); so would another device.
    assert sam.get(reverse("messaging:thread", args=[cast.family.pk, thread.pk])).status_code == 200
    assert "unread" not in _list(sam, _inbox(cast))

    second = start(cast, subject="Dentist", topic="health").thread
    assert "1 unread" in _list(sam, _inbox(cast))
    messages_mark_viewed(access=cast.access(cast.sam), thread=second)  # the API's way
    assert "unread" not in _list(sam, _inbox(cast))


def test_the_other_parents_first_view_leaves_the_readers_list_right(cast):
    thread = start(cast, subject="Pickup").thread
    alex = client_for(cast.alex)
    before = _list(alex, _inbox(cast))
    messages_mark_viewed(access=cast.access(cast.sam), thread=thread)
    assert _list(alex, _inbox(cast)) == before  # Alex's list shows no receipts
    reply(cast, cast.sam, thread, "Seen, thanks.")
    assert "1 unread" in _list(alex, _inbox(cast))


def test_another_members_new_name_shows_at_once(cast):
    start(cast, subject="Pickup")
    alex = client_for(cast.alex)
    assert "with Sam" in " ".join(_list(alex, _inbox(cast)).split())
    # No service renames and no record entry covers a name: changed in the table itself (as
    # an administrator would), the next request still shows it.
    User.objects.filter(pk=cast.sam.pk).update(display_name="Samira")
    assert "with Samira" in " ".join(_list(alex, _inbox(cast)).split())


def test_the_readers_zone_the_familys_zone_and_locale_show_at_once(cast):
    start(cast, subject="Pickup")
    alex = client_for(cast.alex)
    assert "in Chicago" not in _list(alex, _inbox(cast))
    own_zone_set(user=cast.alex, timezone_name="America/Chicago")
    assert "in Chicago" in _list(alex, _inbox(cast))

    utc = _list(alex, _inbox(cast))
    family_zone_set(access=cast.access(cast.alex), timezone_name="Pacific/Auckland")
    assert _list(alex, _inbox(cast)) != utc
    assert "+13:00" in _list(alex, _inbox(cast)) or "+12:00" in _list(alex, _inbox(cast))

    us = _list(alex, _inbox(cast), accept_language="en-US")
    gb = _list(alex, _inbox(cast), accept_language="en-GB")
    assert us != gb  # the order of day and month follows the reader's locale
    assert _list(alex, _inbox(cast), accept_language="en-US") == us


def test_the_topic_filter_and_the_page_each_have_their_own_list(cast):
    for n in range(31):
        start(cast, subject=f"Week {n}", topic="health" if n < 3 else "school")
    sam = client_for(cast.sam)
    everything = _list(sam, _inbox(cast))
    health = _list(sam, _inbox(cast, query="?topic=health"))
    older = _list(sam, _inbox(cast, query="?page=2"))
    assert "Week 30" in everything and "Week 0<" not in everything
    assert "Week 2<" in health and "Week 30" not in health
    assert "Week 0<" in older and "Week 30" not in older
    assert 'href="?page=2"' in everything and 'href="?topic=health' not in everything
    # Again, now from the cache: each query its own.
    assert _list(sam, _inbox(cast, query="?topic=health")) == health
    assert _list(sam, _inbox(cast, query="?page=2")) == older
    assert _list(sam, _inbox(cast)) == everything


def test_a_professional_included_later_or_cut_off_sees_the_truth_at_once(cast):
    mediator = Membership.objects.get(family=cast.family, user=cast.morgan)
    morgan = client_for(cast.morgan)
    assert "Pickup" not in _list(morgan, _inbox(cast))
    start(cast, subject="Pickup", include=[mediator])
    assert "Pickup" in _list(morgan, _inbox(cast))
    # Consent withdrawn: turned away before any list is read or kept.
    consent_withdraw(access=cast.access(cast.sam), professional=mediator)
    assert morgan.get(_inbox(cast)).status_code == 404
    consent_give(access=cast.access(cast.sam), professional=mediator)
    assert "Pickup" in _list(morgan, _inbox(cast))
    # Removed by a parent: gone from the family.
    membership_end(access=cast.access(cast.alex), membership=mediator)
    assert morgan.get(_inbox(cast)).status_code == 404


def test_a_co_parent_joining_or_leaving_shows_at_once(cast):
    family = family_create(user=cast.olivia, name="Second family")
    olivia_access = get_family_access(cast.olivia, family.pk)
    thread_start(access=olivia_access, subject="Holidays", topic="school", body="Which week?")
    olivia = client_for(cast.olivia)
    alone = " ".join(_list(olivia, _inbox(cast, family)).split())
    assert "your co-parent, once they join" in alone
    issued = invitation_create(
        access=olivia_access, email=cast.alex.email, role="parent", send_email=False
    )
    invitation_accept(token=issued.token, user=cast.alex)
    joined = " ".join(_list(olivia, _inbox(cast, family)).split())
    assert "with Alex" in joined and "once they join" not in joined
    # Alex sees the conversation written before he joined, unread.
    assert "1 unread" in _list(client_for(cast.alex), _inbox(cast, family))
    # Alex leaves: still named in the conversations he took part in; turned away himself.
    membership_end(
        access=get_family_access(cast.alex, family.pk),
        membership=Membership.objects.get(family=family, user=cast.alex),
    )
    assert "with Alex" in " ".join(_list(olivia, _inbox(cast, family)).split())
    assert client_for(cast.alex).get(_inbox(cast, family)).status_code == 404


def test_safe_mode_on_and_off_leaves_the_list_right(cast):
    thread = start(cast, subject="Pickup").thread
    alex = client_for(cast.alex)
    before = _list(alex, _inbox(cast))
    home_set(access=cast.access(cast.sam), address="1 Hidden Lane", safe_mode=True)
    assert _list(alex, _inbox(cast)) == before  # the list shows no address
    reply(cast, cast.sam, thread, "Sent with safe mode on.")
    assert "1 unread" in _list(alex, _inbox(cast))
    home_set(access=cast.access(cast.sam), address="1 Hidden Lane", safe_mode=False)
    assert "1 unread" in _list(alex, _inbox(cast))


def test_two_readers_never_get_each_others_list(cast):
    thread = start(cast, subject="Pickup").thread
    reply(cast, cast.sam, thread, "Yes.")
    reply(cast, cast.sam, thread, "And Saturday?")
    alex, sam = client_for(cast.alex), client_for(cast.sam)
    for _ in range(2):  # rendered, then from the cache
        mine, theirs = _list(alex, _inbox(cast)), _list(sam, _inbox(cast))
        assert "2 unread" in mine and "with Sam" in " ".join(mine.split())
        # Sam has not opened Alex's first message; Alex has not opened Sam's two.
        assert "1 unread" in theirs and "with Alex" in " ".join(theirs.split())
    assert _kept() == 2


def test_another_family_never_gets_this_familys_list(cast):
    start(cast, subject="Rivera pickup")
    other = family_create(user=cast.alex, name="Alex's second family")
    alex = client_for(cast.alex)
    assert "Rivera pickup" in _list(alex, _inbox(cast))
    second = _list(alex, _inbox(cast, other))
    assert "Rivera pickup" not in second and "No messages yet" in second
    olivia_list = _list(client_for(cast.olivia), _inbox(cast, cast.other_family))
    assert "Rivera pickup" not in olivia_list
