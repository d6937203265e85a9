"""Isolation, beyond the permission matrix (issue #17, point 1): random sequences of what the
fixed cast does across the apps — conversations, child events, requests, expenses, journal
entries, info-bank items — each one read back by a random member of the cast through the API
and the pages. After every step, no answer to anyone holds a title or id of an object of a
family they do not belong to, nor a journal entry of another author.

Each write carries a marker of its own (a random word in its title or text): a marker is the
thing that must not travel. The run is kept small (a few examples of a few steps) so it fits
in `make test`; hypothesis explores a new path on each run and keeps a failing one to replay.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from coparent.families.selectors import get_family_access
from tests.conftest import _join
from tests.factories import UserFactory
from tests.kit import callers, client_for

PEOPLE = ("alex", "sam", "morgan", "vic", "olivia", "obi")
PARENTS = ("alex", "sam", "olivia", "obi")

# What a member reads: API lists (relative to the family) and family pages. Every person reads
# these for their own family and the other one (where the answer must be a 404 or a 403).
API_READS = (
    "",
    "/threads",
    "/messages/search?q=marker",
    "/events",
    "/calendar",
    "/requests",
    "/expenses",
    "/journal",
    "/journal/shared",
    "/record",
    "/exchanges",
    "/members",
)
FAMILY = st.sampled_from(("rivera", "okafor"))
PAGE_READS = ("", "messages/", "events/", "requests/", "expenses/", "journal/", "record/", "info/")
PERSONAL_READS = ("/api/v1/families", "/api/v1/me", "/api/v1/notifications", "/", "/notifications/")


@dataclass(frozen=True)
class Made:
    marker: str
    family: str  # "rivera" or "okafor"
    object_id: str
    author: str
    journal: bool = False


def test_nobody_ever_sees_another_familys_objects_or_another_authors_journal(cast):
    # Ada's other parent, so the Okafor family can ask and talk too.
    obi = UserFactory(email="obi@example.org", display_name="Obi")
    _join(get_family_access(cast.olivia, cast.other_family.pk), obi, "parent")
    as_ = callers()
    families = {"rivera": cast.family, "okafor": cast.other_family}
    member_of = {
        "alex": "rivera",
        "sam": "rivera",
        "morgan": "rivera",
        "vic": "rivera",
        "olivia": "okafor",
        "obi": "okafor",
    }
    users = {name: getattr(cast, name) for name in PEOPLE if name != "obi"} | {"obi": obi}
    browsers = {name: client_for(user) for name, user in users.items()}
    children = {"rivera": str(cast.mia.pk), "okafor": str(cast.other_child.pk)}

    class Cast(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.made: list[Made] = []

        # --- writes -------------------------------------------------------------------------

        def _write(self, who: str, path: str, body: dict[str, Any], marker: str, **kw: Any) -> None:
            family = member_of[who]
            response = as_(users[who]).post(f"/families/{families[family].pk}{path}", body)
            self.check(who, response)
            if response.status_code == 201:
                created = response.json()
                object_id = created.get("id") or created["thread"]["id"]
                self.made.append(
                    Made(
                        marker=marker,
                        family=family,
                        object_id=str(object_id),
                        author=who,
                        **kw,
                    )
                )

        @rule(who=st.sampled_from(PARENTS))
        def start_a_conversation(self, who: str) -> None:
            marker = _marker()
            body = {"subject": f"Pickup {marker}", "topic": "school", "body": f"Text {marker}"}
            self._write(who, "/threads", body, marker)

        @rule(who=st.sampled_from(PARENTS))
        def add_a_child_event(self, who: str) -> None:
            marker = _marker()
            body = {"title": f"Play {marker}", "kind": "school", "all_day": True}
            body |= {"start_date": "2040-06-20", "children": [children[member_of[who]]]}
            self._write(who, "/events", body, marker)

        @rule(who=st.sampled_from(PARENTS))
        def make_a_request(self, who: str) -> None:
            marker = _marker()
            kids = [children[member_of[who]]]
            body = {"kind": "activity", "title": f"Swimming {marker}", "children": kids}
            self._write(who, "/requests", body, marker)

        @rule(who=st.sampled_from(PARENTS))
        def log_an_expense(self, who: str) -> None:
            marker = _marker()
            body = {
                "amount": "12.00",
                "currency": "EUR",
                "category": "medical",
                "description": f"GP {marker}",
                "spent_on": "2026-11-20",
                "children": [children[member_of[who]]],
            }
            self._write(who, "/expenses", body, marker)

        @rule(who=st.sampled_from(PARENTS))
        def write_in_the_journal(self, who: str) -> None:
            marker = _marker()
            body = {"text": f"Late at the gate {marker}", "tags": ["exchange"]}
            self._write(who, "/journal", body, marker, journal=True)

        @rule(who=st.sampled_from(PARENTS))
        def add_an_info_bank_item(self, who: str) -> None:
            marker = _marker()
            family = member_of[who]
            body = {"kind": "allergy", "values": {"allergen": f"Nuts {marker}", "severity": "mild"}}
            path = f"/children/{children[family]}/info"
            self._write(who, path, body, marker)

        # --- reads --------------------------------------------------------------------------

        @rule(who=st.sampled_from(PEOPLE), family=FAMILY, data=st.data())
        def read_the_api(self, who: str, family: str, data: st.DataObject) -> None:
            path = data.draw(st.sampled_from(API_READS))
            self.check(who, as_(users[who]).get(f"/families/{families[family].pk}{path}"))

        @rule(who=st.sampled_from(PEOPLE), family=FAMILY, data=st.data())
        def open_a_page(self, who: str, family: str, data: st.DataObject) -> None:
            page = data.draw(st.sampled_from(PAGE_READS))
            self.check(who, browsers[who].get(f"/families/{families[family].pk}/{page}"))

        @rule(who=st.sampled_from(PEOPLE), data=st.data())
        def read_their_own_things(self, who: str, data: st.DataObject) -> None:
            path = data.draw(st.sampled_from(PERSONAL_READS))
            if path.startswith("/api/"):
                self.check(who, as_(users[who]).get(path))
            else:
                self.check(who, browsers[who].get(path))

        # --- the check ----------------------------------------------------------------------

        def check(self, who: str, response: Any) -> None:
            assert response.status_code < 500, response.content[:500]
            text = response.content.decode(errors="replace")
            for made in self.made:
                foreign = made.family != member_of[who]
                others_journal = made.journal and made.author != who
                if foreign or others_journal:
                    assert made.marker not in text, (who, made, response.request["PATH_INFO"])
                    assert made.object_id not in text, (who, made, response.request["PATH_INFO"])

    run_state_machine_as_test(
        Cast,
        settings=settings(
            max_examples=5,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


def _marker() -> str:
    return "m" + uuid.uuid4().hex[:12]
