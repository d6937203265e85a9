"""The table of the database cache, which holds the rate-limit counters every process shares.

Created whatever cache is configured now, so that an operator who moves from Redis back to the
database cache finds the table there; `createcachetable` would only create it for a database
cache that is configured at the time it runs. Creating it is a no-op when it exists already.
"""

from django.conf import settings
from django.core.management.commands.createcachetable import Command
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create_cache_table(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, settings.CACHE_TABLE, dry_run=False)


def drop_cache_table(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    quoted = schema_editor.connection.ops.quote_name(settings.CACHE_TABLE)
    schema_editor.execute(f"DROP TABLE IF EXISTS {quoted}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
