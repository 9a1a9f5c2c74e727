"""Neighbourhood teams as the public meets them: officers' profiles, who serves where and
since when, contact points (surgeries, street stalls, walk-and-talks, events), the
published visibility commitment, and the private log of what was delivered."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficerProfile(models.Model):
    """The public face of an officer or staff member. ``user`` links the account that may
    edit it; the profile itself holds only what the person chose to publish."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer_profile",
    )
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="profiles",
    )
    name = models.CharField(_("name"), max_length=150)
    rank = models.CharField(_("rank or role"), max_length=100)
    bio = models.TextField(_("short biography"), max_length=2000, blank=True)
    photo = models.ImageField(_("photo"), upload_to="profiles/", blank=True)
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, help_text=_("Language codes, e.g. en, ru.")
    )
    public = models.BooleanField(_("shown to the public"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("officer profile")
        verbose_name_plural = _("officer profiles")

    def __str__(self) -> str:
        return f"{self.rank} {self.name}"


class Assignment(models.Model):
    """An officer serving an area from ``started_on`` (to ``ended_on``): the tenure the
    public sees."""

    profile = models.ForeignKey(
        OfficerProfile,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    area = models.ForeignKey(
        "places.Area", verbose_name=_("area"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("role in the team"), max_length=100, blank=True)
    started_on = models.DateField(_("serving since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order on the page"), default=100)

    class Meta:
        ordering = ["order", "started_on"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.profile} → {self.area}"

    def tenure_days(self, today: date) -> int:
        return max(0, (today - self.started_on).days)


class ContactKind(models.TextChoices):
    SURGERY = "surgery", _("Surgery")
    STREET_STALL = "street_stall", _("Street stall")
    WALK_AND_TALK = "walk_and_talk", _("Walk and talk")
    FRONT_COUNTER = "front_counter", _("Front counter")
    EVENT = "event", _("Community event")


class ContactPoint(models.Model):
    """A time and place to meet the team: once, or recurring by an iCalendar RRULE in the
    area's local time (so "18:00" stays 18:00 across daylight-saving changes)."""

    area = models.ForeignKey(
        "places.Area",
        verbose_name=_("area"),
        on_delete=models.CASCADE,
        related_name="contact_points",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    venue = models.CharField(_("venue"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    accessibility = models.CharField(_("accessibility notes"), max_length=300, blank=True)
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    starts_at = models.DateTimeField(_("first starts"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(1440)],
    )
    rrule = models.CharField(
        _("repeats (RRULE)"),
        max_length=200,
        blank=True,
        help_text=_("iCalendar recurrence rule, e.g. FREQ=MONTHLY;BYDAY=2TU. Empty: once."),
    )
    cancelled = models.BooleanField(_("whole series cancelled"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")

    def __str__(self) -> str:
        return self.title

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.duration


class OccurrenceChange(models.Model):
    """One occurrence of a contact point cancelled or moved (iCalendar's RECURRENCE-ID)."""

    class Status(models.TextChoices):
        CANCELLED = "cancelled", _("Cancelled")
        MOVED = "moved", _("Moved")

    contact_point = models.ForeignKey(
        ContactPoint, on_delete=models.CASCADE, related_name="changes"
    )
    original_start = models.DateTimeField(_("original start"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    new_start = models.DateTimeField(_("new start"), null=True, blank=True)
    new_venue = models.CharField(_("new venue"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["original_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact_point", "original_start"], name="one_change_per_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_point} {self.original_start:%Y-%m-%d}: {self.status}"


class Metric(models.TextChoices):
    SURGERIES = "surgeries", _("surgeries held")
    FOOT_PATROL_HOURS = "foot_patrol_hours", _("hours of foot patrol")
    STREET_STALLS = "street_stalls", _("street stalls")
    WALK_AND_TALKS = "walk_and_talks", _("walk-and-talks")
    SCHOOL_VISITS = "school_visits", _("school visits")


class VisibilityCommitment(models.Model):
    """What the team publicly promises per month, e.g. 6 surgeries, 40 hours of foot patrol."""

    area = models.ForeignKey(
        "places.Area", verbose_name=_("area"), on_delete=models.CASCADE, related_name="commitments"
    )
    metric = models.CharField(_("measure"), max_length=20, choices=Metric.choices)
    monthly_target = models.DecimalField(
        _("per month"),
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["metric"]
        verbose_name = _("visibility commitment")
        verbose_name_plural = _("visibility commitments")
        constraints = [
            models.UniqueConstraint(fields=["area", "metric"], name="one_commitment_per_metric")
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.monthly_target} {self.get_metric_display()}"


class VisibilityLog(models.Model):
    """Delivered visibility as logged by the team. Never public row by row (operational
    security): the public sees monthly totals once the month has ended."""

    area = models.ForeignKey(
        "places.Area",
        verbose_name=_("area"),
        on_delete=models.CASCADE,
        related_name="visibility_logs",
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    day = models.DateField(_("day"))
    metric = models.CharField(_("measure"), max_length=20, choices=Metric.choices)
    amount = models.DecimalField(
        _("amount"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0.1), MaxValueValidator(24 * 31)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("visibility log entry")
        verbose_name_plural = _("visibility log")
        indexes = [models.Index(fields=["area", "day"])]

    def __str__(self) -> str:
        return f"{self.area} {self.day}: {self.amount} {self.get_metric_display()}"
