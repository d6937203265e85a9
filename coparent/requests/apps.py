from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    name = "coparent.requests"
    label = "requests"
    verbose_name = _("Requests")

    def ready(self) -> None:
        from coparent.families.today import on_today
        from coparent.infra import periodic
        from coparent.requests import summaries, tasks, today

        # The record's timeline and PDF describe request entries in plain words.
        summaries.register()
        # Reminders before a request falls due, and its expiry (coparent.infra.periodic).
        periodic.register(tasks.scan_requests, every=tasks.SCAN_EVERY)
        # The family's home page names the requests waiting for this parent's answer.
        on_today(today.today_in_requests)
