"""Story 8, "He said, she said": nothing recorded can be changed or removed, not even by someone
typing raw SQL into the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from coparent.accounts.models import AuditEvent
from coparent.records.models import RecordEntry

TABLES = ["records_recordentry", "accounts_auditevent"]


def _raw(sql: str, params: list[object]) -> None:
    # A savepoint, so the refused statement does not poison the test's transaction on PostgreSQL.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def audit_event(cast) -> AuditEvent:
    return AuditEvent.objects.create(user=cast.alex, kind=AuditEvent.Kind.LOGIN)


def test_a_record_entry_cannot_be_rewritten_with_raw_sql(cast):
    entry = RecordEntry.objects.filter(family=cast.family).order_by("seq").first()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE records_recordentry SET kind = %s WHERE id = %s", ["forged", entry.pk])
    entry.refresh_from_db()
    assert entry.kind == "family.created"


def test_a_record_entry_cannot_be_deleted_with_raw_sql(cast):
    before = RecordEntry.objects.filter(family=cast.family).count()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(
            "DELETE FROM records_recordentry WHERE family_id = %s",
            [cast.family.pk.hex if connection.vendor == "sqlite" else str(cast.family.pk)],
        )
    assert RecordEntry.objects.filter(family=cast.family).count() == before


def test_the_orm_is_refused_too(cast):
    entry = RecordEntry.objects.filter(family=cast.family).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        RecordEntry.objects.filter(pk=entry.pk).update(data={"changed": True})
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()


def test_the_security_audit_log_is_append_only(audit_event):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE accounts_auditevent SET kind = %s WHERE id = %s", ["logout", audit_event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM accounts_auditevent WHERE id = %s", [audit_event.pk])


@pytest.mark.parametrize("table", TABLES)
def test_emptying_a_whole_table_is_refused(audit_event, table):
    if connection.vendor == "postgresql":
        # Deferred foreign-key checks of the test's own transaction must run first, or
        # PostgreSQL refuses TRUNCATE for that reason instead of ours.
        _raw("SET CONSTRAINTS ALL IMMEDIATE", [])
        statement = f"TRUNCATE {table} CASCADE"
    else:
        statement = f"DELETE FROM {table}"  # noqa: S608 - SQLite's TRUNCATE, fixed names
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(statement, [])


def test_a_messages_sealed_content_cannot_be_rewritten_or_removed(cast):
    # The content behind a sealed entry is evidence too: changing it would make the
    # disclosure stop matching, removing it would leave the entry unreadable to everyone.
    from coparent.messaging.services import thread_start
    from coparent.records.models import RecordSeal

    thread_start(access=cast.access(cast.alex), subject="Pickup", topic="school", body="OK.")
    seal = RecordSeal.objects.get(family=cast.family)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(
            "UPDATE records_recordseal SET opened = %s WHERE id = %s", ['{"body": "No."}', seal.pk]
        )
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM records_recordseal WHERE id = %s", [seal.pk])
    seal.refresh_from_db()
    assert seal.opened["body"] == "OK."
