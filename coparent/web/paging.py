"""A paginator that is told how many objects there are, for a page whose count comes from a
query it shares with other figures (the inbox reads its thread count and the unread count in
one query), so the pager does not run a count of its own."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

if TYPE_CHECKING:
    # The stubs make Paginator generic; Django's class is not subscriptable at run time.
    _Base = Paginator[Any]
else:
    _Base = Paginator


class CountedPaginator(_Base):
    def __init__(
        self, object_list: QuerySet[Any] | Sequence[Any], per_page: int, *, count: int
    ) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count
