from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Without REDIS_URL (development and the tests) the cache, and with it the
    # throttle counts, lives in a table of the database; creating it here means
    # `migrate` is the only step a fresh clone needs. A no-op with Redis, which
    # production requires.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
