from django.db import migrations

from coparent.infra.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [("records", "0004_recordseal")]
    operations = [append_only("records_recordseal")]
