"""Each person's message email settings, from messaging's NotificationSetting, become their
notification preferences: "never" turns message emails off, "daily" keeps them as the daily
digest, and the opt-in for a message's text carries over. Today's digests come along, so none
goes out twice on the day of the upgrade."""

from typing import Any

from django.db import migrations


def forward(apps: Any, schema_editor: Any) -> None:
    Setting = apps.get_model("messaging", "NotificationSetting")
    OldDigest = apps.get_model("messaging", "DigestSent")
    Preferences = apps.get_model("notifications", "Preferences")
    ChannelChoice = apps.get_model("notifications", "ChannelChoice")
    Digest = apps.get_model("notifications", "DigestSent")
    for setting in Setting.objects.all().iterator():
        if setting.frequency == "never":
            ChannelChoice.objects.get_or_create(
                user_id=setting.user_id,
                kind="message",
                channel="email",
                defaults={"enabled": False},
            )
        if setting.include_content or setting.frequency == "daily":
            Preferences.objects.update_or_create(
                user_id=setting.user_id,
                defaults={
                    "include_content": setting.include_content,
                    "message_digest": setting.frequency == "daily",
                },
            )
    Digest.objects.bulk_create(
        Digest(
            user_id=d.user_id,
            day=d.day,
            period_end=d.period_end,
            messages=d.messages,
            sent_at=d.sent_at,
        )
        for d in OldDigest.objects.all().iterator()
    )


def backward(apps: Any, schema_editor: Any) -> None:
    Setting = apps.get_model("messaging", "NotificationSetting")
    Preferences = apps.get_model("notifications", "Preferences")
    ChannelChoice = apps.get_model("notifications", "ChannelChoice")
    off = set(
        ChannelChoice.objects.filter(kind="message", channel="email", enabled=False).values_list(
            "user_id", flat=True
        )
    )
    for prefs in Preferences.objects.all().iterator():
        Setting.objects.update_or_create(
            user_id=prefs.user_id,
            defaults={
                "include_content": prefs.include_content,
                "frequency": "daily" if prefs.message_digest else "immediate",
            },
        )
    for user_id in off:
        Setting.objects.update_or_create(user_id=user_id, defaults={"frequency": "never"})


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("messaging", "0004_idempotencykey_request_hash"),
    ]

    operations = [migrations.RunPython(forward, backward)]
