"""Members and consent: either parent can withdraw consent and the mediator's access ends at the
next request; parents remove viewers and professionals, never each other; the viewer gets 403
past the dashboard and the outsider 404 everywhere in the Rivera family."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coparent.families.models import Invitation, Membership
from coparent.records.models import RecordEntry
from tests.factories import UserFactory
from tests.families.helpers import (
    call_view,
    client_for,
    family_urls,
    invite,
    join,
    request_page,
)


def _members(cast) -> str:
    return reverse("families:members", kwargs={"family_id": cast.family.pk})


def _action(cast, name: str, membership: Membership) -> str:
    return reverse(name, kwargs={"family_id": cast.family.pk, "member_id": membership.pk})


def _last_kind(cast) -> str:
    return RecordEntry.objects.filter(family=cast.family).order_by("-seq").first().kind


def test_parents_see_members_roles_and_consent_with_buttons_to_act(cast):
    response = client_for(cast.alex).get(_members(cast))

    assert response.status_code == 200
    rows = {r.membership.user.display_name: r for r in response.context["members"]}
    assert [r.membership.role for r in response.context["members"]] == [
        "parent",
        "parent",
        "professional",
        "viewer",
    ]
    assert rows["Morgan"].has_access and rows["Morgan"].you_consented
    assert rows["Alex"].is_you
    page = response.content.decode()
    assert "Every parent consents: access is active." in page
    assert "Alex&#x27;s partner" in page
    assert _action(cast, "families:consent_withdraw", cast.mediator) in page
    assert _action(cast, "families:member_end", cast.mediator) in page
    assert _action(cast, "families:member_end", cast.viewer) in page
    # Alex may leave, but cannot push Sam out.
    alex_seat = cast.access(cast.alex).membership
    sam_seat = cast.access(cast.sam).membership
    assert _action(cast, "families:member_end", alex_seat) in page
    assert _action(cast, "families:member_end", sam_seat) not in page
    assert 'data-confirm="Withdraw your consent?' in page


def test_the_mediator_sees_members_and_consent_but_no_buttons(cast):
    response = client_for(cast.morgan).get(_members(cast))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Every parent consents" in page
    assert "consent/withdraw" not in page and "consent/give" not in page
    assert _action(cast, "families:member_end", cast.mediator) in page  # leaving oneself


def test_after_sam_withdraws_consent_morgans_next_request_is_not_found(cast):
    morgan = client_for(cast.morgan)
    dashboard = reverse("families:dashboard", kwargs={"family_id": cast.family.pk})
    assert morgan.get(dashboard).status_code == 200

    response = client_for(cast.sam).post(
        _action(cast, "families:consent_withdraw", cast.mediator), follow=True
    )

    assert "You withdrew your consent. Morgan no longer has access" in response.content.decode()
    assert _last_kind(cast) == "consent.withdrawn"
    assert morgan.get(dashboard).status_code == 404
    assert (
        morgan.get(reverse("records:timeline", kwargs={"family_id": cast.family.pk})).status_code
        == 404
    )
    # Alex's view now says whom the mediator waits for.
    page = client_for(cast.alex).get(_members(cast)).content.decode()
    assert "Waiting for Sam's consent." in page

    # Sam changes their mind: access is back.
    client_for(cast.sam).post(_action(cast, "families:consent_give", cast.mediator))
    assert morgan.get(dashboard).status_code == 200


def test_consent_cannot_be_given_twice_or_to_a_viewer(cast):
    sam = client_for(cast.sam)
    before = RecordEntry.objects.filter(family=cast.family).count()

    twice = sam.post(_action(cast, "families:consent_give", cast.mediator), follow=True)
    viewer = sam.post(_action(cast, "families:consent_give", cast.viewer), follow=True)

    assert "You have already given your consent." in twice.content.decode()
    assert "Consent applies only to a professional" in viewer.content.decode()
    assert RecordEntry.objects.filter(family=cast.family).count() == before


def test_a_parent_removes_the_viewer_who_then_has_no_access(cast):
    vic = client_for(cast.vic)
    dashboard = reverse("families:dashboard", kwargs={"family_id": cast.family.pk})

    response = client_for(cast.sam).post(
        _action(cast, "families:member_end", cast.viewer), follow=True
    )

    assert "Vic was removed from the family." in response.content.decode()
    assert _last_kind(cast) == "member.left"
    assert vic.get(dashboard).status_code == 404


def test_a_parent_cannot_remove_the_other_parent(cast):
    sam_seat = cast.access(cast.sam).membership

    response = client_for(cast.alex).post(_action(cast, "families:member_end", sam_seat))

    assert response.status_code == 403
    sam_seat.refresh_from_db()
    assert sam_seat.is_active


@pytest.mark.parametrize("who", ["vic", "morgan"])
def test_a_viewer_or_professional_may_leave_but_not_remove_anyone(cast, who):
    user = getattr(cast, who)
    seat = cast.access(user).membership
    browser = client_for(user)

    assert (
        browser.post(
            _action(cast, "families:member_end", cast.access(cast.sam).membership)
        ).status_code
        == 403
    )
    left = browser.post(_action(cast, "families:member_end", seat))

    assert left["Location"] == reverse("web:home")
    seat.refresh_from_db()
    assert not seat.is_active


def test_a_parent_leaves_the_family(cast):
    seat = cast.access(cast.sam).membership
    response = client_for(cast.sam).post(_action(cast, "families:member_end", seat))
    assert response["Location"] == reverse("web:home")
    assert client_for(cast.sam).get(_members(cast)).status_code == 404


def test_cancelling_an_invitation_twice_explains_the_second_time(cast):
    issued = invite(cast.access(cast.alex), "gran@example.org", "viewer")
    url = reverse(
        "families:invitation_cancel",
        kwargs={"family_id": cast.family.pk, "invitation_id": issued.invitation.pk},
    )
    alex = client_for(cast.alex)
    page = alex.get(_members(cast)).content.decode()
    assert "gran@example.org" in page and url in page

    alex.post(url)
    again = alex.post(url, follow=True)

    assert "This invitation is no longer pending." in again.content.decode()
    assert Invitation.objects.get(pk=issued.invitation.pk).status == "cancelled"
    assert "gran@example.org" not in alex.get(_members(cast)).content.decode()


# --- Who may open what -----------------------------------------------------------------------

PARENT_ONLY = {
    "families:child_add",
    "families:child_edit",
    "families:invite",
    "families:invitation_cancel",
    "families:consent_give",
    "families:consent_withdraw",
}


def test_the_viewer_gets_403_past_the_dashboard(cast):
    vic = client_for(cast.vic)
    before = RecordEntry.objects.filter(family=cast.family).count()
    for name, url in family_urls(cast).items():
        if name == "families:dashboard":
            continue
        assert request_page(vic, name, url).status_code == 403, name
    assert RecordEntry.objects.filter(family=cast.family).count() == before


def test_the_mediator_reads_the_shared_pages_and_gets_403_on_what_only_parents_do(cast):
    morgan = client_for(cast.morgan)
    for name, url in family_urls(cast).items():
        if name in PARENT_ONLY:
            assert request_page(morgan, name, url).status_code == 403, name
        elif name != "families:member_end":  # Morgan's own seat: that would be leaving
            assert request_page(morgan, name, url).status_code == 200, name


def test_the_outsider_gets_404_on_every_rivera_page(cast):
    olivia = client_for(cast.olivia)
    before = RecordEntry.objects.filter(family=cast.family).count()
    for name, url in family_urls(cast).items():
        assert request_page(olivia, name, url).status_code == 404, name
    assert RecordEntry.objects.filter(family=cast.family).count() == before


def test_the_outsider_cannot_reach_rivera_objects_through_her_own_family(cast):
    """Olivia's own family id with the Rivera child, members and invitation: still 404."""
    olivia = client_for(cast.olivia)
    rivera_invitation = Invitation.objects.filter(family=cast.family).first()
    urls = family_urls(
        cast, cast.other_family, child=cast.mia, member=cast.mediator, invitation=rivera_invitation
    )
    for name in (
        "families:child_edit",
        "families:invitation_cancel",
        "families:consent_give",
        "families:consent_withdraw",
        "families:member_end",
    ):
        assert request_page(olivia, name, urls[name]).status_code == 404, name
    for seat in (cast.viewer, cast.access(cast.sam).membership):
        url = reverse(
            "families:member_end", kwargs={"family_id": cast.other_family.pk, "member_id": seat.pk}
        )
        assert olivia.post(url).status_code == 404
    cast.viewer.refresh_from_db()
    assert cast.viewer.is_active


def test_someone_logged_out_is_sent_to_log_in(cast):
    anonymous = client_for(None)
    for name, url in family_urls(cast).items():
        response = request_page(anonymous, name, url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login")), name


def test_a_professional_waiting_for_consent_gets_404_everywhere(cast, dana):
    join(cast.access(cast.alex), dana, "professional", professional_kind="lawyer")
    browser = client_for(dana)
    for name, url in family_urls(cast).items():
        assert request_page(browser, name, url).status_code == 404, name


def test_the_members_page_runs_a_fixed_number_of_queries(cast, django_assert_num_queries):
    url = _members(cast)
    # 1 membership with its family and user (the access path), 2 active members with their
    # users, 3 the professionals' active consents with the parents, 4 pending invitations,
    # 5 the header's unread notifications.
    with django_assert_num_queries(5):
        call_view(cast.alex, url)
    access = cast.access(cast.alex)
    for i in range(5):
        join(access, UserFactory(), "professional", professional_kind="lawyer")
        invite(access, f"v{i}@example.org", "viewer")
    with django_assert_num_queries(5):
        response = call_view(cast.alex, url)
    assert response.content.decode().count("Waiting for Sam") == 5
