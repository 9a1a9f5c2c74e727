"""The filters of the public concern list, its map data and its feeds (a GET form), and the
filtering itself, shared with the public JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ourbeat.concerns.models import OPEN_STATUSES, Category, Concern, Status
from ourbeat.concerns.selectors import active_categories
from ourbeat.places.models import Area, AreaLevel

OPEN = "open"
CLOSED = "closed"
STATUS_FILTERS = [OPEN, CLOSED, *Status.values]
# A date range filter needs no more than this; anything outside is a typing mistake.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


@dataclass(frozen=True)
class ConcernFilters:
    area: Area | None = None
    category: Category | None = None
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def apply(self, qs: QuerySet[Concern]) -> QuerySet[Concern]:
        """Narrow a queryset of concerns: the area and everything inside it, the category,
        open/closed or one status, and the day reported (local time, both ends included)."""
        if self.area is not None:
            # A subquery over the small area table, so the concerns need no join.
            inside = Area.objects.filter(path__startswith=self.area.path).values("pk")
            qs = qs.filter(area_id__in=inside)
        if self.category is not None:
            qs = qs.filter(category=self.category)
        if self.status == OPEN:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif self.status == CLOSED:
            qs = qs.exclude(status__in=OPEN_STATUSES)
        elif self.status:
            qs = qs.filter(status=self.status)
        zone = timezone.get_current_timezone()
        if self.date_from is not None:
            qs = qs.filter(created_at__gte=datetime.combine(self.date_from, time.min, zone))
        if self.date_to is not None:
            end = self.date_to + timedelta(days=1)
            qs = qs.filter(created_at__lt=datetime.combine(end, time.min, zone))
        return qs


def area_choices() -> list[tuple[str, Any]]:
    """Districts, each followed by its neighbourhoods (grouped for the select)."""
    areas = list(
        Area.objects.filter(level__in=[AreaLevel.DISTRICT, AreaLevel.NEIGHBOURHOOD])
        .only("slug", "name", "level", "parent_id")
        .order_by("name")
    )
    choices: list[tuple[str, Any]] = [("", _("All areas"))]
    for district in (a for a in areas if a.level == AreaLevel.DISTRICT):
        inside = [(a.slug, a.name) for a in areas if a.parent_id == district.pk]
        choices.append(
            (str(district.name), [(district.slug, _("All of %s") % district.name), *inside])
        )
    return choices


def category_choices() -> list[tuple[str, Any]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in active_categories():
        groups.setdefault(category.group_label, []).append((category.code, category.label))
    return [("", _("All categories")), *groups.items()]


def status_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("Any status")),
        (OPEN, _("Open (any open status)")),
        (CLOSED, _("Closed (any closed status)")),
        *Status.choices,
    ]


class BrowseForm(forms.Form):
    """Every field is optional; an empty form lists every public concern."""

    area = forms.ChoiceField(label=_("Area"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    date_from = forms.DateField(
        label=_("Reported from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Reported to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices()  # type: ignore[attr-defined]
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        self.fields["status"].choices = status_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("date_from", "date_to"):
            value = cleaned.get(name)
            if value is not None and not EARLIEST <= value <= LATEST:
                self.add_error(name, _("Enter a date between 2000 and 2100."))
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the range must not be before its start."))
        return cleaned

    def filters(self) -> ConcernFilters:
        """The valid filters (a field with an error is left out, so a half-wrong form still
        lists something sensible next to its error messages)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        area = category = None
        if data.get("area"):
            area = Area.objects.filter(slug=data["area"]).first()
        if data.get("category"):
            category = Category.objects.filter(code=data["category"]).first()
        return ConcernFilters(
            area=area,
            category=category,
            status=data.get("status") or "",
            date_from=data.get("date_from") if "date_from" not in self.errors else None,
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
        )


def filters_from_request(params: Any) -> tuple[BrowseForm, ConcernFilters]:
    form = BrowseForm(params)
    form.is_valid()
    return form, form.filters()
