"""What each fact of the record tells whom: the notifications an entry makes.

`SOURCES` maps a record entry's kind to a function that reads what it needs (the entry's own
data, the object it names) and returns a `Draft` per person to tell, never the one who acted.
The texts carry no message's words (core.notify): "New message from Alex in “School”".
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.agreements.models import ClauseSignature
from coparent.core import infobank
from coparent.core.notify import Kind
from coparent.core.when import DEFAULT_LOCALE, format_day, format_moment, zone_abbreviation
from coparent.core.zones import zone_or_utc
from coparent.documents.models import category_label as document_category
from coparent.events.models import Answer, ChildEvent
from coparent.exchanges.models import Occurrence
from coparent.exchanges.selectors import key_of
from coparent.families.models import Membership
from coparent.families.selectors import professional_has_access
from coparent.messaging.models import Thread
from coparent.records.models import Kind as EntryKind
from coparent.records.models import RecordEntry
from coparent.requests.models import Request
from coparent.schedule.models import PlanVersion


@dataclass(frozen=True)
class Draft:
    """A notification before it is stored: to whom, what kind, what about (`key`), the words
    and the link."""

    family_id: Any
    recipient_id: int
    kind: Kind
    key: str
    title: str
    body: str
    url: str
    actor_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


# The locale the texts being written follow: the recipients' (User.locale), set by
# `in_locales` around each run of a source.
_writing_locale: ContextVar[str] = ContextVar(
    "coparent_notification_locale", default=DEFAULT_LOCALE
)


def when(moment: datetime, zone: ZoneInfo | str) -> str:
    """A moment as a notification says it: the local day and time with the zone's short name
    ("Mon, May 6, 6:00 PM CDT"), in the zone of the plan or the event it belongs to, the way
    its recipient's locale writes it. The text is written once for every channel."""
    place = ZoneInfo(zone) if isinstance(zone, str) else zone
    shown = format_moment(moment, place, _writing_locale.get(), style="weekday")
    return f"{shown} {zone_abbreviation(place, moment)}"


def day(value: date) -> str:
    return format_day(value, _writing_locale.get(), "weekday_year")


def in_locales(make: Callable[[], list[Draft]]) -> list[Draft]:
    """The drafts `make` writes, each in its recipient's locale. `make` runs once in the
    default locale; only when some recipients read dates another way does it run again in
    theirs (sources only read), and each of them gets the draft written for them."""
    drafts = make()
    if not drafts:
        return drafts
    locales = dict(
        User.objects.filter(pk__in={d.recipient_id for d in drafts}).values_list("pk", "locale")
    )
    others = {locales.get(d.recipient_id, DEFAULT_LOCALE) for d in drafts} - {DEFAULT_LOCALE}
    if not others:
        return drafts
    written: dict[tuple[str, int, str], Draft] = {}
    for locale in sorted(others):
        token = _writing_locale.set(locale)
        try:
            for draft in make():
                written[(locale, draft.recipient_id, draft.key)] = draft
        finally:
            _writing_locale.reset(token)
    return [
        written.get((locales.get(d.recipient_id, DEFAULT_LOCALE), d.recipient_id, d.key), d)
        for d in drafts
    ]


def _parents_except(family_id: Any, actor_id: int | None) -> list[int]:
    parents = (
        Membership.objects.active().parents().filter(family_id=family_id, user__is_active=True)
    )
    if actor_id is not None:
        parents = parents.exclude(user_id=actor_id)
    return list(parents.values_list("user_id", flat=True))


def _is_active_member(family_id: Any, user_id: int) -> bool:
    return (
        Membership.objects.active()
        .filter(family_id=family_id, user_id=user_id, user__is_active=True)
        .exists()
    )


def _actor_name(entry: RecordEntry) -> str:
    return entry.actor.display_name if entry.actor is not None else _("Someone")


def _drafts(
    entry: RecordEntry, recipients: list[int], *, data: dict[str, Any] | None = None, **fields: Any
) -> list[Draft]:
    """One draft per recipient about `entry`, keyed by it (so each person is told once)."""
    return [
        Draft(
            family_id=entry.family_id,
            recipient_id=uid,
            key=f"entry:{entry.pk}",
            actor_id=entry.actor_id,
            data={"entry": entry.pk, **(data or {})},
            **fields,
        )
        for uid in recipients
    ]


# --- plan proposals and answers ---------------------------------------------------------------


def _proposals_url(entry: RecordEntry) -> str:
    return reverse("schedule:proposals", kwargs={"family_id": entry.family_id})


def _plan_proposed(entry: RecordEntry) -> list[Draft]:
    first = entry.data.get("version") == 1
    title = (
        _("%(name)s proposed a parenting plan")
        if first
        else _("%(name)s proposed a change to the parenting plan")
    ) % {"name": _actor_name(entry)}
    body = _("From %(date)s. Accept or decline it.") % {
        "date": day(date.fromisoformat(entry.data["effective_from"]))
    }
    return _drafts(
        entry,
        _parents_except(entry.family_id, entry.actor_id),
        kind=Kind.PROPOSAL,
        title=title,
        body=body,
        url=_proposals_url(entry),
    )


def _proposer(entry: RecordEntry) -> list[int]:
    """The parent whose proposal was answered, if it was not their own doing."""
    version = PlanVersion.objects.filter(family_id=entry.family_id, pk=entry.data["id"]).first()
    if version is None or version.proposed_by_id == entry.actor_id:
        return []
    if not _is_active_member(entry.family_id, version.proposed_by_id):
        return []
    return [version.proposed_by_id]


def _plan_answered(entry: RecordEntry) -> list[Draft]:
    if entry.data.get("automatic"):
        return []  # taken effect on its own: nobody answered anything
    name = {"name": _actor_name(entry)}
    if entry.kind == EntryKind.PLAN_ACCEPTED:
        title = _("%(name)s accepted your proposed plan") % name
        body = _("It applies from %(date)s.") % {
            "date": day(date.fromisoformat(entry.data["effective_from"]))
        }
    else:
        title = _("%(name)s declined your proposed plan") % name
        body = _("See why, and propose again if you wish.")
    return _drafts(
        entry,
        _proposer(entry),
        kind=Kind.PROPOSAL,
        title=title,
        body=body,
        url=_proposals_url(entry),
    )


def _plan_withdrawn(entry: RecordEntry) -> list[Draft]:
    return _drafts(
        entry,
        _parents_except(entry.family_id, entry.actor_id),
        kind=Kind.PROPOSAL,
        title=_("%(name)s withdrew the proposed plan") % {"name": _actor_name(entry)},
        body=_("There is nothing to answer any more."),
        url=_proposals_url(entry),
    )


# --- children's events and answers ------------------------------------------------------------


def event_when(event: ChildEvent) -> str:
    if event.all_day and event.start_date is not None:
        if event.start_date == event.end_date:
            return _("%(date)s, all day") % {"date": day(event.start_date)}
        return _("%(first)s to %(last)s, all day") % {
            "first": day(event.start_date),
            "last": day(event.last_date),
        }
    return when(event.starts_at, event.timezone)


def _event_url(event: ChildEvent) -> str:
    return reverse("events:detail", kwargs={"family_id": event.family_id, "event_id": event.pk})


def _event_of(entry: RecordEntry) -> ChildEvent | None:
    return (
        ChildEvent.objects.filter(family_id=entry.family_id, pk=entry.data["event"])
        .prefetch_related("children")
        .first()
    )


def _event_news(entry: RecordEntry) -> list[Draft]:
    event = _event_of(entry)
    if event is None:
        return []
    values = {
        "title": event.title,
        "children": ", ".join(child.name for child in event.children.all()),
    }
    if entry.kind == EntryKind.EVENT_CANCELLED:
        title = _("Cancelled: %(title)s") % values
    elif entry.kind == EntryKind.EVENT_CHANGED:
        title = _("Changed: %(title)s") % values
    else:
        title = _("New event for %(children)s: %(title)s") % values
    body = event_when(event)
    if event.place:
        body += f" · {event.place}"
    return _drafts(
        entry,
        _parents_except(entry.family_id, entry.actor_id),
        kind=Kind.EVENT,
        title=title,
        body=body,
        url=_event_url(event),
        data={"event": str(event.pk)},
    )


def _event_rsvp(entry: RecordEntry) -> list[Draft]:
    event = _event_of(entry)
    if event is None or event.created_by_id == entry.actor_id:
        return []
    if not _is_active_member(entry.family_id, event.created_by_id):
        return []
    answers = {Answer.YES: _("yes"), Answer.NO: _("no"), Answer.MAYBE: _("maybe")}
    answer = answers.get(entry.data.get("answer"), str(entry.data.get("answer", "")))
    return _drafts(
        entry,
        [event.created_by_id],
        kind=Kind.RSVP,
        title=_("%(name)s answered “%(title)s”: %(answer)s")
        % {"name": _actor_name(entry), "title": event.title, "answer": answer},
        body=event_when(event),
        url=_event_url(event),
        data={"event": str(event.pk)},
    )


# --- messages ---------------------------------------------------------------------------------


def _message_sent(entry: RecordEntry) -> list[Draft]:
    thread = Thread.objects.filter(family_id=entry.family_id, pk=entry.data["thread"]).first()
    if thread is None:
        return []
    recipients = [int(uid) for uid in entry.data.get("recipients", [])]
    sender = entry.data.get("sender_name") or _actor_name(entry)
    return _drafts(
        entry,
        recipients,
        kind=Kind.MESSAGE,
        # The subject is the conversation's name, which every recipient sees in the inbox;
        # the message's own words never go here (core.notify, "no content").
        title=_("New message from %(sender)s in “%(subject)s”")
        % {"sender": sender, "subject": thread.subject},
        body="",
        url=reverse(
            "messaging:thread", kwargs={"family_id": entry.family_id, "thread_id": thread.pk}
        ),
        data={"message": int(entry.data["message"]), "thread": str(thread.pk)},
    )


# --- the parenting agreement ------------------------------------------------------------------


def _clause_url(entry: RecordEntry) -> str:
    return reverse(
        "agreements:clause",
        kwargs={"family_id": entry.family_id, "clause_id": entry.data["clause"]},
    )


def _clause_news(entry: RecordEntry, recipients: list[int], title: str, body: str) -> list[Draft]:
    return _drafts(
        entry,
        recipients,
        kind=Kind.AGREEMENT,
        title=title,
        body=body,
        url=_clause_url(entry),
        data={"clause": entry.data["clause"], "version": entry.data["version"]},
    )


def _with_proposer(entry: RecordEntry) -> list[int]:
    """The parents other than the one who acted, and whoever proposed the version (a mediator
    included) if still in the family: the people an answer concerns."""
    recipients = _parents_except(entry.family_id, entry.actor_id)
    proposer = entry.data.get("proposed_by")
    if proposer is not None and int(proposer) != entry.actor_id:
        if int(proposer) not in recipients and _is_active_member(entry.family_id, int(proposer)):
            recipients.append(int(proposer))
    return recipients


def _clause_proposed(entry: RecordEntry) -> list[Draft]:
    values = {"name": _actor_name(entry), "title": entry.data["title"]}
    if entry.data.get("amends"):
        title = _("%(name)s proposed a change to the agreement's clause “%(title)s”") % values
    else:
        title = _("%(name)s proposed a clause for the agreement: “%(title)s”") % values
    return _clause_news(
        entry,
        _parents_except(entry.family_id, entry.actor_id),
        title,
        _("Read it, then sign or decline it."),
    )


def _clause_signed(entry: RecordEntry) -> list[Draft]:
    values = {"name": _actor_name(entry), "title": entry.data["title"]}
    if entry.data.get("in_force"):
        return _clause_news(
            entry,
            _with_proposer(entry),
            _("%(name)s signed “%(title)s”") % values,
            _("The clause is now in force."),
        )
    # A mediator's draft with one signature: the parent who has not signed is asked to.
    signed = set(
        ClauseSignature.objects.filter(version_id=entry.data["version"]).values_list(
            "signer_id", flat=True
        )
    )
    return _clause_news(
        entry,
        [uid for uid in _with_proposer(entry) if uid not in signed],
        _("%(name)s signed “%(title)s”") % values,
        _("It comes into force when both parents have signed it."),
    )


def _clause_declined(entry: RecordEntry) -> list[Draft]:
    # The reason is on the clause's page, never in the notification (docs/notifications.md).
    return _clause_news(
        entry,
        _with_proposer(entry),
        _("%(name)s declined “%(title)s”")
        % {"name": _actor_name(entry), "title": entry.data["title"]},
        _("See why, and propose it again in other words if you wish."),
    )


def _clause_withdrawn(entry: RecordEntry) -> list[Draft]:
    return _clause_news(
        entry,
        _parents_except(entry.family_id, entry.actor_id),
        _("%(name)s withdrew the proposed clause “%(title)s”")
        % {"name": _actor_name(entry), "title": entry.data["title"]},
        _("There is nothing to sign any more."),
    )


# --- exchanges: check-ins, notes, pickup passes --------------------------------------------------


def _exchange_url(entry: RecordEntry) -> str:
    planned = datetime.fromisoformat(str(entry.data["planned_at"]).replace("Z", "+00:00"))
    return reverse(
        "exchanges:detail", kwargs={"family_id": entry.family_id, "key": key_of(planned)}
    )


def _other_side(entry: RecordEntry) -> list[int]:
    """The other parent of the exchange: whoever of its giver and receiver did not act."""
    occurrence = Occurrence.objects.filter(
        family_id=entry.family_id, pk=entry.data["exchange"]
    ).first()
    if occurrence is None:
        return []
    people = {occurrence.giver_id, occurrence.receiver_id} - {entry.actor_id, None}
    return [uid for uid in people if uid is not None and _is_active_member(entry.family_id, uid)]


def _family_zone(entry: RecordEntry) -> str:
    return str(entry.family.timezone)


def _checked_in(entry: RecordEntry) -> list[Draft]:
    steps = {
        "arrived": _("%(name)s is at the exchange"),
        "handed_over": _("%(name)s handed the children over"),
        "received": _("%(name)s received the children"),
    }
    title = steps.get(entry.data.get("step", ""), _("%(name)s checked in")) % {
        "name": _actor_name(entry)
    }
    planned = datetime.fromisoformat(str(entry.data["planned_at"]).replace("Z", "+00:00"))
    return _drafts(
        entry,
        _other_side(entry),
        kind=Kind.EXCHANGE,
        title=title,
        body=_("Exchange of %(when)s") % {"when": when(planned, _family_zone(entry))},
        url=_exchange_url(entry),
        data={"exchange": str(entry.data["exchange"])},
    )


def _exchange_note(entry: RecordEntry) -> list[Draft]:
    planned = datetime.fromisoformat(str(entry.data["planned_at"]).replace("Z", "+00:00"))
    return _drafts(
        entry,
        _parents_except(entry.family_id, entry.actor_id),
        kind=Kind.EXCHANGE,
        # What the note says stays on the page (core.notify, "no content").
        title=_("%(name)s wrote a note about an exchange") % {"name": _actor_name(entry)},
        body=_("Exchange of %(when)s") % {"when": when(planned, _family_zone(entry))},
        url=_exchange_url(entry),
        data={"exchange": str(entry.data["exchange"])},
    )


def _pass_news(entry: RecordEntry) -> list[Draft]:
    url = reverse("exchanges:passes", kwargs={"family_id": entry.family_id})
    if entry.kind == EntryKind.PASS_REVOKED:
        title = _("%(name)s revoked a pickup pass") % {"name": _actor_name(entry)}
        body = ""
    else:
        start = datetime.fromisoformat(str(entry.data["start"]).replace("Z", "+00:00"))
        title = _("%(name)s issued a pickup pass for %(children)s") % {
            "name": _actor_name(entry),
            "children": ", ".join(entry.data.get("children", [])),
        }
        body = _("From %(when)s") % {"when": when(start, _family_zone(entry))}
    return _drafts(
        entry,
        _parents_except(entry.family_id, entry.actor_id),
        kind=Kind.EXCHANGE,
        title=title,
        body=body,
        url=url,
        data={"pass": str(entry.data["pass"])},
    )


# --- shared expenses (coparent.expenses) -------------------------------------------------------


def _expense_url(entry: RecordEntry) -> str:
    return reverse(
        "expenses:detail",
        kwargs={"family_id": entry.family_id, "expense_id": entry.data["expense"]},
    )


def _payments_url(entry: RecordEntry) -> str:
    return reverse("expenses:payments", kwargs={"family_id": entry.family_id})


def _member(entry: RecordEntry, key: str) -> list[int]:
    """The one person the entry names under `key`, if still an active member and not the one
    who acted."""
    user_id = entry.data.get(key)
    if not isinstance(user_id, int) or user_id == entry.actor_id:
        return []
    return [user_id] if _is_active_member(entry.family_id, user_id) else []


def _money_text(entry: RecordEntry, key: str = "amount") -> str:
    return f"{entry.data.get(key, '')} {entry.data.get('currency', '')}"


def _expense_news(entry: RecordEntry) -> list[Draft]:
    words = {
        "name": _actor_name(entry),
        "amount": _money_text(entry),
        "what": entry.data.get("description", ""),
    }
    if entry.kind == EntryKind.REIMBURSEMENT_ASKED:
        return _drafts(
            entry,
            _member(entry, "of_id"),
            kind=Kind.EXPENSE,
            title=_("%(name)s asks you to reimburse %(amount)s") % words,
            body=str(words["what"]),
            url=_expense_url(entry),
        )
    if entry.kind == EntryKind.REIMBURSEMENT_REMINDED:
        return _drafts(
            entry,
            _member(entry, "of_id"),
            kind=Kind.EXPENSE,
            title=_("A reimbursement of %(amount)s still waits for your answer") % words,
            body=str(words["what"]),
            url=_expense_url(entry),
        )
    if entry.kind == EntryKind.REIMBURSEMENT_ANSWERED:
        decision = entry.data.get("decision")
        title = (
            _("%(name)s accepted to reimburse “%(what)s”")
            if decision == "accept"
            else _("%(name)s accepted %(accepted)s of “%(what)s”")
            if decision == "part"
            else _("%(name)s disputed “%(what)s”")
        ) % {**words, "accepted": _money_text(entry, "accepted")}
        return _drafts(
            entry,
            _member(entry, "asker_id"),
            kind=Kind.EXPENSE,
            title=title,
            body=str(entry.data.get("reason", "")),
            url=_expense_url(entry),
        )
    if entry.kind == EntryKind.PAYMENT_CONFIRMED:
        return _drafts(
            entry,
            _member(entry, "payer_id"),
            kind=Kind.EXPENSE,
            title=_("%(name)s confirmed receiving %(amount)s") % words,
            body="",
            url=_payments_url(entry),
        )
    # A payment recorded: the other parent (the receiver confirms it; the payer sees it). A
    # correction or a withdrawal says so, with its reason: the other parent's balance moves.
    if entry.data.get("void"):
        title = _("%(name)s withdrew a payment record of %(amount)s") % words
    elif entry.data.get("corrects"):
        title = _("%(name)s corrected a payment record to %(amount)s") % words
    else:
        title = _("%(name)s recorded a payment of %(amount)s") % words
    return _drafts(
        entry,
        _parents_except(entry.family_id, entry.actor_id),
        kind=Kind.EXPENSE,
        title=title,
        body=str(entry.data.get("reason") or entry.data.get("reference", "")),
        url=_payments_url(entry),
    )


# --- requests between the parents (coparent.requests) -----------------------------------------


def _request_of(entry: RecordEntry) -> Request | None:
    return Request.objects.filter(family_id=entry.family_id, pk=entry.data["id"]).first()


def _request_url(entry: RecordEntry, request_id: Any) -> str:
    return reverse(
        "requests:detail", kwargs={"family_id": entry.family_id, "request_id": request_id}
    )


def _professionals(family_id: Any) -> list[int]:
    """The family's consented professionals (a professional is told of a request only when it
    expires unanswered, or someone comments: they help when parents get stuck)."""
    return [
        m.user_id
        for m in Membership.objects.active()
        .professionals()
        .filter(family_id=family_id, user__is_active=True)
        if professional_has_access(m)
    ]


def _request_news(entry: RecordEntry) -> list[Draft]:
    request = _request_of(entry)
    if request is None:
        return []
    name = {"name": _actor_name(entry), "title": request.title}
    url = _request_url(entry, request.pk)
    asker = [request.asked_by_id] if _is_active_member(entry.family_id, request.asked_by_id) else []
    if entry.kind == EntryKind.REQUEST_MADE:
        return _drafts(
            entry,
            _parents_except(entry.family_id, entry.actor_id),
            kind=Kind.REQUEST,
            title=_("%(name)s asks: %(title)s") % name,
            body=_("Answer by %(when)s.") % {"when": when(request.due_at, _zone(entry))},
            url=url,
        )
    if entry.kind == EntryKind.REQUEST_COUNTERED:
        counter_id = entry.data.get("counter", request.pk)
        return _drafts(
            entry,
            [uid for uid in asker if uid != entry.actor_id],
            kind=Kind.REQUEST,
            title=_("%(name)s answered “%(title)s” with other terms") % name,
            body=_("Approve or decline their counter-proposal."),
            url=_request_url(entry, counter_id),
        )
    if entry.kind == EntryKind.REQUEST_WITHDRAWN:
        return _drafts(
            entry,
            _parents_except(entry.family_id, entry.actor_id),
            kind=Kind.REQUEST,
            title=_("%(name)s withdrew “%(title)s”") % name,
            body=_("There is nothing to answer any more."),
            url=url,
        )
    title = (
        _("%(name)s approved “%(title)s”")
        if entry.kind == EntryKind.REQUEST_APPROVED
        else _("%(name)s declined “%(title)s”")
    ) % name
    # A decline's reason is the other parent's own words: on the request's page, never in the
    # notification (its channels carry no content by default, docs/notifications.md).
    body = (
        _("See what was decided on the request's page.")
        if entry.kind == EntryKind.REQUEST_APPROVED
        else _("See why on the request's page.")
    )
    return _drafts(
        entry,
        [uid for uid in asker if uid != entry.actor_id],
        kind=Kind.REQUEST,
        title=title,
        body=body,
        url=url,
    )


def _zone(entry: RecordEntry) -> ZoneInfo:
    return zone_or_utc(entry.family.timezone)


def _request_commented(entry: RecordEntry) -> list[Draft]:
    request = _request_of(entry)
    if request is None:
        return []
    people = _parents_except(entry.family_id, entry.actor_id) + [
        uid for uid in _professionals(entry.family_id) if uid != entry.actor_id
    ]
    resolution = entry.data.get("comment_kind") == "resolution"
    return _drafts(
        entry,
        people,
        kind=Kind.REQUEST,
        title=(
            _("%(name)s proposed a resolution on “%(title)s”")
            if resolution
            else _("%(name)s commented on “%(title)s”")
        )
        % {"name": _actor_name(entry), "title": request.title},
        body="",
        url=_request_url(entry, request.pk),
    )


def _request_reminded(entry: RecordEntry) -> list[Draft]:
    request = _request_of(entry)
    if request is None or request.status != "pending":
        return []
    return _drafts(
        entry,
        _parents_except(entry.family_id, request.asked_by_id),
        kind=Kind.REQUEST,
        title=_("“%(title)s” waits for your answer") % {"title": request.title},
        body=_("Answer by %(when)s.") % {"when": when(request.due_at, _zone(entry))},
        url=_request_url(entry, request.pk),
    )


def _request_expired(entry: RecordEntry) -> list[Draft]:
    request = _request_of(entry)
    if request is None:
        return []
    people = _parents_except(entry.family_id, None)
    if not entry.data.get("outcome"):
        # Unanswered with no clause to settle it: the parents are stuck, so the professional
        # helping the family hears of it.
        people += _professionals(entry.family_id)
    return _drafts(
        entry,
        people,
        kind=Kind.REQUEST,
        title=_("“%(title)s” expired") % {"title": request.title},
        body=request.outcome_text,
        url=_request_url(entry, request.pk),
    )


# --- the children's info bank -----------------------------------------------------------------


def _info_news(entry: RecordEntry) -> list[Draft]:
    """The other parents hear that a child's info changed and in which section, never what it
    says now (core.notify, "no content"): the page shows it, with its history."""
    what = {
        EntryKind.INFO_ADDED: _("%(name)s added to %(child)s's info bank"),
        EntryKind.INFO_CHANGED: _("%(name)s changed %(child)s's info bank"),
        EntryKind.INFO_REMOVED: _("%(name)s removed something from %(child)s's info bank"),
    }[EntryKind(entry.kind)]
    kind = infobank.KINDS.get(str(entry.data.get("kind", "")))
    return _drafts(
        entry,
        _parents_except(entry.family_id, entry.actor_id),
        kind=Kind.INFOBANK,
        title=what % {"name": _actor_name(entry), "child": entry.data.get("child_name", "")},
        body=_(kind.plural) if kind is not None else "",
        url=reverse(
            "infobank:item", kwargs={"family_id": entry.family_id, "item_id": entry.data["item"]}
        ),
        data={"item": str(entry.data["item"])},
    )


Source = Callable[[RecordEntry], list[Draft]]

# --- the documents folder -----------------------------------------------------------------------


def _document_news(entry: RecordEntry) -> list[Draft]:
    """The other parents hear that a document was added (or a new version), with its category
    and date; its title and file stay on the page (core.notify, "no content")."""
    values = {"name": _actor_name(entry), "category": document_category(entry.data["category"])}
    title = (
        _("%(name)s added a new version of a document (%(category)s)")
        if entry.kind == EntryKind.DOCUMENT_VERSION_ADDED
        else _("%(name)s added a document (%(category)s)")
    ) % values
    return _drafts(
        entry,
        _parents_except(entry.family_id, entry.actor_id),
        kind=Kind.DOCUMENT,
        title=title,
        body=_("Dated %(date)s") % {"date": day(date.fromisoformat(entry.data["date"]))},
        url=reverse(
            "documents:detail",
            kwargs={"family_id": entry.family_id, "document_id": entry.data["document"]},
        ),
        data={"document": str(entry.data["document"])},
    )


SOURCES: dict[str, Source] = {
    EntryKind.PLAN_PROPOSED: _plan_proposed,
    EntryKind.PLAN_ACCEPTED: _plan_answered,
    EntryKind.PLAN_DECLINED: _plan_answered,
    EntryKind.PLAN_WITHDRAWN: _plan_withdrawn,
    EntryKind.EVENT_ADDED: _event_news,
    EntryKind.EVENT_CHANGED: _event_news,
    EntryKind.EVENT_CANCELLED: _event_news,
    EntryKind.EVENT_RSVP: _event_rsvp,
    EntryKind.MESSAGE_SENT: _message_sent,
    EntryKind.AGREEMENT_CLAUSE_PROPOSED: _clause_proposed,
    EntryKind.AGREEMENT_CLAUSE_SIGNED: _clause_signed,
    EntryKind.AGREEMENT_CLAUSE_DECLINED: _clause_declined,
    EntryKind.AGREEMENT_CLAUSE_WITHDRAWN: _clause_withdrawn,
    EntryKind.EXCHANGE_CHECKED_IN: _checked_in,
    EntryKind.EXCHANGE_NOTE: _exchange_note,
    EntryKind.PASS_ISSUED: _pass_news,
    EntryKind.PASS_REVOKED: _pass_news,
    EntryKind.REQUEST_MADE: _request_news,
    EntryKind.REQUEST_APPROVED: _request_news,
    EntryKind.REQUEST_DECLINED: _request_news,
    EntryKind.REQUEST_COUNTERED: _request_news,
    EntryKind.REQUEST_WITHDRAWN: _request_news,
    EntryKind.REQUEST_COMMENTED: _request_commented,
    EntryKind.REQUEST_REMINDED: _request_reminded,
    EntryKind.REQUEST_EXPIRED: _request_expired,
    EntryKind.DOCUMENT_ADDED: _document_news,
    EntryKind.DOCUMENT_VERSION_ADDED: _document_news,
    EntryKind.INFO_ADDED: _info_news,
    EntryKind.INFO_CHANGED: _info_news,
    EntryKind.INFO_REMOVED: _info_news,
    EntryKind.REIMBURSEMENT_ASKED: _expense_news,
    EntryKind.REIMBURSEMENT_ANSWERED: _expense_news,
    EntryKind.REIMBURSEMENT_REMINDED: _expense_news,
    EntryKind.PAYMENT_RECORDED: _expense_news,
    EntryKind.PAYMENT_CONFIRMED: _expense_news,
}


def drafts_for(entry: RecordEntry) -> list[Draft]:
    source = SOURCES.get(entry.kind)
    return in_locales(lambda: source(entry)) if source is not None else []
