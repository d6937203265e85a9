"""When a person last chose about the shield, so the thread page's offer ("Fold wording like
this in future?") is made until they answer and never after. Someone whose shield is already on
has chosen: their row counts as answered when they turned it on."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def answered_if_on(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    setting = apps.get_model("messaging", "NotificationSetting")
    setting.objects.filter(shield_enabled=True, shield_answered_at=None).update(
        shield_answered_at=models.F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0005_settings_moved_to_notifications")]

    operations = [
        migrations.AddField(
            model_name="notificationsetting",
            name="shield_answered_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(answered_if_on, migrations.RunPython.noop),
    ]
