"""Nothing a client sends can stop the service (issue 8): Schemathesis reads /api/v1/openapi.json
and feeds every operation what its schema allows and what it forbids, in-process through the
WSGI application on the test database, as a parent of each of the two families in turn.

Every answer must: not be a 5xx; match the schema documented for its status; carry a status
and a content type the operation documents; and, whenever the path names another family or
another family's object, be the same 404 as for something that does not exist.

Path ids are drawn from real rows of both families (children, members, invitations, threads,
attachments, events, plan versions, tokens) as well as from what the schema allows, so the
operations run past their access checks. The run is bounded (a fixed number of examples per
operation, no deadline) and derandomized, so CI sees the same cases every time.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from coparent.accounts.services import token_create
from coparent.api.api import api
from coparent.events.services import event_add
from coparent.families import services as families
from coparent.families.selectors import get_family_access
from coparent.messaging.attachments import IncomingFile
from coparent.messaging.services import thread_start
from coparent.schedule.services import plan_accept, plan_propose
from tests.factories import UserFactory

# Fuzzed examples per operation and caller, on top of Schemathesis's own boundary cases; set
# COPARENT_FUZZ_EXAMPLES higher for a longer hunt (150 finds nothing more today).
EXAMPLES = int(os.environ.get("COPARENT_FUZZ_EXAMPLES", "30"))
SCENARIOS = int(os.environ.get("COPARENT_FUZZ_SCENARIOS", "25"))  # chains of up to 6 calls
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
PLAN = {
    "timezone": "America/Chicago",
    "start": "2040-01-02",
    "exchange_time": "18:00",
    "pattern": "2-2-3",
}

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


@dataclass
class World:
    """The caller's token, and the ids of real rows of each family, by path parameter."""

    token: str = ""
    app: Any = None
    mine: uuid.UUID | None = None
    theirs: uuid.UUID | None = None
    ids: dict[uuid.UUID, dict[str, list[Any]]] = field(default_factory=dict)
    owner: dict[str, uuid.UUID] = field(default_factory=dict)

    def add(self, name: str, value: Any, family: uuid.UUID) -> None:
        self.ids.setdefault(family, {}).setdefault(name, []).append(value)
        self.owner[str(value)] = family

    def of(self, family: uuid.UUID | None, name: str) -> list[Any]:
        return self.ids.get(family, {}).get(name, []) if family else []


# The rows of the test running now, for the hooks below (hooks are registered once, on the
# module's schema; each test fills this in through the `world` fixture).
CURRENT = World()


def _seed_family(access: Any, *, partner: Any, world: World) -> None:
    family = access.family.pk
    world.add("family_id", family, family)
    message = thread_start(
        access=access,
        subject="Pickup",
        topic="school",
        body="Friday at 15:00?",
        attachments=[IncomingFile("plan.pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    world.add("thread_id", message.thread_id, family)
    world.add("attachment_id", message.attachments.get().pk, family)
    pending = families.invitation_create(
        access=access, email=f"gran-{family}@example.org", role="viewer", send_email=False
    )
    world.add("invitation_id", pending.invitation.pk, family)
    child = access.family.children.order_by("created_at").first()
    world.add("child_id", child.pk, family)
    party = event_add(
        access=access,
        title="Birthday party",
        kind="birthday_party",
        children=[child],
        timezone_name="Europe/Paris",
        all_day=True,
        start_date=date(2040, 6, 12),
    )
    world.add("event_id", party.pk, family)
    # A plan in force, and the partner's change waiting for an answer.
    partner_access = get_family_access(partner, family)
    plan = {**PLAN, "parents": [access.membership.user.display_name, partner.display_name]}
    first = plan_propose(access=access, plan=plan, effective_from=date(2040, 1, 1))
    plan_accept(access=partner_access, version=first)
    change = plan_propose(
        access=partner_access,
        plan={**plan, "pattern": "alternating-weeks"},
        effective_from=date(2040, 6, 1),
    )
    world.add("version_id", first.pk, family)
    world.add("version_id", change.pk, family)
    for membership in access.family.memberships.all():
        world.add("member_id", membership.pk, family)
        if membership.role == "professional":
            world.add("professional", membership.pk, family)


@pytest.fixture(params=["alex", "olivia"])
def world(request: pytest.FixtureRequest, cast: Any) -> Any:
    """Both families with a row of every kind; the caller is a parent of one of them."""
    obi = UserFactory(email="obi@example.org", display_name="Obi")
    issued = families.invitation_create(
        access=cast.access(cast.olivia, cast.other_family),
        email=obi.email,
        role="parent",
        send_email=False,
    )
    families.invitation_accept(token=issued.token, user=obi)
    world = World()
    _seed_family(cast.access(cast.alex), partner=cast.sam, world=world)
    _seed_family(cast.access(cast.olivia, cast.other_family), partner=obi, world=world)
    caller = getattr(cast, request.param)
    for user, family in ((cast.alex, cast.family), (cast.olivia, cast.other_family)):
        # A spare token each, which DELETE /tokens/{token_id} may revoke; the caller's own
        # token is not among the ids, so the run goes on authenticated.
        spare, _raw = token_create(user=user, name="spare")
        world.add("token_id", spare.pk, family.pk)
    world.token = token_create(user=caller, name="schemathesis")[1]
    mine, theirs = (cast.family, cast.other_family)[:: 1 if caller == cast.alex else -1]
    world.mine, world.theirs = mine.pk, theirs.pk
    # Built here, after the test settings are in place: the middleware reads them once.
    world.app = get_wsgi_application()
    CURRENT.__dict__.update(world.__dict__)
    # As Django's test client does: the end of a request must not close the connection that
    # holds the test's transaction (on PostgreSQL it would; SQLite's in-memory one stays).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield world
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# How a case picks its path ids: mostly the caller's own family and its rows (to get past the
# access checks), sometimes another family's rows or the family itself, sometimes whatever the
# schema generated.
PICKS = ["mine"] * 4 + ["their rows", "their family", "generated"]


def _with_ids(case: Any, pick: str, draw: Any) -> Any:
    world = CURRENT
    params = case.path_parameters
    if not params or pick == "generated":
        return case
    family = world.theirs if pick == "their family" else world.mine
    rows = world.theirs if pick == "their rows" else family
    for name in params:
        if name == "family_id":
            params[name] = family
        elif world.of(rows, name):
            params[name] = draw(st.sampled_from(world.of(rows, name)))
    if isinstance(case.body, dict):
        # Ids inside the body come from the family the path names.
        if isinstance(case.body.get("children"), list) and world.of(family, "child_id"):
            children = st.lists(st.sampled_from(world.of(family, "child_id")), max_size=2)
            case.body["children"] = [str(c) for c in draw(children)]
        if isinstance(case.body.get("include_professionals"), list):
            professionals = st.lists(st.sampled_from(world.of(family, "professional")), max_size=1)
            case.body["include_professionals"] = (
                [str(m) for m in draw(professionals)] if world.of(family, "professional") else []
            )
    return case


@schema.hook
def flatmap_case(context: Any, case: Any) -> Any:
    return st.tuples(st.sampled_from(PICKS), st.data()).map(
        lambda picked: _with_ids(case, picked[0], picked[1].draw)
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
def test_no_input_breaks_the_api(case: Any, world: World) -> None:
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {world.token}"}, checks=CHECKS, app=world.app
    )
    foreign = [
        str(value)
        for value in (case.path_parameters or {}).values()
        if str(value) in world.owner and world.owner[str(value)] != world.mine
    ]
    if foreign and case.method.upper() == case.operation.method.upper():
        # Another family's row: the same answer as for a row that does not exist, unless the
        # request was refused for its form before anything was looked up.
        assert response.status_code in {401, 404, 422} or (
            response.status_code in {400, 413} and not_json_or_too_big(response)
        ), (foreign, response.status_code, response.text[:300])


def not_json_or_too_big(response: Any) -> bool:
    detail = response.json().get("detail", "")
    return detail == "The request body is not valid JSON." or detail.startswith(
        "The request body is too large"
    )


def test_chained_calls_break_nothing(world: World) -> None:
    """The stateful run: Schemathesis follows the schema's links (coparent/api/links.py) from
    what one call creates to the calls that use it (a family, then its child; a thread, then a
    reply and its receipts; an event, then its RSVP; a plan, then its answer), with the same
    checks on every answer."""
    headers = {"Authorization": f"Bearer {world.token}"}

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        # Each scenario starts from the same rows: Hypothesis replays and mutates earlier
        # scenarios, and one that found other rows there would take other turns.
        def setup(self) -> None:
            self.savepoint = transaction.savepoint()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers, "app": world.app}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, headers=headers)

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
