from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpensesConfig(AppConfig):
    name = "coparent.expenses"
    label = "expenses"
    verbose_name = _("Shared expenses")

    def ready(self) -> None:
        # The record's timeline and PDF learn to describe expenses, requests and payments.
        from coparent.expenses import report, summaries, tasks, today
        from coparent.families.today import on_today
        from coparent.infra import periodic

        summaries.register()
        # The record's PDF reports the expenses and the balance (coparent.records.report).
        report.register()
        # The reminder of a reimbursement left waiting (coparent.infra.periodic).
        periodic.register(tasks.scan_reimbursements, every=tasks.SCAN_EVERY)
        # The family's home page names the requests and payments waiting for this parent.
        on_today(today.today_in_expenses)
