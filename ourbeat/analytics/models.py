"""Recorded incidents (imported crime, anti-social behaviour and stop-and-search) and the
cached results of the scanning analyses.

An incident is public police data or a partner's extract, never a resident's report: those
are ``concerns.Concern``. Locations arrive already generalised by police.uk ("map points");
a partner CSV may carry exact points, so incidents are shown to staff only and published
only as aggregates (H3 cells). Victims are never stored: a partner extract's victim
reference becomes ``victim_key``, a keyed hash (HMAC with the site's secret), enough to
count repeats and nothing more.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ourbeat.places.models import Area, Organisation


class IncidentSource(models.TextChoices):
    POLICEUK_STREET = "policeuk_street", _("police.uk street crime and anti-social behaviour")
    POLICEUK_OUTCOMES = "policeuk_outcomes", _("police.uk outcomes")
    POLICEUK_STOP_SEARCH = "policeuk_stop_search", _("police.uk stop and search")
    CSV = "csv", _("CSV with a saved column mapping")
    DEMO = "demo", _("demo town")


class DatePrecision(models.TextChoices):
    MONTH = "month", _("month")
    DAY = "day", _("day")
    TIME = "time", _("date and time")


class ColumnMapping(models.Model):
    """How the columns of a partner's CSV map onto an incident: saved once, reused for
    every monthly extract."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE
    )
    name = models.CharField(_("name"), max_length=120)
    # {"category": "Offence", "latitude": "Lat", "longitude": "Lon", "date": "Committed",
    #  "time": "", "location_text": "Street", "crime_id": "Ref", "victim": "VictimRef",
    #  "outcome": ""}: ourbeat field -> CSV header ("" or absent: not in this file).
    columns = models.JSONField(_("columns"), default=dict)
    # A strptime format for the date column, e.g. "%d/%m/%Y"; "" means ISO 8601.
    date_format = models.CharField(_("date format"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_mapping_name")
        ]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class IncidentImport(models.Model):
    """One file brought in: its progress while it runs and, afterwards, what it added, what
    was already there and which rows it rejected and why."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE
    )
    source = models.CharField(_("source"), max_length=30, choices=IncidentSource.choices)
    mapping = models.ForeignKey(
        ColumnMapping,
        verbose_name=_("column mapping"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    file_name = models.CharField(_("file"), max_length=255)
    # Where the uploaded file waits for the task (under OURBEAT_VAR_DIR); emptied when done.
    stored_path = models.CharField(max_length=500, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    rows_added = models.PositiveIntegerField(_("rows added"), default=0)
    rows_present = models.PositiveIntegerField(_("rows already present"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    # [{"row": 17, "reason": "..."}], the first few hundred; the count above is complete.
    rejected = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("incident import")
        verbose_name_plural = _("incident imports")

    def __str__(self) -> str:
        return self.file_name


class Incident(models.Model):
    """A recorded crime, anti-social behaviour incident or stop and search.

    Two indexes only, because every index is written for each of the millions of rows an
    import adds (docs/performance.md, (h)): the unique row key, and (organisation, date,
    category), which serves every organisation-scoped query (analyses load an
    organisation's events by date, of some categories or all, and rank places and victims
    in numpy; a neighbourhood is chosen through the area's path, joined). Nothing looks
    incidents up by neighbourhood alone, import, Crime ID, place key or victim key: the
    rare writes that do (an outcome file, deleting a neighbourhood) read the
    organisation's incidents instead.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, db_index=False
    )
    source = models.CharField(_("source"), max_length=30, choices=IncidentSource.choices)
    imported_by = models.ForeignKey(
        IncidentImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # What makes a row the same row when its file is imported again: its month and 52 bits
    # of the source's own id where it has one, otherwise of a hash of the row's content and
    # its occurrence number (``keys.incident_row_keys``).
    row_key = models.BigIntegerField()
    crime_id = models.CharField(_("crime reference"), max_length=80, blank=True)
    # A slug: police.uk's API slugs for its crime types ("burglary", "anti-social-behaviour").
    category = models.CharField(_("category"), max_length=60)
    month = models.DateField(_("month"))
    # The day it happened; the month's first day when only the month is known.
    occurred_on = models.DateField(_("date"))
    occurred_at = models.DateTimeField(_("date and time"), null=True, blank=True)
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.MONTH
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    location_text = models.CharField(_("location"), max_length=255, blank=True)
    lsoa_code = models.CharField(max_length=20, blank=True)
    lsoa_name = models.CharField(max_length=120, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("neighbourhood"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
    )
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    context = models.TextField(_("context"), blank=True)
    # Keyed hashes (16 hex digits): the same place or the same victim gives the same key.
    location_key = models.CharField(max_length=16, blank=True)
    victim_key = models.CharField(max_length=16, blank=True)
    # Source-specific fields (stop and search: type, object of search, age range, ...).
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source", "row_key"], name="unique_incident_row"
            )
        ]
        indexes = [
            models.Index(
                fields=["organisation", "occurred_on", "category"], name="incident_org_date_cat"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.occurred_on:%Y-%m-%d}"


class IncidentOutcome(models.Model):
    """An outcome from police.uk's outcomes file, joined to its crime by reference."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    imported_by = models.ForeignKey(
        IncidentImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    crime_id = models.CharField(max_length=80, db_index=True)
    month = models.DateField()
    outcome = models.CharField(max_length=200)
    row_key = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "row_key"], name="unique_outcome_row")
        ]

    def __str__(self) -> str:
        return f"{self.crime_id}: {self.outcome}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class AnalysisRun(models.Model):
    """One analysis over one input. ``input_key`` hashes the parameters and the version of
    the data they read, so asking again for the same thing returns the stored result and
    any new import or concern makes a fresh run."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    # "hotspots", "emerging", "knox", "repeats", "recurring", "evaluation".
    kind = models.CharField(max_length=20)
    input_key = models.CharField(max_length=64)
    parameters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    # 0.0 .. 1.0 while it runs.
    progress = models.FloatField(default=0.0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "input_key"], name="unique_analysis_input"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"
