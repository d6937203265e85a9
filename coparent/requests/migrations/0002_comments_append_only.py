from django.db import migrations

from coparent.infra.appendonly import append_only


class Migration(migrations.Migration):
    # Comments are never edited or deleted: what was said stays said.
    dependencies = [("requests", "0001_initial")]
    operations = [append_only("requests_comment")]
