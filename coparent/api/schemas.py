"""Typed shapes of everything the API reads and writes.

Input schemas forbid unknown fields (a typo is an error, not a silent no-op) and cap every
string, so an absurd payload fails validation with a field message before any service runs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, ConfigDict, computed_field, field_validator

from coparent.accounts.models import User
from coparent.core.limits import DB_INT_MAX, date_in_range
from coparent.families.models import ProfessionalKind, Role
from coparent.web.fields import date_range_message

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


def no_control_characters(value: Any) -> Any:
    # NUL and other C0 controls are never part of a name or an email, and PostgreSQL refuses
    # NUL in text outright: stop them here as a field error, not a database error.
    if isinstance(value, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError(_("Remove the invisible control characters."))
    return value


# --- Bounded values (coparent.core.limits) ----------------------------------------------------
# Every number and date an operation reads is one of these, so nothing a client sends can
# overflow the database or run the schedule engine off its years: out of range is a 422 with
# the field's name, like any other bad value.


def _date_in_range(value: Any) -> Any:
    if not date_in_range(value):
        raise ValueError(date_range_message())
    return value


Id = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
"""A database id (a user's, a message's, a token's)."""
Offset = Annotated[int, Field(ge=0, le=DB_INT_MAX)]
"""How many items to skip in a list."""
Day = Annotated[date, AfterValidator(_date_in_range)]
"""A date from 1901-01-01 to 2198-12-31."""


def _moment(value: datetime) -> datetime:
    _date_in_range(value)
    # In UTC from here on: an offset like +23:17 is valid ISO 8601 and Python takes it, but
    # PostgreSQL refuses any beyond ±15:59 when the moment reaches a query.
    return value if value.tzinfo is None else value.astimezone(UTC)


Moment = Annotated[datetime, AfterValidator(_moment)]
"""A date-time whose date (and UTC date) lies in the range of `Day`, in UTC if it has an
offset."""


class In(Schema):
    model_config = ConfigDict(extra="forbid")

    _clean_text = field_validator("*")(no_control_characters)


def omitted(**constraints: Any) -> Any:
    """The default of a PATCH body's field that is optional but not nullable: a field left out
    keeps its value (the operation reads the body with `exclude_unset`), and an explicit null
    is refused, since pydantic checks what was sent against the field's type but never its
    default. Any, because that default (None) is deliberately not of the field's type."""
    return Field(None, **constraints)


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


ZONE_HELP = (
    "The IANA time zone the family's times are shown in (for example Europe/Paris); the "
    "schedule's clock times are read in it."
)


class FamilyIn(In):
    name: str = Field(..., max_length=100, description="Shown to every member.")
    # UTC when left out, as before the family had a zone: a client that never sent one keeps
    # working, and the zone can be set afterwards with PATCH.
    timezone: str = Field("UTC", max_length=64, description=ZONE_HELP + " UTC when left out.")


class FamilyPatch(In):
    timezone: str = omitted(max_length=64, description=ZONE_HELP + " Parents only.")


class FamilyOut(Schema):
    id: uuid.UUID
    name: str
    created_at: datetime
    timezone: str = Field(..., description=ZONE_HELP)
    role: Role = Field(..., description="Your role in this family.")


class ChildOut(Schema):
    """A child as the caller's role may see them (coparent.families.selectors.child_view)."""

    id: uuid.UUID
    name: str = Field(..., description="The full name; a viewer receives the first name only.")
    age: int = Field(..., description="Whole years today.")
    date_of_birth: date | None = Field(..., description="Null for a viewer, who sees the age.")
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
    name: str = omitted(max_length=100)
    date_of_birth: date = omitted()


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

    @classmethod
    def of(cls, user: User) -> PersonRef:
        return cls(id=user.pk, display_name=user.display_name)


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

    @computed_field  # type: ignore[prop-decorator]  # mypy rejects decorators over a property; pydantic documents this
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
    data: dict[str, Any] | None = Field(
        ...,
        description="Null when `withheld`: then `hash` cannot be recomputed, but still links "
        "the chain like a stub of an export.",
    )
    prev: str
    hash: str
    withheld: bool = Field(
        False,
        description="A message of a conversation you are not part of, recorded before "
        "messages were sealed: its content is not yours to read; or an entry that holds the "
        "home address of a parent whose safe mode is on (docs/record.md, docs/safety.md).",
    )
    opened: dict[str, Any] | None = Field(
        None,
        description="For an entry whose `data.sealed` you may open: its content with the salt. "
        "SHA-256 of its RFC 8785 canonical JSON equals `data.sealed`.",
    )


class RecordPageOut(Schema):
    items: list[RecordEntryOut]
    count: int = Field(..., description="How many entries match, over all pages.")


class RecordFilters(Schema):
    _clean_text = field_validator("*")(no_control_characters)

    kind: str | None = Field(None, max_length=64, description="Exact kind, e.g. child.added.")
    actor: Id | None = Field(None, description="A user id (the entries' `actor`).")
    date_from: Day | None = Field(None, alias="from", description="First UTC date, inclusive.")
    date_to: Day | None = Field(None, alias="to", description="Last UTC date, inclusive.")


class RecordKeyOut(Schema):
    algorithm: str
    public_key: str = Field(..., description="Standard base64 of the raw 32-byte key.")
    fingerprint: str


# --- Pages of a list -------------------------------------------------------------------------

MAX_PAGE = 200


class Pages(LimitOffsetPagination):
    """`?limit=&offset=` of a list operation (50 items by default, at most MAX_PAGE), answered
    as `{"items", "count"}`."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE)
        offset: Offset = 0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE, **kwargs)

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        """The page first; the `count` query only when the page is full (or past the end) and so
        cannot tell how many there are. A family's lists mostly fit on one page, so most list
        requests save a query and its building (issue #17, "The cost of a request")."""
        offset: int = pagination.offset
        limit: int = min(pagination.limit, self.max_limit)
        items = list(queryset[offset : offset + limit])
        if len(items) < limit and (items or offset == 0):
            count = offset + len(items)
        else:
            count = self._items_count(queryset)
        return {self.items_attribute: items, "count": count}
