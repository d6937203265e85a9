"""Events and RSVPs are never deleted: a cancelled event stays, marked cancelled, and an RSVP
is changed in place. These triggers refuse DELETE on both tables on SQLite and PostgreSQL, so
no raw SQL session, careless migration or admin tool can make an event disappear. (Rows are
updated — an edit, a cancellation, a changed answer — and each update is in the family record.)
"""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = ("events_childevent", "events_rsvp")
NAMES = ("no_delete", "no_truncate")


def _statements(vendor: str, forward: bool) -> list[str]:
    if vendor == "sqlite":
        if not forward:
            return [f"DROP TRIGGER IF EXISTS {t}_no_delete;" for t in TABLES]
        return [
            f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{t} rows are never deleted'); END;"
            for t in TABLES
        ]
    if vendor == "postgresql":
        if not forward:
            return [
                *(f"DROP TRIGGER IF EXISTS {t}_{n} ON {t};" for t in TABLES for n in NAMES),
                "DROP FUNCTION IF EXISTS coparent_refuse_delete();",
            ]
        return [
            "CREATE OR REPLACE FUNCTION coparent_refuse_delete() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME "
            "USING ERRCODE = 'integrity_constraint_violation'; END; $$ LANGUAGE plpgsql;",
            *(
                f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} "
                f"FOR EACH ROW EXECUTE FUNCTION coparent_refuse_delete();"
                for t in TABLES
            ),
            *(
                f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION coparent_refuse_delete();"
                for t in TABLES
            ),
        ]
    raise RuntimeError(f"the event triggers are not written for the {vendor} database")


def _run(forward: bool) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in _statements(schema_editor.connection.vendor, forward):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(_run(True), _run(False))]
