from django.db import migrations, models


def twelve_rows(apps, schema_editor):
    Row = apps.get_model("baseline", "Row")
    Row.objects.bulk_create(Row(position=n, title=f"Row number {n}") for n in range(1, 13))


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Row",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField()),
                ("title", models.CharField(max_length=100)),
            ],
            options={"ordering": ["position"]},
        ),
        migrations.RunPython(twelve_rows, migrations.RunPython.noop),
    ]
