"""The API describes itself: /api/v1/openapi.json lists every operation with a unique id, a
summary, the bearer scheme, and the error answers a client must handle."""

from __future__ import annotations

from django.test import Client

from tests.api.conftest import operations

F = "/api/v1/families/{family_id}"
# The operations of issue 2; later issues add theirs beside these.
FOUNDATION = {
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/record-key"),
    ("GET", "/api/v1/families"),
    ("POST", "/api/v1/families"),
    ("GET", F),
    ("GET", F + "/children"),
    ("POST", F + "/children"),
    ("GET", F + "/children/{child_id}"),
    ("PATCH", F + "/children/{child_id}"),
    ("GET", F + "/members"),
    ("POST", F + "/members/{member_id}/consent"),
    ("DELETE", F + "/members/{member_id}/consent"),
    ("DELETE", F + "/members/{member_id}"),
    ("GET", F + "/invitations"),
    ("POST", F + "/invitations"),
    ("DELETE", F + "/invitations/{invitation_id}"),
    ("POST", "/api/v1/invitations/accept"),
    ("GET", F + "/record"),
    ("GET", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/{token_id}"),
}


def _schema():
    response = Client().get("/api/v1/openapi.json", secure=True)
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_served_to_anyone_and_lists_every_operation(db):
    schema = _schema()
    assert schema["info"]["title"] == "Coparent API"
    served = sorted(
        (method.upper(), path) for path, methods in schema["paths"].items() for method in methods
    )
    assert served == operations()
    assert FOUNDATION <= set(served)


def test_every_operation_has_a_unique_id_and_a_summary(db):
    ops = [op for methods in _schema()["paths"].values() for op in methods.values()]
    ids = [op["operationId"] for op in ops]
    assert len(ids) == len(set(ids))
    assert all(op.get("summary") for op in ops)
    assert "child_create" in ids


def test_operations_declare_bearer_auth_and_their_errors(db):
    schema = _schema()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    create_child = schema["paths"]["/api/v1/families/{family_id}/children"]["post"]
    assert {"201", "400", "401", "403", "404", "422"} <= set(create_child["responses"])
    assert {"TokenAuth": []} in create_child["security"]
    record_key = schema["paths"]["/api/v1/record-key"]["get"]
    assert "security" not in record_key


def test_what_an_operation_creates_links_to_what_can_be_done_with_it(db):
    schema = _schema()
    ids = {op["operationId"] for methods in schema["paths"].values() for op in methods.values()}
    started = schema["paths"]["/api/v1/families/{family_id}/threads"]["post"]["responses"]["201"]
    assert started["links"]["message_create"] == {
        "operationId": "message_create",
        "parameters": {
            "family_id": "$request.path.family_id",
            "thread_id": "$response.body#/thread/id",
        },
    }
    linked = {
        link["operationId"]
        for methods in schema["paths"].values()
        for op in methods.values()
        for answer in op["responses"].values()
        for link in answer.get("links", {}).values()
    }
    assert linked <= ids  # every link names an operation that exists


def test_every_operation_that_reads_a_body_documents_400_and_413(db):
    for methods in _schema()["paths"].values():
        for op in methods.values():
            if "requestBody" in op:
                assert {"400", "413"} <= set(op["responses"]), op["operationId"]
