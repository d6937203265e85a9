"""What each entry of the record shows to one reader.

Most of the record is shared: every parent and consented professional reads every entry. A few
kinds carry content that belongs to some of them only — a message's subject, topic, text and
files belong to the people in its conversation (docs/permissions.md). Such a kind registers here
who may read it (messaging does, for `message.sent` and `message.viewed`), and every way the
record leaves the server — the timeline, the dashboard, the API and the exports — asks
`entry_views` what each entry shows to its reader:

- a reader who may read the entry sees it in full and, for an entry in the sealed form (its
  private content replaced by the salted commitment `data["sealed"]`, chain.seal), the content
  behind the commitment with its salt (`opened`), so they can check one against the other;
- a reader who may not sees a sealed entry as stored — who, when, to whom, and a commitment
  that confirms no guess — and the seal stays closed;
- an entry written before sealing existed keeps its content in clear and can never be rewritten,
  so for a reader who may not read it, it is withheld: only seq, kind, prev and hash, like a
  stub of a selective export, which keeps the chain verifiable.

A second rule follows safe mode (docs/safety.md): while a parent's safe mode is on, an entry
that holds that parent's home address in clear — written before safe mode was on, when the
family could read it — is withheld the same way from every reader but that parent, whatever
its kind: the record is never rewritten, so it is held back instead (`reason` ADDRESS). "Holds"
is precise and cheap: a text value anywhere in the entry's data (or in the content of a seal
opened for the reader) contains one of the addresses that parent ever kept in the family —
whole, or its first line — ignoring case, spacing and punctuation, on whole words
(`coparent.core.places.mentions`). Turning safe mode off shows the entries again.

The server's operator (the `coparent export` command, no reader) gets the entries as stored,
with no seal opened.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core.places import mentions_any
from coparent.families.models import Family
from coparent.families.selectors import addresses_hidden_from
from coparent.records.models import RecordSeal

Readable = Callable[[Family, User, Sequence[Mapping[str, Any]]], list[bool]]
"""Given a family, a reader and the data of some entries of one private kind: for each entry,
whether that reader may read its content. One or two queries for any number of entries."""

# Above this many seals to open, read the family's seals whole rather than list them in an IN
# clause (an export of a long record opens thousands).
_LIST_LIMIT = 500


@dataclass(frozen=True)
class PrivateKind:
    readable: Readable
    # The keys of an entry's data that every reader of the record may see (who, when, to whom):
    # the timeline's line for a withheld entry is made of these only.
    public_keys: tuple[str, ...]


PRIVATE_KINDS: dict[str, PrivateKind] = {}


def register_private_kind(kind: str, *, readable: Readable, public_keys: Sequence[str]) -> None:
    """An app declares that entries of `kind` carry content only some readers may read."""
    PRIVATE_KINDS[kind] = PrivateKind(readable=readable, public_keys=tuple(public_keys))


# Why an entry is withheld from a reader.
CONVERSATION = "conversation"  # a message of a conversation they are not part of
ADDRESS = "address"  # it holds the home address of a parent whose safe mode is on


@dataclass(frozen=True)
class EntryView:
    """One entry as one reader may see it: `withheld` (only seq, kind, prev and hash) for a
    `reason`, or with the content of its seal (`opened`, salt included), or — all unset — as
    stored."""

    withheld: bool = False
    opened: dict[str, Any] | None = None
    reason: str = ""


def held_back_line() -> str:
    """The line that stands for an entry withheld because it holds a private address."""
    return _("Held back: it holds a parent's private address (safe mode)")


def holds_any(value: object, padded: Sequence[str]) -> bool:
    """Whether a text anywhere in the JSON `value` contains one of `padded`
    (`coparent.core.places.needles`)."""
    if isinstance(value, str):
        return mentions_any(value, padded)
    if isinstance(value, Mapping):
        return any(holds_any(item, padded) for item in value.values())
    if isinstance(value, list | tuple):
        return any(holds_any(item, padded) for item in value)
    return False


AS_STORED = EntryView()

EntryRef = tuple[int, str, Any]
"""(seq, kind, data) of an entry."""


def entry_views(
    family: Family, reader: User | None, entries: Sequence[EntryRef]
) -> dict[int, EntryView]:
    """How each of `entries` shows to `reader`, by seq; entries shown as stored are left out
    (look them up with `.get(seq, AS_STORED)`). Queries: one for the homes of the parents in
    safe mode (none without entries); with entries of a private kind, one per kind's rule
    (messages: the reader's conversations) and one for the seals opened."""
    if reader is None or not entries:
        return {}
    by_rule: dict[Readable, list[tuple[int, Any]]] = {}
    for seq, kind, data in entries:
        private = PRIVATE_KINDS.get(kind)
        if private is not None:
            by_rule.setdefault(private.readable, []).append((seq, data))
    views: dict[int, EntryView] = {}
    to_open: list[int] = []
    for readable, items in by_rule.items():
        datas = [data if isinstance(data, Mapping) else {} for _seq, data in items]
        for (seq, _data), data, may_read in zip(
            items, datas, readable(family, reader, datas), strict=True
        ):
            sealed = "sealed" in data
            if may_read and sealed:
                to_open.append(seq)
            elif not may_read and not sealed:
                views[seq] = EntryView(withheld=True, reason=CONVERSATION)
    if to_open:
        seals = RecordSeal.objects.filter(family=family)
        if len(to_open) <= _LIST_LIMIT:
            seals = seals.filter(entry__seq__in=to_open)
        wanted = set(to_open)
        for seq, opened in seals.values_list("entry__seq", "opened"):
            if seq in wanted:
                views[seq] = EntryView(opened=opened)
    hidden = addresses_hidden_from(family, reader.pk)
    if hidden:
        words = {needle.split(maxsplit=1)[0] for needle in hidden}
        for seq, _kind, data in entries:
            view = views.get(seq, AS_STORED)
            if view.withheld:
                continue
            if _may_hold(data, words) and holds_any(data, hidden):
                views[seq] = EntryView(withheld=True, reason=ADDRESS)
            elif view.opened is not None and holds_any(view.opened, hidden):
                views[seq] = EntryView(withheld=True, reason=ADDRESS)
    return views


def _may_hold(data: object, words: Iterable[str]) -> bool:
    """False when no text of `data` can hold an address whose first words are `words`: each
    word of an address stands in a text that holds it as it is, only cased differently, so
    data whose JSON has none of them holds none (most entries: one pass, no normalizing)."""
    folded = json.dumps(data, ensure_ascii=False).casefold()
    return any(word in folded for word in words)


def readable_data(kind: str, data: object, view: EntryView) -> dict[str, Any]:
    """The data a plain-language summary may use for this reader: the stored data with the
    opened content (salt aside) for a reader who may read it; only the public keys of a
    withheld entry; the stored data otherwise (a closed seal holds nothing private)."""
    stored: dict[str, Any] = data if isinstance(data, dict) else {}
    if view.opened is not None:
        return {**stored, **{k: v for k, v in view.opened.items() if k != "salt"}}
    if view.withheld and view.reason == ADDRESS:
        return {}
    if view.withheld:
        private = PRIVATE_KINDS.get(kind)
        keys = private.public_keys if private is not None else ()
        return {key: stored[key] for key in keys if key in stored}
    return stored
