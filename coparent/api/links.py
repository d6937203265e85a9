"""OpenAPI links: what a client can do next with what an operation just created.

A generated client (and Schemathesis's stateful run in tests/api/test_schemathesis.py) reads
them to chain calls: create a family, then add a child to it; start a conversation, then reply
in it. They are written once here, by operation id, and added to the schema by
coparent.api.api, so the endpoint modules stay as they are.
"""

from __future__ import annotations

from typing import Any

FAMILY = "$request.path.family_id"
CREATED = "$response.body#/id"

# (operation id, status) -> {operation id it leads to: {path parameter: runtime expression}}
LINKS: dict[tuple[str, int], dict[str, dict[str, str]]] = {
    ("family_create", 201): {
        target: {"family_id": CREATED}
        for target in (
            "family_detail",
            "child_create",
            "invitation_create",
            "thread_create",
            "plan_create",
            "plan_preview",
            "schedule_calendar",
            "schedule_timeshare",
            "record_list",
        )
    },
    ("child_create", 201): {
        target: {"family_id": FAMILY, "child_id": CREATED}
        for target in ("child_detail", "child_update")
    },
    ("invitation_create", 201): {
        "invitation_cancel": {"family_id": FAMILY, "invitation_id": CREATED},
    },
    ("thread_create", 201): {
        target: {"family_id": FAMILY, "thread_id": "$response.body#/thread/id"}
        for target in ("message_list", "message_create", "thread_mark_viewed")
    },
    ("message_create", 201): {
        target: {"family_id": FAMILY, "thread_id": "$response.body#/thread_id"}
        for target in ("message_list", "thread_mark_viewed")
    },
    ("event_create", 201): {
        target: {"family_id": FAMILY, "event_id": CREATED}
        for target in ("event_detail", "event_update", "event_cancel", "event_rsvp")
    },
    ("plan_create", 201): {
        target: {"family_id": FAMILY, "version_id": CREATED}
        for target in ("plan_accept", "plan_decline", "plan_withdraw")
    },
    ("token_create", 201): {"token_revoke": {"token_id": CREATED}},
}


def add_links(operation: dict[str, Any]) -> None:
    """Put the links of `operation` (an OpenAPI operation object) on its responses."""
    for (source, status), targets in LINKS.items():
        if operation.get("operationId") != source:
            continue
        response = operation["responses"].get(status) or operation["responses"].get(str(status))
        response["links"] = {
            target: {"operationId": target, "parameters": dict(parameters)}
            for target, parameters in targets.items()
        }
