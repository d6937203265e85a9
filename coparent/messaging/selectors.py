"""Reads of messages. The one access path (STYLE.md 4): everything starts from a FamilyAccess
(the user's active seat, 404 otherwise) and then from the threads that user takes part in.

- a viewer sees no messages: every selector starts with `access.require_shared()` (403);
- a professional enters the family only with both parents' consent (else 404, by
  get_family_access) and sees only the threads they were included in;
- another family's thread, message or attachment is a 404, like a missing one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from coparent.accounts.models import User
from coparent.core.schedule import local_midnight
from coparent.families.models import Family, Membership
from coparent.families.selectors import FamilyAccess, get_owned, parse_pk, professional_has_access
from coparent.infra.rows import Columns, convert, db_value
from coparent.messaging import search
from coparent.messaging import shield as shieldlib
from coparent.messaging.models import (
    Attachment,
    Message,
    MessageDelivery,
    MessageView,
    NotificationSetting,
    Thread,
    ThreadParticipant,
)
from coparent.messaging.shield import FoldCache, Segment, shield_enabled
from coparent.records.models import RecordEntry

THREAD_PAGE = 100
SEARCH_LIMIT = 50


def _user(access: FamilyAccess) -> User:
    return access.membership.user


def visible_threads(access: FamilyAccess) -> QuerySet[Thread]:
    """The family's threads the requesting user takes part in."""
    access.require_shared()
    return Thread.objects.filter(
        family=access.family,
        pk__in=ThreadParticipant.objects.filter(family=access.family, user=_user(access)).values(
            "thread_id"
        ),
    )


def record_entries_readable(
    family: Family, user: User, datas: Sequence[Mapping[str, Any]]
) -> list[bool]:
    """Which message entries of the record (`message.sent`, `message.viewed`) `user` may read
    in full: those of the conversations they take part in, as for the threads themselves
    (records.disclosure asks; one query)."""
    mine = {
        str(thread_id)
        for thread_id in ThreadParticipant.objects.filter(family=family, user=user).values_list(
            "thread_id", flat=True
        )
    }
    return [str(data.get("thread")) in mine for data in datas]


def get_thread_for_user(access: FamilyAccess, thread_id: object) -> Thread:
    """One thread of the family that the user takes part in; 404 for any other."""
    return get_owned(visible_threads(access).select_related("created_by"), access, thread_id)


def _unread_deliveries(access: FamilyAccess) -> QuerySet[MessageDelivery]:
    user = _user(access)
    return MessageDelivery.objects.filter(family=access.family, recipient=user).exclude(
        Exists(MessageView.objects.filter(message_id=OuterRef("message_id"), user=user))
    )


def unread_count(access: FamilyAccess) -> int:
    """Messages delivered to the user and not yet opened (one query)."""
    if not access.can_read_shared:
        return 0
    return _unread_deliveries(access).count()


@dataclass(frozen=True)
class InboxCounts:
    threads: int
    unread: int
    # What the inbox's list of conversations is made of, for its cached fragment (views.inbox,
    # docs/operations.md "The inbox's list, cached"); read only when asked (`versions=True`).
    record_head: int | None = None  # the family record's last seq: every message and first view
    names: str | None = None  # the family's members' ids and names, as one text


_INBOX_THREADS_SQL = (
    "SELECT COUNT(*) FROM messaging_thread t WHERE t.family_id = %s AND t.id IN"
    " (SELECT p.thread_id FROM messaging_threadparticipant p"
    " WHERE p.user_id = %s AND p.family_id = %s)"
)
_INBOX_UNREAD_SQL = (
    "SELECT COUNT(*) FROM messaging_messagedelivery d"
    " WHERE d.recipient_id = %s AND d.family_id = %s"
    " AND NOT EXISTS (SELECT 1 FROM messaging_messageview v"
    " WHERE v.message_id = d.message_id AND v.user_id = %s)"
)
# The head of the family's record, by its unique (family, seq) index: one step down the index.
_RECORD_HEAD_SQL = f"SELECT MAX(r.seq) FROM {RecordEntry._meta.db_table} r WHERE r.family_id = %s"  # noqa: S608 - table name from the model


@cache
def _member_names_sql(vendor: str) -> str:
    """Every person who ever held a seat in the family (a thread's participants are always
    among them: a seat ends, it is never deleted), as one text of `id:length:name` in id
    order; the length keeps any name from reading as two. No record entry covers a change of
    name, so the names themselves are the version."""
    item = "u.id || ':' || LENGTH(u.display_name) || ':' || u.display_name"
    members = f"SELECT m.user_id FROM {Membership._meta.db_table} m WHERE m.family_id = %s"  # noqa: S608 - table names from the models
    table = User._meta.db_table
    if vendor == "postgresql":
        return (
            f"SELECT STRING_AGG({item}, ',' ORDER BY u.id) FROM {table} u"  # noqa: S608 - table names from the models
            f" WHERE u.id IN ({members})"
        )
    # SQLite: group_concat keeps the order of the rows it is given.
    return (
        f"SELECT GROUP_CONCAT(x, ',') FROM (SELECT {item} AS x FROM {table} u"  # noqa: S608 - table names from the models
        f" WHERE u.id IN ({members}) ORDER BY u.id)"
    )


def inbox_counts(
    access: FamilyAccess, *, topic: str | None = None, versions: bool = False
) -> InboxCounts:
    """The inbox's two numbers in one query: the threads it lists (for the pager, as
    `visible_threads`) and the messages waiting for the user (the badge, as `unread_count`).
    Written as SQL, like the inbox's per-thread figures (`threads_for_user`): the ORM's two
    counted subqueries cost more to build than to run.

    With `versions`, the same query also reads what the inbox's cached list is keyed by: the
    record's head (every message sent, every first view and every new seat appends an entry
    in the same transaction as its rows) and the members' names."""
    access.require_shared()
    uid = _user(access).pk
    fid = _family_id(access)
    threads_sql, threads_params = _INBOX_THREADS_SQL, [fid, uid, fid]
    if topic:
        threads_sql += " AND t.topic = %s"
        threads_params.append(topic)
    sql = f"SELECT ({threads_sql}), ({_INBOX_UNREAD_SQL})"
    params = [*threads_params, uid, fid, uid]
    if versions:
        sql += f", ({_RECORD_HEAD_SQL}), ({_member_names_sql(connection.vendor)})"
        params += [fid, fid]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if versions:
        return InboxCounts(threads=row[0], unread=row[1], record_head=row[2], names=row[3])
    return InboxCounts(threads=row[0], unread=row[1])


def _family_id(access: FamilyAccess) -> Any:
    """The family's key as the database stores it (a UUID is text on SQLite), for SQL written
    by hand."""
    return Family._meta.get_field("id").get_db_prep_value(access.family.pk, connection)


# The inbox's two figures per thread, as SQL the database reads as written: the same counts as
# `_unread_deliveries` and `Message` grouped by thread would give, without the ORM building
# and compiling two correlated subqueries on every inbox request (most of its cost; issue #17,
# point 2). The outer table keeps its own name (Django aliases only a table joined twice).
_THREAD_UNREAD_SQL = (
    "SELECT COUNT(*) FROM messaging_messagedelivery d"
    " WHERE d.recipient_id = %s AND d.family_id = %s AND d.thread_id = messaging_thread.id"
    " AND NOT EXISTS (SELECT 1 FROM messaging_messageview v"
    " WHERE v.message_id = d.message_id AND v.user_id = %s)"
)
_THREAD_MESSAGES_SQL = (
    "SELECT COUNT(*) FROM messaging_message m WHERE m.thread_id = messaging_thread.id"
)


def threads_for_user(
    access: FamilyAccess, *, topic: str | None = None, participants: bool = True
) -> QuerySet[Thread]:
    """The inbox: threads newest activity first, each with its message count, the user's unread
    count and, unless `participants=False`, the other participants as `others` (one query, plus
    one for the participants when evaluated). The API's list names no participant, so it asks
    for none and saves that query and its building (issue #17, "The cost of a request")."""
    user = _user(access)
    family_id = _family_id(access)
    threads = visible_threads(access)
    if topic:
        threads = threads.filter(topic=topic)
    threads = (
        threads.annotate(
            unread=RawSQL(  # noqa: S611 - constant SQL, values as parameters
                _THREAD_UNREAD_SQL, (user.pk, family_id, user.pk), output_field=IntegerField()
            ),
            message_count=RawSQL(  # noqa: S611 - constant SQL
                _THREAD_MESSAGES_SQL, (), output_field=IntegerField()
            ),
        )
        .select_related("created_by")
        .order_by("-last_message_at", "-created_at")
    )
    if not participants:
        return threads
    return threads.prefetch_related(
        Prefetch(
            "participants",
            # Only the columns the inbox shows (each other's name): a user row has many more,
            # each one compiled, read and set on every request.
            queryset=ThreadParticipant.objects.select_related("user")
            .only("thread_id", "user__display_name")
            .exclude(user=user)
            .order_by("added_at", "pk"),
            to_attr="others",
        )
    )


_THREAD = Columns(Thread, "messaging_thread")
_THREAD_AUTHOR = Columns(User, "u")


@cache
def _thread_rows_sql(topic: bool) -> str:
    """`threads_for_user(participants=False)`'s query, as SQL: the page's threads with their
    author, unread count and message count, newest activity first."""
    return (
        f"SELECT {_THREAD.sql}, {_THREAD_AUTHOR.sql},"  # noqa: S608 - columns from the models, values as parameters
        f" ({_THREAD_UNREAD_SQL}), ({_THREAD_MESSAGES_SQL})"
        f" FROM {Thread._meta.db_table} messaging_thread"
        f" INNER JOIN {User._meta.db_table} u ON u.id = messaging_thread.created_by_id"
        " WHERE messaging_thread.family_id = %s AND messaging_thread.id IN"
        " (SELECT p.thread_id FROM messaging_threadparticipant p"
        " WHERE p.user_id = %s AND p.family_id = %s)"
        + (" AND messaging_thread.topic = %s" if topic else "")
        + " ORDER BY messaging_thread.last_message_at DESC, messaging_thread.created_at DESC"
        " LIMIT %s OFFSET %s"
    )


class ThreadRows:
    """The API's conversation list: the threads `threads_for_user(access, topic=…,
    participants=False)` gives, in the same order with the same `unread`, `message_count` and
    `created_by`, read by SQL written once. The list is on every app's first screen, and the
    ORM's building of that query cost more than the database's answer (issue #17, "The cost of
    a request"). Sliced like the QuerySet (one query for the page) and counted like it."""

    def __init__(
        self, access: FamilyAccess, *, topic: str | None = None, participants: bool = False
    ) -> None:
        access.require_shared()
        self.access = access
        self.topic = topic or None
        self.participants = participants

    def all(self) -> ThreadRows:
        return self

    def count(self) -> int:
        return inbox_counts(self.access, topic=self.topic).threads

    def __getitem__(self, page: slice) -> list[Thread]:
        offset = page.start or 0
        if page.stop is None or page.step is not None or page.stop < offset:
            raise ValueError("ThreadRows takes a page: [offset:stop]")
        uid = _user(self.access).pk
        fid = _family_id(self.access)
        params: list[Any] = [uid, fid, uid, fid, uid, fid]
        if self.topic:
            params.append(self.topic)
        params += [page.stop - offset, offset]
        with connection.cursor() as cursor:
            cursor.execute(_thread_rows_sql(bool(self.topic)), params)
            rows = cursor.fetchall()
        using = connection.alias
        threads = []
        author_at = len(_THREAD)
        counts_at = author_at + len(_THREAD_AUTHOR)
        for row in rows:
            thread = _THREAD.build(row, 0, using)
            thread.created_by = _THREAD_AUTHOR.build(row, author_at, using)
            thread.unread = row[counts_at]  # type: ignore[attr-defined]  # as the QuerySet's annotation
            thread.message_count = row[counts_at + 1]  # type: ignore[attr-defined]  # as the QuerySet's annotation
            threads.append(thread)
        if self.participants and threads:
            _add_others(threads, uid, using)
        return threads


def _add_others(threads: list[Thread], user_id: int, using: str) -> None:
    """Each thread's other participants as `others`, oldest first, with their names only: what
    `threads_for_user`'s prefetch gives (one query for the page)."""
    by_pk = {thread.pk: thread for thread in threads}
    for thread in threads:
        thread.others = []  # type: ignore[attr-defined]  # as the QuerySet's to_attr prefetch
    key = Thread._meta.pk
    marks = ", ".join(["%s"] * len(threads))
    sql = (
        "SELECT p.id, p.thread_id, p.user_id, u.display_name"  # noqa: S608 - table names from the models, values as parameters
        f" FROM {ThreadParticipant._meta.db_table} p"
        f" INNER JOIN {User._meta.db_table} u ON u.id = p.user_id"
        f" WHERE p.thread_id IN ({marks}) AND NOT (p.user_id = %s)"
        " ORDER BY p.added_at ASC, p.id ASC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(db_value(key, pk, using) for pk in by_pk), user_id])
        rows = cursor.fetchall()
    thread_field = ThreadParticipant._meta.get_field("thread")
    for pk, thread_id, uid, name in rows:
        # Instances with only these columns, as `.only("thread_id", "user__display_name")`.
        seat = ThreadParticipant.from_db(
            using,
            ["id", "thread_id", "user_id"],
            [pk, convert(thread_field, thread_id, using), uid],
        )
        seat.user = User.from_db(using, ["id", "display_name"], [uid, name])
        by_pk[seat.thread_id].others.append(seat)  # type: ignore[attr-defined]  # set above


@dataclass(frozen=True)
class Receipt:
    recipient: User
    delivered_at: datetime
    viewed_at: datetime | None


@dataclass(frozen=True)
class MessageRow:
    message: Message
    receipts: list[Receipt]
    attachments: list[Attachment]
    reply_after: timedelta | None  # time since the other person's message this answers
    is_mine: bool
    # With the viewer's shield on, someone else's message with hostile wording, cut into
    # (piece, folded) pieces for the template; None means: show the text as it is.
    segments: tuple[Segment, ...] | None = None


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    participants: list[User]
    rows: list[MessageRow]
    older_than: int | None  # the id to page back from, when older messages exist
    viewer_id: int
    reply_times: dict[str, timedelta] = field(default_factory=dict)  # median, by name
    shield: bool = False  # the viewer's shield is on
    # Offer the viewer the shield ("Fold wording like this in future?"): it is off, they never
    # chose, and this page is their first receipt of a message the coach rates hostile.
    shield_offer: bool = False

    @property
    def folded(self) -> bool:
        """Whether the shield folded anything on this page."""
        return any(row.segments for row in self.rows)

    @property
    def unviewed_ids(self) -> list[int]:
        """Messages on this page delivered to the viewer and not yet opened by them."""
        return [
            row.message.pk
            for row in self.rows
            for r in row.receipts
            if r.viewed_at is None and r.recipient.pk == self.viewer_id
        ]


def thread_page(
    access: FamilyAccess,
    thread: Thread,
    *,
    before: int | None = None,
    size: int = THREAD_PAGE,
    folds: FoldCache | None = None,
) -> ThreadPage:
    """The latest `size` messages of `thread` (or those before message id `before`), oldest
    first, each with every recipient's delivery and first view and its attachments.

    With the viewer's shield on, each message written by someone else comes cut into pieces
    with its hostile wording folded (`MessageRow.segments`; the coach reads each text once,
    through `folds`, which a caller may share across one request). The messages themselves are
    never changed.

    Queries: participants with their users (and their message settings, which hold the
    viewer's shield: the viewer is always a participant); the page of messages with senders;
    then one each for attachments, deliveries (with recipients) and views — five, however
    long, shield on or off."""
    user = _user(access)
    participants = [
        p.user
        for p in ThreadParticipant.objects.filter(thread=thread)
        .select_related("user", "user__message_notifications")
        .order_by("added_at", "pk")
    ]
    viewer = next((p for p in participants if p.pk == user.pk), None)
    shield = viewer is not None and shield_enabled(viewer)
    may_offer = viewer is not None and shieldlib.offer_open(viewer)
    folds = folds if folds is not None else FoldCache()
    messages = Message.objects.filter(thread=thread, family=access.family)
    if before is not None:
        messages = messages.filter(pk__lt=before)
    page = list(
        messages.select_related("sender")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "pk")),
            Prefetch(
                "deliveries",
                queryset=MessageDelivery.objects.select_related("recipient").order_by("pk"),
            ),
            Prefetch("views", queryset=MessageView.objects.order_by("pk")),
        )
        .order_by("-created_at", "-pk")[: size + 1]
    )
    older_than = None
    if len(page) > size:
        page = page[:size]
        older_than = page[-1].pk
    page.reverse()
    rows: list[MessageRow] = []
    replies: dict[str, list[timedelta]] = {}
    previous: Message | None = None
    for message in page:
        views = {v.user_id: v.viewed_at for v in message.views.all()}
        receipts = [
            Receipt(
                recipient=d.recipient,
                delivered_at=d.delivered_at,
                viewed_at=views.get(d.recipient_id),
            )
            for d in message.deliveries.all()
        ]
        reply_after = None
        if previous is not None and previous.sender_id != message.sender_id:
            reply_after = message.created_at - previous.created_at
            replies.setdefault(message.sender.display_name, []).append(reply_after)
        is_mine = message.sender_id == user.pk
        rows.append(
            MessageRow(
                message=message,
                receipts=receipts,
                attachments=list(message.attachments.all()),
                reply_after=reply_after,
                is_mine=is_mine,
                # The shield folds what others wrote to the viewer, never their own words.
                segments=folds.segments(message) if shield and not is_mine else None,
            )
        )
        previous = message
    page_out = ThreadPage(
        thread=thread,
        participants=participants,
        rows=rows,
        older_than=older_than,
        viewer_id=user.pk,
        reply_times={name: median(times) for name, times in replies.items()},  # type: ignore[type-var]  # median() takes timedeltas; typeshed says numbers only
        shield=shield,
    )
    if may_offer:
        # The coach reads only what the viewer receives for the first time (never their own
        # words), and only until they answer: after that, this costs nothing.
        first = set(page_out.unviewed_ids)
        offer = any(
            shieldlib.offers_shield(row.message.body)
            for row in rows
            if not row.is_mine and row.message.pk in first
        )
        page_out = replace(page_out, shield_offer=offer)
    return page_out


def thread_messages(
    access: FamilyAccess, thread: Thread, *, since_id: int | None = None
) -> QuerySet[Message]:
    """A thread's messages oldest first, for the API's pages (with senders, attachments,
    deliveries and views prefetched)."""
    messages = Message.objects.filter(thread=thread, family=access.family)
    if since_id is not None:
        messages = messages.filter(pk__gt=since_id)
    return (
        messages.select_related("sender")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "pk")),
            Prefetch(
                "deliveries",
                queryset=MessageDelivery.objects.select_related("recipient").order_by("pk"),
            ),
            Prefetch("views", queryset=MessageView.objects.order_by("pk")),
        )
        .order_by("created_at", "pk")
    )


def get_message_for_user(access: FamilyAccess, message_id: object) -> Message:
    return get_owned(
        Message.objects.filter(thread__in=visible_threads(access).values("pk")).select_related(
            "sender", "thread"
        ),
        access,
        message_id,
    )


def get_attachment_for_user(access: FamilyAccess, attachment_id: object) -> Attachment:
    """An attachment of a message in a thread the user takes part in; 404 otherwise."""
    return get_owned(
        Attachment.objects.filter(message__thread__in=visible_threads(access).values("pk")),
        access,
        attachment_id,
    )


def professionals_with_access(access: FamilyAccess) -> list[Membership]:
    """Professionals a parent may include in a new thread: both parents consented."""
    access.require_shared()
    return [
        m
        for m in Membership.objects.active()
        .professionals()
        .filter(family=access.family)
        .select_related("user")
        .order_by("joined_at")
        if professional_has_access(m)
    ]


def get_professional(access: FamilyAccess, membership_id: object) -> Membership:
    mid = parse_pk(Membership, membership_id)
    for membership in professionals_with_access(access):
        if membership.pk == mid:
            return membership
    raise Http404("No such member.")


def message_people(access: FamilyAccess) -> QuerySet[User]:
    """Everyone who ever sent a message in a thread the user takes part in (search filter)."""
    return User.objects.filter(
        pk__in=Message.objects.filter(
            family=access.family, thread__in=visible_threads(access).values("pk")
        ).values("sender_id")
    ).order_by("display_name", "pk")


def notification_setting(user: User) -> NotificationSetting:
    """The user's reading setting (the shield), or the default (off) when never changed."""
    return NotificationSetting.objects.filter(user=user).first() or NotificationSetting(user=user)


# --- Search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    message: Message
    snippet: SafeString  # escaped text with <mark> around every match
    # (start, end) of every match in the whole text, code points (the API's `matches`).
    matches: tuple[tuple[int, int], ...] = ()


def _word_filter(terms: list[search.Term]) -> Q | None:
    words = [t for t in terms if t.is_words]
    if not words:
        return None
    if connection.vendor == "sqlite":
        return Q(
            pk__in=RawSQL(
                "SELECT rowid FROM messaging_message_fts WHERE messaging_message_fts MATCH %s",
                [search.fts5_expression(words)],
            )
        )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        # One to_tsquery of quoted lexemes (search.tsquery_expression): phrases as `<->`, a
        # bare word's last lexeme as a prefix (`:*`); nothing typed is read as syntax.
        query = SearchQuery(search.tsquery_expression(words), search_type="raw", config="simple")
        # Matches the expression of the GIN index made in migration 0002.
        return Q(pk__in=_pg_matches(SearchVector("body", config="simple"), query))
    raise RuntimeError(f"message search supports SQLite and PostgreSQL, not {connection.vendor}")


def _pg_matches(vector: object, query: object) -> QuerySet[Message, dict[str, Any]]:
    return Message.objects.annotate(search=vector).filter(search=query).values("pk")


def search_messages(
    access: FamilyAccess,
    query: str,
    *,
    sender_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = SEARCH_LIMIT,
    shield: bool = False,
    zone: ZoneInfo | None = None,
) -> list[SearchHit]:
    """Messages of the user's own threads matching every word and "phrase" of `query` (a bare
    word as a prefix, a quoted one whole; any case; see coparent.messaging.search), newest
    first, at most `limit`, each with a highlighted snippet and its matches. Dates are
    calendar days in `zone` (the family's on the page; UTC by default, as the API documents),
    both ends included. One query. With `shield` (the
    searcher's shield is on), a snippet of someone else's message folds what the thread page
    folds."""
    terms = search.parse(query)
    messages = Message.objects.filter(
        family=access.family, thread__in=visible_threads(access).values("pk")
    )
    if not terms and sender_id is None and date_from is None and date_to is None:
        return []
    words = _word_filter(terms)
    if words is not None:
        messages = messages.filter(words)
    for term in terms:
        if not term.is_words:
            messages = messages.filter(body__contains=term.text)
    if sender_id is not None:
        messages = messages.filter(sender_id=sender_id)
    zone = zone or ZoneInfo("UTC")
    if date_from is not None:
        messages = messages.filter(created_at__gte=local_midnight(zone, date_from))
    if date_to is not None:
        messages = messages.filter(created_at__lt=local_midnight(zone, date_to + timedelta(days=1)))
    found = messages.select_related("sender", "thread").order_by("-created_at", "-pk")[:limit]
    reader = access.membership.user_id
    label = gettext("Show original wording")
    hits = []
    for m in found:
        folds = (
            shieldlib.folds_for(m.body)
            if shieldlib.applies(reader=reader, sender_id=m.sender_id, enabled=shield)
            else []
        )
        spans = search.matches(m.body, terms)
        snippet = search.highlight(m.body, terms, folds=folds, fold_label=label, spans=spans)
        hits.append(
            SearchHit(
                message=m,
                snippet=mark_safe(snippet),  # noqa: S308 - escaped by highlight()
                matches=tuple(spans),
            )
        )
    return hits


def attachments_for_report(access: FamilyAccess) -> dict[str, Attachment]:
    """Every attachment of the conversations the reader takes part in, by id (one query): the
    record's PDF shows the photos of the messages it prints (coparent.messaging.report)."""
    rows = Attachment.objects.filter(
        family=access.family, message__thread__in=visible_threads(access).values("pk")
    ).only("pk", "name", "content_type", "size", "stored_name")
    return {str(row.pk): row for row in rows}
