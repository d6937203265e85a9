"""`make load TOPOLOGY=two` keeps working: two parents for a few seconds, spread over two real
`coparent serve` on one scratch PostgreSQL database and the machine's Redis, and every check
of the run holds (no error, the rate limit shared, no task claimed twice or failed). Whether
both workers ran tasks is printed but not asserted: two parents for eight seconds queue a
handful of tasks, which one worker may well take alone (tests/cli/test_two_servers.py makes
both work at once)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.cli.sites import SERVER_URL, pg_admin

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping())
    except (redis.RedisError, OSError):
        return False


@pytest.mark.slow
def test_two_servers_share_the_load_the_limits_and_the_queue(tmp_path):
    if not SERVER_URL.startswith("postgres"):
        pytest.skip("two servers share one PostgreSQL: run with DATABASE_URL=postgres://…")
    if not _redis_answers():
        pytest.skip(f"two servers share one Redis: none answers at {REDIS_URL} (set REDIS_URL)")
    scratch = f"cp_load_two_{secrets.token_hex(4)}"
    with pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{scratch}"')
    env = {
        **os.environ,
        "LOAD_TOPOLOGY": "two",
        "DATABASE_URL": urlsplit(SERVER_URL)._replace(path=f"/{scratch}").geturl(),
        "REDIS_URL": REDIS_URL,
        "LOAD_USERS": "2",
        "LOAD_DURATION": "8s",
        "LOAD_FAMILIES": "3",
        "LOAD_WAIT_MIN": "0.05",
        "LOAD_WAIT_MAX": "0.1",
        "TMPDIR": str(tmp_path),
    }
    env.pop("LOAD_HOSTS", None)
    try:
        run = subprocess.run(
            [sys.executable, ROOT / "load" / "run.py"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    finally:
        with pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    lines = {line.split("  ")[0]: line for line in run.stdout.splitlines()}
    everything = run.stdout + run.stderr
    assert lines["errors"].split()[1] == "0", everything
    for check in (
        "rate limit shared (A×5, then B)",
        "tasks claimed more than once",
        "tasks not successful",
    ):
        assert lines[check].endswith(" ok"), everything
    for server in "AB":
        assert int(lines[f"requests answered by server {server}"].split()[-1]) > 0, everything
