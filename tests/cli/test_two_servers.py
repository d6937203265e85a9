"""Issue #17, "Beyond one machine": two Coparent servers, each with its own data folder (the
keys copied from the first), share one PostgreSQL and one Redis. A rate limit counted through one
is counted through the other, and two workers on the one queue never run a job twice.

`make load TOPOLOGY=two` (load/two_servers.py) checks the same on two real `coparent serve`
under load; this is the part that fits in the suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.cli.sites import COPARENT, SERVER_URL, Site

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
KEY_FILES = ("secret_key", "record_signing_key.pem", "vapid_private_key.pem")
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping())
    except (redis.RedisError, OSError):
        return False


@pytest.fixture(scope="module")
def servers(make_site, tmp_path_factory):
    """Server A (a scratch database, migrated) and server B (its own folder, A's keys, the same
    database), both counting in one Redis under a prefix of this module's own."""
    if not SERVER_URL.startswith("postgres"):
        pytest.skip("two servers share one PostgreSQL: run with DATABASE_URL=postgres://…")
    if not _redis_answers():
        pytest.skip(f"two servers share one Redis: none answers at {REDIS_URL} (set REDIS_URL)")
    a = make_site("server-a")
    a.run("manage", "migrate", "-v", "0", timeout=600)
    b = Site(tmp_path_factory.mktemp("server-b"), a.database_url)
    for name in KEY_FILES:  # as an operator copies them to the second machine
        shutil.copy2(a.data_dir / name, b.data_dir / name)
    shared = {
        "REDIS_URL": REDIS_URL,
        "COPARENT_CACHE_PREFIX": f"test-{uuid.uuid4().hex}",
        "PYTHONPATH": str(ROOT),  # the test task below, by its path
    }
    return a, b, shared


def _shell(site: Site, code: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own command
        [COPARENT, "manage", "shell", "-v", "0", "-c", code],
        env=site.env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _output(process: subprocess.Popen[str]) -> list[str]:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, out + err
    return out.splitlines()


_SIGN_UP_TWICE = """
from django.core.cache import caches
from coparent.infra import ratelimit
print(type(caches["default"]).__name__)
for _ in range(2):
    try:
        ratelimit.hit(None, "signup", email="jordan@example.org")
        print("ok")
    except ratelimit.RateLimited:
        print("429")
"""


def test_a_limit_counted_on_server_a_holds_on_server_b(servers):
    """Jordan's address may sign up three times an hour. Two attempts through server A, then two
    through server B: B lets the third through and refuses the fourth, because both count in the
    one Redis (each with its own database cache would have let all four through)."""
    a, b, shared = servers
    env = {**shared, "COPARENT_RATE_LIMITS": "signup.email=3/h"}

    through_a = _output(_shell(a, _SIGN_UP_TWICE, env))
    through_b = _output(_shell(b, _SIGN_UP_TWICE, env))

    assert through_a == ["RedisCache", "ok", "ok"]
    assert through_b == ["RedisCache", "ok", "429"]


_QUEUE = """
from tests.cli.two_servers_tasks import note
for number in range(60):
    note.enqueue(number)
"""

# A worker as `coparent serve` starts one, that stops once the queue is empty; it waits for the
# other to be ready, so both take from the queue at the same time.
_WORKER = """
import os, time
from coparent.cli import worker
task_worker = worker.build()
task_worker.batch = True
task_worker.startup_delay = False
open(os.environ["COPARENT_TEST_READY"], "w").close()
while not os.path.exists(os.environ["COPARENT_TEST_GO"]):
    time.sleep(0.05)
task_worker.run()
print(task_worker.worker_id)
"""

_CLAIMS = """
from django_tasks_db.models import DBTaskResult
for row in DBTaskResult.objects.filter(task_path__endswith="two_servers_tasks.note"):
    print(row.status, len(row.worker_ids), row.worker_ids[0] if row.worker_ids else "-")
"""


def test_two_workers_on_one_queue_run_each_job_once(servers, tmp_path):
    """Sixty jobs queued through server A; server A's worker and server B's take from the queue
    at the same time. Each job ran once (the jobs' own notes), each was claimed by one worker
    (the queue's rows), and both workers took their share."""
    a, b, shared = servers
    notes = tmp_path / "notes.txt"
    go = tmp_path / "go"
    env = {**shared, "COPARENT_TEST_NOTES": str(notes), "COPARENT_TEST_GO": str(go)}
    _output(_shell(a, _QUEUE, env))

    workers = []
    for site, name in ((a, "a"), (b, "b")):
        ready = tmp_path / f"ready-{name}"
        workers.append((_shell(site, _WORKER, {**env, "COPARENT_TEST_READY": str(ready)}), ready))
    deadline = time.monotonic() + 120
    while not all(ready.exists() for _w, ready in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    go.touch()
    worker_ids = [_output(process)[-1] for process, _ready in workers]

    runs = [line.split()[0] for line in notes.read_text().splitlines()]
    assert sorted(runs, key=int) == [str(n) for n in range(60)]  # each once, none missing
    claims = [line.split() for line in _output(_shell(a, _CLAIMS, env))]
    assert len(claims) == 60
    assert {status for status, _count, _worker in claims} == {"SUCCESSFUL"}
    assert {count for _status, count, _worker in claims} == {"1"}
    share = {worker_id: sum(1 for c in claims if c[2] == worker_id) for worker_id in worker_ids}
    assert sum(share.values()) == 60
    assert all(share.values()), share  # both workers ran some
