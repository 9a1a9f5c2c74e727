import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0004_registration_language"),
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="priorityorigin",
            name="answer",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="surveys.answer",
            ),
        ),
    ]
