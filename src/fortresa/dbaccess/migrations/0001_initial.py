from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="DatabaseAuditRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("ran_at", models.DateTimeField(db_index=True, verbose_name="ran at")),
                ("server", models.CharField(max_length=200, verbose_name="server")),
                ("passed", models.BooleanField(verbose_name="passed")),
                (
                    "error_count",
                    models.PositiveIntegerField(default=0, verbose_name="errors"),
                ),
                (
                    "warning_count",
                    models.PositiveIntegerField(default=0, verbose_name="warnings"),
                ),
                ("findings", models.JSONField(default=list, verbose_name="findings")),
            ],
            options={
                "verbose_name": "database audit run",
                "verbose_name_plural": "database audit runs",
                "ordering": ["-ran_at"],
            },
        ),
    ]
