"""Story 8: a message, its delivery, its first view and its attachment can never be changed or
removed — not through the ORM, not with raw SQL — on SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from coparent.messaging import services
from coparent.messaging.attachments import IncomingFile
from coparent.messaging.models import (
    Attachment,
    Message,
    MessageDelivery,
    MessageView,
    ThreadParticipant,
)
from tests.messaging.conftest import png_bytes, start


def _raw(sql: str, params: list[object]) -> None:
    # A savepoint, so the refused statement does not poison the test's transaction on PostgreSQL.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def viewed(cast) -> Message:
    message = start(cast, attachments=[IncomingFile("class-photo.png", png_bytes())])
    services.messages_mark_viewed(access=cast.access(cast.sam), thread=message.thread)
    return message


MODELS = [Message, MessageDelivery, MessageView, Attachment, ThreadParticipant]


def _row(model, message):
    if model is Message:
        return message
    if model is ThreadParticipant:
        return ThreadParticipant.objects.filter(thread=message.thread).first()
    return model.objects.filter(message=message).first()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_sam_cannot_rewrite_or_remove_a_fact_with_raw_sql(viewed, model):
    row = _row(model, viewed)
    table = model._meta.db_table
    # Keys as the database stores them: UUIDs are hex text on SQLite.
    key = row.pk.hex if isinstance(row.pk, uuid.UUID) and connection.vendor == "sqlite" else row.pk
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"UPDATE {table} SET family_id = family_id WHERE id = %s", [str(key)])  # noqa: S608
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {table} WHERE id = %s", [str(key)])  # noqa: S608
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_orm_is_refused_too(viewed, model):
    row = _row(model, viewed)
    with pytest.raises(DatabaseError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(family_id=row.family_id)
    with pytest.raises(DatabaseError), transaction.atomic():
        row.delete()


def test_the_message_text_is_unchanged_after_an_attempt(viewed):
    with pytest.raises(DatabaseError), transaction.atomic():
        Message.objects.filter(pk=viewed.pk).update(body="I never said that")
    viewed.refresh_from_db()
    assert viewed.body == "Can you pick Mia up at 15:00?"
