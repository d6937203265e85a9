"""Reads of the journal. Every query names its reader in the query itself: the author's own
entries (`author=` the reader), or the entries shared with the reading professional's seat. So
an entry of someone else's is the same 404 as a missing id, found by the same single query:
nothing, not even its existence or a difference in timing, reaches the other parent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from coparent.core.when import DEFAULT_LOCALE, format_moment
from coparent.events.models import ChildEvent
from coparent.events.selectors import get_event
from coparent.exchanges.models import Occurrence
from coparent.families.models import Membership
from coparent.families.selectors import FamilyAccess, get_owned, professional_has_access
from coparent.journal.models import Entry, ExportJob, File, LinkKind, Share, Version
from coparent.messaging.selectors import get_thread_for_user, visible_threads
from coparent.requests.models import Request
from coparent.requests.selectors import get_request
from coparent.web.zones import family_zone

PAGE_SIZE = 50


def _latest_share() -> Subquery:
    """The professional seat the latest share row of an entry names (None: not shared)."""
    return Subquery(
        Share.objects.filter(entry=OuterRef("pk")).order_by("-pk").values("professional")[:1]
    )


def own_entries(access: FamilyAccess) -> QuerySet[Entry]:
    """The reader's own entries in this family: a parent's journal. Other roles have none."""
    access.require_parent()
    return Entry.objects.filter(family=access.family, author=access.membership.user)


def shared_entries(access: FamilyAccess) -> QuerySet[Entry]:
    """The entries shared with the reading professional's seat, as long as that seat is the
    latest share of each. (The seat's consent was checked by get_family_access: without it the
    professional reaches no page of the family at all.)"""
    if not access.is_professional:
        return Entry.objects.none()
    return (
        Entry.objects.filter(family=access.family)
        .alias(shared_with=_latest_share())
        .filter(shared_with=access.membership.pk)
    )


def _with_versions(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    return entries.select_related("author").prefetch_related(
        Prefetch(
            "versions",
            queryset=Version.objects.order_by("number").prefetch_related(
                Prefetch("files", queryset=File.objects.order_by("position"))
            ),
        )
    )


def get_own_entry(access: FamilyAccess, entry_id: object) -> Entry:
    """One of the reader's own entries, with its versions and files; 404 for any other."""
    return get_owned(_with_versions(own_entries(access)), access, entry_id)


def get_own_export_job(access: FamilyAccess, job_id: object) -> ExportJob:
    """One of the reader's own journal exports (a parent's); the other parent's, another
    family's or none at all is the same 404, like their entries."""
    access.require_parent()
    mine = ExportJob.objects.filter(requested_by=access.membership.user, shared_author=None)
    return get_owned(mine, access, job_id)


def get_shared_export_job(access: FamilyAccess, job_id: object) -> ExportJob:
    """One of the reading professional's exports of what a parent shared with them; anyone
    else's (another professional's, a parent's own), another family's or none at all is the
    same 404. Parents and viewers: 403, as for "Shared with you"."""
    if not access.is_professional:
        raise PermissionDenied("Only professionals have entries shared with them.")
    mine = ExportJob.objects.filter(
        requested_by=access.membership.user, shared_author__isnull=False
    ).select_related("shared_author")
    return get_owned(mine, access, job_id)


def get_shared_entry(access: FamilyAccess, entry_id: object) -> Entry:
    """An entry shared with the reading professional; 404 for any other."""
    if not access.is_professional:
        raise Http404("No such entry.")
    return get_owned(_with_versions(shared_entries(access)), access, entry_id)


def get_own_file(access: FamilyAccess, file_id: object) -> File:
    return get_owned(
        File.objects.filter(version__entry__author=access.membership.user)
        if access.is_parent
        else File.objects.none(),
        access,
        file_id,
    )


def get_shared_file(access: FamilyAccess, file_id: object) -> File:
    return get_owned(
        File.objects.filter(version__entry__in=shared_entries(access).values("pk")),
        access,
        file_id,
    )


def latest_versions(entries: QuerySet[Entry]) -> QuerySet[Version]:
    """The current version (the latest correction) of each of `entries`, newest day first."""
    newer = Version.objects.filter(entry=OuterRef("entry"), number__gt=OuterRef("number"))
    return (
        Version.objects.filter(entry__in=entries.values("pk"))
        .filter(~Exists(newer))
        .order_by("-happened_on", "-written_at", "pk")
    )


def search(versions: QuerySet[Version], *, words: str = "", tag: str = "") -> QuerySet[Version]:
    """The reader's own search: every word in the text or the tags, and the tag if one."""
    for word in words.split()[:10]:
        versions = versions.filter(Q(text__icontains=word) | Q(tag_line__icontains=word))
    if tag.strip():
        versions = versions.filter(tag_line__contains=f"|{tag.strip().lower()}|")
    return versions


def own_tags(access: FamilyAccess) -> list[str]:
    """Every tag of the reader's current versions, for the filter (one query)."""
    tags: set[str] = set()
    for line in latest_versions(own_entries(access)).values_list("tag_line", flat=True):
        tags.update(t for t in line.split("|") if t)
    return sorted(tags)


def shareable_professionals(access: FamilyAccess) -> list[Membership]:
    """The professionals an author may share with: active seats every parent consents to."""
    access.require_parent()
    return [
        m
        for m in Membership.objects.active()
        .professionals()
        .filter(family=access.family)
        .select_related("user")
        .order_by("joined_at")
        if professional_has_access(m)
    ]


@dataclass(frozen=True)
class ShareState:
    professional: Membership | None
    # False when the seat has ended or lost a parent's consent: the entry is not read by anyone.
    active: bool


def share_state(access: FamilyAccess, entry: Entry) -> ShareState:
    latest = (
        Share.objects.filter(entry=entry, family=access.family)
        .select_related("professional__user")
        .order_by("-pk")
        .first()
    )
    if latest is None or latest.professional is None:
        return ShareState(None, False)
    return ShareState(latest.professional, professional_has_access(latest.professional))


@dataclass(frozen=True)
class LinkTarget:
    kind: str
    id: str
    label: str


def link_target(access: FamilyAccess, kind: str, target_id: object) -> LinkTarget:
    """What an entry may link to, found through the author's own access: an object of another
    family, or one the author cannot see, is the usual 404."""
    if kind == LinkKind.EXCHANGE:
        access.require_shared()
        occurrence = get_owned(Occurrence.objects.all(), access, target_id)
        when = format_moment(occurrence.planned_at, family_zone(access.family), DEFAULT_LOCALE)
        return LinkTarget(kind, str(occurrence.pk), f"Exchange {when}")
    if kind == LinkKind.EVENT:
        event = get_event(access, target_id)
        return LinkTarget(kind, str(event.pk), event.title)
    if kind == LinkKind.THREAD:
        thread = get_thread_for_user(access, target_id)
        return LinkTarget(kind, str(thread.pk), thread.subject)
    if kind == LinkKind.REQUEST:
        request = get_request(access, target_id)
        return LinkTarget(kind, str(request.pk), request.title)
    raise Http404("No such link.")


@dataclass
class EntryPage:
    entry: Entry
    versions: list[Version]
    share: ShareState
    professionals: list[Membership] = field(default_factory=list)

    @property
    def current(self) -> Version:
        return self.versions[-1]


def entry_page(access: FamilyAccess, entry_id: object) -> EntryPage:
    entry = get_own_entry(access, entry_id)
    return EntryPage(
        entry=entry,
        versions=list(entry.versions.all()),
        share=share_state(access, entry),
        professionals=shareable_professionals(access),
    )


def shared_entry_page(access: FamilyAccess, entry_id: object) -> EntryPage:
    entry = get_shared_entry(access, entry_id)
    return EntryPage(
        entry=entry, versions=list(entry.versions.all()), share=ShareState(access.membership, True)
    )


PICKER_SIZE = 15


def link_choices(access: FamilyAccess) -> list[tuple[str, list[tuple[str, str]]]]:
    """What the new-entry form offers to link to: the latest of each kind the author can see,
    as ("kind:id", label) grouped by kind (four queries)."""
    zone = family_zone(access.family)
    exchanges = Occurrence.objects.filter(family=access.family).order_by("-planned_at")
    events = ChildEvent.objects.filter(family=access.family).order_by("-starts_at")
    requests = Request.objects.filter(family=access.family).order_by("-created_at")
    threads = visible_threads(access).order_by("-last_message_at")
    return [
        (
            str(LinkKind.EXCHANGE.label),
            [
                (f"exchange:{o.pk}", format_moment(o.planned_at, zone, DEFAULT_LOCALE))
                for o in exchanges[:PICKER_SIZE]
            ],
        ),
        (str(LinkKind.EVENT.label), [(f"event:{e.pk}", e.title) for e in events[:PICKER_SIZE]]),
        (
            str(LinkKind.THREAD.label),
            [(f"thread:{t.pk}", t.subject) for t in threads[:PICKER_SIZE]],
        ),
        (
            str(LinkKind.REQUEST.label),
            [(f"request:{r.pk}", r.title) for r in requests[:PICKER_SIZE]],
        ),
    ]


def own_versions_between(access: FamilyAccess, first: date, stop: date) -> list[Version]:
    """Every version (first writing and corrections) of the reader's own entries about the
    local days [first, stop), by day then entry: the journal section of their own export (one
    query). Only a parent has a journal; anyone else gets none, never another's."""
    if not access.is_parent:
        return []
    return list(
        Version.objects.filter(
            entry__in=own_entries(access).values("pk"),
            happened_on__gte=first,
            happened_on__lt=stop,
        ).order_by("happened_on", "entry__created_at", "entry_id", "number")
    )
