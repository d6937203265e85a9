"""The expenses' work in the task worker: every hour, the month's copy of each recurring
expense whose day has come (services.run_recurring), and a reminder for each reimbursement
request that waited longer than the agreement allows (services.remind_waiting); both
idempotent."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from coparent.expenses.services import remind_waiting, run_recurring
from coparent.infra import periodic

SCAN_EVERY = timedelta(hours=1)


@task()
def scan_reimbursements() -> int:
    """The periodic scan (registered in ExpensesConfig.ready)."""
    periodic.schedule_next(scan_reimbursements)  # first, so a failing scan never ends the chain
    return run_recurring() + remind_waiting()
