from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "coparent.events"
    label = "events"
    verbose_name = _("Child events")

    def ready(self) -> None:
        # The record's timeline and PDF learn to describe event entries in plain words.
        from coparent.events import summaries, today
        from coparent.families.today import on_today

        summaries.register()
        # The family's home page lists the week's events and those waiting for an answer.
        on_today(today.today_in_events)
