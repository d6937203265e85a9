"""The demo shows safe mode (docs/safety.md): in the Nguyen-Brooks family Riley keeps a new
address private and the exchanges moved to Riley's home. Taylor's calendar says "Riley Brooks's home
(address private)"; Riley reads the street."""

from __future__ import annotations

from datetime import UTC, datetime

from coparent.cli.demo_data import build_demo
from coparent.families.selectors import HomePlaces, get_family_access
from coparent.schedule import selectors

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


def test_riley_keeps_the_new_address_private_and_the_exchanges_happen_there(db):
    family = next(d for d in build_demo(now=NOW) if d.family.name.startswith("Nguyen"))
    users = {u.user.display_name: u.user for u in family.users}
    taylor = next(user for name, user in users.items() if name.startswith("Taylor"))
    riley = next(user for name, user in users.items() if name.startswith("Riley"))
    taylors = get_family_access(taylor, family.family.pk)
    rileys = get_family_access(riley, family.family.pk)

    plan = selectors.schedule_of(taylors).pieces[-1].plan

    assert plan.exchange_place == "home:B"
    assert HomePlaces(taylors).show("home:B") == "Riley Brooks's home (address private)"
    assert "Larkspur Mews" in HomePlaces(rileys).show("home:B")
