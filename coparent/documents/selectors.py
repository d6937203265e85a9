"""Reads of the family's documents folder. Parents and consented professionals read it; a
viewer (a nanny) sees no documents at all (403 on every page and operation); another family's
document is the same 404 as a missing one (get_owned)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, QuerySet

from coparent.documents.models import Document, DocumentChild, DocumentVersion
from coparent.families.models import Child
from coparent.families.selectors import FamilyAccess, children_of, get_owned

PAGE_SIZE = 20


def _documents(access: FamilyAccess) -> QuerySet[Document]:
    return (
        Document.objects.filter(family=access.family)
        .select_related("created_by")
        .prefetch_related(Prefetch("children", queryset=Child.objects.order_by("date_of_birth")))
    )


def documents_list(
    access: FamilyAccess,
    *,
    category: str = "",
    child: uuid.UUID | None = None,
    text: str = "",
) -> QuerySet[Document]:
    """The folder, newest document date first, narrowed to a `category`, a `child` and words of
    the title; each with its number of versions and its latest upload (`version_count`,
    `last_upload_at`) read in the same query, its children in one more for the whole page."""
    access.require_shared()
    rows = _documents(access)
    if category:
        rows = rows.filter(category=category)
    if child is not None:
        rows = rows.filter(
            pk__in=DocumentChild.objects.filter(family=access.family, child_id=child).values(
                "document_id"
            )
        )
    for word in text.split():
        rows = rows.filter(title__icontains=word)
    return rows.annotate(
        version_count=Count("versions", distinct=True),
        last_upload_at=Max("versions__created_at"),
    ).order_by("-dated", "-created_at", "pk")


def get_document(access: FamilyAccess, document_id: object) -> Document:
    access.require_shared()
    return get_owned(_documents(access), access, document_id)


def versions_of(document: Document) -> list[DocumentVersion]:
    """Every version of a document, newest first, with who uploaded it."""
    return list(
        DocumentVersion.objects.filter(family_id=document.family_id, document=document)
        .select_related("uploaded_by")
        .order_by("-number")
    )


def get_version(access: FamilyAccess, version_id: object) -> DocumentVersion:
    """One version's file: parents and consented professionals, like the folder."""
    access.require_shared()
    return get_owned(DocumentVersion.objects.all(), access, version_id)


def get_version_of(access: FamilyAccess, document: Document, version_id: object) -> DocumentVersion:
    """A version of `document` (a version of another document is a 404 here)."""
    access.require_shared()
    return get_owned(DocumentVersion.objects.filter(document=document), access, version_id)


@dataclass(frozen=True)
class DocumentPage:
    document: Document
    versions: list[DocumentVersion]

    @property
    def latest(self) -> DocumentVersion | None:
        return self.versions[0] if self.versions else None


def document_page(access: FamilyAccess, document_id: object) -> DocumentPage:
    document = get_document(access, document_id)
    return DocumentPage(document=document, versions=versions_of(document))


def family_children(access: FamilyAccess) -> list[Child]:
    """The children a document may concern: the family's own, oldest first."""
    return list(children_of(access))
