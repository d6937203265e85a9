"""Messages: threads, messages (send, list, mark viewed), search, attachment uploads and
downloads.

Same rules as the pages: parents and consented professionals only (a viewer gets 403), a
professional only in threads they were included in, another family's anything is a 404.
POSTs that create accept an `Idempotency-Key` header: a retry with the same key and content
returns the first result (with `Idempotent-Replayed: true`) and creates nothing; the same key
with other content answers 422. The services own the key and the files' life (written before
their transaction, removed whenever it does not commit): these operations map input and output.

Files travel as multipart/form-data to the `…/upload` siblings of the two JSON operations that
send a message: ninja reads one operation's input either as a JSON body or as form fields, not
both, and a JSON body with base64 files would make every photo a third bigger and hold it in
memory twice. The siblings take the same fields and answer the same shapes.
"""

import base64
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.params import functions as params
from pydantic import field_validator, model_validator

from coparent.api.endpoints.families import family_access
from coparent.api.idempotency import key_header, say_replayed
from coparent.api.schemas import Day, Id, In, Pages, PersonRef, answers
from coparent.core.limits import MAX_LIST_IDS
from coparent.families.selectors import FamilyAccess
from coparent.infra import ratelimit
from coparent.messaging import attachments as files
from coparent.messaging import search, selectors, services
from coparent.messaging.forms import incoming
from coparent.messaging.models import (
    BODY_MAX_CHARS,
    SUBJECT_MAX_CHARS,
    Message,
    Thread,
    Topic,
)

router = Router(tags=["messages"])

FILES_HELP = (
    "Photos (JPEG, PNG, GIF, WebP) or PDFs, one `files` part each; the type is read from the "
    "content. At most COPARENT_ATTACHMENT_MAX_FILES files (5 by default) of at most "
    "COPARENT_ATTACHMENT_MAX_BYTES each (10 MB by default). Photos are stored without EXIF/GPS. "
    "Refused: animated images, photos over COPARENT_IMAGE_MAX_PIXELS (50 MP by default), PDFs "
    "with scripts or automatic actions."
)
FORM_SUBJECT_HELP = "Required."
FORM_BODY_HELP = "Required; at most 20,000 chars."
PROS_HELP = "Member ids of professionals both parents consented to; repeat the field for more."
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
T = TypeVar("T")


# --- Shapes ------------------------------------------------------------------------------------


class ThreadOut(Schema):
    id: uuid.UUID
    subject: str
    topic: Topic
    created_by: PersonRef
    created_at: datetime
    last_message_at: datetime
    message_count: int
    unread: int = Field(..., description="Messages delivered to you and not yet viewed.")


class ReceiptOut(Schema):
    recipient: PersonRef
    delivered_at: datetime
    viewed_at: datetime | None = Field(..., description="First view; null: not yet viewed.")


class AttachmentOut(Schema):
    id: uuid.UUID
    name: str
    content_type: str
    size: int
    sha256: str


class MessageOut(Schema):
    id: int
    thread_id: uuid.UUID
    sender: PersonRef
    body: str
    body_sha256: str
    created_at: datetime
    receipts: list[ReceiptOut]
    attachments: list[AttachmentOut]


class ThreadCreatedOut(Schema):
    thread: ThreadOut
    message: MessageOut


class ThreadIn(In):
    subject: str = Field(..., max_length=SUBJECT_MAX_CHARS)
    topic: Topic = Topic.OTHER
    body: str = Field(..., max_length=BODY_MAX_CHARS * 2, description="At most 20,000 chars.")
    include_professionals: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=20,
        description="Member ids of professionals both parents consented to.",
    )


class MessageIn(In):
    body: str = Field(..., max_length=BODY_MAX_CHARS * 2, description="At most 20,000 chars.")


class ViewedIn(In):
    message_ids: list[Id] | None = Field(
        None,
        max_length=MAX_LIST_IDS,
        description="Only these messages; all delivered to you in the thread when absent.",
    )


class ViewedOut(Schema):
    viewed: list[int] = Field(..., description="Messages whose first view was recorded now.")


class SearchFilters(Schema):
    q: str = Field(
        "",
        max_length=200,
        description=(
            'Words and "phrases" (at most 10); all must match. A bare word also matches the '
            'words it begins ("denti" finds "dentist"); a quoted one matches whole words only.'
        ),
    )
    sender: Id | None = Field(None, description="User id of the sender.")
    date_from: Day | None = Field(None, alias="from", description="First UTC date, inclusive.")
    date_to: Day | None = Field(None, alias="to", description="Last UTC date, inclusive.")

    @field_validator("q")
    @classmethod
    def _searchable(cls, value: str) -> str:
        try:
            search.check(value)
        except search.QueryError as error:
            raise ValueError(str(error)) from None
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "SearchFilters":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("`to` must be on or after `from`.")
        return self


class TextSpan(Schema):
    start: int = Field(..., description="Offset of the first character (Unicode code points).")
    end: int = Field(..., description="Offset just after the last character.")


class SearchHitOut(Schema):
    message: MessageOut
    thread_subject: str
    snippet_html: str = Field(..., description="Escaped text with <mark> around each match.")
    matches: list[TextSpan] = Field(
        default_factory=list,
        description="Where the query matched in `message.body`, in order, for highlighting the "
        "whole text (a bare word's match covers the whole word it begins).",
    )


# --- Helpers -----------------------------------------------------------------------------------


def _message_out(message: Message) -> MessageOut:
    views = {v.user_id: v.viewed_at for v in message.views.all()}
    return MessageOut(
        id=message.pk,
        thread_id=message.thread_id,
        sender=PersonRef.of(message.sender),
        body=message.body,
        body_sha256=message.body_sha256,
        created_at=message.created_at,
        receipts=[
            ReceiptOut(
                recipient=PersonRef.of(d.recipient),
                delivered_at=d.delivered_at,
                viewed_at=views.get(d.recipient_id),
            )
            for d in message.deliveries.all()
        ],
        attachments=[AttachmentOut.model_validate(a) for a in message.attachments.all()],
    )


def _thread_out(thread: Thread) -> ThreadOut:
    return ThreadOut(
        id=thread.pk,
        subject=thread.subject,
        topic=Topic(thread.topic),
        created_by=PersonRef.of(thread.created_by),
        created_at=thread.created_at,
        last_message_at=thread.last_message_at,
        message_count=getattr(thread, "message_count", 0),
        unread=getattr(thread, "unread", 0),
    )


def _load_message(access: FamilyAccess, message: Message) -> MessageOut:
    return _message_out(selectors.thread_messages(access, message.thread).get(pk=message.pk))


def _load_thread(access: FamilyAccess, message: Message) -> ThreadCreatedOut:
    thread = selectors.threads_for_user(access, participants=False).get(pk=message.thread_id)
    return ThreadCreatedOut(thread=_thread_out(thread), message=_load_message(access, message))


def files_part() -> Any:
    # A new one per operation: ninja writes the operation's default into the instance.
    return params.File(..., alias="files", description=FILES_HELP)


def require_form(request: HttpRequest, json_twin: str) -> None:
    """A JSON body sent here would arrive as an empty form; say where it belongs instead."""
    if request.content_type not in FORM_TYPES:
        raise HttpError(
            415,
            _("Send multipart/form-data here (fields and `files` parts); JSON goes to %(path)s.")
            % {"path": json_twin},
        )


@contextmanager
def file_problems_as_field_errors(field: str = "attachments") -> Iterator[None]:
    """A refused file answers 422 with its message under `files`, the part it came in, beside
    any other field's message; refusals without a file problem stay the JSON operations' 400.
    `field` is the name the service gives the files ("attachments", a note's "photos"). A file
    the server could not save (a full disk) is not the file's fault: that stays the service's
    507 with its `detail` (coparent.api.errors)."""
    try:
        yield
    except files.StorageFull:
        raise
    except DjangoValidationError as error:
        problems = getattr(error, "error_dict", {})
        if field not in problems:
            raise
        raise NinjaValidationError(
            [
                {
                    "loc": ("file", "files") if name == field else ("form", name),
                    "msg": message,
                    "type": "value_error",
                    "ctx": {"error": message},
                }
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        ) from None


def read_uploads(uploads: list[UploadedFile]) -> list[files.IncomingFile]:
    """The uploaded files as the service takes them; too many are refused before any is read."""
    files.check_count(len(uploads))
    return incoming(uploads)


def _created(response: HttpResponse, result: T, sent: services.Sent) -> Status[T]:
    say_replayed(response, sent.replayed)
    return Status(201, result)


# --- Operations --------------------------------------------------------------------------------


@router.get(
    "/families/{uuid:family_id}/threads",
    response=answers({200: list[ThreadOut]}, 403, 404, 422),
    summary="Conversations you take part in, most recent first",
)
@paginate(Pages)
def thread_list(
    request: HttpRequest, family_id: uuid.UUID, topic: Topic | None = None
) -> selectors.ThreadRows:
    return selectors.ThreadRows(family_access(request, family_id), topic=topic)


@router.post(
    "/families/{uuid:family_id}/threads",
    response=answers({201: ThreadCreatedOut}, 400, 403, 404, 409, 422, 429),
    summary="Start a conversation with its first message",
)
def thread_create(
    request: HttpRequest,
    family_id: uuid.UUID,
    payload: ThreadIn,
    response: HttpResponse,
    idempotency_key: str | None = key_header(),
) -> Status[ThreadCreatedOut]:
    access = family_access(request, family_id)
    ratelimit.hit(request, "message")
    access.require_shared()  # a viewer learns nothing from the professionals' ids: 403 first
    sent = services.thread_start_once(
        access=access,
        subject=payload.subject,
        topic=payload.topic,
        body=payload.body,
        include_professionals=[
            selectors.get_professional(access, mid) for mid in payload.include_professionals
        ],
        idempotency_key=idempotency_key,
    )
    return _created(response, _load_thread(access, sent.message), sent)


@router.post(
    "/families/{uuid:family_id}/threads/upload",
    response=answers({201: ThreadCreatedOut}, 400, 403, 404, 409, 415, 422, 429),
    summary="Start a conversation with its first message and files (multipart/form-data)",
)
def thread_create_upload(
    request: HttpRequest,
    family_id: uuid.UUID,
    response: HttpResponse,
    # Blank rather than required: a missing subject or text gets the service's own message for
    # it, as a blank one does in JSON, and only after the access checks.
    subject: Annotated[
        str, Form(..., max_length=SUBJECT_MAX_CHARS, description=FORM_SUBJECT_HELP)
    ] = "",
    topic: Annotated[Topic, Form(...)] = Topic.OTHER,
    body: Annotated[str, Form(..., max_length=BODY_MAX_CHARS * 2, description=FORM_BODY_HELP)] = "",
    # (pydantic copies a mutable default for each call, so [] is safe here)
    include_professionals: Annotated[list[uuid.UUID], Form(..., description=PROS_HELP)] = [],  # noqa: B006
    uploads: Annotated[list[UploadedFile], files_part()] = [],  # noqa: B006
    idempotency_key: str | None = key_header(),
) -> Status[ThreadCreatedOut]:
    access = family_access(request, family_id)
    access.require_shared()
    require_form(request, f"/api/v1/families/{family_id}/threads")
    ratelimit.hit(request, "message")
    ratelimit.hit(request, "upload", cost=len(uploads))
    professionals = [selectors.get_professional(access, mid) for mid in include_professionals]
    with file_problems_as_field_errors():
        # A key names the conversation whichever way it was sent (the JSON operation's too).
        sent = services.thread_start_once(
            access=access,
            subject=subject,
            topic=topic,
            body=body,
            include_professionals=professionals,
            attachments=read_uploads(uploads),
            idempotency_key=idempotency_key,
        )
    return _created(response, _load_thread(access, sent.message), sent)


class _LazyMessages:
    """A page of the queryset turned into MessageOut after slicing, so the prefetches run once
    per page rather than over the whole thread."""

    def __init__(self, queryset: QuerySet[Message]) -> None:
        self.queryset = queryset

    def __len__(self) -> int:
        return self.queryset.count()

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: slice) -> list[MessageOut]:
        return [_message_out(m) for m in self.queryset[index]]


@router.get(
    "/families/{uuid:family_id}/threads/{uuid:thread_id}/messages",
    response=answers({200: list[MessageOut]}, 403, 404, 422),
    summary="A conversation's messages, oldest first, with receipts (does not mark them viewed)",
)
@paginate(Pages)
def message_list(request: HttpRequest, family_id: uuid.UUID, thread_id: uuid.UUID) -> _LazyMessages:
    access = family_access(request, family_id)
    thread = selectors.get_thread_for_user(access, thread_id)
    return _LazyMessages(selectors.thread_messages(access, thread))


@router.post(
    "/families/{uuid:family_id}/threads/{uuid:thread_id}/messages",
    response=answers({201: MessageOut}, 400, 403, 404, 409, 422, 429),
    summary="Reply in a conversation",
)
def message_create(
    request: HttpRequest,
    family_id: uuid.UUID,
    thread_id: uuid.UUID,
    payload: MessageIn,
    response: HttpResponse,
    idempotency_key: str | None = key_header(),
) -> Status[MessageOut]:
    access = family_access(request, family_id)
    thread = selectors.get_thread_for_user(access, thread_id)
    ratelimit.hit(request, "message")
    sent = services.message_send_once(
        access=access, thread=thread, body=payload.body, idempotency_key=idempotency_key
    )
    return _created(response, _load_message(access, sent.message), sent)


@router.post(
    "/families/{uuid:family_id}/threads/{uuid:thread_id}/messages/upload",
    response=answers({201: MessageOut}, 400, 403, 404, 409, 415, 422, 429),
    summary="Reply in a conversation with files (multipart/form-data)",
)
def message_create_upload(
    request: HttpRequest,
    family_id: uuid.UUID,
    thread_id: uuid.UUID,
    response: HttpResponse,
    # Blank rather than required, as in thread_create_upload.
    body: Annotated[str, Form(..., max_length=BODY_MAX_CHARS * 2, description=FORM_BODY_HELP)] = "",
    uploads: Annotated[list[UploadedFile], files_part()] = [],  # noqa: B006
    idempotency_key: str | None = key_header(),
) -> Status[MessageOut]:
    access = family_access(request, family_id)
    thread = selectors.get_thread_for_user(access, thread_id)
    require_form(request, f"/api/v1/families/{family_id}/threads/{thread_id}/messages")
    ratelimit.hit(request, "message")
    ratelimit.hit(request, "upload", cost=len(uploads))
    with file_problems_as_field_errors():
        sent = services.message_send_once(
            access=access,
            thread=thread,
            body=body,
            attachments=read_uploads(uploads),
            idempotency_key=idempotency_key,
        )
    return _created(response, _load_message(access, sent.message), sent)


@router.post(
    "/families/{uuid:family_id}/threads/{uuid:thread_id}/viewed",
    response=answers({200: ViewedOut}, 403, 404, 422),
    summary="Record that you viewed the conversation's messages (first view only)",
)
def thread_mark_viewed(
    request: HttpRequest, family_id: uuid.UUID, thread_id: uuid.UUID, payload: ViewedIn
) -> ViewedOut:
    access = family_access(request, family_id)
    thread = selectors.get_thread_for_user(access, thread_id)
    ids = services.messages_mark_viewed(
        access=access, thread=thread, message_ids=payload.message_ids
    )
    return ViewedOut(viewed=ids)


@router.get(
    "/families/{uuid:family_id}/messages/search",
    response=answers({200: list[SearchHitOut]}, 403, 404, 422),
    summary="Search your conversations: words, phrases, sender, dates (newest first, max 50)",
)
def message_search(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[SearchFilters]
) -> list[SearchHitOut]:
    access = family_access(request, family_id)
    hits = selectors.search_messages(
        access,
        filters.q,
        sender_id=filters.sender,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    return [
        SearchHitOut(
            message=MessageOut(
                id=h.message.pk,
                thread_id=h.message.thread_id,
                sender=PersonRef.of(h.message.sender),
                body=h.message.body,
                body_sha256=h.message.body_sha256,
                created_at=h.message.created_at,
                receipts=[],
                attachments=[],
            ),
            thread_subject=h.message.thread.subject,
            snippet_html=str(h.snippet),
            matches=[TextSpan(start=start, end=end) for start, end in h.matches],
        )
        for h in hits
    ]


class AttachmentContentOut(AttachmentOut):
    content_base64: str = Field(..., description="The file's bytes, base64-encoded.")


@router.get(
    "/families/{uuid:family_id}/attachments/{uuid:attachment_id}",
    response=answers({200: AttachmentContentOut}, 403, 404),
    summary="An attachment with its content (base64) and SHA-256, as kept in the record",
)
def attachment_download(
    request: HttpRequest, family_id: uuid.UUID, attachment_id: uuid.UUID
) -> AttachmentContentOut:
    found = selectors.get_attachment_for_user(family_access(request, family_id), attachment_id)
    path = files.path_of(found.stored_name)
    if not path.exists():
        raise Http404("No such attachment.")
    return AttachmentContentOut(
        id=found.pk,
        name=found.name,
        content_type=found.content_type,
        size=found.size,
        sha256=found.sha256,
        content_base64=base64.b64encode(path.read_bytes()).decode("ascii"),
    )
