"""Database triggers that make a table append-only on SQLite and PostgreSQL.

The application never updates or deletes these rows; the triggers make sure nothing else does
either — a raw SQL session, a careless migration, an admin tool. Used by the migrations of the
family record and of the security audit log.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _sql(vendor: str, table: str) -> tuple[list[str], list[str]]:
    if vendor == "sqlite":
        forward = [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END;",
        ]
        backward = [
            f"DROP TRIGGER IF EXISTS {table}_no_update;",
            f"DROP TRIGGER IF EXISTS {table}_no_delete;",
        ]
        return forward, backward
    if vendor == "postgresql":
        forward = [
            "CREATE OR REPLACE FUNCTION coparent_refuse_change() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP "
            "USING ERRCODE = 'integrity_constraint_violation'; END; $$ LANGUAGE plpgsql;",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION coparent_refuse_change();",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION coparent_refuse_change();",
        ]
        backward = [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        ]
        return forward, backward
    raise RuntimeError(f"append-only triggers are not written for the {vendor} database")


def append_only(table: str) -> migrations.RunPython:
    """A migration operation installing the append-only triggers on `table`."""

    def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in _sql(schema_editor.connection.vendor, table)[0]:
            schema_editor.execute(statement, params=None)

    def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in _sql(schema_editor.connection.vendor, table)[1]:
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(forward, backward)
