"""Indexes of the overdue queue, in their own transaction after 0003 has filled the rows."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('concerns', '0003_commitment_due_dates'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='concern',
            index=models.Index(fields=['status', 'first_response_due'], name='concern_first_response_due'),
        ),
        migrations.AddIndex(
            model_name='concern',
            index=models.Index(fields=['status', 'resolution_plan_due'], name='concern_plan_due'),
        ),
    ]
