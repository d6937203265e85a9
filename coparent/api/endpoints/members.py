"""Members of a family, and the parents' consent that opens a professional's access."""

import uuid

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from coparent.api.endpoints.families import family_access
from coparent.api.schemas import ConsentOut, MemberOut, answers
from coparent.families import services
from coparent.families.models import Role
from coparent.families.selectors import MemberRow, get_member, member_rows

router = Router(tags=["members"])


def _member_out(row: MemberRow) -> MemberOut:
    member = row.membership
    return MemberOut(
        id=member.pk,
        user_id=member.user_id,
        display_name=member.user.display_name,
        role=Role(member.role),
        professional_kind=member.professional_kind,
        relationship=member.relationship,
        joined_at=member.joined_at,
        # Only the current parents' consents count, exactly as in professional_has_access.
        consented_by=sorted(p.pk for p in row.consented) if row.is_professional else None,
        has_access=row.has_access,
    )


@router.get(
    "/families/{uuid:family_id}/members",
    response=answers({200: list[MemberOut]}, 403, 404),
    summary="Active members and roles (parents and professionals)",
)
def member_list(request: HttpRequest, family_id: uuid.UUID) -> list[MemberOut]:
    return [_member_out(row) for row in member_rows(family_access(request, family_id))]


@router.post(
    "/families/{uuid:family_id}/members/{uuid:member_id}/consent",
    response=answers({201: ConsentOut}, 400, 403, 404),
    summary="Give your consent to a professional's access (parents only)",
)
def consent_give(
    request: HttpRequest, family_id: uuid.UUID, member_id: uuid.UUID
) -> Status[ConsentOut]:
    access = family_access(request, family_id)
    consent = services.consent_give(access=access, professional=get_member(access, member_id))
    return Status(
        201,
        ConsentOut(
            id=consent.pk,
            member_id=consent.professional_id,
            parent_id=consent.parent_id,
            given_at=consent.given_at,
        ),
    )


@router.delete(
    "/families/{uuid:family_id}/members/{uuid:member_id}/consent",
    response=answers({204: None}, 400, 403, 404),
    summary="Withdraw your consent: the professional's access ends at once (parents only)",
)
def consent_withdraw(
    request: HttpRequest, family_id: uuid.UUID, member_id: uuid.UUID
) -> Status[None]:
    access = family_access(request, family_id)
    services.consent_withdraw(access=access, professional=get_member(access, member_id))
    return Status(204, None)


@router.delete(
    "/families/{uuid:family_id}/members/{uuid:member_id}",
    response=answers({204: None}, 400, 403, 404),
    summary="Leave the family, or remove a professional or a viewer (parents)",
    description="A parent's seat is ended only by that parent.",
)
def member_remove(request: HttpRequest, family_id: uuid.UUID, member_id: uuid.UUID) -> Status[None]:
    access = family_access(request, family_id)
    services.membership_end(access=access, membership=get_member(access, member_id))
    return Status(204, None)
