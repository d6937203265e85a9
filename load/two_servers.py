"""`make load TOPOLOGY=two`: the load of `make load` spread over two servers that share one
PostgreSQL and one Redis, as two machines would (docs/operations.md, "Beyond one machine").

1. Needs DATABASE_URL (PostgreSQL; its database is filled with LOAD_FAMILIES synthetic
   families, so a scratch one) and a Redis (REDIS_URL, else 127.0.0.1:6379); says so and stops
   without either.
2. Makes two data folders, A and B; fills the database through A, then copies A's keys
   (secret key, record signing key, push key) into B, as an operator copies them to a second
   machine.
3. Starts `coparent serve` on A, and on B once A answers (A applied the migrations). Each
   serve starts its own task worker: two web servers and two separate workers on one queue.
   Both count rate limits in the one Redis, under a key prefix of this run's own.
4. Runs the locustfile with its parents spread over both servers (LOAD_HOSTS), and prints the
   figures of `make load` and how many requests each server answered.
5. Checks what only a shared topology can get wrong, each beside its target:
   - rate limits shared: one address invited five times through server A (its daily limit,
     `invitation.email`), then once more through server B, which must refuse it (429);
   - no task run twice: once the queue is drained, every task this run queued was claimed
     once (django-tasks-db notes each claim's worker id in `worker_ids`), none failed, and
     both workers ran some.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import requests
from locust.util.timespan import parse_timespan
from run import BIN, ROOT, _free_port, _line, _wait_for, report

KEY_FILES = ("secret_key", "record_signing_key.pem", "vapid_private_key.pem")
TASKS_TABLE = "django_tasks_database_dbtaskresult"  # django-tasks-db's queue
ACCESS_LINE = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD) /')


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=3).ping())
    except (redis.RedisError, OSError):
        return False


def _start(name: str, env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own command
        [BIN / "coparent", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**env, "COPARENT_BASE_URL": f"https://127.0.0.1:{port}"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def shared_limit(hosts: list[str], accounts: Path) -> list[int]:
    """Invite one new address from one parent through server A until its daily limit (five),
    then once more through server B: the status of each answer."""
    families = json.loads(accounts.read_text())["families"]
    family = families[0]
    token = family["users"][0]["token"]
    address = f"shared-limit-{secrets.token_hex(4)}@example.org"
    statuses = []
    for host in [hosts[0]] * 5 + [hosts[1]]:
        answer = requests.post(
            f"{host}/api/v1/families/{family['id']}/invitations",
            json={"email": address, "role": "viewer"},
            headers={"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"},
            timeout=60,
            allow_redirects=False,
        )
        statuses.append(answer.status_code)
    return statuses


def tasks_since(database_url: str, since: datetime, wait: float = 120.0) -> list[dict[str, Any]]:
    """The tasks queued since `since`, once none of them is due and unfinished (or `wait`
    seconds have passed): status and the workers that claimed each."""
    deadline = time.monotonic() + wait
    with psycopg.connect(database_url, autocommit=True) as db:
        while True:
            # The queue's own table, read straight from the database.
            left = db.execute(
                f"SELECT count(*) FROM {TASKS_TABLE} WHERE enqueued_at >= %s"  # noqa: S608
                " AND (status = 'RUNNING' OR (status = 'READY' AND run_after <= now()))",
                [since],
            ).fetchone()
            if not left or left[0] == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        rows = db.execute(
            f"SELECT task_path, status, worker_ids FROM {TASKS_TABLE}"  # noqa: S608
            " WHERE enqueued_at >= %s AND status <> 'READY'",
            [since],
        ).fetchall()
    return [{"task": r[0], "status": r[1], "worker_ids": r[2]} for r in rows]


def check(statuses: list[int], tasks: list[dict[str, Any]], answered: list[int]) -> bool:
    """Print the two-server checks beside their targets; True when every one holds."""
    print("\nTwo servers, one PostgreSQL, one Redis")
    for name, count in zip("AB", answered, strict=True):
        _line(f"requests answered by server {name}", f"{count:,}", "", None)
    shared = statuses == [201] * 5 + [429]
    _line(
        "rate limit shared (A×5, then B)",
        " ".join(str(s) for s in statuses),
        "201×5 then 429",
        shared,
    )
    twice = [t for t in tasks if len(t["worker_ids"]) != 1]
    failed = [t for t in tasks if t["status"] != "SUCCESSFUL"]
    workers = Counter(w for t in tasks for w in t["worker_ids"])
    _line("tasks run", f"{len(tasks):,}", "", None)
    _line("tasks claimed more than once", str(len(twice)), "0", not twice)
    _line("tasks not successful", str(len(failed)), "0", not failed)
    _line(
        "workers that ran tasks",
        " / ".join(str(n) for n in sorted(workers.values(), reverse=True)) or "none",
        "both",
        len(workers) == 2,
    )
    for task in (twice + failed)[:10]:
        print(f"  {task['status']} {task['task']} claimed by {task['worker_ids']}")
    return shared and not twice and not failed and len(workers) == 2


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if not database_url.startswith("postgres"):
        print("TOPOLOGY=two needs DATABASE_URL=postgres://… (one database for both servers).")
        return 2
    if not _redis_answers(redis_url):
        print(f"TOPOLOGY=two needs a Redis: none answers at {redis_url} (set REDIS_URL).")
        return 2
    users = int(os.environ.get("LOAD_USERS", "50"))
    duration = os.environ.get("LOAD_DURATION", "60s")
    spawn_rate = os.environ.get("LOAD_SPAWN_RATE", "10")
    families = int(os.environ.get("LOAD_FAMILIES", "200"))
    work = Path(tempfile.mkdtemp(prefix="coparent-load-two-"))
    servers: list[subprocess.Popen[bytes]] = []
    try:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # This run's counters only: a shared Redis may hold an earlier run's.
            "COPARENT_CACHE_PREFIX": f"coparent-load-{secrets.token_hex(4)}",
            "DEBUG": "0",
            "COPARENT_BEHIND_PROXY": "1",
            "COPARENT_RATE_LIMITS": "message.ip=off",
        }
        env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
        folders = {name: work / name for name in "ab"}
        accounts = work / "accounts.json"
        print(f"Making {families} synthetic families (PostgreSQL, through server A)…", flush=True)
        with accounts.open("w") as out:
            subprocess.run(  # noqa: S603 - our own command
                [BIN / "coparent", "generate", "--families", str(families), "--json",
                 "--tokens", str(min(families, users // 2 + 1))],
                env={**env, "COPARENT_DATA_DIR": str(folders["a"])},
                stdout=out, check=True, cwd=ROOT,
            )  # fmt: skip
        # The second machine gets the first one's keys before its first start.
        folders["b"].mkdir(mode=0o700)
        for name in KEY_FILES:
            shutil.copy2(folders["a"] / name, folders["b"] / name)
        since = datetime.now(UTC)
        hosts = []
        for name, folder in folders.items():
            port, log = _free_port(), work / f"server-{name}.log"
            server = _start(name, {**env, "COPARENT_DATA_DIR": str(folder)}, port, log)
            servers.append(server)
            hosts.append(f"http://127.0.0.1:{port}")
            _wait_for(hosts[-1], server, log)
        print(f"{users} parents for {duration} against {', '.join(hosts)}…", flush=True)
        subprocess.run(  # noqa: S603 - our own command
            [BIN / "locust", "-f", ROOT / "load" / "locustfile.py", "--headless",
             "--users", str(users), "--spawn-rate", spawn_rate,
             "--host", hosts[0], "--csv", work / "locust", "--only-summary",
             "--loglevel", "WARNING"],
            env={**env, "LOAD_ACCOUNTS": str(accounts), "LOAD_HOSTS": ",".join(hosts),
                 "LOAD_DURATION": duration},
            check=False, cwd=ROOT, timeout=parse_timespan(duration) + 600,
        )  # fmt: skip
        met = report(work / "locust_stats.csv", "two servers, one PostgreSQL, one Redis")
        statuses = shared_limit(hosts, accounts)
        tasks = tasks_since(database_url, since)
        answered = [
            sum(1 for line in (work / f"server-{n}.log").open() if ACCESS_LINE.search(line))
            for n in "ab"
        ]
        held = check(statuses, tasks, answered)
        print("every target met" if met and held else "target(s) missed")
        return 0  # figures to read, not a gate, as `make load`
    finally:
        for server in servers:
            _stop(server)
        if os.environ.get("LOAD_KEEP"):
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
