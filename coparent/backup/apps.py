from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupConfig(AppConfig):
    name = "coparent.backup"
    label = "backup"
    verbose_name = _("Backups")

    def ready(self) -> None:
        from coparent.backup import tasks
        from coparent.infra import periodic

        # The worker's daily backup into the backups folder (coparent.backup.tasks).
        periodic.register(tasks.take_daily_backup, every=tasks.SCAN_EVERY)
