"""How a person hears of new messages (at once, a daily digest, never; with or without the text)
moved to the notification centre's preferences (coparent.notifications, migration 0002 copies
them there first); the shield stays here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0004_idempotencykey_request_hash"),
        ("notifications", "0002_message_settings_from_messaging"),
    ]

    operations = [
        migrations.RemoveField(model_name="notificationsetting", name="frequency"),
        migrations.RemoveField(model_name="notificationsetting", name="include_content"),
        migrations.DeleteModel(name="DigestSent"),
    ]
