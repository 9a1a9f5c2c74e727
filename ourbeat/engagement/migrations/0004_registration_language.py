from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0003_priority_published_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="language",
            field=models.CharField(blank=True, default="", max_length=10),
        ),
    ]
