"""Typed shapes of everything the API reads and writes.

Input schemas forbid unknown fields (a typo is an error, not a silent no-op) and cap every
string, so an absurd payload fails validation with a field message before any service runs.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, computed_field, field_validator

from coparent.families.models import ProfessionalKind, Role

# --- Errors ----------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


class ValidationIssue(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[ValidationIssue]
    errors: dict[str, list[str]]


def answers(success: dict[int, Any], *errors: int) -> dict[int, Any]:
    """The `response=` mapping of an operation: its success shape, 401 (every operation needs a
    caller) and the error codes it can answer, so the OpenAPI schema shows them all."""
    out = dict(success)
    for code in (401, *errors):
        out[code] = ValidationErrorOut if code == 422 else ErrorOut
    return out


def _no_control_characters(value: Any) -> Any:
    # NUL and other C0 controls are never part of a name or an email, and PostgreSQL refuses
    # NUL in text outright: stop them here as a field error, not a database error.
    if isinstance(value, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError(_("Remove the invisible control characters."))
    return value


class In(Schema):
    model_config = ConfigDict(extra="forbid")

    _clean_text = field_validator("*")(_no_control_characters)


# --- People and families ---------------------------------------------------------------------


class FamilyRef(Schema):
    id: uuid.UUID
    name: str
    role: Role


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    email_confirmed: bool
    families: list[FamilyRef]


class FamilyIn(In):
    name: str = Field(..., max_length=100, description="Shown to every member.")


class FamilyOut(Schema):
    id: uuid.UUID
    name: str
    created_at: datetime
    role: Role = Field(..., description="Your role in this family.")


class ChildOut(Schema):
    id: uuid.UUID
    name: str
    date_of_birth: date
    created_at: datetime


class FamilyDetailOut(FamilyOut):
    children: list[ChildOut]
    members_count: int | None = Field(
        None, description="Active members; null for a role that does not see the member list."
    )


class ChildIn(In):
    name: str = Field(..., max_length=100)
    date_of_birth: date


class ChildPatch(In):
    # Optional but not nullable: a missing field stays as it is, an explicit null is an error.
    name: str = Field(None, max_length=100)  # type: ignore[assignment]
    date_of_birth: date = Field(None)  # type: ignore[assignment]


# --- Members and consent -----------------------------------------------------------------------


class MemberOut(Schema):
    id: uuid.UUID
    user_id: int
    display_name: str
    role: Role
    professional_kind: str
    relationship: str
    joined_at: datetime
    consented_by: list[int] | None = Field(
        None, description="For a professional: the parents (user ids) whose consent is active."
    )
    has_access: bool = Field(
        ..., description="False for a professional still waiting for a parent's consent."
    )


class ConsentOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    parent_id: int
    given_at: datetime


# --- Invitations -------------------------------------------------------------------------------


class InvitationIn(In):
    email: str = Field(..., max_length=254)
    role: Role
    professional_kind: ProfessionalKind | None = Field(
        None, description="Required when role is professional."
    )
    relationship: str = Field("", max_length=60, description="For a viewer: 'grandmother'.")

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        value = value.strip()
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError(_("Enter a valid email address.")) from None
        return value


class PersonRef(Schema):
    id: int
    display_name: str


class InvitationOut(Schema):
    id: uuid.UUID
    email: str
    role: Role
    professional_kind: str
    relationship: str
    status: str
    invited_by: PersonRef
    created_at: datetime
    expires_at: datetime

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class IssuedInvitationOut(InvitationOut):
    url: str = Field(..., description="The one-time link; shown only in this answer.")


class AcceptIn(In):
    token: str = Field(..., min_length=1, max_length=200)


class AcceptOut(Schema):
    member_id: uuid.UUID
    family: FamilyRef


# --- Tokens ------------------------------------------------------------------------------------


class TokenIn(In):
    name: str = Field(..., min_length=1, max_length=100, description="Where you use it.")
    password: str = Field(
        ...,
        max_length=4096,
        description=(
            "Your current password: a token outlives the session or token that asks for it, so "
            "whoever asks must prove it is you. Wrong passwords count towards the login lock-out."
        ),
    )
    code: str | None = Field(
        None,
        max_length=32,
        description="With the second factor on: a code from your authenticator app, or a "
        "recovery code.",
    )
    expires_in_days: int | None = Field(
        None,
        ge=1,
        le=3650,
        description="Days until the token stops working by itself; null: until revoked.",
    )


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(..., description="The first characters, to tell tokens apart.")
    created_at: datetime
    last_used_at: datetime | None = Field(
        ..., description="Recorded at most once a minute, so it may lag by that much."
    )
    expires_at: datetime | None = Field(..., description="null: works until revoked.")
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The token itself: shown once, never again.")


# --- The family record ---------------------------------------------------------------------------


class RecordEntryOut(Schema):
    """An entry exactly as it was hashed, so a client can recompute `hash` itself."""

    seq: int
    at: str
    kind: str
    actor: str | None
    data: dict[str, Any]
    prev: str
    hash: str

    @staticmethod
    def resolve_actor(entry: Any) -> str | None:
        # The chain hashes the actor as the text of the user id, so that is what goes out.
        actor_id = getattr(entry, "actor_id", None)
        return None if actor_id is None else str(actor_id)


class RecordFilters(Schema):
    _clean_text = field_validator("*")(_no_control_characters)

    kind: str | None = Field(None, max_length=64, description="Exact kind, e.g. child.added.")
    actor: int | None = Field(None, ge=1, description="A user id (the entries' `actor`).")
    date_from: date | None = Field(None, alias="from", description="First UTC date, inclusive.")
    date_to: date | None = Field(None, alias="to", description="Last UTC date, inclusive.")


class RecordKeyOut(Schema):
    algorithm: str
    public_key: str = Field(..., description="Standard base64 of the raw 32-byte key.")
    fingerprint: str
