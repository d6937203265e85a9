from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfobankConfig(AppConfig):
    name = "coparent.infobank"
    label = "infobank"
    verbose_name = _("Info bank")

    def ready(self) -> None:
        # The record's timeline and PDF learn to describe info-bank changes in plain words.
        from coparent.infobank import summaries

        summaries.register()
