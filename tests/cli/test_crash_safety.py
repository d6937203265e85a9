"""Issue #17 (crash safety), as a power cut would test it if it could: a real `coparent serve`
killed with SIGKILL, with every process it started, while six clients write messages,
expenses, exchange notes and check-ins through the API; started again each time on the same
data folder. Every write it answered 2xx is still there, SQLite's integrity check is ok, and
every family's record exports and verifies.

The scenario is bench/crash.py's (its docstring says how it goes); `make bench` runs it with the
issue's 10,000 writes and twenty kills, this suite with a few hundred (`COPARENT_CRASH_WRITES`)
and two kills plus the last one. On PostgreSQL (when DATABASE_URL points at a server, as in
CI's second run) the server gets its own scratch database, made and dropped here.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from bench import crash
from tests.cli.sites import SERVER_URL, pg_admin

pytestmark = pytest.mark.slow

WRITES = int(os.environ.get("COPARENT_CRASH_WRITES", "300"))
KILLS = 2  # during the writes; then one more at the end


def _held(outcome: crash.Outcome) -> None:
    print(outcome.summary())
    assert outcome.kills == KILLS + 1
    assert outcome.count >= WRITES
    # Every kind of write was answered, the check-ins too (each exchange takes four).
    assert set(outcome.acknowledged) == {"message", "expense", "note", "check_in"}
    assert outcome.lost == [], outcome.summary()
    assert outcome.server_errors == 0, outcome.summary()
    assert outcome.records_ok, outcome.records
    assert len(outcome.records) == 2


def test_every_write_answered_before_a_sigkill_is_there_after_the_restart_on_sqlite():
    outcome = crash.run(count=WRITES, kills=KILLS)

    _held(outcome)
    assert outcome.integrity == "ok"


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    """A database of its own for the server (never the suite's test database), dropped after."""
    if not SERVER_URL.startswith(("postgres://", "postgresql://")):
        pytest.skip(
            "the PostgreSQL crash test needs DATABASE_URL pointing at a PostgreSQL server "
            "(CI's second run sets it); this run is on SQLite"
        )
    name = f"cp_crash_{secrets.token_hex(4)}"
    with pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(SERVER_URL)._replace(path=f"/{name}").geturl()
    finally:
        with pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_every_write_answered_before_a_sigkill_is_there_after_the_restart_on_postgresql(
    scratch_postgres,
):
    outcome = crash.run(count=WRITES, kills=KILLS, database_url=scratch_postgres)

    _held(outcome)
    assert outcome.engine == "PostgreSQL"
