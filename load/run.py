"""`make load`: many parents at once against `coparent serve` on the loopback, with locust.

1. Makes a data folder of its own (deleted afterwards) and fills the database with synthetic
   families (`coparent generate`): SQLite in that folder, or the PostgreSQL database named by
   DATABASE_URL.
2. Starts `coparent serve` with its default settings (two web processes and the task worker),
   as behind a TLS proxy (COPARENT_BEHIND_PROXY=1), and waits for /healthz.
3. Runs load/locustfile.py headless: LOAD_USERS parents (50) sign in, then use the site for
   LOAD_DURATION (60s).
4. Prints, for that time, requests per second, p50, p95, p99
   and errors, overall and per action, beside the targets (no errors; p95 ≤ 200 ms), with
   MISSED for a target missed.

With LOAD_HOSTS (comma-separated base URLs of servers already running against one database) it
starts nothing: it loads the accounts of LOAD_ACCOUNTS, made beforehand with
`coparent generate --families N --tokens N --json > accounts.json` against that database, and
spreads the users over the hosts (docs/operations.md, "Beyond one machine"). With
LOAD_TOPOLOGY=two (`make load TOPOLOGY=two`) it starts two servers on one PostgreSQL and one
Redis itself, and checks what they share (load/two_servers.py).

Every simulated user comes from 127.0.0.1, where real parents come from as many addresses:
the per-address message limit (`message.ip`) is turned off for the server it starts.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from locust.util.timespan import parse_timespan

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
P95_TARGET_MS = 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as reply:  # noqa: S310
                if reply.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("coparent serve did not start:\n" + log.read_text()) from None
        time.sleep(0.3)


def _line(label: str, value: str, target: str, ok: bool | None) -> None:
    mark = "" if ok is None else ("ok" if ok else "MISSED")
    print(f"{label:<34} {value:>12}   {('(target ' + target + ')') if target else '':<22} {mark}")


def report(stats_csv: Path, database: str) -> bool:
    """Print the figures of a locust run; True when every target was met."""
    with stats_csv.open() as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(f"\n{'action':<30} {'requests':>9} {'errors':>7} {'p50':>7} {'p95':>7} {'p99':>7}")
    for row in rows:
        if row["Name"] == "Aggregated" or row["Request Count"] == "0":
            continue
        print(
            f"{row['Type'] + ' ' + row['Name']:<30} {row['Request Count']:>9} "
            f"{row['Failure Count']:>7} {row['50%']:>5}ms {row['95%']:>5}ms {row['99%']:>5}ms"
        )
    requests, errors = int(total["Request Count"]), int(total["Failure Count"])
    p95 = float(total["95%"])
    print(f"\nLoad on {database}")
    _line("requests per second", f"{float(total['Requests/s']):,.1f}", "", None)
    _line("p50", f"{float(total['50%']):,.0f} ms", "", None)
    _line("p95", f"{p95:,.0f} ms", f"≤ {P95_TARGET_MS} ms", p95 <= P95_TARGET_MS)
    _line("p99", f"{float(total['99%']):,.0f} ms", "", None)
    _line("errors", f"{errors} of {requests:,}", "0", errors == 0)
    return errors == 0 and p95 <= P95_TARGET_MS and requests > 0


def main() -> int:
    if os.environ.get("LOAD_TOPOLOGY", "one") == "two":
        # Two servers and two workers on one PostgreSQL and one Redis (load/two_servers.py).
        from two_servers import main as two_servers

        return two_servers()
    users = int(os.environ.get("LOAD_USERS", "50"))
    duration = os.environ.get("LOAD_DURATION", "60s")
    spawn_rate = os.environ.get("LOAD_SPAWN_RATE", "10")
    families = int(os.environ.get("LOAD_FAMILIES", "200"))
    hosts = os.environ.get("LOAD_HOSTS", "")
    work = Path(tempfile.mkdtemp(prefix="coparent-load-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        env = {**os.environ, "COPARENT_DATA_DIR": str(work / "data")}
        database = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
        if hosts:
            accounts = Path(os.environ["LOAD_ACCOUNTS"])
            host = hosts.split(",")[0].strip()
            database = f"the {len(hosts.split(','))} server(s) of LOAD_HOSTS"
        else:
            port = _free_port()
            host = f"http://127.0.0.1:{port}"
            env.update(
                DEBUG="0",
                COPARENT_BEHIND_PROXY="1",
                COPARENT_BASE_URL=f"https://127.0.0.1:{port}",
                COPARENT_RATE_LIMITS="message.ip=off",
            )
            # The task worker does the notification work of every message sent; the emails
            # themselves go nowhere (there is no mail server on the loopback).
            env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
            accounts = work / "accounts.json"
            # Both parents of enough families for every user get a token; the other families
            # are there to make the database bigger than the load.
            with_tokens = min(families, users // 2 + 1)
            print(f"Making {families} synthetic families ({database})…", flush=True)
            with accounts.open("w") as out:
                subprocess.run(  # noqa: S603 - our own command
                    [BIN / "coparent", "generate", "--families", str(families), "--json",
                     "--tokens", str(with_tokens)],
                    env=env, stdout=out, check=True, cwd=ROOT,
                )  # fmt: skip
            log = work / "server.log"
            server = subprocess.Popen(  # noqa: S603 - our own command
                [BIN / "coparent", "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
            )
            _wait_for(host, server, log)
        print(f"{users} parents for {duration} against {hosts or host}…", flush=True)
        # The locustfile stops the run LOAD_DURATION after the last parent has signed in; the
        # timeout is for a run whose parents never all sign in.
        subprocess.run(  # noqa: S603 - our own command
            [BIN / "locust", "-f", ROOT / "load" / "locustfile.py", "--headless",
             "--users", str(users), "--spawn-rate", spawn_rate,
             "--host", host, "--csv", work / "locust", "--only-summary",
             "--loglevel", "WARNING"],
            env={**env, "LOAD_ACCOUNTS": str(accounts), "LOAD_HOSTS": hosts,
                 "LOAD_DURATION": duration},
            check=False, cwd=ROOT, timeout=parse_timespan(duration) + 600,
        )  # fmt: skip
        met = report(work / "locust_stats.csv", database)
        print("every target met" if met else "target(s) missed")
        return 0  # figures to read, not a gate: a busy machine must not fail `make load`
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if os.environ.get("LOAD_KEEP"):
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
