"""Who is in the family, and the parents' consent that lets a professional in (story 10)."""

from __future__ import annotations

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from coparent.families import services
from coparent.families.models import Membership, ProfessionalConsent
from coparent.families.selectors import get_family_access
from tests.api.conftest import AUTH_QUERIES, family_path
from tests.factories import UserFactory


def test_alex_sees_every_member_and_the_mediators_consents(cast, as_, django_assert_num_queries):
    alex = as_(cast.alex)
    alex.get("/me")
    # The token and its user, then: Alex's membership with the family (1), the active members
    # with their users (1), the professionals' active consents (1).
    with django_assert_num_queries(AUTH_QUERIES + 3):
        response = alex.get(family_path(cast, "/members"))
    assert response.status_code == 200
    members = {m["display_name"]: m for m in response.json()}
    assert {name: m["role"] for name, m in members.items()} == {
        "Alex": "parent",
        "Sam": "parent",
        "Morgan": "professional",
        "Vic": "viewer",
    }
    assert members["Morgan"]["professional_kind"] == "mediator"
    assert sorted(members["Morgan"]["consented_by"]) == sorted([cast.alex.pk, cast.sam.pk])
    assert members["Morgan"]["has_access"] is True
    assert members["Vic"]["relationship"] == "Alex's partner"
    assert members["Vic"]["consented_by"] is None


def test_the_mediator_reads_the_member_list_but_the_viewer_does_not(cast, as_):
    assert as_(cast.morgan).get(family_path(cast, "/members")).status_code == 200
    response = as_(cast.vic).get(family_path(cast, "/members"))
    assert response.status_code == 403
    assert response.json()["detail"]


def _lawyer_waiting_for_sam(cast):
    """Alex invites a lawyer; the lawyer accepts; Sam has not consented yet."""
    lawyer = UserFactory(email="lee@example.org", display_name="Lee")
    issued = services.invitation_create(
        access=cast.access(cast.alex),
        email=lawyer.email,
        role="professional",
        professional_kind="lawyer",
        send_email=False,
    )
    return lawyer, services.invitation_accept(token=issued.token, user=lawyer)


def test_sam_consents_and_the_lawyer_gets_in(cast, as_):
    lawyer, seat = _lawyer_waiting_for_sam(cast)
    assert as_(lawyer).get(family_path(cast)).status_code == 404
    listed = {m["display_name"]: m for m in as_(cast.sam).get(family_path(cast, "/members")).json()}
    assert listed["Lee"]["has_access"] is False
    assert listed["Lee"]["consented_by"] == [cast.alex.pk]

    response = as_(cast.sam).post(family_path(cast, f"/members/{seat.pk}/consent"))
    assert response.status_code == 201
    assert response.json()["parent_id"] == cast.sam.pk
    # Consented, the lawyer still needs a second factor; with the app on, Lee is in.
    assert as_(lawyer).get(family_path(cast)).json()["code"] == "second_factor_required"
    TOTP.activate(lawyer, generate_totp_secret())
    assert as_(lawyer).get(family_path(cast)).json()["role"] == "professional"


def test_consenting_twice_is_a_clear_400(cast, as_):
    response = as_(cast.sam).post(family_path(cast, f"/members/{cast.mediator.pk}/consent"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"__all__": ["You have already given your consent."]}


def test_consent_applies_to_professionals_only(cast, as_):
    response = as_(cast.alex).post(family_path(cast, f"/members/{cast.viewer.pk}/consent"))
    assert response.status_code == 400


def test_sam_withdraws_consent_and_the_mediator_is_out_on_the_next_request(cast, as_):
    morgan = as_(cast.morgan)
    assert morgan.get(family_path(cast, "/record")).status_code == 200
    response = as_(cast.sam).delete(family_path(cast, f"/members/{cast.mediator.pk}/consent"))
    assert response.status_code == 204
    assert response.content == b""
    assert morgan.get(family_path(cast, "/record")).status_code == 404
    assert morgan.get("/families").json() == []


def test_the_viewer_may_not_give_or_withdraw_consent(cast, as_):
    path = family_path(cast, f"/members/{cast.mediator.pk}/consent")
    assert as_(cast.vic).post(path).status_code == 403
    assert as_(cast.vic).delete(path).status_code == 403
    assert (
        ProfessionalConsent.objects.filter(
            professional=cast.mediator, withdrawn_at__isnull=True
        ).count()
        == 2
    )


def test_alex_removes_the_viewer(cast, as_):
    response = as_(cast.alex).delete(family_path(cast, f"/members/{cast.viewer.pk}"))
    assert response.status_code == 204
    cast.viewer.refresh_from_db()
    assert cast.viewer.ended_at is not None
    assert as_(cast.vic).get(family_path(cast)).status_code == 404


def test_nobody_can_push_a_co_parent_out(cast, as_):
    sams_seat = get_family_access(cast.sam, cast.family.pk).membership
    response = as_(cast.alex).delete(family_path(cast, f"/members/{sams_seat.pk}"))
    assert response.status_code == 403
    assert response.json() == {"detail": "A parent can only leave the family themselves."}
    assert Membership.objects.get(pk=sams_seat.pk).ended_at is None


def test_the_viewer_leaves_on_her_own(cast, as_):
    response = as_(cast.vic).delete(family_path(cast, f"/members/{cast.viewer.pk}"))
    assert response.status_code == 204


def test_the_viewer_may_not_remove_the_mediator(cast, as_):
    response = as_(cast.vic).delete(family_path(cast, f"/members/{cast.mediator.pk}"))
    assert response.status_code == 403
