"""Invitations: a parent invites by email, the invitee accepts with the link's token, and a
used, cancelled or foreign link changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from coparent.families import services
from coparent.families.models import Invitation, Membership
from tests.api.conftest import AUTH_QUERIES, family_path
from tests.factories import UserFactory


def _invite(cast, email="gran@example.org", role="viewer", **extra):
    return services.invitation_create(
        access=cast.access(cast.alex), email=email, role=role, send_email=False, **extra
    )


def test_alex_and_the_mediator_see_pending_invitations(cast, as_, django_assert_num_queries):
    _invite(cast, relationship="grandmother")
    _invite(cast, email="nanny@example.org")
    alex = as_(cast.alex)
    alex.get("/me")
    # The token and its user, then: Alex's membership with the family (1), the pending
    # invitations with who sent them (1).
    with django_assert_num_queries(AUTH_QUERIES + 2):
        response = alex.get(family_path(cast, "/invitations"))
    assert response.status_code == 200
    listed = response.json()
    assert [i["email"] for i in listed] == ["nanny@example.org", "gran@example.org"]
    assert listed[1]["relationship"] == "grandmother"
    assert listed[0]["invited_by"] == {"id": cast.alex.pk, "display_name": "Alex"}
    assert listed[0]["expired"] is False
    assert "token" not in listed[0] and "url" not in listed[0]
    assert [i["email"] for i in as_(cast.morgan).get(family_path(cast, "/invitations")).json()] == [
        "nanny@example.org",
        "gran@example.org",
    ]


def test_the_viewer_does_not_see_invitations(cast, as_):
    assert as_(cast.vic).get(family_path(cast, "/invitations")).status_code == 403


def test_alex_invites_grandma_and_gets_the_link_once(
    cast, as_, settings, django_capture_on_commit_callbacks
):
    settings.BASE_URL = "https://coparent.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_(cast.alex).post(
            family_path(cast, "/invitations"),
            {"email": "Gran@Example.org", "role": "viewer", "relationship": "grandmother"},
        )
    assert response.status_code == 201
    issued = response.json()
    assert issued["email"] == "gran@example.org"
    assert issued["url"].startswith("https://coparent.example.org/invite/")
    assert issued["status"] == "pending"
    # The same link goes out by email; the database keeps only its hash.
    assert len(mail.outbox) == 1 and issued["url"] in mail.outbox[0].body
    token = issued["url"].rstrip("/").rsplit("/", 1)[-1]
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_a_professional_needs_a_kind(cast, as_):
    response = as_(cast.alex).post(
        family_path(cast, "/invitations"), {"email": "pat@example.org", "role": "professional"}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"professional_kind"}


def test_a_third_parent_is_refused_with_a_message(cast, as_):
    response = as_(cast.alex).post(
        family_path(cast, "/invitations"), {"email": "third@example.org", "role": "parent"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"role": ["This family already has two parents."]}


def test_a_bad_email_or_role_gets_field_messages(cast, as_):
    response = as_(cast.alex).post(
        family_path(cast, "/invitations"), {"email": "not an email", "role": "king"}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["email"] == ["Enter a valid email address."]
    assert errors["role"][0].startswith("Choose one of:")


def test_the_mediator_may_not_invite_anyone(cast, as_):
    response = as_(cast.morgan).post(
        family_path(cast, "/invitations"), {"email": "x@example.org", "role": "viewer"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.filter(email="x@example.org").exists()


def test_alex_cancels_an_invitation_and_its_link_is_dead(cast, as_):
    issued = _invite(cast)
    response = as_(cast.alex).delete(family_path(cast, f"/invitations/{issued.invitation.pk}"))
    assert response.status_code == 204
    gran = UserFactory(email="gran@example.org")
    answer = as_(gran).post("/invitations/accept", {"token": issued.token})
    assert answer.status_code == 410
    assert answer.json() == {"detail": "This invitation was cancelled by the family."}


def test_cancelling_twice_is_a_400(cast, as_):
    issued = _invite(cast)
    alex = as_(cast.alex)
    alex.delete(family_path(cast, f"/invitations/{issued.invitation.pk}"))
    response = alex.delete(family_path(cast, f"/invitations/{issued.invitation.pk}"))
    assert response.status_code == 400


def test_olivia_cannot_cancel_the_rivera_invitation_through_her_own_family(cast, as_):
    issued = _invite(cast)
    path = family_path(cast, f"/invitations/{issued.invitation.pk}", family=cast.other_family)
    assert as_(cast.olivia).delete(path).status_code == 404
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == "pending"


def test_grandma_accepts_with_the_whole_link_and_joins_as_a_viewer(cast, as_):
    issued = _invite(cast, relationship="grandmother")
    gran = UserFactory(email="gran@example.org", display_name="Rosa")
    response = as_(gran).post("/invitations/accept", {"token": f"https://x.test{issued.path}"})
    assert response.status_code == 201
    assert response.json()["family"] == {
        "id": str(cast.family.pk),
        "name": "Rivera family",
        "role": "viewer",
    }
    assert Membership.objects.get(pk=response.json()["member_id"]).user == gran


def test_a_link_works_once(cast, as_):
    issued = _invite(cast)
    as_(UserFactory()).post("/invitations/accept", {"token": issued.token})
    response = as_(UserFactory()).post("/invitations/accept", {"token": issued.token})
    assert response.status_code == 410
    assert "already been used" in response.json()["detail"]


def test_an_expired_link_is_gone(cast, as_):
    issued = services.invitation_create(
        access=cast.access(cast.alex),
        email="late@example.org",
        role="viewer",
        send_email=False,
        at=timezone.now() - timedelta(days=30),
    )
    response = as_(UserFactory()).post("/invitations/accept", {"token": issued.token})
    assert response.status_code == 410
    assert "expired" in response.json()["detail"]


def test_a_forged_token_is_a_400(cast, as_):
    response = as_(UserFactory()).post("/invitations/accept", {"token": "0" * 64})
    assert response.status_code == 400
    assert "not valid" in response.json()["detail"]
    assert Membership.objects.filter(family=cast.family).count() == 4


def test_a_member_accepting_again_is_a_conflict(cast, as_):
    issued = _invite(cast, email="vic2@example.org")
    response = as_(cast.vic).post("/invitations/accept", {"token": issued.token})
    assert response.status_code == 409
    assert response.json() == {"detail": "You are already a member of this family."}
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == "pending"
