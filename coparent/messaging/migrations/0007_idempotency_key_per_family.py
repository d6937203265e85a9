"""An Idempotency-Key is one person's in one family: the same key sent by the same person in
another family of theirs is another request, not a conflict. Every row kept so far satisfies
the new constraint (the old one was stricter), so nothing is rewritten; the new constraint is
added before the old one goes, so the table is never without one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("messaging", "0006_notificationsetting_shield_answered_at")]

    operations = [
        migrations.AddConstraint(
            model_name="idempotencykey",
            constraint=models.UniqueConstraint(
                fields=("family", "user", "key_hash"), name="one_idempotency_key_per_family"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="idempotencykey",
            name="one_idempotency_key",
        ),
    ]
