# A parent's home address and safe mode switch, per family, append-only (docs/safety.md).

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from coparent.infra.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0002_zone"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HomeAddress",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "n",
                    models.PositiveIntegerField(
                        help_text="1 for the parent's first version in this family."
                    ),
                ),
                (
                    "address",
                    models.TextField(blank=True, max_length=300, verbose_name="home address"),
                ),
                ("safe_mode", models.BooleanField(default=False, verbose_name="safe mode")),
                ("salt", models.CharField(max_length=32)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "family",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="home_addresses",
                        to="families.family",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["family", "user", "-n"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("family", "user", "n"), name="home_address_n_unique"
                    )
                ],
            },
        ),
        append_only("families_homeaddress"),
    ]
