"""What other apps do when someone joins a family, without families importing them.

Families sit below the domain apps (docs/new-app.md, "Layers"), so a domain app that has work to
do when a member joins registers a hook here from its AppConfig.ready(), as it registers the
summaries of its record entries (coparent.records.summaries.register_summary). Each hook runs
inside the transaction that creates the seat, in the order registered, with keyword arguments
`membership` and `at`; a hook that raises undoes the joining.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from coparent.families.models import Membership


class MemberJoinedHook(Protocol):
    def __call__(self, *, membership: Membership, at: datetime) -> object: ...


_ON_MEMBER_JOINED: list[MemberJoinedHook] = []


def on_member_joined(hook: MemberJoinedHook) -> MemberJoinedHook:
    """Register `hook` (once, however often this is called with it)."""
    if hook not in _ON_MEMBER_JOINED:
        _ON_MEMBER_JOINED.append(hook)
    return hook


def member_joined(*, membership: Membership, at: datetime) -> None:
    """Run every registered hook for a seat just taken (families.services calls this)."""
    for hook in _ON_MEMBER_JOINED:
        hook(membership=membership, at=at)


def registered() -> list[Callable[..., object]]:
    """The hooks in the order they run (for the tests and the docs)."""
    return list(_ON_MEMBER_JOINED)
