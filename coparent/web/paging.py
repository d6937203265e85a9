"""A paginator that is told how many objects there are, for a page whose count comes from a
query it shares with other figures (the inbox reads its thread count and the unread count in
one query), so the pager does not run a count of its own."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.core.paginator import Paginator
from django.db.models import QuerySet

if TYPE_CHECKING:
    # The stubs make Paginator generic; Django's class is not subscriptable at run time.
    _Base = Paginator[Any]
else:
    _Base = Paginator


class Pageable(Protocol):
    """Rows read a page at a time (`rows[bottom:top]`), whose count the caller already knows:
    a read written as SQL, such as the inbox's (coparent.messaging.selectors.ThreadRows)."""

    def __getitem__(self, page: slice, /) -> Sequence[Any]: ...


class CountedPaginator(_Base):
    def __init__(
        self, object_list: QuerySet[Any] | Sequence[Any] | Pageable, per_page: int, *, count: int
    ) -> None:
        # Django's paginator only slices the list once it is told the count (below).
        super().__init__(cast(Any, object_list), per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count
