from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "coparent.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from coparent.infra import periodic
        from coparent.notifications import sources, tasks
        from coparent.notifications.selectors import wants_checkpoint_email
        from coparent.records.hooks import on_appended, on_checkpoint_email

        # The centre hears of every fact it tells people about through the record, so the
        # apps that record them never import it (docs/notifications.md, "How it hooks in").
        on_appended(tasks.on_entry, kinds=sources.SOURCES)
        # A parent may turn the weekly checkpoint email off (it still waits on the record page).
        on_checkpoint_email(wants_checkpoint_email)
        # Reminders: the worker scans every few minutes (coparent.infra.periodic).
        periodic.register(tasks.scan_reminders, every=tasks.SCAN_EVERY)
        # The daily digest of messages, at each person's early evening.
        periodic.register(tasks.send_daily_digests, every=tasks.DIGEST_EVERY)
