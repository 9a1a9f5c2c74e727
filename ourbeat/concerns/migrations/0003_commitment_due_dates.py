"""Store each concern's response commitment (first response and resolution plan due dates)
and when staff first responded, so that the overdue queue is an indexed query. Existing rows
are filled: the due dates from their category and the local day of the report, the first
response from the thread (the first public status change or response)."""

from datetime import date, datetime, time, timedelta

import numpy as np
from django.db import migrations, models
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone


def _working_days_after(start: date, days: int) -> date:
    # The same rule as concerns.selectors.working_days_after, frozen here for the migration.
    return np.busday_offset(np.datetime64(start, "D"), days, roll="forward").astype(date)


def fill(apps, schema_editor):
    Category = apps.get_model("concerns", "Category")
    Concern = apps.get_model("concerns", "Concern")
    Update = apps.get_model("concerns", "Update")
    zone = timezone.get_default_timezone()
    for category in Category.objects.all():
        rows = Concern.objects.filter(category=category, first_response_due__isnull=True)
        span = rows.aggregate(first=Min("created_at"), last=Max("created_at"))
        if span["first"] is None:
            continue
        # One UPDATE per local day of reports, each a range of the (category, created_at)
        # index: the cost grows with the days covered, not with the rows.
        day = timezone.localtime(span["first"], zone).date()
        last = timezone.localtime(span["last"], zone).date()
        while day <= last:
            start = datetime.combine(day, time(0), tzinfo=zone)
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            rows.filter(created_at__gte=start, created_at__lt=end).update(
                first_response_due=_working_days_after(day, category.first_response_days),
                resolution_plan_due=_working_days_after(day, category.resolution_plan_days),
            )
            day += timedelta(days=1)
    first_response = (
        Update.objects.filter(concern=OuterRef("pk"), kind__in=["status", "response"], public=True)
        .exclude(status="duplicate")
        .order_by("created_at")
        .values("created_at")[:1]
    )
    Concern.objects.filter(first_responded_at__isnull=True).update(
        first_responded_at=Subquery(first_response)
    )


class Migration(migrations.Migration):

    dependencies = [
        ('concerns', '0002_concern_read_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='concern',
            name='first_responded_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='first responded'),
        ),
        migrations.AddField(
            model_name='concern',
            name='first_response_due',
            field=models.DateField(blank=True, null=True, verbose_name='first response due'),
        ),
        migrations.AddField(
            model_name='concern',
            name='resolution_plan_due',
            field=models.DateField(blank=True, null=True, verbose_name='resolution plan due'),
        ),
        # The indexes follow in 0004: PostgreSQL refuses to build an index in the transaction
        # that has just updated the table's rows ("pending trigger events").
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
