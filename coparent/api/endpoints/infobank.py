"""The children's info bank: a child's items, add, change (a new version), remove, one item with
its history, reveal a masked number, and the emergency card.

Every member reads a child's items and emergency card (a viewer only the items marked for care);
an item's history is for parents and consented professionals (a viewer: 403); only parents
write and reveal. A passport or ID number is masked in every answer but the reveal's, which is
logged (RevealLog and the family record).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from ninja import Field, Router, Schema
from ninja.responses import Status

from coparent.api.endpoints.families import family_access
from coparent.api.idempotency import key_header
from coparent.api.schemas import In, PersonRef, answers
from coparent.families.selectors import FamilyAccess, get_child
from coparent.infobank import selectors, services
from coparent.infobank.selectors import ChildBank, ItemView

router = Router(tags=["info bank"])

MAX_VALUE = 4_000


class InfoFieldOut(Schema):
    name: str
    label: str
    value: str = Field(..., description="As shown: a choice's label; a number masked.")
    masked: bool
    set_by: str = Field(..., description="Who set this field to this value.")
    set_at: datetime


class InfoItemOut(Schema):
    id: uuid.UUID
    child: uuid.UUID
    kind: str
    title: str
    for_care: bool = Field(..., description="Whether a viewer (a nanny) sees it.")
    removed: bool
    version: int = Field(..., description="The number of the latest version, from 1.")
    values: dict[str, str] = Field(..., description="The stored values; a number masked.")
    fields: list[InfoFieldOut]


class InfoVersionOut(Schema):
    n: int
    set_by: PersonRef
    set_at: datetime
    removed: bool
    for_care: bool
    values: dict[str, str] = Field(..., description="Labels and values; a number masked.")
    changed: list[str]


class InfoItemDetailOut(InfoItemOut):
    history: list[InfoVersionOut] = Field(..., description="Newest first.")
    reveals: list[datetime] = Field(..., description="When a parent revealed its number.")


class InfoItemIn(In):
    kind: str = Field(..., max_length=32, description="allergy, medicine, doctor, identity…")
    values: dict[str, str] = Field(..., description="The kind's fields (see docs/infobank.md).")
    for_care: bool | None = Field(None, description="Default: the kind's (allergies… yes).")


class InfoChangeIn(In):
    values: dict[str, str] = Field(..., description="All the fields as they should now be.")
    for_care: bool | None = Field(None, description="Default: unchanged.")


class InfoRevealOut(Schema):
    item: uuid.UUID
    field: str
    value: str


class EmergencySectionOut(Schema):
    key: str
    label: str
    items: list[InfoItemOut]


class EmergencyCardOut(Schema):
    child: uuid.UUID
    name: str
    date_of_birth: date | None = Field(..., description="Null for a viewer (the age only).")
    age: int
    sections: list[EmergencySectionOut]


def _values(view: ItemView) -> dict[str, str]:
    return {line.name: line.value for line in view.fields}


def _item_out(view: ItemView) -> InfoItemOut:
    return InfoItemOut(
        id=view.item.pk,
        child=view.item.child_id,
        kind=view.item.kind,
        title=view.title,
        for_care=view.for_care,
        removed=view.latest.removed,
        version=view.latest.n,
        values=_values(view),
        fields=[
            InfoFieldOut(
                name=f.name,
                label=f.label,
                value=f.value,
                masked=f.sensitive,
                set_by=f.set_by,
                set_at=f.set_at,
            )
            for f in view.fields
        ],
    )


def _items(bank: ChildBank) -> list[InfoItemOut]:
    return [_item_out(view) for part in bank.sections for view in part.items]


def _detail(access: FamilyAccess, item_id: object) -> InfoItemDetailOut:
    item = selectors.get_item(access, item_id)
    history = selectors.item_history(access, item)
    return InfoItemDetailOut(
        **_item_out(history.current).model_dump(),
        history=[
            InfoVersionOut(
                n=line.version.n,
                set_by=PersonRef.of(line.version.set_by),
                set_at=line.version.set_at,
                removed=line.version.removed,
                for_care=line.version.for_care,
                values=dict(line.values),
                changed=line.changed,
            )
            for line in history.versions
        ],
        reveals=[log.at for log in history.reveals],
    )


@router.get(
    "/families/{uuid:family_id}/children/{uuid:child_id}/info",
    response=answers({200: list[InfoItemOut]}, 404),
    summary="A child's info bank: current items by section (a viewer: marked for care only)",
)
def info_list(request: HttpRequest, family_id: uuid.UUID, child_id: uuid.UUID) -> list[InfoItemOut]:
    access = family_access(request, family_id)
    return _items(selectors.child_bank(access, get_child(access, child_id)))


@router.post(
    "/families/{uuid:family_id}/children/{uuid:child_id}/info",
    response=answers({201: InfoItemDetailOut}, 400, 403, 404, 409, 422),
    summary="Add an item to a child's info bank (parents); the other parent is told",
)
def info_add(
    request: HttpRequest,
    family_id: uuid.UUID,
    child_id: uuid.UUID,
    payload: InfoItemIn,
    idempotency_key: str | None = key_header("the first item"),
) -> Status[InfoItemDetailOut]:
    access = family_access(request, family_id)
    access.require_parent()
    item = services.item_add(
        access=access,
        child=get_child(access, child_id),
        kind=payload.kind,
        values={k: v[:MAX_VALUE] for k, v in payload.values.items()},
        for_care=payload.for_care,
        idempotency_key=idempotency_key,
    )
    return Status(201, _detail(access, item.pk))


@router.get(
    "/families/{uuid:family_id}/children/{uuid:child_id}/emergency-card",
    response=answers({200: EmergencyCardOut}, 404),
    summary="A child's emergency card: allergies, medicines, doctors, emergency contacts",
)
def info_emergency_card(
    request: HttpRequest, family_id: uuid.UUID, child_id: uuid.UUID
) -> EmergencyCardOut:
    access = family_access(request, family_id)
    card = selectors.emergency_card(access, get_child(access, child_id))
    return EmergencyCardOut(
        child=card.child.pk,
        name=card.name,
        date_of_birth=card.born,
        age=card.age,
        sections=[
            EmergencySectionOut(
                key=part.section.key,
                label=part.section.label,
                items=[_item_out(v) for v in part.items],
            )
            for part in card.sections
        ],
    )


@router.get(
    "/families/{uuid:family_id}/info/{uuid:item_id}",
    response=answers({200: InfoItemDetailOut}, 403, 404),
    summary="One item with every earlier version, who set it and when (parents, professionals)",
)
def info_detail(
    request: HttpRequest, family_id: uuid.UUID, item_id: uuid.UUID
) -> InfoItemDetailOut:
    return _detail(family_access(request, family_id), item_id)


@router.put(
    "/families/{uuid:family_id}/info/{uuid:item_id}",
    response=answers({200: InfoItemDetailOut}, 400, 403, 404, 422),
    summary="Change an item (parents): a new version, the earlier ones kept",
)
def info_change(
    request: HttpRequest, family_id: uuid.UUID, item_id: uuid.UUID, payload: InfoChangeIn
) -> InfoItemDetailOut:
    access = family_access(request, family_id)
    access.require_parent()
    item = selectors.get_item(access, item_id)
    services.item_change(
        access=access,
        item=item,
        values={k: v[:MAX_VALUE] for k, v in payload.values.items()},
        for_care=payload.for_care,
    )
    return _detail(access, item.pk)


@router.delete(
    "/families/{uuid:family_id}/info/{uuid:item_id}",
    response=answers({200: InfoItemDetailOut}, 400, 403, 404),
    summary="Remove an item (parents): it leaves the bank and stays in its history",
)
def info_remove(
    request: HttpRequest, family_id: uuid.UUID, item_id: uuid.UUID
) -> InfoItemDetailOut:
    access = family_access(request, family_id)
    access.require_parent()
    item = selectors.get_item(access, item_id)
    services.item_remove(access=access, item=item)
    return _detail(access, item.pk)


@router.post(
    "/families/{uuid:family_id}/info/{uuid:item_id}/reveal",
    response=answers({200: InfoRevealOut}, 400, 403, 404),
    summary="Reveal a masked number in full (parents); each reveal is logged in the record",
)
def info_reveal(
    request: HttpRequest, response: HttpResponse, family_id: uuid.UUID, item_id: uuid.UUID
) -> InfoRevealOut:
    access = family_access(request, family_id)
    access.require_parent()
    revealed = services.reveal(access=access, item=selectors.get_item(access, item_id))
    # The one answer that holds the number in full: no cache along the way (a proxy, the
    # client's disk) may keep it, as the page's reveal is never cached either.
    add_never_cache_headers(response)
    return InfoRevealOut(item=revealed.item.pk, field=revealed.field, value=revealed.value)
