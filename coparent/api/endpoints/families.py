"""Family spaces and their children."""

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from coparent.api.auth import caller
from coparent.api.schemas import (
    ChildIn,
    ChildOut,
    ChildPatch,
    FamilyDetailOut,
    FamilyIn,
    FamilyOut,
    FamilyPatch,
    In,
    answers,
)
from coparent.families import services
from coparent.families.models import ADDRESS_MAX_CHARS, Child, HomeAddress, Role
from coparent.families.selectors import (
    FamilyAccess,
    SecondFactorRequired,
    child_view,
    child_views,
    get_child,
    get_family_access,
    members_of,
    own_home,
    your_families,
)

router = Router(tags=["families"])


def family_access(request: HttpRequest, family_id: uuid.UUID) -> FamilyAccess:
    """The one access path for every family route: 404 for another family or a missing one."""
    return get_family_access(caller(request), family_id)


def _child_out(access: FamilyAccess, child: Child) -> ChildOut:
    # The role's view of the child (a viewer: first name and age), as everywhere else.
    return ChildOut.model_validate(child_view(access, child))


def _family_out(access: FamilyAccess) -> FamilyOut:
    family = access.family
    return FamilyOut(
        id=family.pk,
        name=family.name,
        created_at=family.created_at,
        timezone=family.timezone,
        role=Role(access.role),
    )


@router.get(
    "/families",
    response=answers({200: list[FamilyOut]}, 403),
    summary="The families I belong to",
)
def family_list(request: HttpRequest) -> list[FamilyOut]:
    families = your_families(caller(request))
    if families.second_factor_needed:
        # Not even the names of the families a professional works with before the factor is
        # on: the same 403 as every family operation, with where to set it up.
        raise SecondFactorRequired()
    return [_family_out(access) for access in families.accesses]


@router.post(
    "/families",
    response=answers({201: FamilyOut}, 400, 422),
    summary="Create a family space (you become its first parent)",
)
def family_create(request: HttpRequest, payload: FamilyIn) -> Status[FamilyOut]:
    family = services.family_create(
        user=caller(request), name=payload.name, timezone_name=payload.timezone
    )
    return Status(
        201,
        FamilyOut(
            id=family.pk,
            name=family.name,
            created_at=family.created_at,
            timezone=family.timezone,
            role=Role.PARENT,
        ),
    )


@router.get(
    "/families/{uuid:family_id}",
    response=answers({200: FamilyDetailOut}, 404),
    summary="One family: your role, its children, how many members",
)
def family_detail(request: HttpRequest, family_id: uuid.UUID) -> FamilyDetailOut:
    access = family_access(request, family_id)
    family = access.family
    return FamilyDetailOut(
        id=family.pk,
        name=family.name,
        created_at=family.created_at,
        timezone=family.timezone,
        role=Role(access.role),
        children=[ChildOut.model_validate(view) for view in child_views(access)],
        # Viewers do not see who else is in the family, not even how many.
        members_count=len(members_of(access)) if access.can_read_shared else None,
    )


@router.patch(
    "/families/{uuid:family_id}",
    response=answers({200: FamilyOut}, 400, 403, 404, 422),
    summary="Change the family's time zone (parents only; recorded)",
)
def family_update(request: HttpRequest, family_id: uuid.UUID, payload: FamilyPatch) -> FamilyOut:
    access = family_access(request, family_id)
    changes = payload.model_dump(exclude_unset=True)
    if "timezone" in changes:
        services.family_zone_set(access=access, timezone_name=changes["timezone"])
    return _family_out(access)


@router.get(
    "/families/{uuid:family_id}/children",
    response=answers({200: list[ChildOut]}, 404),
    summary="The family's children",
)
def child_list(request: HttpRequest, family_id: uuid.UUID) -> list[ChildOut]:
    return [ChildOut.model_validate(v) for v in child_views(family_access(request, family_id))]


@router.post(
    "/families/{uuid:family_id}/children",
    response=answers({201: ChildOut}, 400, 403, 404, 422),
    summary="Add a child (parents only)",
)
def child_create(request: HttpRequest, family_id: uuid.UUID, payload: ChildIn) -> Status[ChildOut]:
    access = family_access(request, family_id)
    child = services.child_add(
        access=access, name=payload.name, date_of_birth=payload.date_of_birth
    )
    return Status(201, _child_out(access, child))


@router.get(
    "/families/{uuid:family_id}/children/{uuid:child_id}",
    response=answers({200: ChildOut}, 404),
    summary="One child",
)
def child_detail(request: HttpRequest, family_id: uuid.UUID, child_id: uuid.UUID) -> ChildOut:
    access = family_access(request, family_id)
    return _child_out(access, get_child(access, child_id))


@router.patch(
    "/families/{uuid:family_id}/children/{uuid:child_id}",
    response=answers({200: ChildOut}, 400, 403, 404, 422),
    summary="Correct a child's name or date of birth (parents only)",
)
def child_update(
    request: HttpRequest, family_id: uuid.UUID, child_id: uuid.UUID, payload: ChildPatch
) -> ChildOut:
    access = family_access(request, family_id)
    child = get_child(access, child_id)
    # Fields left out of the body keep their values; the service refuses non-parents (403).
    changes = payload.model_dump(exclude_unset=True)
    child = services.child_update(
        access=access,
        child=child,
        name=changes.get("name", child.name),
        date_of_birth=changes.get("date_of_birth", child.date_of_birth),
    )
    return _child_out(access, child)


# --- A parent's own home and safe mode (docs/safety.md) ------------------------------------------


class HomeIn(In):
    address: str = Field(
        "",
        max_length=ADDRESS_MAX_CHARS,
        description="Your home address in this family; empty keeps none.",
    )
    safe_mode: bool = Field(
        False,
        description="On: nobody else in the family (co-parent, viewers, professionals) ever "
        "reads this address; exchanges at your home show them “<name>'s home (address "
        "private)”.",
    )


class HomeOut(Schema):
    address: str = Field(..., description="Your own address, as only you read it.")
    safe_mode: bool
    version: int = Field(..., description="0 until you first save; each change adds one.")
    changed_at: datetime | None


def _home_out(home: HomeAddress | None) -> HomeOut:
    if home is None:
        return HomeOut(address="", safe_mode=False, version=0, changed_at=None)
    return HomeOut(
        address=home.address, safe_mode=home.safe_mode, version=home.n, changed_at=home.created_at
    )


@router.get(
    "/families/{uuid:family_id}/home",
    response=answers({200: HomeOut}, 403, 404),
    summary="Your own home address and safe mode in this family (parents only)",
)
def home_detail(request: HttpRequest, family_id: uuid.UUID) -> HomeOut:
    access = family_access(request, family_id)
    access.require_parent()
    return _home_out(own_home(access))


@router.put(
    "/families/{uuid:family_id}/home",
    response=answers({200: HomeOut}, 400, 403, 404, 422),
    summary="Set your home address and safe mode (parents only; a new version, recorded "
    "without the address)",
)
def home_set(request: HttpRequest, family_id: uuid.UUID, payload: HomeIn) -> HomeOut:
    access = family_access(request, family_id)
    access.require_parent()
    return _home_out(
        services.home_set(access=access, address=payload.address, safe_mode=payload.safe_mode)
    )
