"""Tenancy and roles on every family operation (STYLE.md 11): Olivia, the outsider, gets the
same 404 as for a family that does not exist; the mediator and the viewer read what their role
allows and get 403 for the rest. The setup is shared, so a 404 or a 403 cannot pass because the
request was malformed: each row's request succeeds for Alex."""

from __future__ import annotations

import uuid

import pytest

from coparent.families import services
from coparent.families.models import Membership
from tests.api.conftest import fill, operations
from tests.factories import UserFactory

CHILD = {"name": "Noa", "date_of_birth": "2024-02-29"}
INVITE = {"email": "new@example.org", "role": "viewer"}

# (method, path template, body, answers for Alex, Morgan the mediator, Vic the viewer).
# Alex's row is the proof that the request itself is well formed.
FAMILY_OPERATIONS = [
    ("GET", "/api/v1/families/{family_id}", None, 200, 200, 200),
    ("GET", "/api/v1/families/{family_id}/children", None, 200, 200, 200),
    ("POST", "/api/v1/families/{family_id}/children", CHILD, 201, 403, 403),
    ("GET", "/api/v1/families/{family_id}/children/{child_id}", None, 200, 200, 200),
    ("PATCH", "/api/v1/families/{family_id}/children/{child_id}", {"name": "M"}, 200, 403, 403),
    ("GET", "/api/v1/families/{family_id}/members", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/members/{member_id}/consent", None, 201, 403, 403),
    ("DELETE", "/api/v1/families/{family_id}/members/{member_id}/consent", None, 204, 403, 403),
    ("DELETE", "/api/v1/families/{family_id}/members/{member_id}", None, 204, 403, 403),
    ("GET", "/api/v1/families/{family_id}/invitations", None, 200, 200, 403),
    ("POST", "/api/v1/families/{family_id}/invitations", INVITE, 201, 403, 403),
    ("DELETE", "/api/v1/families/{family_id}/invitations/{invitation_id}", None, 204, 403, 403),
    ("GET", "/api/v1/families/{family_id}/record", None, 200, 200, 403),
]
ROLES = {"alex": 3, "morgan": 4, "vic": 5}


@pytest.fixture
def ids(cast):
    """The ids every row needs: Mia, a pending invitation, and Lee, a lawyer whom Sam invited
    (so Sam consents) and Alex has not consented to yet — the member the consent and removal
    rows act on."""
    lawyer = UserFactory(email="lee@example.org", display_name="Lee")
    issued = services.invitation_create(
        access=cast.access(cast.sam),
        email=lawyer.email,
        role="professional",
        professional_kind="lawyer",
        send_email=False,
    )
    seat = services.invitation_accept(token=issued.token, user=lawyer)
    pending = services.invitation_create(
        access=cast.access(cast.alex), email="gran@example.org", role="viewer", send_email=False
    )
    return {
        "family_id": cast.family.pk,
        "child_id": cast.mia.pk,
        "member_id": seat.pk,
        "invitation_id": pending.invitation.pk,
    }


@pytest.mark.parametrize("row", FAMILY_OPERATIONS, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("who", ["alex", "morgan", "vic"])
def test_each_role_gets_its_answer(cast, as_, ids, row, who):
    method, template, body, *_ = row
    if method == "DELETE" and template.endswith("/consent"):
        # Something to withdraw: Alex's own consent to the lawyer.
        lawyer = Membership.objects.get(pk=ids["member_id"])
        services.consent_give(access=cast.access(cast.alex), professional=lawyer)
    response = as_(getattr(cast, who)).call(method, fill(template, **ids), body)
    assert response.status_code == row[ROLES[who]], response.content
    if response.status_code >= 400:
        assert response.json()["detail"]


@pytest.mark.parametrize("row", FAMILY_OPERATIONS, ids=lambda r: f"{r[0]} {r[1]}")
def test_olivia_finds_nothing_in_the_rivera_family(cast, as_, ids, row):
    method, template, body, *_ = row
    response = as_(cast.olivia).call(method, fill(template, **ids), body)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("row", FAMILY_OPERATIONS, ids=lambda r: f"{r[0]} {r[1]}")
def test_a_family_that_does_not_exist_answers_the_same_404(cast, as_, ids, row):
    method, template, body, *_ = row
    response = as_(cast.alex).call(
        method, fill(template, **{**ids, "family_id": uuid.uuid4()}), body
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_table_covers_every_family_operation():
    served = {op for op in operations() if op[1].startswith("/api/v1/families/{family_id}")}
    assert served == {(method, template) for method, template, *_ in FAMILY_OPERATIONS}
