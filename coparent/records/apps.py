from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "coparent.records"
    label = "records"
    verbose_name = _("Family record")

    def ready(self) -> None:
        from coparent.infra import periodic
        from coparent.records import report, tasks

        # Every parent gets a signed checkpoint of the record each week (records.checkpoints).
        periodic.register(tasks.issue_weekly_checkpoints, every=tasks.CHECKPOINT_SCAN_EVERY)
        # Export files past their keeping time leave the disk (records.jobs, every job model).
        periodic.register(tasks.sweep_expired_exports, every=tasks.SWEEP_EVERY)
        # The PDF's sections read from the record itself; the apps add theirs (records.report).
        report.register()
