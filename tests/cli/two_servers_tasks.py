"""A task for tests/cli/test_two_servers.py: notes each run of it in a file, so a job run twice
shows there whatever the queue's own bookkeeping says."""

from __future__ import annotations

import os
import time

from django_tasks import task


@task()
def note(number: int) -> None:
    time.sleep(0.05)  # long enough that both workers are busy at once
    with open(os.environ["COPARENT_TEST_NOTES"], "a") as notes:
        notes.write(f"{number} {os.getpid()}\n")
