"""Families made before they had a zone of their own take the zone of their parenting plan (the
one accepted last, else the latest proposed), so their pages keep showing the times they showed;
a family without a plan stays on UTC until a parent chooses its zone."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def family_zone_from_plan(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Family = apps.get_model("families", "Family")
    PlanVersion = apps.get_model("schedule", "PlanVersion")
    for family in Family.objects.filter(timezone="UTC").iterator():
        versions = PlanVersion.objects.filter(family=family).order_by("-number")
        version = versions.filter(status="accepted").first() or versions.first()
        zone = (version.plan or {}).get("timezone") if version is not None else None
        if isinstance(zone, str) and zone and zone != family.timezone:
            family.timezone = zone
            family.save(update_fields=["timezone"])


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0002_zone"),
        ("schedule", "0001_initial"),
    ]

    operations = [migrations.RunPython(family_zone_from_plan, migrations.RunPython.noop)]
