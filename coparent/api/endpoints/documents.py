"""The family's documents folder: list (filters), a new document with its file (multipart),
one document with its versions, a newer version (multipart), a version's file.

Parents and consented professionals read; parents upload; a viewer gets 403 on every
operation; another family's document is a 404 like a missing one. The create accepts an
`Idempotency-Key` header like the other creates. Files follow the rules of message attachments
(docs/documents.md): a refused file answers 422 under `files`, nothing kept.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Form, Query, Router, Schema, UploadedFile
from ninja.errors import HttpError
from ninja.params import functions as params
from ninja.responses import Status

from coparent.api.endpoints.families import family_access
from coparent.api.endpoints.messages import (
    FORM_TYPES,
    file_problems_as_field_errors,
    read_uploads,
)
from coparent.api.idempotency import key_header
from coparent.api.schemas import Day, Offset, PersonRef, answers
from coparent.documents import selectors, services
from coparent.documents.models import TITLE_MAX_CHARS, Category, Document, DocumentVersion
from coparent.infra import ratelimit
from coparent.messaging import attachments as files
from coparent.messaging.attachments import IncomingFile

router = Router(tags=["documents"])

MAX_PAGE = 200
FILE_HELP = (
    "One file, as a `files` part: a PDF or a photo (JPEG, PNG, GIF, WebP), its type read from "
    "the content, at most COPARENT_ATTACHMENT_MAX_BYTES (10 MB by default); photos are kept "
    "without EXIF/GPS, PDFs with scripts or actions are refused."
)


class DocumentChildOut(Schema):
    id: uuid.UUID
    name: str


class DocumentVersionOut(Schema):
    id: uuid.UUID
    number: int = Field(..., description="1 for the first upload, then 2, 3…")
    uploaded_by: PersonRef
    uploaded_at: dt.datetime
    name: str
    content_type: str
    size: int
    sha256: str = Field(..., description="Of the file as kept; the family record holds it too.")


class DocumentSummaryOut(Schema):
    id: uuid.UUID
    title: str
    date: dt.date = Field(..., description="The document's own date.")
    category: Category
    children: list[DocumentChildOut]
    created_by: PersonRef
    created_at: dt.datetime
    version_count: int


class DocumentPageOut(Schema):
    items: list[DocumentSummaryOut]
    count: int = Field(..., description="How many documents match, over all pages.")


class DocumentDetailOut(DocumentSummaryOut):
    versions: list[DocumentVersionOut] = Field(..., description="Newest first.")


class DocumentFileOut(DocumentVersionOut):
    content_base64: str = Field(..., description="The file's bytes, base64-encoded.")


class DocumentFilters(Schema):
    category: Category | None = None
    child: uuid.UUID | None = Field(None, description="Only documents concerning this child.")
    q: str = Field("", max_length=200, description="Words that must all be in the title.")
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: Offset = 0


def _children(document: Document) -> list[DocumentChildOut]:
    return [DocumentChildOut(id=c.pk, name=c.name) for c in document.children.all()]


def _summary(document: Document, count: int) -> DocumentSummaryOut:
    return DocumentSummaryOut(
        id=document.pk,
        title=document.title,
        date=document.dated,
        category=Category(document.category),
        children=_children(document),
        created_by=PersonRef.of(document.created_by),
        created_at=document.created_at,
        version_count=count,
    )


def _version_out(version: DocumentVersion) -> DocumentVersionOut:
    return DocumentVersionOut(
        id=version.pk,
        number=version.number,
        uploaded_by=PersonRef.of(version.uploaded_by),
        uploaded_at=version.created_at,
        name=version.name,
        content_type=version.content_type,
        size=version.size,
        sha256=version.sha256,
    )


def _detail(request: HttpRequest, family_id: uuid.UUID, document_id: object) -> DocumentDetailOut:
    shown = selectors.document_page(family_access(request, family_id), document_id)
    return DocumentDetailOut(
        **_summary(shown.document, len(shown.versions)).model_dump(),
        versions=[_version_out(v) for v in shown.versions],
    )


def _one_file(request: HttpRequest, uploads: list[UploadedFile]) -> IncomingFile | None:
    """The one file of an upload (none: the service says a file is needed)."""
    if request.content_type not in FORM_TYPES:
        raise HttpError(415, _("Send multipart/form-data here (fields and a `files` part)."))
    ratelimit.hit(request, "upload", cost=len(uploads))
    if len(uploads) > 1:
        raise services.DocumentProblem(_("Send one file at a time."), field="file")
    found = read_uploads(uploads)
    return found[0] if found else None


@router.get(
    "/families/{uuid:family_id}/documents",
    response=answers({200: DocumentPageOut}, 403, 404, 422),
    summary="The family's documents, newest date first (parents, professionals)",
)
def document_list(
    request: HttpRequest, family_id: uuid.UUID, filters: Query[DocumentFilters]
) -> DocumentPageOut:
    access = family_access(request, family_id)
    rows = selectors.documents_list(
        access,
        category=filters.category.value if filters.category else "",
        child=filters.child,
        text=filters.q,
    )
    count = rows.count()
    page = list(rows[filters.offset : filters.offset + filters.limit]) if count else []
    return DocumentPageOut(
        items=[_summary(d, getattr(d, "version_count", 0)) for d in page], count=count
    )


@router.post(
    "/families/{uuid:family_id}/documents/upload",
    response=answers({201: DocumentDetailOut}, 400, 403, 404, 409, 415, 422, 429),
    summary="Add a document with its file (parents; multipart/form-data)",
)
def document_create(
    request: HttpRequest,
    family_id: uuid.UUID,
    title: Annotated[str, Form(..., max_length=TITLE_MAX_CHARS * 10)] = "",
    date: Annotated[Day | None, Form(None)] = None,  # noqa: A002 - the field's own name
    category: Annotated[Category, Form(...)] = Category.OTHER,
    children: Annotated[list[uuid.UUID], Form([], max_length=50)] = [],  # noqa: B006
    uploads: Annotated[
        list[UploadedFile], params.File(..., alias="files", description=FILE_HELP)
    ] = [],  # noqa: B006
    idempotency_key: str | None = key_header(),
) -> Status[DocumentDetailOut]:
    access = family_access(request, family_id)
    access.require_parent()
    file = _one_file(request, uploads)
    with file_problems_as_field_errors("file"):
        made = services.document_add(
            access=access,
            title=title,
            dated=date,
            category=category.value,
            children=children,
            file=file,
            idempotency_key=idempotency_key,
        )
    return Status(201, _detail(request, family_id, made.pk))


@router.get(
    "/families/{uuid:family_id}/documents/{uuid:document_id}",
    response=answers({200: DocumentDetailOut}, 403, 404),
    summary="One document with every version (parents, professionals)",
)
def document_detail(
    request: HttpRequest, family_id: uuid.UUID, document_id: uuid.UUID
) -> DocumentDetailOut:
    return _detail(request, family_id, document_id)


@router.post(
    "/families/{uuid:family_id}/documents/{uuid:document_id}/versions/upload",
    response=answers({201: DocumentVersionOut}, 400, 403, 404, 415, 422, 429),
    summary="Upload a newer file for a document; earlier versions stay (parents; multipart)",
)
def document_version_create(
    request: HttpRequest,
    family_id: uuid.UUID,
    document_id: uuid.UUID,
    uploads: Annotated[
        list[UploadedFile], params.File(..., alias="files", description=FILE_HELP)
    ] = [],  # noqa: B006
) -> Status[DocumentVersionOut]:
    access = family_access(request, family_id)
    access.require_parent()
    document = selectors.get_document(access, document_id)
    file = _one_file(request, uploads)
    with file_problems_as_field_errors("file"):
        version = services.version_add(access=access, document=document, file=file)
    return Status(201, _version_out(version))


@router.get(
    "/families/{uuid:family_id}/documents/{uuid:document_id}/versions/{uuid:version_id}",
    response=answers({200: DocumentFileOut}, 403, 404),
    summary="A version's file with its content (base64) and SHA-256, as kept in the record",
)
def document_version_download(
    request: HttpRequest, family_id: uuid.UUID, document_id: uuid.UUID, version_id: uuid.UUID
) -> DocumentFileOut:
    access = family_access(request, family_id)
    document = selectors.get_document(access, document_id)
    found = selectors.get_version_of(access, document, version_id)
    path = files.path_of(found.stored_name)
    if not path.exists():
        raise Http404("No such file.")
    return DocumentFileOut(
        **_version_out(found).model_dump(),
        content_base64=base64.b64encode(path.read_bytes()).decode("ascii"),
    )
