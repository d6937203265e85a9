from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    name = "coparent.exchanges"
    label = "exchanges"
    verbose_name = _("Exchanges")

    def ready(self) -> None:
        # The record's timeline and PDF learn to describe check-ins and notes in plain words.
        from coparent.exchanges import report, summaries

        summaries.register()
        # The record's PDF reports the time-share and the exchanges (coparent.records.report).
        report.register()
