"""What other apps do when a fact is appended to a family's record, without records importing
them.

Every fact that matters is a record entry appended in the transaction of the fact itself
(ARCHITECTURE.md), so an app that must react to facts of other apps — the notification centre
telling the other parent of a proposal, an event or a message — subscribes here from its
AppConfig.ready(), as it registers its entries' summaries (coparent.records.summaries). The
apps that append the facts never learn who listens.

A hook runs inside the appending transaction, after the entry is written, with the entry; it
must stay cheap (it holds the family's record lock) and do its real work after commit
(coparent.infra.notifications.notify_on_commit). A hook that raises undoes the fact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from coparent.records.models import RecordEntry

EntryHook = Callable[[RecordEntry], object]

_HOOKS: list[tuple[frozenset[str], EntryHook]] = []


def on_appended(hook: EntryHook, *, kinds: Iterable[str]) -> EntryHook:
    """Register `hook` for entries of `kinds` (once, however often this is called with it)."""
    if all(registered is not hook for _kinds, registered in _HOOKS):
        _HOOKS.append((frozenset(str(kind) for kind in kinds), hook))
    return hook


def appended(entry: RecordEntry) -> None:
    """Run every hook registered for `entry.kind` (records.services.record_append calls this)."""
    for kinds, hook in _HOOKS:
        if entry.kind in kinds:
            hook(entry)


# Who takes the weekly checkpoint by email is each person's choice, kept by the notification
# centre above this layer: it registers the filter (user ids in, those who want it out).
CheckpointFilter = Callable[[Sequence[int]], set[int]]

_CHECKPOINT_FILTERS: list[CheckpointFilter] = []


def on_checkpoint_email(choose: CheckpointFilter) -> CheckpointFilter:
    """Register `choose`, which keeps of the given user ids those who want the weekly
    checkpoint by email (once, however often this is called with it)."""
    if all(registered is not choose for registered in _CHECKPOINT_FILTERS):
        _CHECKPOINT_FILTERS.append(choose)
    return choose


def checkpoint_email_to(user_ids: Sequence[int]) -> set[int]:
    """Of `user_ids`, those the weekly checkpoint email goes to: everyone, unless a registered
    filter (the centre's preferences) says otherwise."""
    wanted = set(user_ids)
    for choose in _CHECKPOINT_FILTERS:
        wanted &= choose(sorted(wanted))
    return wanted


def registered() -> list[tuple[frozenset[str], EntryHook]]:
    """The hooks with their kinds, in the order they run (for the tests and the docs)."""
    return list(_HOOKS)
