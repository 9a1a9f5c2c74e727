"""Organisations and the areas they cover: service → district → neighbourhood."""

from __future__ import annotations

import json
from functools import cached_property

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry


class OrganisationKind(models.TextChoices):
    POLICE_SERVICE = "police_service", _("Police service")
    MUNICIPALITY = "municipality", _("Municipality")
    PARTNER_AGENCY = "partner_agency", _("Partner agency")
    OVERSIGHT = "oversight", _("Oversight body")


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(
        _("identifier"),
        max_length=60,
        unique=True,
        help_text=_("Used in addresses; for a police service, its police.uk force id."),
    )
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("website"), blank=True)
    telephone = models.CharField(_("non-emergency telephone"), max_length=40, blank=True)
    emergency_number = models.CharField(_("emergency number"), max_length=10, default="999")
    email = models.EmailField(_("e-mail"), blank=True)
    # police.uk's engagement_methods: [{"title": …, "url": …, "description": …}]
    engagement_methods = models.JSONField(_("engagement methods"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class AreaLevel(models.TextChoices):
    SERVICE = "service", _("Service area")
    DISTRICT = "district", _("District")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")


LEVEL_PARENT = {
    AreaLevel.SERVICE: None,
    AreaLevel.DISTRICT: AreaLevel.SERVICE,
    AreaLevel.NEIGHBOURHOOD: AreaLevel.DISTRICT,
}


class Area(models.Model):
    """A policed area with its boundary (a GeoJSON Polygon or MultiPolygon, WGS84)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="areas"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=20, choices=AreaLevel.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    code = models.CharField(
        _("code"), max_length=40, help_text=_("The neighbourhood id in the police.uk API.")
    )
    description = models.TextField(_("description"), blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    boundary = models.JSONField(_("boundary"))
    centre_lat = models.FloatField()
    centre_lng = models.FloatField()
    min_lat = models.FloatField()
    min_lng = models.FloatField()
    max_lat = models.FloatField()
    max_lng = models.FloatField()
    # "1/4/17/": the ids from the top, so scope checks are a prefix test.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    contact_email = models.EmailField(_("team e-mail"), blank=True)
    contact_telephone = models.CharField(_("team telephone"), max_length=40, blank=True)
    # Bumped by every service that changes what the public page shows (cache key).
    content_version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="unique_area_code"),
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"], name="unique_area_name_in_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:neighbourhood", kwargs={"slug": self.slug})

    @cached_property
    def geometry(self) -> BaseGeometry:
        return shape(self.boundary)

    @property
    def boundary_json(self) -> str:
        return json.dumps(self.boundary)

    def contains_scope(self, other: Area) -> bool:
        """True when ``other`` is this area or lies inside it in the hierarchy."""
        return other.path.startswith(self.path)


class AreaCell(models.Model):
    """The H3 index of an area: every cell that overlaps it, and whether the cell lies wholly
    inside (then a point in it needs no polygon test). The answer stays exact: cells on the
    boundary send the point to the polygon test."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="cells")
    cell = models.BigIntegerField()
    interior = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["cell"])]
        constraints = [models.UniqueConstraint(fields=["area", "cell"], name="unique_area_cell")]

    def __str__(self) -> str:
        return f"{self.area_id}:{self.cell:x}"
