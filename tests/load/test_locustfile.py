"""`make load` keeps working: its scenario runs for a few seconds with two parents against a
real `coparent serve`, and every action it takes is answered without an error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.slow
def test_two_parents_use_every_part_of_the_scenario_without_an_error(tmp_path):
    env = {
        **os.environ,
        "LOAD_USERS": "2",
        "LOAD_DURATION": "8s",
        "LOAD_FAMILIES": "3",
        "LOAD_WAIT_MIN": "0.05",
        "LOAD_WAIT_MAX": "0.1",
        "TMPDIR": str(tmp_path),
    }
    # SQLite in the run's own folder: never the database the suite was pointed at.
    env.pop("LOAD_HOSTS", None)
    env.pop("DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, ROOT / "load" / "run.py"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = run.stdout.splitlines()
    errors = next(line for line in lines if line.startswith("errors"))
    assert errors.split()[1] == "0", run.stdout + run.stderr
    actions = {" ".join(line.split()[:-5]) for line in lines if line.startswith(("GET ", "POST "))}
    assert {
        "GET calendar page",
        "GET inbox page",
        "GET expenses page",
        "POST api send message",
        "GET api exchanges",
    } <= actions, run.stdout
