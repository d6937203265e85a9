"""Invitations to a family, and accepting one."""

import uuid

from django.conf import settings
from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from coparent.api.auth import caller
from coparent.api.endpoints.families import family_access
from coparent.api.schemas import (
    AcceptIn,
    AcceptOut,
    FamilyRef,
    InvitationIn,
    InvitationOut,
    IssuedInvitationOut,
    answers,
)
from coparent.families import services
from coparent.families.models import Invitation, Role
from coparent.families.selectors import (
    get_invitation,
    pending_invitations,
)
from coparent.infra import ratelimit

router = Router(tags=["invitations"])


@router.get(
    "/families/{uuid:family_id}/invitations",
    response=answers({200: list[InvitationOut]}, 403, 404),
    summary="Pending invitations (parents and professionals)",
)
def invitation_list(request: HttpRequest, family_id: uuid.UUID) -> list[Invitation]:
    return list(pending_invitations(family_access(request, family_id)))


@router.post(
    "/families/{uuid:family_id}/invitations",
    response=answers({201: IssuedInvitationOut}, 400, 403, 404, 422, 429),
    summary="Invite the co-parent, a professional or a viewer by email (parents only)",
    description=(
        "The invitee also gets the link by email. `url` is returned once: only a hash of its "
        "token is stored."
    ),
)
def invitation_create(
    request: HttpRequest, family_id: uuid.UUID, payload: InvitationIn
) -> Status[IssuedInvitationOut]:
    access = family_access(request, family_id)
    access.require_parent()  # a viewer's attempt is a 403, not a count against the limits
    ratelimit.hit(request, "invitation", email=payload.email)
    issued = services.invitation_create(
        access=access,
        email=payload.email,
        role=payload.role,
        professional_kind=payload.professional_kind or "",
        relationship=payload.relationship,
    )
    fields = InvitationOut.model_validate(issued.invitation).model_dump()
    return Status(201, IssuedInvitationOut(**fields, url=settings.BASE_URL + issued.path))


@router.delete(
    "/families/{uuid:family_id}/invitations/{uuid:invitation_id}",
    response=answers({204: None}, 400, 403, 404),
    summary="Cancel a pending invitation (parents only)",
)
def invitation_cancel(
    request: HttpRequest, family_id: uuid.UUID, invitation_id: uuid.UUID
) -> Status[None]:
    access = family_access(request, family_id)
    services.invitation_cancel(access=access, invitation=get_invitation(access, invitation_id))
    return Status(204, None)


@router.post(
    "/invitations/accept",
    response=answers({201: AcceptOut}, 400, 409, 410, 422),
    summary="Accept an invitation for the calling user",
    description=(
        "`token` is the invitation link or its last part. 400: not a valid link; 410: used, "
        "cancelled or expired; 409: you are already a member, or the family has two parents."
    ),
)
def invitation_accept(request: HttpRequest, payload: AcceptIn) -> Status[AcceptOut]:
    # People paste the whole link as often as the token; both work.
    token = payload.token.strip().rstrip("/").rsplit("/", 1)[-1]
    # A refusal answers 400 (not a link anyone issued), 410 (used, cancelled or expired) or
    # 409 (already a member, no parent seat left): services.InvitationProblem.STATUS.
    membership = services.invitation_accept(token=token, user=caller(request))
    family = membership.family
    return Status(
        201,
        AcceptOut(
            member_id=membership.pk,
            family=FamilyRef(id=family.pk, name=family.name, role=Role(membership.role)),
        ),
    )
