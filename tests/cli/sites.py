"""A Coparent installation for the command-line tests: a data folder and, when the suite runs on
PostgreSQL (DATABASE_URL set), a scratch database of its own on the same server, never the
suite's test database. `make_site` (tests/cli/conftest.py) makes them and drops the databases."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url

COPARENT = str(Path(sys.executable).with_name("coparent"))
SERVER_URL = os.environ.get("DATABASE_URL", "")


def pg_admin() -> Any:  # a psycopg connection
    import psycopg

    db = dj_database_url.parse(SERVER_URL)
    return psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@dataclass
class Site:
    """One Coparent installation: a data folder and, on PostgreSQL, its own database."""

    data_dir: Path
    database_url: str = ""

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a command on this site: its folder, its database."""
        env = {**os.environ, "COPARENT_DATA_DIR": str(self.data_dir), **extra}
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def run(
        self, *args: str, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [COPARENT, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check:
            assert done.returncode == 0, f"coparent {' '.join(args)}:\n{done.stdout}{done.stderr}"
        return done

    def row_counts(self) -> dict[str, int]:
        """Counted straight from the database, not through Coparent's own code."""
        if not self.database_url:
            con = sqlite3.connect(self.data_dir / "coparent.sqlite3")
            tables = [
                r[0]
                for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            # Table names from the database's own catalogue.
            counts = {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
            con.close()
            return counts
        import psycopg

        with psycopg.connect(self.database_url) as con:
            tables = [
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            ]
            return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
