from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "coparent.journal"
    label = "journal"
    verbose_name = _("Journal")

    def ready(self) -> None:
        from coparent.infra import periodic
        from coparent.journal import report, summaries, tasks

        # The record's timeline and PDF describe the weekly seal in plain words.
        summaries.register()
        # Its author's own export of the record prints it (coparent.records.report).
        report.register()
        # The weekly seal of every family's journals in its record (coparent.infra.periodic).
        periodic.register(tasks.anchor_journals, every=tasks.ANCHOR_EVERY)
