from django.db import migrations, models
from django.db.models.functions import Lower


def lowercase_addresses(apps, schema_editor):
    # Rows made by createsuperuser or the admin before addresses were normalised.
    # The case-insensitive unique constraint already rules out two rows that
    # would collide once lowercased.
    User = apps.get_model("accounts", "User")
    User.objects.using(schema_editor.connection.alias).exclude(email=Lower("email")).update(email=Lower("email"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_language")]

    operations = [
        migrations.RunPython(lowercase_addresses, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("email", Lower("email"))), name="accounts_user_email_lowercase"
            ),
        ),
    ]
