"""The events the scanning analyses read: recorded incidents, residents' concerns, or both,
as numpy arrays.

``EventQuery`` says which events (organisation, source, categories, period, area);
``load_events`` reads them with one ``values_list()`` per source (no model instances) into
``Events``. Concerns are staff-only here, so their exact point is used; anything published
from an analysis must be aggregated (H3 cells), never a point.

Which concerns belong to an organisation: those reported in one of its areas (the police
service's neighbourhoods), whoever responds to them, as the analysts of an area study
everything that happens in it. Duplicates (a second report of the same thing) are left out,
or one problem would count twice.

``project`` turns latitude and longitude into metres for the distance-based analyses (Knox,
kernel density); ``data_version`` changes whenever the events an organisation holds
change, and is part of every cached analysis's key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd
from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ourbeat.analytics.keys import location_keys
from ourbeat.analytics.models import DatePrecision, Incident, IncidentImport
from ourbeat.concerns.models import Category, Concern, Status
from ourbeat.places.models import Area

Source = Literal["incidents", "concerns", "both"]
SOURCES: tuple[Source, ...] = ("incidents", "concerns", "both")
SOURCE_LABELS = {
    "incidents": _("Recorded incidents"),
    "concerns": _("Residents' concerns"),
    "both": _("Incidents and concerns"),
}

KIND_INCIDENT, KIND_CONCERN = 0, 1
UNKNOWN = -1
EPOCH = np.datetime64("1970-01-01", "D")
# The mean radius of the Earth (IUGG), in metres.
EARTH_RADIUS_M = 6_371_008.8

# police.uk's crime types by their API slug, as the street CSV names them.
INCIDENT_CATEGORY_LABELS: dict[str, Any] = {
    "anti-social-behaviour": _("Anti-social behaviour"),
    "bicycle-theft": _("Bicycle theft"),
    "burglary": _("Burglary"),
    "criminal-damage-arson": _("Criminal damage and arson"),
    "drugs": _("Drugs"),
    "other-crime": _("Other crime"),
    "other-theft": _("Other theft"),
    "possession-of-weapons": _("Possession of weapons"),
    "public-order": _("Public order"),
    "robbery": _("Robbery"),
    "shoplifting": _("Shoplifting"),
    "theft-from-the-person": _("Theft from the person"),
    "vehicle-crime": _("Vehicle crime"),
    "violent-crime": _("Violence and sexual offences"),
}


def incident_category_label(slug: str) -> str:
    """A crime type's name: police.uk's for its slugs, the slug made readable otherwise."""
    label = INCIDENT_CATEGORY_LABELS.get(slug)
    return str(label) if label is not None else slug.replace("-", " ").capitalize()


@dataclass(frozen=True)
class EventQuery:
    """Which events an analysis reads. ``categories`` holds incident slugs ("burglary")
    and/or concern category codes; empty means every category. ``start`` and ``end`` are
    inclusive; None leaves that side open. ``area_id``: that area and every area inside it
    (through ``Area.path``); None: the whole organisation."""

    organisation_id: int
    source: Source = "incidents"
    categories: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    area_id: int | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"unknown source {self.source!r}")
        # Sorted and unique, so that the same selection always hashes the same.
        object.__setattr__(self, "categories", tuple(sorted(set(self.categories))))
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError("the period ends before it starts")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form (dates as ISO strings), the inverse of ``from_dict``."""
        return {
            "organisation_id": self.organisation_id,
            "source": self.source,
            "categories": list(self.categories),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "area_id": self.area_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventQuery:
        return cls(
            organisation_id=int(data["organisation_id"]),
            source=data.get("source", "incidents"),
            categories=tuple(data.get("categories") or ()),
            start=date.fromisoformat(data["start"]) if data.get("start") else None,
            end=date.fromisoformat(data["end"]) if data.get("end") else None,
            area_id=data.get("area_id"),
        )

    def with_period(self, start: date | None, end: date | None) -> EventQuery:
        return EventQuery(
            organisation_id=self.organisation_id,
            source=self.source,
            categories=self.categories,
            start=start,
            end=end,
            area_id=self.area_id,
        )


def _empty(dtype: Any) -> npt.NDArray[Any]:
    return np.empty(0, dtype=dtype)


@dataclass
class Events:
    """Events as parallel arrays, one element per event.

    ``lat``/``lng`` are NaN where the event has no location; ``day`` counts days since
    1970-01-01 (for an incident known only to the month, the month's first day), ``month``
    months since January 1970, ``hour`` the local hour (−1 unknown), ``weekday`` Monday = 0
    (−1 when only the month is known), ``category`` an index into ``category_keys`` and
    ``category_labels``, ``kind`` ``KIND_INCIDENT`` or ``KIND_CONCERN``, ``ids`` the row's
    primary key in its table. ``location_key`` and ``victim_key`` are pseudonymous keys
    ("" when absent). ``location_text`` is the place as an incident's source names it ("On
    or near High Street"; "" when absent, for concerns, whose texts are residents' own
    words, and for events read from a file): events built without it have "" throughout.
    """

    lat: npt.NDArray[np.float64] = field(default_factory=lambda: _empty(np.float64))
    lng: npt.NDArray[np.float64] = field(default_factory=lambda: _empty(np.float64))
    day: npt.NDArray[np.int64] = field(default_factory=lambda: _empty(np.int64))
    month: npt.NDArray[np.int64] = field(default_factory=lambda: _empty(np.int64))
    hour: npt.NDArray[np.int8] = field(default_factory=lambda: _empty(np.int8))
    weekday: npt.NDArray[np.int8] = field(default_factory=lambda: _empty(np.int8))
    category: npt.NDArray[np.int32] = field(default_factory=lambda: _empty(np.int32))
    category_keys: list[str] = field(default_factory=list)
    category_labels: list[str] = field(default_factory=list)
    location_key: npt.NDArray[np.object_] = field(default_factory=lambda: _empty(object))
    victim_key: npt.NDArray[np.object_] = field(default_factory=lambda: _empty(object))
    location_text: npt.NDArray[np.object_] = field(default_factory=lambda: _empty(object))
    kind: npt.NDArray[np.int8] = field(default_factory=lambda: _empty(np.int8))
    ids: npt.NDArray[np.int64] = field(default_factory=lambda: _empty(np.int64))

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def located(self) -> npt.NDArray[np.bool_]:
        """Which events have coordinates (the spatial analyses use only these)."""
        return np.isfinite(self.lat) & np.isfinite(self.lng)

    @property
    def unlocated_count(self) -> int:
        """Events without coordinates: counted, never placed on a map."""
        return int(len(self) - np.count_nonzero(self.located))

    def location_texts(self) -> npt.NDArray[np.object_]:
        """``location_text``, or "" for every event when it was not given."""
        if self.location_text.shape[0] == len(self):
            return self.location_text
        return np.full(len(self), "", dtype=object)

    def subset(self, mask: npt.NDArray[Any]) -> Events:
        """The events a boolean mask or an index array selects, in its order (categories
        keep their codes)."""
        return Events(
            lat=self.lat[mask],
            lng=self.lng[mask],
            day=self.day[mask],
            month=self.month[mask],
            hour=self.hour[mask],
            weekday=self.weekday[mask],
            category=self.category[mask],
            category_keys=self.category_keys,
            category_labels=self.category_labels,
            location_key=self.location_key[mask],
            victim_key=self.victim_key[mask],
            location_text=self.location_texts()[mask],
            kind=self.kind[mask],
            ids=self.ids[mask],
        )


def _area_path(area_id: int | None, organisation_id: int) -> str | None:
    if area_id is None:
        return None
    area = Area.objects.filter(pk=area_id, organisation_id=organisation_id).only("path").first()
    if area is None:
        raise ValueError("the area is not one of the organisation's")
    return area.path


def _incidents(query: EventQuery, area_path: str | None) -> QuerySet[Incident]:
    rows = Incident.objects.filter(organisation_id=query.organisation_id)
    if query.categories:
        rows = rows.filter(category__in=query.categories)
    if query.start is not None:
        rows = rows.filter(occurred_on__gte=query.start)
    if query.end is not None:
        rows = rows.filter(occurred_on__lte=query.end)
    if area_path is not None:
        rows = rows.filter(area__path__startswith=area_path)
    return rows


def concerns_of(organisation_id: int) -> QuerySet[Concern]:
    """The concerns an organisation's analyses read: those reported in its areas, less
    duplicates."""
    return Concern.objects.filter(area__organisation_id=organisation_id).exclude(
        Q(status=Status.DUPLICATE) | Q(duplicate_of__isnull=False)
    )


def _concerns(query: EventQuery, area_path: str | None) -> QuerySet[Concern]:
    rows = concerns_of(query.organisation_id)
    if query.categories:
        rows = rows.filter(category__code__in=query.categories)
    zone = ZoneInfo(settings.TIME_ZONE)
    # The period is in local days; created_at is stored in UTC.
    if query.start is not None:
        rows = rows.filter(created_at__gte=datetime.combine(query.start, time.min, tzinfo=zone))
    if query.end is not None:
        after = datetime.combine(query.end + timedelta(days=1), time.min, tzinfo=zone)
        rows = rows.filter(created_at__lt=after)
    if area_path is not None:
        rows = rows.filter(area__path__startswith=area_path)
    return rows


def _days(dates: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    return (dates.astype("datetime64[D]") - EPOCH).astype(np.int64)


def _months(dates: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    return (dates.astype("datetime64[M]") - np.datetime64("1970-01", "M")).astype(np.int64)


def _coordinates(values: list[Any]) -> npt.NDArray[np.float64]:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _local_hours(stamps: list[Any]) -> npt.NDArray[np.int8]:
    """The local hour of each aware datetime (−1 for None), converted in one pandas call."""
    local = pd.to_datetime(pd.Series(stamps, dtype=object), utc=True).dt.tz_convert(
        settings.TIME_ZONE
    )
    return local.dt.hour.fillna(UNKNOWN).to_numpy(dtype=np.int8)


def _load_incidents(query: EventQuery, area_path: str | None) -> dict[str, Any]:
    rows = list(
        _incidents(query, area_path).values_list(
            "pk",
            "category",
            "occurred_on",
            "occurred_at",
            "date_precision",
            "latitude",
            "longitude",
            "location_key",
            "victim_key",
            "location_text",
        )
    )
    if not rows:
        return {}
    ids, categories, occurred_on, occurred_at, precision, lat, lng, loc, victim, text = zip(
        *rows, strict=True
    )
    dates = np.array(occurred_on, dtype="datetime64[D]")
    day = _days(dates)
    precision_codes = np.array(precision, dtype=object)
    day_known = precision_codes != DatePrecision.MONTH
    time_known = precision_codes == DatePrecision.TIME
    hour = _local_hours(list(occurred_at))
    hour[~time_known] = UNKNOWN
    # 1970-01-01 was a Thursday (weekday 3 with Monday = 0).
    weekday = np.where(day_known, (day + 3) % 7, UNKNOWN).astype(np.int8)
    return {
        "ids": np.array(ids, dtype=np.int64),
        "categories": np.array(categories, dtype=object),
        "day": day,
        "month": _months(dates),
        "hour": hour,
        "weekday": weekday,
        "lat": _coordinates(list(lat)),
        "lng": _coordinates(list(lng)),
        "location_key": np.array(loc, dtype=object),
        "victim_key": np.array(victim, dtype=object),
        "location_text": np.array(text, dtype=object),
    }


def _load_concerns(query: EventQuery, area_path: str | None) -> dict[str, Any]:
    rows = list(
        _concerns(query, area_path).values_list(
            "pk", "category__code", "created_at", "latitude", "longitude"
        )
    )
    if not rows:
        return {}
    ids, categories, created_at, lat, lng = zip(*rows, strict=True)
    local = pd.to_datetime(pd.Series(created_at, dtype=object), utc=True).dt.tz_convert(
        settings.TIME_ZONE
    )
    dates = local.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    day = _days(dates)
    latitudes, longitudes = _coordinates(list(lat)), _coordinates(list(lng))
    return {
        "ids": np.array(ids, dtype=np.int64),
        "categories": np.array(categories, dtype=object),
        "day": day,
        "month": _months(dates),
        "hour": local.dt.hour.to_numpy(dtype=np.int8),
        "weekday": ((day + 3) % 7).astype(np.int8),
        "lat": latitudes,
        "lng": longitudes,
        "location_key": np.array(location_keys(lat, lng), dtype=object),
        # A concern's reporter is never a "victim" key: repeats of concerns are places.
        "victim_key": np.full(len(ids), "", dtype=object),
        # A resident's description of a place is theirs, not a name for a ranked place.
        "location_text": np.full(len(ids), "", dtype=object),
    }


def _concern_labels(codes: list[str]) -> dict[str, str]:
    return {c.code: c.label for c in Category.objects.filter(code__in=codes)}


def load_events(query: EventQuery) -> Events:
    """The events the query selects, oldest first, as arrays (see ``Events``)."""
    area_path = _area_path(query.area_id, query.organisation_id)
    parts: list[tuple[int, dict[str, Any]]] = []
    if query.source in ("incidents", "both"):
        parts.append((KIND_INCIDENT, _load_incidents(query, area_path)))
    if query.source in ("concerns", "both"):
        parts.append((KIND_CONCERN, _load_concerns(query, area_path)))
    parts = [(kind, part) for kind, part in parts if part]
    if not parts:
        return Events()

    def joined(name: str) -> npt.NDArray[Any]:
        return np.concatenate([part[name] for _, part in parts])

    kind = np.concatenate([np.full(part["ids"].shape[0], k, dtype=np.int8) for k, part in parts])
    # Category keys are tagged with their source, so that an incident slug and a concern
    # code that happen to be equal stay apart.
    tagged = np.concatenate(
        [
            np.char.add("i:" if k == KIND_INCIDENT else "c:", part["categories"].astype(str))
            for k, part in parts
        ]
    )
    category_tags, category = np.unique(tagged, return_inverse=True)
    concern_codes = [str(t)[2:] for t in category_tags if str(t).startswith("c:")]
    concern_labels = _concern_labels(concern_codes) if concern_codes else {}
    keys = [str(t)[2:] for t in category_tags]
    labels = [
        incident_category_label(key) if str(tag).startswith("i:") else concern_labels.get(key, key)
        for tag, key in zip(category_tags, keys, strict=True)
    ]
    events = Events(
        lat=joined("lat"),
        lng=joined("lng"),
        day=joined("day"),
        month=joined("month"),
        hour=joined("hour"),
        weekday=joined("weekday"),
        category=category.astype(np.int32),
        category_keys=keys,
        category_labels=labels,
        location_key=joined("location_key"),
        victim_key=joined("victim_key"),
        location_text=joined("location_text"),
        kind=kind,
        ids=joined("ids"),
    )
    order = np.lexsort((events.ids, events.kind, events.day))
    return events.subset(order)


def project(
    lat: npt.ArrayLike, lng: npt.ArrayLike, *, centre: tuple[float, float] | None = None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Metres east (x) and north (y) of ``centre`` (default: the middle of the points'
    extent), by a local equirectangular projection on a sphere of the Earth's mean radius.

    North–south distances are exact along meridians; east–west ones are scaled by the cosine
    of the centre's latitude instead of each point's own, an error of tan(φ₀)·Δφ: about
    0.2% at 10 km north or south of the centre at 53°N (0.2 m over 100 m), well within the
    distance bands of Knox (tens to hundreds of metres) and the kernel radius. The sphere
    itself is off by up to 0.3% against the WGS84 ellipsoid. For a county (100 km) use a
    proper projected grid instead.
    """
    latitudes = np.asarray(lat, dtype=np.float64)
    longitudes = np.asarray(lng, dtype=np.float64)
    if centre is None:
        if latitudes.size == 0 or not np.isfinite(latitudes).any():
            return np.zeros_like(latitudes), np.zeros_like(longitudes)
        centre = (
            float((np.nanmin(latitudes) + np.nanmax(latitudes)) / 2),
            float((np.nanmin(longitudes) + np.nanmax(longitudes)) / 2),
        )
    lat0, lng0 = np.radians(centre[0]), np.radians(centre[1])
    x = EARTH_RADIUS_M * np.cos(lat0) * (np.radians(longitudes) - lng0)
    y = EARTH_RADIUS_M * (np.radians(latitudes) - lat0)
    return x, y


def data_version(organisation_id: int) -> str:
    """A short digest that changes whenever the organisation's incidents or concerns change:
    their counts and highest ids (a row added or deleted), the last finished import (an
    import that updated outcomes in place) and the latest change to a concern."""
    incidents = Incident.objects.filter(organisation_id=organisation_id).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    imports = IncidentImport.objects.filter(organisation_id=organisation_id).aggregate(
        n=Count("pk"), last=Max("finished_at")
    )
    concerns = concerns_of(organisation_id).aggregate(
        n=Count("pk"), last=Max("pk"), changed=Max("updated_at")
    )
    parts = [
        incidents["n"],
        incidents["last"],
        imports["n"],
        imports["last"].isoformat() if imports["last"] else None,
        concerns["n"],
        concerns["last"],
        concerns["changed"].isoformat() if concerns["changed"] else None,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------- CSV files

POLICEUK_REQUIRED = ("Month", "Longitude", "Latitude", "Crime type")
# The API slug of each police.uk crime type as the CSV names it (these are not translated).
POLICEUK_SLUGS = {
    "anti-social behaviour": "anti-social-behaviour",
    "bicycle theft": "bicycle-theft",
    "burglary": "burglary",
    "criminal damage and arson": "criminal-damage-arson",
    "drugs": "drugs",
    "other crime": "other-crime",
    "other theft": "other-theft",
    "possession of weapons": "possession-of-weapons",
    "public order": "public-order",
    "robbery": "robbery",
    "shoplifting": "shoplifting",
    "theft from the person": "theft-from-the-person",
    "vehicle crime": "vehicle-crime",
    "violence and sexual offences": "violent-crime",
}


class EventFileError(ValueError):
    """A CSV file of events that cannot be read, with the reason."""


def category_slug(name: str) -> str:
    """The slug of a crime type given by its slug or its police.uk name ("Burglary")."""
    text = name.strip()
    folded = text.casefold()
    if folded in POLICEUK_SLUGS:
        return POLICEUK_SLUGS[folded]
    return folded.replace(" ", "-")


def _events_from_columns(
    *,
    lat: npt.NDArray[np.float64],
    lng: npt.NDArray[np.float64],
    dates: npt.NDArray[Any],
    day_known: npt.NDArray[np.bool_],
    hours: npt.NDArray[np.int8],
    categories: npt.NDArray[Any],
) -> Events:
    day = _days(dates)
    keys, codes = np.unique(categories.astype(str), return_inverse=True)
    located = np.isfinite(lat) & np.isfinite(lng)
    location = np.full(lat.size, "", dtype=object)
    if located.any():
        location[located] = location_keys(lat[located].tolist(), lng[located].tolist())
    return Events(
        lat=lat,
        lng=lng,
        day=day,
        month=_months(dates),
        hour=hours,
        weekday=np.where(day_known, (day + 3) % 7, UNKNOWN).astype(np.int8),
        category=codes.astype(np.int32),
        category_keys=[str(k) for k in keys],
        category_labels=[incident_category_label(str(k)) for k in keys],
        location_key=location,
        victim_key=np.full(lat.size, "", dtype=object),
        kind=np.zeros(lat.size, dtype=np.int8),
        ids=np.arange(1, lat.size + 1, dtype=np.int64),
    )


def _numbers(
    values: pd.Series, name: str, low: float, high: float, first_line: int
) -> npt.NDArray[np.float64]:
    """The column as numbers (NaN where empty); ``first_line`` is the file's line number of
    the first value, for the message naming a bad one."""
    text = values.str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    bad = text.ne("") & numbers.isna()
    bad |= numbers.notna() & ((numbers < low) | (numbers > high))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise EventFileError(f"row {row + first_line}: {name} is not a number from {low} to {high}")
    return numbers.to_numpy(dtype=np.float64, na_value=np.nan)


def read_events_csv(source: Any, *, categories: tuple[str, ...] = ()) -> Events:
    """Events from a CSV file (a path or a text stream), in one of two layouts:

    - a police.uk street file (header ``Crime ID,Month,…,Longitude,Latitude,…,Crime
      type,…``): each row an incident of its month (the day is not known), its crime type
      as the API's slug; rows without coordinates ("No Location") are counted, not placed;
    - a headerless ``lat,lng,date[,category]`` file: WGS84 degrees and an ISO date (or
      date and time, ``2024-05-01T22:30``).

    ``categories`` keeps only those crime types (slugs or police.uk names). Raises
    ``EventFileError`` naming the first bad row.
    """
    try:
        frame = pd.read_csv(source, dtype=str, header=None, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise EventFileError(f"the file is not a readable CSV: {error}") from None
    if frame.empty:
        raise EventFileError("the file is empty")
    header = [str(v).strip().lstrip("\ufeff") for v in frame.iloc[0]]
    if all(name in header for name in POLICEUK_REQUIRED):
        frame = frame.iloc[1:].reset_index(drop=True)
        frame.columns = header
        months = pd.to_datetime(frame["Month"].str.strip(), format="%Y-%m", errors="coerce")
        if months.isna().any():
            row = int(np.flatnonzero(months.isna().to_numpy())[0])
            raise EventFileError(f"row {row + 2}: Month is not YYYY-MM")
        lat = _numbers(frame["Latitude"], "Latitude", -90, 90, 2)
        lng = _numbers(frame["Longitude"], "Longitude", -180, 180, 2)
        kinds = frame["Crime type"].map(category_slug).to_numpy(dtype=object)
        dates = months.to_numpy(dtype="datetime64[D]")
        day_known = np.zeros(len(frame), dtype=bool)
        hours = np.full(len(frame), UNKNOWN, dtype=np.int8)
    elif frame.shape[1] in (3, 4) and _looks_numeric(header[0]):
        lat = _numbers(frame[0], "latitude", -90, 90, 1)
        lng = _numbers(frame[1], "longitude", -180, 180, 1)
        stamps = pd.to_datetime(frame[2].str.strip(), format="ISO8601", errors="coerce")
        if stamps.isna().any():
            row = int(np.flatnonzero(stamps.isna().to_numpy())[0])
            raise EventFileError(f"row {row + 1}: the date is not an ISO date")
        with_time = frame[2].str.contains("T| ", regex=True).to_numpy()
        dates = stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        day_known = np.ones(len(frame), dtype=bool)
        hours = np.where(with_time, stamps.dt.hour.to_numpy(), UNKNOWN).astype(np.int8)
        kinds = (
            frame[3].map(category_slug).to_numpy(dtype=object)
            if frame.shape[1] == 4
            else np.full(len(frame), "event", dtype=object)
        )
    else:
        raise EventFileError(
            "the file is neither a police.uk street CSV nor a headerless lat,lng,date CSV"
        )
    events = _events_from_columns(
        lat=lat, lng=lng, dates=dates, day_known=day_known, hours=hours, categories=kinds
    )
    if categories:
        wanted = {category_slug(c) for c in categories}
        keep = np.isin(np.array(events.category_keys, dtype=object)[events.category], list(wanted))
        events = events.subset(keep)
    return events


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
