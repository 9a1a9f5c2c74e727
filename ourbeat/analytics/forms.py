"""The forms of the scanning analyses: one per analysis, shared by the pages (GET forms) and
the JSON API, so that both accept and refuse exactly the same input.

Every form holds the event selection (organisation, source, categories, area, period) and
its analysis's parameters; ``event_query()`` and ``parameters()`` turn a valid form into
what ``analyses.run_analysis`` takes. The organisations and areas offered are those the user
may scan (``ScanScope``); a user whose roles cover only part of an organisation must pick
one of their areas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from ourbeat.analytics.events import (
    INCIDENT_CATEGORY_LABELS,
    SOURCE_LABELS,
    EventQuery,
    incident_category_label,
)
from ourbeat.analytics.models import Incident
from ourbeat.concerns.models import Category
from ourbeat.core.permissions import SCAN_ROLES, areas_filter_for
from ourbeat.places.models import Area, Organisation

# The longest period one analysis may read (five years and a leap day).
MAX_WINDOW_DAYS = 5 * 365 + 2
DEFAULT_WINDOW_DAYS = 365
# Evaluation with no dates given: a year's map judged against the following quarter.
DEFAULT_TEST_DAYS = 91
MIN_RESOLUTION, MAX_RESOLUTION = 5, 10
# Gi*'s permutations cost n log P, so many are cheap; the false discovery rate correction
# over thousands of cells needs them (the smallest p-value is 2 / (P + 1)).
MAX_PERMUTATIONS = 99_999
DEFAULT_PERMUTATIONS = 99_999
# Each Knox permutation re-bins every close pair: far dearer.
MAX_KNOX_PERMUTATIONS = 9999
MAX_SEED = 2**32 - 1
# Never echo a refused value back: it may be anything, markup included.
NOT_OFFERED = {"invalid_choice": _("Choose one of the options offered.")}
SELECTION_FIELDS = ("organisation", "source", "category", "area", "start", "end")
CONFIDENCE_CHOICES = [("90", _("90%")), ("95", _("95%")), ("99", _("99%"))]


@dataclass
class ScanScope:
    """What a user may scan: organisations (``whole``: those covered entirely, where the
    whole organisation may be analysed) and the areas inside them they cover."""

    organisations: list[Organisation] = field(default_factory=list)
    whole: set[int] = field(default_factory=set)
    areas: list[Area] = field(default_factory=list)

    def area(self, area_id: int | None) -> Area | None:
        return next((a for a in self.areas if a.pk == area_id), None)

    def covers(self, organisation_id: int, area_id: int | None) -> bool:
        """May the user read an analysis of this organisation (and area, None: all of it)?"""
        if area_id is None:
            return organisation_id in self.whole
        return any(a.pk == area_id and a.organisation_id == organisation_id for a in self.areas)


def scan_scope(user: Any) -> ScanScope:
    """The organisations and areas ``user`` may analyse (the ``analytics.use_scan`` roles)."""
    fields = ("pk", "name", "slug", "level", "path", "organisation_id", "parent_id")
    if getattr(user, "is_superuser", False):
        organisations = list(Organisation.objects.filter(areas__isnull=False).distinct())
        areas = list(Area.objects.only(*fields).order_by("organisation_id", "path"))
        return ScanScope(organisations, {o.pk for o in organisations}, areas)
    memberships = areas_filter_for(user, SCAN_ROLES)
    organisation_ids = {m.organisation_id for m in memberships}
    whole = {m.organisation_id for m in memberships if m.area is None}
    candidates = Area.objects.filter(organisation_id__in=organisation_ids).only(*fields)
    areas = [
        area
        for area in candidates.order_by("organisation_id", "path")
        if any(
            m.organisation_id == area.organisation_id
            and (m.area is None or area.path.startswith(m.area.path))
            for m in memberships
        )
    ]
    organisations = list(Organisation.objects.filter(pk__in=organisation_ids))
    return ScanScope(organisations, whole, areas)


def _category_choices(organisation_ids: list[int]) -> list[tuple[Any, Any]]:
    incident = [(slug, label) for slug, label in INCIDENT_CATEGORY_LABELS.items()]
    known = set(INCIDENT_CATEGORY_LABELS)
    # Other crime types an import brought in (a partner's own codes).
    others = (
        Incident.objects.filter(organisation_id__in=organisation_ids)
        .exclude(category__in=known)
        .values_list("category", flat=True)
        .distinct()
    )
    incident += [(slug, incident_category_label(slug)) for slug in sorted(others)[:200]]
    concern = [(c.code, c.label) for c in Category.objects.only("code", "name", "translations")]
    return [
        (_("Incident types"), incident),
        (_("Concern categories"), sorted(concern, key=lambda pair: str(pair[1]))),
    ]


class ScanForm(forms.Form):
    """The event selection every analysis shares."""

    kind = ""
    organisation = forms.ChoiceField(label=_("Organisation"), error_messages=NOT_OFFERED)
    source = forms.ChoiceField(
        label=_("Events"),
        choices=list(SOURCE_LABELS.items()),
        initial="incidents",
        required=False,
        widget=forms.RadioSelect,
        error_messages=NOT_OFFERED,
    )
    category = forms.MultipleChoiceField(
        label=_("Categories"),
        help_text=_("None ticked: every category."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=NOT_OFFERED,
    )
    area = forms.ChoiceField(label=_("Area"), required=False, error_messages=NOT_OFFERED)
    start = forms.DateField(
        label=_("From"),
        required=False,
        help_text=_("Left empty: a year before the end."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=_("To (inclusive)"),
        required=False,
        help_text=_("Left empty: the day of the latest incident."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self, data: Any = None, *, user: Any, scope: ScanScope | None = None, **kwargs: Any
    ) -> None:
        if data is not None:
            # Parameters left out take their defaults, shown as such on the page.
            data = data.copy()
            for name, field in self.base_fields.items():
                if name not in data and field.initial is not None:
                    data[name] = str(field.initial)
        super().__init__(data, **kwargs)
        self.scope = scope if scope is not None else scan_scope(user)
        organisations = self.scope.organisations
        self._choose("organisation", [(o.slug, o.name) for o in organisations])
        if len(organisations) == 1:
            # One organisation: nothing to choose, and a page's address may leave it out.
            self.fields["organisation"].required = False
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = organisations[0].slug
        self._choose("category", _category_choices([o.pk for o in organisations]))
        whole = self.scope.whole
        names = {o.pk: o.name for o in organisations}
        area_choices: list[tuple[str, str]] = []
        if whole:
            area_choices.append(("", str(_("The whole organisation"))))
        for area in self.scope.areas:
            depth = area.path.count("/") - 1
            label = "\u2014 " * max(depth, 0) + area.name
            if len(organisations) > 1:
                label = f"{label} ({names.get(area.organisation_id, '')})"
            area_choices.append((area.slug, label))
        self._choose("area", area_choices)
        if not whole:
            self.fields["area"].required = True

    def _choose(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    # -------------------------------------------------------------------- cleaning

    def _organisation(self) -> Organisation | None:
        slug = self.cleaned_data.get("organisation") or (
            self.scope.organisations[0].slug if len(self.scope.organisations) == 1 else ""
        )
        return next((o for o in self.scope.organisations if o.slug == slug), None)

    def _default_end(self, organisation: Organisation) -> date:
        latest = Incident.objects.filter(organisation=organisation).aggregate(
            last=Max("occurred_on")
        )["last"]
        return latest or date.today()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        organisation = self._organisation()
        if organisation is None:
            if not self.errors.get("organisation"):
                self.add_error("organisation", _("Choose an organisation."))
            return data
        data["organisation_obj"] = organisation
        slug = data.get("area") or ""
        area_id = next((a.pk for a in self.scope.areas if a.slug == slug), None) if slug else None
        if area_id is not None and not self.scope.covers(organisation.pk, area_id):
            self.add_error("area", _("Choose one of this organisation's areas that you cover."))
        elif area_id is None and not self.scope.covers(organisation.pk, None):
            self.add_error("area", _("Choose one of the areas you cover."))
        data["area_id"] = area_id
        data["source"] = data.get("source") or "incidents"
        self._clean_period(data, organisation, "start", "end")
        return data

    def _clean_period(
        self, data: dict[str, Any], organisation: Organisation, start_name: str, end_name: str
    ) -> None:
        start, end = data.get(start_name), data.get(end_name)
        if self.errors.get(start_name) or self.errors.get(end_name):
            return
        if end is None:
            end = self._default_end(organisation)
        if start is None:
            start = end - timedelta(days=DEFAULT_WINDOW_DAYS - 1)
        if end < start:
            self.add_error(end_name, _("The period must end on or after its first day."))
        elif (end - start).days + 1 > MAX_WINDOW_DAYS:
            self.add_error(
                end_name,
                _("The period is too long: at most %(days)d days.") % {"days": MAX_WINDOW_DAYS},
            )
        data[start_name], data[end_name] = start, end

    # -------------------------------------------------------------------- results

    def event_query(self) -> EventQuery:
        data = self.cleaned_data
        return EventQuery(
            organisation_id=data["organisation_obj"].pk,
            source=data["source"],
            categories=tuple(data.get("category") or ()),
            start=data["start"],
            end=data["end"],
            area_id=data["area_id"],
        )

    def parameters(self) -> dict[str, Any]:
        """The analysis's own parameters, JSON-serialisable (part of the cache key)."""
        return {}

    def query_string(self) -> str:
        """The form's cleaned values as a GET query string (for links back to the page)."""
        pairs: list[tuple[str, str]] = []
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            if isinstance(value, list | tuple):
                pairs += [(name, str(v)) for v in value]
            elif isinstance(value, date):
                pairs.append((name, value.isoformat()))
            elif isinstance(value, bool):
                if value:
                    pairs.append((name, "on"))
            else:
                pairs.append((name, str(value)))
        return urlencode(pairs)


def _integer(label: Any, initial: int, low: int, high: int, help_text: Any = "") -> Any:
    return forms.IntegerField(
        label=label,
        initial=initial,
        min_value=low,
        max_value=high,
        required=False,
        help_text=help_text,
    )


class _GridMixin(forms.Form):
    resolution = _integer(
        _("H3 resolution"),
        9,
        MIN_RESOLUTION,
        MAX_RESOLUTION,
        _(
            "The size of the hexagons: 7 is about 5 km², 8 about 0.74 km², 9 (for a town) "
            "about 0.1 km², 10 about 0.015 km²; from 5 to 10."
        ),
    )
    rings = _integer(
        _("Neighbourhood (rings of cells)"),
        1,
        1,
        3,
        _("Each cell is compared with the cells up to this many steps away."),
    )


class _PermutationMixin(forms.Form):
    permutations = _integer(
        _("Permutations"),
        DEFAULT_PERMUTATIONS,
        0,
        MAX_PERMUTATIONS,
        _(
            "For the p-values (0: the normal approximation only). With 999 the smallest "
            "p-value is 0.002, too large to survive the correction for testing thousands "
            "of cells at once; 99999 takes a second or two."
        ),
    )
    seed = _integer(_("Random seed"), 1, 0, MAX_SEED, _("The same seed gives the same result."))


def _value(form: forms.Form, name: str) -> Any:
    value = form.cleaned_data.get(name)
    return form.fields[name].initial if value is None else value


class HotspotForm(_GridMixin, _PermutationMixin, ScanForm):
    kind = "hotspots"

    def parameters(self) -> dict[str, Any]:
        return {
            name: int(_value(self, name))
            for name in ("resolution", "rings", "permutations", "seed")
        }


class EmergingForm(_GridMixin, ScanForm):
    kind = "emerging"
    time_steps = _integer(
        _("Neighbourhood time steps"),
        1,
        0,
        12,
        _("How many earlier months count as neighbours of a month (ArcGIS's default is 1)."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and not self.errors.get("end"):
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            if months < 3:
                self.add_error("start", _("Emerging hot spots need at least three months."))
        return data

    def parameters(self) -> dict[str, Any]:
        return {name: int(_value(self, name)) for name in ("resolution", "rings", "time_steps")}


class NearRepeatForm(_PermutationMixin, ScanForm):
    kind = "knox"
    metric = forms.ChoiceField(
        label=_("Distance"),
        choices=[
            ("manhattan", _("Manhattan (along a street grid)")),
            ("euclidean", _("Straight line")),
        ],
        initial="manhattan",
        required=False,
        error_messages=NOT_OFFERED,
    )
    space_bandwidth = _integer(_("Distance band (metres)"), 100, 1, 5000)
    space_bands = _integer(_("Number of distance bands"), 3, 1, 10)
    time_bandwidth = _integer(_("Time band (days)"), 7, 1, 365)
    time_bands = _integer(_("Number of time bands"), 3, 1, 10)

    # The Near Repeat Calculator's usual count; each Knox permutation costs more than Gi*'s.
    permutations = _integer(
        _("Permutations"),
        99,
        1,
        MAX_KNOX_PERMUTATIONS,
        _("The Near Repeat Calculator's iterations minus one; p-values from 0.01 with 99."),
    )

    def parameters(self) -> dict[str, Any]:
        names = ("space_bandwidth", "space_bands", "time_bandwidth", "time_bands")
        values: dict[str, Any] = {name: int(_value(self, name)) for name in names}
        values["metric"] = self.cleaned_data.get("metric") or "manhattan"
        values["permutations"] = int(_value(self, "permutations"))
        values["seed"] = int(_value(self, "seed"))
        return values


class RepeatsForm(ScanForm):
    kind = "repeats"
    limit = _integer(_("How many to list"), 20, 1, 200)
    minimum = _integer(_("Repeats from"), 2, 2, 1000, _("The fewest events that make a repeat."))

    def parameters(self) -> dict[str, Any]:
        return {"limit": int(_value(self, "limit")), "minimum": int(_value(self, "minimum"))}


class EvaluationForm(_GridMixin, _PermutationMixin, ScanForm):
    """The hot spot map of the period (start–end) against the events of the test period."""

    kind = "evaluation"
    confidence = forms.ChoiceField(
        label=_("Hot spots from"),
        choices=CONFIDENCE_CHOICES,
        initial="95",
        required=False,
        error_messages=NOT_OFFERED,
        help_text=_("The confidence a cell's Gi* hot spot needs to count."),
    )
    test_start = forms.DateField(
        label=_("Test period from"),
        required=False,
        help_text=_("Left empty: the day after the map's period."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    test_end = forms.DateField(
        label=_("Test period to (inclusive)"),
        required=False,
        help_text=_(
            "Left empty: as long as the map's period (with no dates at all: a year's map "
            "against the quarter up to the latest incident)."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def _default_end(self, organisation: Organisation) -> date:
        """Left empty, the map's period ends a quarter before the latest incident, so that
        the test period that follows it holds data."""
        if self.data.get("test_start") or self.data.get("test_end"):
            return super()._default_end(organisation)
        return super()._default_end(organisation) - timedelta(days=DEFAULT_TEST_DAYS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        organisation = data.get("organisation_obj")
        end = data.get("end")
        if organisation is None or end is None or self.errors.get("end"):
            return data
        if not self.errors.get("test_start") and data.get("test_start") is None:
            data["test_start"] = end + timedelta(days=1)
        if not self.errors.get("test_end") and data.get("test_end") is None:
            start = data["test_start"] or end
            given = bool(self.data.get("start") or self.data.get("end"))
            length = (end - data["start"]).days if given else DEFAULT_TEST_DAYS - 1
            data["test_end"] = start + timedelta(days=length)
        if data.get("test_start") and data.get("test_end"):
            self._clean_period(data, organisation, "test_start", "test_end")
            if not self.errors.get("test_start") and data["test_start"] <= end:
                self.add_error("test_start", _("The test period must start after the map's."))
        return data

    def parameters(self) -> dict[str, Any]:
        values = {
            name: int(_value(self, name))
            for name in ("resolution", "rings", "permutations", "seed")
        }
        values["confidence"] = int(self.cleaned_data.get("confidence") or 95)
        values["test_start"] = self.cleaned_data["test_start"].isoformat()
        values["test_end"] = self.cleaned_data["test_end"].isoformat()
        return values


FORMS: dict[str, type[ScanForm]] = {
    form.kind: form
    for form in (HotspotForm, EmergingForm, NearRepeatForm, RepeatsForm, EvaluationForm)
}


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """The form's errors as plain strings by field ("__all__" for the form's own)."""
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}
