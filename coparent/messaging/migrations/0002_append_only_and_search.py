"""Messages, deliveries, first views, participants and attachments are append-only; and the
full-text index: FTS5 on SQLite (kept in step by a trigger), a GIN index on PostgreSQL."""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from coparent.infra.appendonly import append_only

FTS = "messaging_message_fts"

SQLITE_FORWARD = [
    # External-content FTS5: the text lives once, in messaging_message; the index points at it
    # by rowid (the message's integer id). Marks (M*) count as letters, so words in scripts
    # with combining signs stay whole; diacritics are kept, as PostgreSQL's 'simple' does.
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(body, content='messaging_message', "
    "content_rowid='id', tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\");",
    # Messages are never updated or deleted (the append-only triggers refuse it), so one
    # insert trigger keeps the index complete.
    f"CREATE TRIGGER messaging_message_fts_insert AFTER INSERT ON messaging_message "  # noqa: S608 - fixed names
    f"BEGIN INSERT INTO {FTS}(rowid, body) VALUES (new.id, new.body); END;",
    f"INSERT INTO {FTS}(rowid, body) SELECT id, body FROM messaging_message;",  # noqa: S608 - fixed names
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS messaging_message_fts_insert;",
    f"DROP TABLE IF EXISTS {FTS};",
]
# The same expression Django's SearchVector("body", config="simple") produces, so the planner
# uses the index for the search selector's queries.
POSTGRES_FORWARD = [
    "CREATE INDEX messaging_message_body_fts ON messaging_message USING GIN "
    "(to_tsvector('simple'::regconfig, COALESCE(body, '')));"
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS messaging_message_body_fts;"]


def _run(
    statements: dict[str, list[str]],
) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"message search is not written for the {vendor} database")
        for statement in statements[vendor]:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]
    operations = [
        append_only("messaging_message"),
        append_only("messaging_messagedelivery"),
        append_only("messaging_messageview"),
        append_only("messaging_threadparticipant"),
        append_only("messaging_attachment"),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
