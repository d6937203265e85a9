"""What every `coparent` command shares: setting Django up (only the commands that need it do),
saying why it failed, applying migrations, and the login address."""

from __future__ import annotations

import os
import sys


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coparent.settings")
    import django

    django.setup()


def fail(message: str) -> int:
    print(f"coparent: {message}", file=sys.stderr)
    return 1


def migrate_quietly() -> bool:
    """Apply pending migrations; True when there were some."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", interactive=False, verbosity=0)
    return True


def login_url(base: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return base + reverse("account_login")
    except NoReverseMatch:
        return base + "/"
