"""The one access path to a family's objects (docs/new-app.md): `get_owned` answers the same 404
for a malformed id, a missing row and another family's row, and seats are asked for through
`Membership.objects.active()` / `.parents()`."""

from __future__ import annotations

import pytest
from django.http import Http404

from coparent.families import services
from coparent.families.models import Child, Membership
from coparent.families.selectors import get_owned
from coparent.messaging.models import Message


def test_a_parent_gets_their_own_child(cast):
    assert get_owned(Child, cast.access(cast.alex), str(cast.mia.pk)) == cast.mia


@pytest.mark.parametrize(
    "child_id",
    ["not-an-id", "", None, 12, "5f0c6a6e-0000-4000-8000-000000000000", "other family's child"],
)
def test_anything_but_the_familys_own_id_is_the_same_404(cast, child_id):
    if child_id == "other family's child":
        child_id = cast.other_child.pk
    with pytest.raises(Http404):
        get_owned(Child, cast.access(cast.alex), child_id)


def test_a_narrowed_queryset_is_still_held_to_the_family(cast):
    # Alex's family has no member with the outsider's seat, whatever queryset asks.
    olivia_seat = Membership.objects.active().get(user=cast.olivia)
    with pytest.raises(Http404):
        get_owned(Membership.objects.active(), cast.access(cast.alex), olivia_seat.pk)


def test_an_id_no_database_column_holds_is_a_404_not_an_overflow(cast):
    with pytest.raises(Http404):
        get_owned(Message, cast.access(cast.alex), 10**30)
    with pytest.raises(Http404):
        get_owned(Message, cast.access(cast.alex), "²")


def test_seats_held_now_and_the_parents_among_them(cast):
    seats = Membership.objects.filter(family=cast.family)
    assert {m.user for m in seats.active().parents()} == {cast.alex, cast.sam}
    assert {m.user for m in seats.active().professionals()} == {cast.morgan}
    services.membership_end(access=cast.access(cast.vic), membership=cast.viewer)
    assert cast.vic not in {m.user for m in seats.active()}
    assert cast.vic in {m.user for m in seats}
