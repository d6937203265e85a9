"""Invitations: Alex invites Sam, Sam joins through the link; a link works once, expires, can be
cancelled, cannot be forged, and never seats a third parent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coparent.families import services
from coparent.families.models import Invitation, Membership
from coparent.families.selectors import get_family_access
from coparent.infra.secrets_links import hash_link_token
from coparent.records.models import RecordEntry
from tests.factories import UserFactory
from tests.families.helpers import client_for, invite


def _invite_url(family) -> str:
    return reverse("families:invite", kwargs={"family_id": family.pk})


def _dashboard(family) -> str:
    return reverse("families:dashboard", kwargs={"family_id": family.pk})


def _state(family) -> tuple[int, int, list[tuple[str, str]]]:
    """What an unusable link must leave untouched: seats, record length, invitation states."""
    return (
        Membership.objects.filter(family=family).count(),
        RecordEntry.objects.filter(family=family).count(),
        sorted(Invitation.objects.filter(family=family).values_list("email", "status")),
    )


def test_alex_invites_sam_who_joins_and_both_see_each_other(
    db, pages, django_capture_on_commit_callbacks
):
    alex = UserFactory(email="alex.new@example.org", display_name="Alex")
    sam = UserFactory(email="sam.new@example.org", display_name="Sam")
    alex_browser = client_for(alex)
    alex_browser.post(reverse("families:create"), {"name": "Rivera family"})
    family = Membership.objects.get(user=alex).family

    with django_capture_on_commit_callbacks(execute=True):
        sent = alex_browser.post(
            _invite_url(family), {"email": "Sam.New@example.org", "role": "parent"}
        )

    # The link is on the page once (handy when email is not set up) and in the email.
    assert sent.status_code == 200
    link = sent.context["link"]
    assert "An email with the invitation link was sent to sam.new@example.org." in (
        sent.content.decode()
    )
    assert link in sent.content.decode()
    assert sent["Cache-Control"].startswith("max-age=0")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam.new@example.org"]
    path = link.removeprefix("https://testserver")
    assert path in mail.outbox[0].body
    assert path.startswith("/invite/")

    # Sam, not logged in yet, learns who invited them, to which family and as what.
    anonymous = client_for(None).get(path)
    page = anonymous.content.decode()
    assert anonymous.status_code == 200
    assert "Alex invited you to join Rivera family on Coparent as Parent." in page
    assert f"{reverse('account_signup')}?next={path.replace('/', '%2F')}" in page
    assert f"{reverse('account_login')}?next={path.replace('/', '%2F')}" in page
    assert "Accept the invitation" not in page
    # Posting without an account goes to the login page and comes back.
    response = client_for(None).post(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    sam_browser = client_for(sam)
    assert "Accept the invitation" in sam_browser.get(path).content.decode()
    accepted = sam_browser.post(path)

    assert accepted.status_code == 302
    assert accepted["Location"] == _dashboard(family)
    sam_sees = sam_browser.get(_dashboard(family)).content.decode()
    alex_sees = alex_browser.get(_dashboard(family)).content.decode()
    assert "Welcome to Rivera family." in sam_sees
    for page in (sam_sees, alex_sees):
        assert "Alex" in page and "Sam" in page
        assert "Invite your co-parent" not in page
    assert [
        r.membership.user for r in alex_browser.get(_dashboard(family)).context["overview"].parents
    ] == [alex, sam]


def test_the_invitation_path_matches_the_links_the_service_issues(cast):
    issued = invite(cast.access(cast.alex), "gran@example.org", "viewer")
    assert reverse("invitation_accept", kwargs={"token": issued.token}) == issued.path


@pytest.fixture
def gran_link(cast):
    """A live invitation for a viewer, Gran, who has an account."""
    gran = UserFactory(email="gran@example.org", display_name="Gran")
    issued = invite(cast.access(cast.alex), gran.email, "viewer")
    return gran, issued


def test_a_link_used_twice_answers_gone_and_changes_nothing(cast, gran_link):
    gran, issued = gran_link
    browser = client_for(gran)
    assert browser.post(issued.path).status_code == 302
    before = _state(cast.family)

    again = browser.get(issued.path)
    reposted = client_for(cast.olivia).post(issued.path)

    assert again.status_code == reposted.status_code == 410
    assert "already been used" in again.content.decode()
    assert "Nothing was changed." in again.content.decode()
    assert _state(cast.family) == before
    assert not Membership.objects.filter(family=cast.family, user=cast.olivia).exists()


def test_an_expired_link_answers_gone_and_changes_nothing(cast, dana):
    issued = invite(cast.access(cast.alex), dana.email, at=timezone.now() - timedelta(days=15))
    before = _state(cast.family)

    seen = client_for(dana).get(issued.path)
    posted = client_for(dana).post(issued.path)

    assert seen.status_code == posted.status_code == 410
    assert "This invitation has expired." in seen.content.decode()
    assert _state(cast.family) == before


def test_a_cancelled_link_answers_gone(cast, gran_link):
    gran, issued = gran_link
    cancel = reverse(
        "families:invitation_cancel",
        kwargs={"family_id": cast.family.pk, "invitation_id": issued.invitation.pk},
    )

    response = client_for(cast.sam).post(cancel)

    assert response.status_code == 302
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == Invitation.Status.CANCELLED
    before = _state(cast.family)
    seen = client_for(gran).post(issued.path)
    assert seen.status_code == 410
    assert "cancelled" in seen.content.decode()
    assert _state(cast.family) == before


@pytest.mark.parametrize(
    "forge",
    [lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"), lambda t: "nothing-here", lambda t: t + t],
    ids=["one-character-changed", "made-up", "doubled"],
)
def test_a_forged_link_is_not_found_and_changes_nothing(cast, gran_link, forge):
    gran, issued = gran_link
    before = _state(cast.family)

    for response in (
        client_for(gran).get(f"/invite/{forge(issued.token)}/"),
        client_for(gran).post(f"/invite/{forge(issued.token)}/"),
    ):
        assert response.status_code == 404
        assert "This invitation link is not valid." in response.content.decode()
    assert _state(cast.family) == before


def test_a_third_parent_is_refused_with_a_message(cast):
    # The services never issue a parent invitation while two parents sit, but a link sent when
    # a seat was free (two invitations racing for the one seat) must still not seat a third.
    token = "issued-while-a-seat-was-free"
    Invitation.objects.create(
        family=cast.family,
        email="pat@example.org",
        role="parent",
        token_hash=hash_link_token(token),
        invited_by=cast.alex,
        expires_at=timezone.now() + timedelta(days=3),
    )
    pat = UserFactory(email="pat@example.org")
    browser = client_for(pat)
    before = _state(cast.family)

    seen = browser.get(f"/invite/{token}/")
    posted = browser.post(f"/invite/{token}/")

    assert seen.status_code == 200
    assert "This family already has two parents." in seen.content.decode()
    assert "Accept the invitation" not in seen.content.decode()
    assert posted.status_code == 409
    assert "This family already has two parents." in posted.content.decode()
    assert _state(cast.family) == before


def test_a_member_opening_an_invitation_again_is_told_so(cast, gran_link):
    _, issued = gran_link
    response = client_for(cast.sam).get(issued.path)
    assert "You are already a member of this family." in response.content.decode()
    assert client_for(cast.sam).post(issued.path).status_code == 409


def test_the_dashboards_call_to_action_preselects_the_parent_role(cast):
    family = services.family_create(user=cast.morgan, name="Morgan's own family")
    form = client_for(cast.morgan).get(_invite_url(family) + "?role=parent").context["form"]
    assert form["role"].value() == "parent"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email", "role": "viewer"}, "email", "valid email"),
        ({"email": "x" * 10_000 + "@example.org", "role": "viewer"}, "email", "at most 254"),
        ({"email": "sam@example.org", "role": "viewer"}, "email", "already a member"),
        ({"email": "kai@example.org", "role": "parent"}, "role", "already has two parents"),
        ({"email": "kai@example.org", "role": "boss"}, "role", "valid choice"),
        (
            {"email": "kai@example.org", "role": "professional"},
            "professional_kind",
            "what kind of professional",
        ),
        (
            {"email": "kai@example.org", "role": "viewer", "relationship": "x" * 10_000},
            "relationship",
            "at most 60",
        ),
    ],
    ids=[
        "invalid-email",
        "10k-email",
        "already-member",
        "third-parent",
        "unknown-role",
        "professional-without-kind",
        "10k-relationship",
    ],
)
def test_bad_invitations_get_field_errors_and_send_nothing(cast, data, field, message):
    before = _state(cast.family)

    response = client_for(cast.alex).post(_invite_url(cast.family), data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert _state(cast.family) == before
    assert mail.outbox == []


# --- Professionals: access only with both parents' consent -----------------------------------


def test_a_professional_invited_by_alex_waits_for_sams_consent(cast, dana):
    issued = invite(cast.access(cast.alex), dana.email, "professional", professional_kind="lawyer")
    dana_browser = client_for(dana)

    accepted = dana_browser.post(issued.path, follow=True)

    # Dana joined, but lands on the home page with an explanation, not in the family.
    assert accepted.redirect_chain[0] == (reverse("web:home"), 302)
    assert "Your access starts once both parents have consented" in accepted.content.decode()
    assert dana_browser.get(_dashboard(cast.family)).status_code == 404
    sam_browser = client_for(cast.sam)
    dashboard = sam_browser.get(_dashboard(cast.family)).content.decode()
    assert "Dana (Lawyer) is waiting for your consent" in dashboard
    members = sam_browser.get(reverse("families:members", kwargs={"family_id": cast.family.pk}))
    assert "Waiting for Sam's consent." in members.content.decode()

    dana_member = Membership.objects.get(user=dana, family=cast.family)
    give = reverse(
        "families:consent_give", kwargs={"family_id": cast.family.pk, "member_id": dana_member.pk}
    )
    assert sam_browser.post(give).status_code == 302

    # Consented, Dana is first asked for a second factor; with the app on she is in.
    assert dana_browser.get(_dashboard(cast.family))["Location"] == "/accounts/2fa/"
    TOTP.activate(dana, generate_totp_secret())
    assert dana_browser.get(_dashboard(cast.family)).status_code == 200
    members = sam_browser.get(reverse("families:members", kwargs={"family_id": cast.family.pk}))
    dana_row = next(r for r in members.context["members"] if r.membership == dana_member)
    assert dana_row.has_access and dana_row.you_consented


def test_a_professional_of_a_single_parent_family_starts_at_once(cast, dana):
    family = services.family_create(user=cast.olivia, name="Okafor two")
    olivia = get_family_access(cast.olivia, family.pk)
    issued = invite(olivia, dana.email, "professional", professional_kind="mediator")
    response = client_for(dana).post(issued.path)
    assert response["Location"] == _dashboard(family)


def test_log_in_from_the_invitation_comes_back_to_it(cast, gran_link):
    gran, issued = gran_link
    browser = client_for(None)
    page = browser.get(issued.path)
    login_link = next(
        href
        for href in page.content.decode().split('"')
        if href.startswith("/accounts/login/?next=")
    )

    response = browser.post(
        login_link, {"login": gran.email, "password": cast.password}, follow=True
    )

    assert response.redirect_chain[-1] == (issued.path, 302)
    assert "Accept the invitation" in response.content.decode()
    assert browser.post(issued.path)["Location"] == reverse(
        "families:dashboard", kwargs={"family_id": cast.family.pk}
    )
