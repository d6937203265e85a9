from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    name = "coparent.schedule"
    label = "schedule"
    verbose_name = _("Parenting-time schedule")

    def ready(self) -> None:
        # The record's timeline and PDF learn to describe plan entries in plain words.
        from coparent.families.today import on_today
        from coparent.schedule import summaries, today

        summaries.register()
        # The family's home page learns who has the children now and what waits for an answer.
        on_today(today.today_in_schedule)
