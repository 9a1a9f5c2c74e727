from django.db import migrations, models
from django.db.models import F


def publish_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Priorities from before moderation were public already; keep them so.
    Priority = apps.get_model("engagement", "Priority")
    Priority.objects.filter(published_at__isnull=True).update(published_at=F("proposed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0002_notification_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="priority",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="published"),
        ),
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
    ]
