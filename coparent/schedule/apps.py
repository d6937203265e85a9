from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    name = "coparent.schedule"
    label = "schedule"
    verbose_name = _("Parenting-time schedule")

    def ready(self) -> None:
        # The record's timeline and PDF learn to describe plan entries in plain words.
        from coparent.schedule import summaries

        summaries.register()
