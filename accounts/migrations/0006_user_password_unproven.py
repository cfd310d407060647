from django.contrib.auth.hashers import is_password_usable
from django.db import migrations, models


def flag_unproven_passwords(apps, schema_editor):
    # Accounts waiting for their first confirmed address may carry a password
    # someone planted on another person's address: treat them as new sign-ups.
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    alias = schema_editor.connection.alias
    verified = EmailAddress.objects.using(alias).filter(verified=True).values("user_id")
    waiting = User.objects.using(alias).exclude(pk__in=verified).only("pk", "password")
    unproven = [user.pk for user in waiting.iterator() if is_password_usable(user.password)]
    User.objects.using(alias).filter(pk__in=unproven).update(password_unproven=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_email_lowercase"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="password_unproven",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "The password was chosen at sign-up and the address has not been confirmed yet. "
                    "Confirmed in the browser that signed up, the password stays; confirmed anywhere else, "
                    "it stops working and the owner chooses their own."
                ),
            ),
        ),
        migrations.RunPython(flag_unproven_passwords, migrations.RunPython.noop),
    ]
