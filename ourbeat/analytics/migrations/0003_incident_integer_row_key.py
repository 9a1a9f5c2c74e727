"""Incidents: an integer row key with the month in front, and two indexes instead of four.

The new key is made from the row's month and its reference (the Crime ID, as stored; a
partner CSV's reference without the month) or, for a row without one, the old key, which
was the row's content digest: the key that importing its file again computes.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

BATCH = 10_000


def integer_keys(apps: Any, schema_editor: Any) -> None:
    from ourbeat.analytics.keys import incident_row_keys

    incident = apps.get_model("analytics", "Incident")
    rows = incident.objects.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    while batch := list(rows.filter(pk__gt=last).only("pk", "source", "month", "crime_id", "row_key")[:BATCH]):
        keys = incident_row_keys(
            [None if r.source == "csv" and r.crime_id else r.month for r in batch],
            [r.crime_id or r.row_key for r in batch],
        )
        for row, key in zip(batch, keys, strict=True):
            row.row_key_number = key
        incident.objects.using(schema_editor.connection.alias).bulk_update(
            batch, ["row_key_number"]
        )
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_incident_fewer_indexes"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="row_key_number",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(integer_keys, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(model_name="incident", name="unique_incident_row"),
        migrations.RemoveField(model_name="incident", name="row_key"),
        migrations.RenameField(
            model_name="incident", old_name="row_key_number", new_name="row_key"
        ),
        migrations.AlterField(
            model_name="incident", name="row_key", field=models.BigIntegerField()
        ),
        migrations.AddConstraint(
            model_name="incident",
            constraint=models.UniqueConstraint(
                fields=("organisation", "source", "row_key"), name="unique_incident_row"
            ),
        ),
        migrations.RemoveIndex(model_name="incident", name="incident_org_date"),
        migrations.RemoveIndex(model_name="incident", name="incident_org_cat_date"),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                fields=["organisation", "occurred_on", "category"], name="incident_org_date_cat"
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="area",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                to="places.area",
                verbose_name="neighbourhood",
            ),
        ),
    ]
