"""The engine that brings incident files into the database: police.uk's monthly archive CSVs
(street crime and anti-social behaviour, outcomes, stop and search) and any CSV read through a
saved column mapping. ``services.import_run`` calls ``import_file`` inside one transaction, so
a file is applied whole or not at all.

How rows are read (the choices made, and why):

* A file is UTF-8 text (a byte order mark is allowed) with a header row. A police.uk file is
  recognised by its header (the set of column names, in any order); any other header is
  refused with a clear error before anything is written. A mapped CSV must have every column
  its mapping names.
* Row numbers count the header as row 1, as a spreadsheet shows them. Blank lines are
  skipped and not counted.
* ``No Location`` rows (both coordinates empty) are stored with null latitude, longitude and
  neighbourhood: they still count in totals by category and month. A row with one coordinate
  only, or a coordinate that is not a number or out of range, is rejected.
* ``row_key`` (what makes a row the same row when its file comes again): the source's own
  reference (police.uk's Crime ID, a mapped crime reference) where there is one; otherwise
  the SHA-256 of the row's fields, joined by a unit separator, for the first of a run of
  identical rows, and the SHA-256 of that digest and ``#n`` for the n-th repeat (counted in
  file order). Two identical anti-social behaviour rows are two incidents; importing the
  file again adds neither. A mapped CSV hashes only its mapped fields, with the victim
  reference replaced by its keyed hash, so no hash is ever taken of a raw victim reference.
  An incident stores it as an integer with the row's month in front
  (``keys.incident_row_keys``); an outcome as the digest.
* Outcomes go to ``IncidentOutcome``. The matching street crime (same organisation, same
  Crime ID) then shows the latest outcome known in ``Incident.outcome``: the outcome of the
  latest month imported, or else the street file's "Last outcome category". This is applied
  in both orders: an outcomes file updates crimes already imported, and a street file
  imported after its outcomes takes them at once.
* Stop and search rows are incidents of category ``stop-and-search`` whose outcome is the
  search's outcome and whose other fields (type, legislation, object of search, age range,
  ...) are kept in ``extra``. Their time is known to the minute.
* A mapped CSV keeps only its mapped fields: other columns (which may hold personal data)
  are never stored. Its victim column becomes ``victim_key``.
* ``area``: the organisation's neighbourhood containing the point (``RasterLocator``; the
  lowest id on a shared edge), or null outside them all.

Speed: rows are parsed with the ``csv`` module a chunk at a time (bounded memory), the
derived columns are computed per chunk with numpy and per distinct value (months, places,
categories), and rows are written with the DB-API directly: ``executemany`` of
``INSERT ... VALUES (...), (...), ... ON CONFLICT DO NOTHING``, a thousand rows to a
statement, on SQLite, ``COPY`` into a temporary table and one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` per chunk on PostgreSQL. The count of rows
added is what the database reports it inserted, so two imports of the same file at once each
count only their own rows. A second process reads and checks the next chunk while the
database writes this one (see ``import_file``).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import multiprocessing
import os
import pickle
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from itertools import chain, compress, islice, repeat
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from shapely.geometry import shape

from ourbeat.analytics.keys import incident_row_keys, location_keys, victim_keys
from ourbeat.analytics.models import ColumnMapping, DatePrecision, IncidentSource
from ourbeat.places.locator import RasterLocator
from ourbeat.places.models import Area, AreaLevel

# Rows read, checked and written at a time: bounds memory for a large file, and small
# enough that reading the next chunk overlaps writing this one for most of a file.
CHUNK_ROWS = 25_000
# SQLite's page cache while an import runs, in KiB.
SQLITE_CACHE_KIB = 256 * 1024
# Rows inserted by one SQLite statement, within its limit of bound values (32,766): SQLite's
# cost per statement executed (binding, resetting, Python's loop) was a third of the
# import's writing time with one row a statement.
SQLITE_ROWS_PER_STATEMENT = 1_000
SQLITE_MAX_VARIABLES = 32_766
# Rejected rows kept with their reasons on the import (all are counted).
REJECTED_KEPT = 500

STREET_HEADER = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
OUTCOMES_HEADER = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Outcome type",
)
STOP_SEARCH_HEADER = (
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
)
POLICEUK_HEADERS = {
    IncidentSource.POLICEUK_STREET: STREET_HEADER,
    IncidentSource.POLICEUK_OUTCOMES: OUTCOMES_HEADER,
    IncidentSource.POLICEUK_STOP_SEARCH: STOP_SEARCH_HEADER,
}
# The stop-and-search columns kept in ``extra``, under these keys.
STOP_SEARCH_EXTRA = {
    "Type": "type",
    "Part of a policing operation": "part_of_policing_operation",
    "Policing operation": "policing_operation",
    "Gender": "gender",
    "Age range": "age_range",
    "Self-defined ethnicity": "self_defined_ethnicity",
    "Officer-defined ethnicity": "officer_defined_ethnicity",
    "Legislation": "legislation",
    "Object of search": "object_of_search",
    "Outcome": "outcome",
    "Outcome linked to object of search": "outcome_linked_to_object_of_search",
    "Removal of more than just outer clothing": "removal_of_more_than_outer_clothing",
}

# police.uk's crime types and the slugs its API uses for them.
POLICEUK_CRIME_TYPES = {
    "Anti-social behaviour": "anti-social-behaviour",
    "Bicycle theft": "bicycle-theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson",
    "Drugs": "drugs",
    "Other crime": "other-crime",
    "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons",
    "Public order": "public-order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft-from-the-person",
    "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime",
}
STOP_AND_SEARCH = "stop-and-search"
CATEGORY_SLUGS = frozenset(POLICEUK_CRIME_TYPES.values()) | {STOP_AND_SEARCH}
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# The fields a column mapping may name, and those it must.
MAPPING_FIELDS = (
    "category",
    "date",
    "time",
    "latitude",
    "longitude",
    "location_text",
    "crime_id",
    "victim",
    "outcome",
)
MAPPING_REQUIRED = ("category", "date", "latitude", "longitude")
# In ``ColumnMapping.columns``, beside the field -> header pairs: {value in the file: slug}.
CATEGORY_VALUES_KEY = "category_values"

# Longest values the columns hold (PostgreSQL enforces them; SQLite would not).
MAX_LENGTH = {
    "crime_id": 80,
    "location_text": 255,
    "lsoa_code": 20,
    "lsoa_name": 120,
    "outcome": 200,
    "category": 60,
}
FIELD_SEPARATOR = "\x1f"
EMPTY_JSON = "{}"

ProgressCallback = Callable[[int, int, int], None]


class ImportRefused(Exception):
    """The whole file is refused (unknown header, not UTF-8, unreadable): nothing is written.
    The message is meant for the person who uploaded it."""


@dataclass
class ImportCounts:
    """What one file gave: every row is added, already present or rejected."""

    rows_total: int = 0
    rows_added: int = 0
    rows_present: int = 0
    rows_rejected: int = 0
    # The first REJECTED_KEPT rejected rows: {"row": n, "reason": "..."}.
    rejected: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Same:
    """A column with one value for every row: written into the statement once instead of
    being bound for each row."""

    value: Any


# ---- headers -------------------------------------------------------------------------------


def clean_header(header: Sequence[str]) -> list[str]:
    # Spreadsheets sometimes pad names; the utf-8-sig codec has removed a byte order mark.
    return [name.strip() for name in header]


def detect_source(header: Sequence[str]) -> str | None:
    """The police.uk file a header belongs to (an ``IncidentSource`` value), or None."""
    names = clean_header(header)
    if len(set(names)) != len(names):
        return None
    for source, known in POLICEUK_HEADERS.items():
        if set(names) == set(known):
            return str(source)
    return None


def source_label(source: str) -> str:
    return str(IncidentSource(source).label) if source in IncidentSource.values else source


def mapping_columns(mapping: ColumnMapping) -> dict[str, str]:
    """The mapping's field -> header pairs that name a column."""
    columns = mapping.columns if isinstance(mapping.columns, dict) else {}
    found: dict[str, str] = {}
    for name in MAPPING_FIELDS:
        header = columns.get(name)
        if isinstance(header, str) and header.strip():
            found[name] = header.strip()
    return found


def mapping_category_values(mapping: ColumnMapping) -> dict[str, str]:
    """The mapping's own category values: {value in the file: category slug}."""
    columns = mapping.columns if isinstance(mapping.columns, dict) else {}
    values = columns.get(CATEGORY_VALUES_KEY) or {}
    return {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}


def check_header(header: Sequence[str], *, source: str, mapping: ColumnMapping | None) -> None:
    """Refuse a header that does not fit the kind of file chosen."""
    names = clean_header(header)
    if not any(names):
        raise ImportRefused(_("The file is empty: it has no header row."))
    if len(set(names)) != len(names):
        raise ImportRefused(_("The header names a column twice."))
    if source == IncidentSource.CSV:
        if mapping is None:
            raise ImportRefused(_("A CSV file needs a saved column mapping."))
        missing = [h for h in mapping_columns(mapping).values() if h not in names]
        if missing:
            raise ImportRefused(
                _("The file has no column %(columns)s, which the mapping “%(mapping)s” reads.")
                % {"columns": ", ".join(f"“{m}”" for m in missing), "mapping": mapping.name}
            )
        return
    if source not in POLICEUK_HEADERS:
        raise ImportRefused(_("Unknown kind of file."))
    found = detect_source(names)
    if found == source:
        return
    if found is not None:
        raise ImportRefused(
            _("This is a %(found)s file, not a %(expected)s file.")
            % {"found": source_label(found), "expected": source_label(source)}
        )
    raise ImportRefused(
        _("The header is not one of police.uk's: a %(expected)s file has the columns %(header)s.")
        % {
            "expected": source_label(source),
            "header": ", ".join(POLICEUK_HEADERS[IncidentSource(source)]),
        }
    )


def read_header(path: Path) -> list[str]:
    """The first row of a CSV file, to check an upload before it is queued."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as text:
            return clean_header(next(csv.reader(text), []))
    except UnicodeDecodeError:
        raise ImportRefused(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
        ) from None
    except csv.Error as error:
        raise ImportRefused(
            _("The header row cannot be read as CSV: %(error)s") % {"error": error}
        ) from None


# ---- checks, one chunk at a time -----------------------------------------------------------


class Problems:
    """The rows of one chunk found wrong, with the first reason found for each. Reasons are
    written out only for as many rows as can still be kept; every row is counted."""

    def __init__(self, size: int, keep: int) -> None:
        self.bad = np.zeros(size, dtype=bool)
        self.reasons: dict[int, str] = {}
        self.keep = keep

    def flag(self, mask: npt.NDArray[np.bool_], reason: Callable[[int], str] | str) -> None:
        new = np.flatnonzero(mask & ~self.bad)
        if not new.size:
            return
        self.bad[new] = True
        # The first `keep` rows of each check include the first `keep` rows overall.
        for i in new[: self.keep].tolist():
            self.reasons[i] = reason(i) if callable(reason) else reason


def _shown(value: str) -> str:
    """A value quoted in a reason: shortened (the page escapes it)."""
    value = value.strip()
    return f"“{value[:60]}…”" if len(value) > 60 else f"“{value}”"


def _lengths(values: Sequence[Any]) -> npt.NDArray[np.intp]:
    return np.fromiter(map(len, values), dtype=np.intp, count=len(values))


def _flags(test: Callable[[Any], bool], values: Sequence[Any]) -> npt.NDArray[np.bool_]:
    return np.fromiter(map(test, values), dtype=bool, count=len(values))


def _flag_long(problems: Problems, values: Sequence[str], limit: int, label: str) -> None:
    if not values or max(map(len, values)) <= limit:
        return
    problems.flag(
        _lengths(values) > limit,
        _("%(field)s is longer than %(limit)s characters.") % {"field": label, "limit": limit},
    )


def _flag_nul(context: FileContext, problems: Problems, columns: Iterable[Sequence[str]]) -> None:
    # PostgreSQL cannot store a NUL character in text: refused on every database alike. The
    # file was searched for one before it was parsed; most have none.
    if not context.holds_nul:
        return
    for values in columns:
        if "\x00" in "".join(values):
            problems.flag(
                _flags(lambda v: "\x00" in v, values), _("The row contains a NUL character.")
            )


def _flag_empty(problems: Problems, values: Sequence[str], reason: str) -> None:
    problems.flag(_flags(lambda v: not v.strip(), values), reason)


def _lookup(values: Sequence[Any], derive: Callable[[Any], Any]) -> list[Any]:
    """``derive`` applied once to each distinct value (a month file has one Month, a few
    thousand map points): the per-row work is a dictionary lookup, in C."""
    table = {value: derive(value) for value in set(values)}
    return list(map(table.__getitem__, values))


def _is_none(values: Sequence[Any]) -> npt.NDArray[np.bool_]:
    if None not in values:  # one scan in C, the usual answer
        return np.zeros(len(values), dtype=bool)
    return _flags(lambda v: v is None, values)


def parse_month(value: str) -> date | None:
    """police.uk's month, "2018-03", as its first day."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{2})\s*", value)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def _number(value: str) -> float:
    """A decimal number; NaN when empty or unreadable (the caller rejects the unreadable
    ones, and a literal "nan" or "inf", through its range check)."""
    try:
        return float(value)
    except ValueError:
        return float("nan")


def _numbers(values: Sequence[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Each value as a number, and whether it is blank; parsed once per distinct value (a
    month of police.uk data has a few thousand map points)."""
    distinct = set(values)
    numbers = {v: _number(v) for v in distinct}
    blank = {v: not v.strip() for v in distinct}
    n = len(values)
    return (
        np.fromiter(map(numbers.__getitem__, values), dtype=np.float64, count=n),
        np.fromiter(map(blank.__getitem__, values), dtype=bool, count=n),
    )


def _coordinates(
    problems: Problems, latitudes: Sequence[str], longitudes: Sequence[str]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Latitude and longitude as floats (NaN where there is no point) and the rows that have
    a point. Both empty: no location, kept. One empty, not a number or out of range:
    rejected."""
    lat, lat_empty = _numbers(latitudes)
    lng, lng_empty = _numbers(longitudes)
    problems.flag(lat_empty != lng_empty, _("The row has one coordinate without the other."))
    bad_lat = ~lat_empty & ~(np.abs(lat) <= 90)
    bad_lng = ~lng_empty & ~(np.abs(lng) <= 180)
    problems.flag(
        bad_lat,
        lambda i: (
            _("The latitude %(value)s is not a number between -90 and 90.")
            % {"value": _shown(latitudes[i])}
        ),
    )
    problems.flag(
        bad_lng,
        lambda i: (
            _("The longitude %(value)s is not a number between -180 and 180.")
            % {"value": _shown(longitudes[i])}
        ),
    )
    located = ~lat_empty & ~lng_empty & ~bad_lat & ~bad_lng
    lat[~located] = np.nan
    lng[~located] = np.nan
    return lat, lng, located


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class RowKeys:
    """Content keys for the rows without a reference of their own: the digest of the row,
    and for the n-th repeat of identical rows (in file order, across the chunks of the
    file) the digest of that digest and ``#n``."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def keys(self, texts: list[str]) -> list[str]:
        if not texts:
            return []
        digests = list(map(_sha256, texts))
        unique, inverse, counts = np.unique(
            np.asarray(digests), return_inverse=True, return_counts=True
        )
        inverse = inverse.ravel()
        # Each row's number among the identical rows of this chunk ...
        order = np.argsort(inverse, kind="stable")
        starts = np.cumsum(counts) - counts
        occurrence = np.empty(len(digests), dtype=np.int64)
        occurrence[order] = np.arange(len(digests)) - np.repeat(starts, counts)
        # ... after those of the chunks before.
        names = unique.tolist()
        before = np.fromiter(map(self.seen.get, names, repeat(0)), dtype=np.int64)
        occurrence += before[inverse]
        self.seen.update(zip(names, (before + counts).tolist(), strict=True))
        return [
            digest if n == 0 else _sha256(f"{digest}#{n}")
            for digest, n in zip(digests, occurrence.tolist(), strict=True)
        ]


def _row_keys(
    context: FileContext,
    references: Sequence[str],
    texts: Callable[[list[int]], list[str]],
) -> list[str]:
    """Each row's own reference where it has one, else a content digest made from
    ``texts(rows)``, the normalised text of the rows without one. ``_incident_keys`` turns
    them into the integer row keys."""
    keys = list(references)
    anonymous = [i for i, reference in enumerate(references) if not reference]
    if anonymous:
        content = context.row_keys.keys(texts(anonymous))
        for i, key in zip(anonymous, content, strict=True):
            keys[i] = key
    return keys


# ---- what the chunks of one file share -----------------------------------------------------


class Locations:
    """Keyed hashes of map points, each computed once per file."""

    def __init__(self) -> None:
        self.known: dict[complex, str] = {}

    def keys(
        self,
        lat: npt.NDArray[np.float64],
        lng: npt.NDArray[np.float64],
        located: npt.NDArray[np.bool_],
    ) -> list[str]:
        out = np.full(len(lat), "", dtype=object)
        if located.any():
            # One complex number per point: numpy finds the distinct points in one sort.
            unique, inverse = np.unique(lat[located] + 1j * lng[located], return_inverse=True)
            points = unique.tolist()
            missing = [p for p in points if p not in self.known]
            if missing:
                new = location_keys([p.real for p in missing], [p.imag for p in missing])
                self.known.update(zip(missing, new, strict=True))
            out[located] = np.array([self.known[p] for p in points], dtype=object)[inverse.ravel()]
        return out.tolist()


class Neighbourhoods:
    """The organisation's neighbourhoods, to locate many points at once."""

    def __init__(self, organisation_id: int) -> None:
        areas = list(
            Area.objects.filter(organisation_id=organisation_id, level=AreaLevel.NEIGHBOURHOOD)
            .order_by("pk")
            .values_list("pk", "boundary")
        )
        # The extra last entry answers RasterLocator's -1: outside every neighbourhood.
        self.ids = np.array([pk for pk, _b in areas] + [None], dtype=object)
        self.locator = RasterLocator([shape(b) for _pk, b in areas]) if areas else None

    def locate(self, lat: npt.NDArray[np.float64], lng: npt.NDArray[np.float64]) -> list[Any]:
        if self.locator is None:
            return [None] * len(lat)
        return self.ids[self.locator.locate(lng, lat)].tolist()


@dataclass
class FileContext:
    organisation_id: int
    source: str
    import_id: int | None
    header: list[str]
    mapping: ColumnMapping | None
    neighbourhoods: Neighbourhoods | None
    holds_nul: bool = True
    locations: Locations = field(default_factory=Locations)
    row_keys: RowKeys = field(default_factory=RowKeys)

    def column(self, columns: list[tuple[str, ...]], name: str) -> tuple[str, ...]:
        return columns[self.header.index(name)]

    def canonical_rows(
        self, columns: list[tuple[str, ...]], known: Sequence[str], rows: Sequence[int]
    ) -> list[str]:
        """The fields of the given rows, trimmed, in the known header's order (so that a
        file with its columns in another order gives the same keys), joined by a unit
        separator."""
        picked = [self.column(columns, name) for name in known]
        ordered = [list(map(str.strip, map(values.__getitem__, rows))) for values in picked]
        return list(map(FIELD_SEPARATOR.join, zip(*ordered, strict=True)))


@dataclass
class Prepared:
    """One chunk, checked: the values of each column to write, and the rows found wrong."""

    problems: Problems
    values: dict[str, Sequence[Any] | Same]


# ---- the kinds of file ---------------------------------------------------------------------


def _place_columns(
    context: FileContext, problems: Problems, latitudes: Sequence[str], longitudes: Sequence[str]
) -> dict[str, Sequence[Any] | Same]:
    lat, lng, located = _coordinates(problems, latitudes, longitudes)
    assert context.neighbourhoods is not None
    lat_out = lat.astype(object)
    lng_out = lng.astype(object)
    lat_out[~located] = None
    lng_out[~located] = None
    return {
        "latitude": lat_out.tolist(),
        "longitude": lng_out.tolist(),
        "area_id": context.neighbourhoods.locate(lat, lng),
        "location_key": context.locations.keys(lat, lng, located),
    }


def _months(problems: Problems, values: Sequence[str]) -> list[date | None]:
    months = _lookup(values, parse_month)
    problems.flag(
        _is_none(months),
        lambda i: (
            _("The month %(value)s is not a month like 2018-03.") % {"value": _shown(values[i])}
        ),
    )
    return months


def _prepare_street(
    context: FileContext, columns: list[tuple[str, ...]], problems: Problems
) -> Prepared:
    def col(name: str) -> tuple[str, ...]:
        return context.column(columns, name)

    crime_types = col("Crime type")
    categories = list(map(POLICEUK_CRIME_TYPES.get, crime_types))
    problems.flag(
        _is_none(categories),
        lambda i: _("Unknown crime type %(value)s.") % {"value": _shown(crime_types[i])},
    )
    months = _months(problems, col("Month"))
    values = _place_columns(context, problems, col("Latitude"), col("Longitude"))
    for name, label, header in (
        ("crime_id", _("The Crime ID"), "Crime ID"),
        ("location_text", _("The location"), "Location"),
        ("lsoa_code", _("The LSOA code"), "LSOA code"),
        ("lsoa_name", _("The LSOA name"), "LSOA name"),
        ("outcome", _("The last outcome category"), "Last outcome category"),
    ):
        _flag_long(problems, col(header), MAX_LENGTH[name], label)
    _flag_nul(context, problems, columns)
    # A crime has police.uk's id; anti-social behaviour has none and is keyed by content.
    crime_ids = col("Crime ID")
    reported_by, falls_within = col("Reported by"), col("Falls within")
    values.update(
        {
            "row_key": _row_keys(
                context,
                crime_ids,
                lambda rows: context.canonical_rows(columns, STREET_HEADER, rows),
            ),
            "crime_id": crime_ids,
            "category": categories,
            "month": months,
            "occurred_on": months,
            "occurred_at": Same(None),
            "date_precision": Same(DatePrecision.MONTH.value),
            "location_text": col("Location"),
            "lsoa_code": col("LSOA code"),
            "lsoa_name": col("LSOA name"),
            "outcome": col("Last outcome category"),
            "context": col("Context"),
            "victim_key": Same(""),
            # The force that reported it, when not the force whose area it is in (BTP).
            "extra": _reported_by(reported_by, falls_within),
        }
    )
    return Prepared(problems, values)


def _reported_by(reported_by: Sequence[str], falls_within: Sequence[str]) -> Sequence[str] | Same:
    """``extra`` of street rows: the reporting force where it is not the area's own (compared
    in one pass in C: on most files they are the same on every row)."""
    differ = np.flatnonzero(
        np.asarray(reported_by, dtype=object) != np.asarray(falls_within, dtype=object)
    )
    if not differ.size:
        return Same(EMPTY_JSON)
    extra = [EMPTY_JSON] * len(reported_by)
    for i in differ.tolist():
        extra[i] = json.dumps({"reported_by": reported_by[i]})
    return extra


@dataclass(frozen=True)
class _When:
    """A row's date: the day (the month's first when only the month is known), the moment
    as the database takes it when the time is known, and the precision."""

    day: date
    moment: Any
    precision: str

    @property
    def month(self) -> date:
        return self.day.replace(day=1)


def _aware(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _timed(moment: datetime) -> _When:
    aware = _aware(moment)
    local = timezone.localtime(aware, timezone.get_default_timezone())
    return _When(local.date(), connection.ops.adapt_datetimefield_value(aware), "time")


def _parse_stop_date(value: str) -> _When | None:
    try:
        return _timed(datetime.fromisoformat(value.strip()))
    except ValueError:
        return None


def _when_columns(whens: Sequence[_When | None]) -> dict[str, Sequence[Any] | Same]:
    distinct = {w for w in whens if w is not None}
    precisions = {w.precision for w in distinct}
    values: dict[str, Sequence[Any] | Same] = {
        "month": _lookup(whens, lambda w: w.month if w else None),
        "occurred_on": _lookup(whens, lambda w: w.day if w else None),
        "occurred_at": _lookup(whens, lambda w: w.moment if w else None),
    }
    values["date_precision"] = (
        Same(precisions.pop())
        if len(precisions) == 1
        else _lookup(whens, lambda w: w.precision if w else None)
    )
    return values


def _prepare_stop_search(
    context: FileContext, columns: list[tuple[str, ...]], problems: Problems
) -> Prepared:
    def col(name: str) -> tuple[str, ...]:
        return context.column(columns, name)

    dates = col("Date")
    size = len(dates)
    whens = _lookup(dates, _parse_stop_date)
    problems.flag(
        _is_none(whens),
        lambda i: (
            _("The date %(value)s is not a date and time like 2026-02-01T03:16:00+00:00.")
            % {"value": _shown(dates[i])}
        ),
    )
    values = _place_columns(context, problems, col("Latitude"), col("Longitude"))
    _flag_long(problems, col("Outcome"), MAX_LENGTH["outcome"], _("The outcome"))
    _flag_nul(context, problems, columns)
    keys = list(STOP_SEARCH_EXTRA.values())
    extra_fields = zip(*(col(name) for name in STOP_SEARCH_EXTRA), strict=True)
    values.update(_when_columns(whens))
    values.update(
        {
            "row_key": context.row_keys.keys(
                context.canonical_rows(columns, STOP_SEARCH_HEADER, range(size))
            ),
            "crime_id": Same(""),
            "category": Same(STOP_AND_SEARCH),
            "location_text": Same(""),
            "lsoa_code": Same(""),
            "lsoa_name": Same(""),
            "outcome": col("Outcome"),
            "context": Same(""),
            "victim_key": Same(""),
            "extra": [json.dumps(dict(zip(keys, f, strict=True))) for f in extra_fields],
        }
    )
    return Prepared(problems, values)


def _prepare_outcomes(
    context: FileContext, columns: list[tuple[str, ...]], problems: Problems
) -> Prepared:
    def col(name: str) -> tuple[str, ...]:
        return context.column(columns, name)

    crime_ids, outcomes = col("Crime ID"), col("Outcome type")
    _flag_empty(problems, crime_ids, _("The outcome has no Crime ID."))
    _flag_empty(problems, outcomes, _("The outcome type is empty."))
    months = _months(problems, col("Month"))
    _flag_long(problems, crime_ids, MAX_LENGTH["crime_id"], _("The Crime ID"))
    _flag_long(problems, outcomes, MAX_LENGTH["outcome"], _("The outcome type"))
    _flag_nul(context, problems, columns)
    # The same outcome of the same crime in the same month is the same row, wherever the
    # file places the crime (a later file may correct its location).
    keyed = context.canonical_rows(
        columns, ("Crime ID", "Month", "Outcome type"), range(len(crime_ids))
    )
    return Prepared(
        problems,
        {
            "row_key": context.row_keys.keys(keyed),
            "crime_id": crime_ids,
            "month": months,
            "outcome": outcomes,
        },
    )


def _format_precision(date_format: str) -> str:
    if re.search(r"%[HIMSXcTRp]", date_format):
        return DatePrecision.TIME.value
    if re.search(r"%[djxaAwuU]", date_format):
        return DatePrecision.DAY.value
    return DatePrecision.MONTH.value


def _date_parser(date_format: str) -> Callable[[str], _When | None]:
    """Reads the mapped date column: with the mapping's strptime format, or ISO 8601 (a
    month "2024-05", a day "2024-05-31" or a date and time). A naive time is local time."""
    precision = _format_precision(date_format) if date_format else ""

    def parse(value: str) -> _When | None:
        text = value.strip()
        try:
            if date_format:
                moment, kind = datetime.strptime(text, date_format), precision
            elif re.fullmatch(r"\d{4}-\d{2}", text):
                moment, kind = datetime.strptime(text, "%Y-%m"), DatePrecision.MONTH.value
            elif len(text) == 10:
                moment, kind = datetime.fromisoformat(text), DatePrecision.DAY.value
            else:
                moment, kind = datetime.fromisoformat(text), DatePrecision.TIME.value
        except ValueError:
            return None
        if not 1900 <= moment.year <= 2100:
            return None
        if kind == DatePrecision.TIME:
            return _timed(moment)
        return _When(moment.date(), None, kind)

    return parse


def _parse_clock(value: str) -> time | bool | None:
    """A clock time; False for an empty cell (no time known); None when unreadable."""
    text = value.strip()
    if not text:
        return False
    try:
        return time.fromisoformat(text)
    except ValueError:
        return None


def _category_resolver(mapping: ColumnMapping) -> Callable[[str], str | None]:
    """The mapping's own values first (exactly, then ignoring case), then police.uk's crime
    types and the category slugs themselves."""
    own = mapping_category_values(mapping)
    folded = {k.strip().casefold(): v for k, v in own.items()}
    known = {name.casefold(): slug for name, slug in POLICEUK_CRIME_TYPES.items()}
    known.update({slug: slug for slug in CATEGORY_SLUGS})

    def resolve(value: str) -> str | None:
        text = value.strip()
        if not text:
            return None
        return own.get(text) or folded.get(text.casefold()) or known.get(text.casefold())

    return resolve


def _prepare_mapped(
    context: FileContext, columns: list[tuple[str, ...]], problems: Problems
) -> Prepared:
    mapping = context.mapping
    assert mapping is not None
    mapped = mapping_columns(mapping)
    size = len(problems.bad)

    def col(name: str) -> Sequence[str]:
        header = mapped.get(name)
        return context.column(columns, header) if header else ("",) * size

    raw_categories = col("category")
    present = _flags(bool, [v.strip() for v in raw_categories])
    problems.flag(~present, _("The category is empty."))
    categories = _lookup(raw_categories, _category_resolver(mapping))
    problems.flag(
        _is_none(categories) & present,
        lambda i: (
            _("Unknown category %(value)s: add it to the column mapping.")
            % {"value": _shown(raw_categories[i])}
        ),
    )
    raw_dates, raw_times = col("date"), col("time")
    _flag_empty(problems, raw_dates, _("The date is empty."))
    days = _lookup(raw_dates, _date_parser(mapping.date_format))

    def bad_date(i: int) -> str:
        if mapping.date_format:
            return _("The date %(value)s does not match the format %(format)s.") % {
                "value": _shown(raw_dates[i]),
                "format": mapping.date_format,
            }
        return _("The date %(value)s is not an ISO 8601 date like 2024-05-31.") % {
            "value": _shown(raw_dates[i])
        }

    problems.flag(_is_none(days), bad_date)
    clocks = _lookup(raw_times, _parse_clock)
    problems.flag(
        _is_none(clocks),
        lambda i: (
            _("The time %(value)s is not a time like 21:45.") % {"value": _shown(raw_times[i])}
        ),
    )
    # A time column turns a day into a moment; a date that has its time already keeps it.
    whens = _lookup(list(zip(days, clocks, strict=True)), _with_clock)

    values = _place_columns(context, problems, col("latitude"), col("longitude"))
    crime_ids = [v.strip() for v in col("crime_id")]
    outcomes = [v.strip() for v in col("outcome")]
    places = [v.strip() for v in col("location_text")]
    _flag_long(problems, crime_ids, MAX_LENGTH["crime_id"], _("The crime reference"))
    _flag_long(problems, outcomes, MAX_LENGTH["outcome"], _("The outcome"))
    _flag_long(problems, places, MAX_LENGTH["location_text"], _("The location"))
    _flag_nul(
        context, problems, [crime_ids, outcomes, places, raw_categories, raw_dates, raw_times]
    )
    victims = _lookup(col("victim"), lambda v: victim_keys([v])[0])
    # Identical rows are rows that agree on every mapped field. The victim enters by its
    # keyed hash only: no hash of a raw reference is made.
    fields = [
        *(col(n) for n in ("category", "date", "time", "latitude", "longitude")),
        places,
        outcomes,
        victims,
    ]

    def texts(rows: list[int]) -> list[str]:
        return [FIELD_SEPARATOR.join(f[i].strip() for f in fields) for i in rows]

    values.update(_when_columns(whens))
    values.update(
        {
            "row_key": _row_keys(context, crime_ids, texts),
            "crime_id": crime_ids,
            "category": categories,
            "location_text": places,
            "lsoa_code": Same(""),
            "lsoa_name": Same(""),
            "outcome": outcomes,
            "context": Same(""),
            "victim_key": victims,
            "extra": Same(EMPTY_JSON),
        }
    )
    return Prepared(problems, values)


def _with_clock(pair: tuple[_When | None, time | bool | None]) -> _When | None:
    when, clock = pair
    if when is None or clock is None:
        return None
    if clock is False or when.precision != DatePrecision.DAY:
        return when
    assert isinstance(clock, time)
    return _timed(datetime.combine(when.day, clock))


PREPARERS: dict[str, Callable[[FileContext, list[tuple[str, ...]], Problems], Prepared]] = {
    IncidentSource.POLICEUK_STREET.value: _prepare_street,
    IncidentSource.POLICEUK_STOP_SEARCH.value: _prepare_stop_search,
    IncidentSource.POLICEUK_OUTCOMES.value: _prepare_outcomes,
    IncidentSource.CSV.value: _prepare_mapped,
}


# ---- writing -------------------------------------------------------------------------------

INCIDENT_COLUMNS = (
    "row_key",
    "crime_id",
    "category",
    "month",
    "occurred_on",
    "occurred_at",
    "date_precision",
    "latitude",
    "longitude",
    "location_text",
    "lsoa_code",
    "lsoa_name",
    "area_id",
    "outcome",
    "context",
    "location_key",
    "victim_key",
    "extra",
)
OUTCOME_COLUMNS = ("row_key", "crime_id", "month", "outcome")
DATE_COLUMNS = ("month", "occurred_on")


# What a constant written into a statement may hold.
SAFE_CONSTANT = r"[A-Za-z0-9_{}\-]*"


def _literal(value: Any) -> str:
    """A constant of ours as SQL: an int, None, or a short string of safe characters."""
    if value is None:
        return "NULL"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"not a constant: {value!r}")
    if isinstance(value, int):
        return str(int(value))
    if not re.fullmatch(SAFE_CONSTANT, value):
        raise ValueError(f"not a safe constant: {value!r}")
    return f"'{value}'"


@dataclass
class Batches:
    """Rows ready for SQLite: ``full`` holds the parameters of statements of ``size`` rows
    each, ``rest`` those of one statement of the last ``rest_rows`` rows."""

    size: int
    full: list[tuple[Any, ...]]
    rest: tuple[Any, ...]
    rest_rows: int


class Writer:
    """Inserts the rows that are not there yet and says how many it inserted."""

    def __init__(
        self,
        *,
        table: str,
        constants: dict[str, Any],
        variables: Sequence[str],
        conflict: Sequence[str],
        stage: str,
    ) -> None:
        self.table = table
        self.constants = constants
        self.variables = list(variables)
        # PostgreSQL inserts the rows in the order of their first value, the row key.
        assert self.variables[0] == "row_key"
        self.conflict = ", ".join(f'"{c}"' for c in conflict)
        self.names = ", ".join(f'"{n}"' for n in [*constants, *variables])
        self.fixed = [_literal(v) for v in constants.values()]
        self.stage = stage
        self._staged = False

    def batched(self, rows: Iterable[tuple[Any, ...]]) -> Batches:
        """The rows as the parameters of SQLite's many-row statements."""
        listed = list(rows)
        per_row = len(self.variables)
        size = max(1, min(SQLITE_ROWS_PER_STATEMENT, SQLITE_MAX_VARIABLES // per_row))
        whole = len(listed) - len(listed) % size
        return Batches(
            size=size,
            full=[tuple(chain.from_iterable(listed[i : i + size])) for i in range(0, whole, size)],
            rest=tuple(chain.from_iterable(listed[whole:])),
            rest_rows=len(listed) - whole,
        )

    def write(self, rows: Iterable[tuple[Any, ...]] | Batches) -> int:
        if isinstance(rows, Batches):
            return self._sqlite_many(rows)
        if connection.vendor == "postgresql":
            return self._copy(rows)
        if connection.vendor == "sqlite":
            return self._sqlite_many(self.batched(rows))
        values = ", ".join([*self.fixed, *(["%s"] * len(self.variables))])
        # The table, the columns and the constants are ours, never the file's.
        sql = (
            f'INSERT INTO "{self.table}" ({self.names}) VALUES ({values}) '  # noqa: S608
            f"ON CONFLICT ({self.conflict}) DO NOTHING"
        )
        with connection.cursor() as wrapper:
            wrapper.executemany(sql, list(rows))
            return max(wrapper.rowcount, 0)

    def _sqlite_many(self, batches: Batches) -> int:
        """Many rows to each statement (``SQLITE_ROWS_PER_STATEMENT``)."""
        row_values = "(" + ", ".join([*self.fixed, *(["?"] * len(self.variables))]) + ")"

        def statement(count: int) -> str:
            # The table, the columns and the constants are ours, never the file's.
            return (
                f'INSERT INTO "{self.table}" ({self.names}) '  # noqa: S608
                f"VALUES {', '.join([row_values] * count)} "
                f"ON CONFLICT ({self.conflict}) DO NOTHING"
            )

        # The DB-API cursor itself: Django's wrapper would check and log every batch.
        raw = connection.connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            added = 0
            if batches.full:
                cursor.executemany(statement(batches.size), batches.full)
                added += max(cursor.rowcount, 0)
            if batches.rest_rows:
                cursor.execute(statement(batches.rest_rows), batches.rest)
                added += max(cursor.rowcount, 0)
            return added
        finally:
            cursor.close()

    def _copy(self, rows: Iterable[tuple[Any, ...]]) -> int:
        variables = ", ".join(f'"{v}"' for v in self.variables)
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            if self._staged:
                cursor.execute(f'TRUNCATE "{self.stage}"')
            else:
                cursor.execute(f'DROP TABLE IF EXISTS "{self.stage}"')
                cursor.execute(
                    f'CREATE TEMPORARY TABLE "{self.stage}" ON COMMIT DROP AS '  # noqa: S608
                    f'SELECT {variables} FROM "{self.table}" WITH NO DATA'
                )
                self._staged = True
            with cursor.copy(f'COPY "{self.stage}" ({variables}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            # In key order: two imports of overlapping files then wait for each other
            # instead of deadlocking.
            selected = ", ".join([*self.fixed, variables])
            cursor.execute(
                f'INSERT INTO "{self.table}" ({self.names}) SELECT {selected} '  # noqa: S608
                f'FROM "{self.stage}" ORDER BY "row_key" ON CONFLICT ({self.conflict}) DO NOTHING'
            )
            return max(cursor.rowcount, 0)


def _writer_for(context: FileContext, prepared: Prepared, stage: str) -> Writer:
    constants: dict[str, Any] = {
        "organisation_id": context.organisation_id,
        "imported_by_id": context.import_id,
    }
    if context.source == IncidentSource.POLICEUK_OUTCOMES:
        constants.update(
            {name: v.value for name, v in prepared.values.items() if isinstance(v, Same)}
        )
        return Writer(
            table="analytics_incidentoutcome",
            constants=constants,
            variables=[c for c in OUTCOME_COLUMNS if c not in constants],
            conflict=("organisation_id", "row_key"),
            stage=stage,
        )
    constants["source"] = context.source
    constants.update({name: v.value for name, v in prepared.values.items() if isinstance(v, Same)})
    return Writer(
        table="analytics_incident",
        constants=constants,
        variables=[c for c in INCIDENT_COLUMNS if c not in constants],
        conflict=("organisation_id", "source", "row_key"),
        stage=stage,
    )


# Columns that often hold one value for a whole chunk (a police.uk file is one month).
FOLDABLE = ("month", "occurred_on", "date_precision", "context", "extra")


def _fold_constants(prepared: Prepared) -> None:
    """Turn a column whose rows to be written all hold the same short, safe value into a
    constant of the statement: fewer values to bind for each row."""
    keep = (~prepared.problems.bad).tolist()
    for name in FOLDABLE:
        values = prepared.values.get(name)
        if values is None or isinstance(values, Same):
            continue
        distinct = set(compress(values, keep))
        if len(distinct) != 1:
            continue
        value = distinct.pop()
        if isinstance(value, date):
            value = value.isoformat()
        if value is None or (isinstance(value, str) and re.fullmatch(SAFE_CONSTANT, value)):
            prepared.values[name] = Same(value)


def _incident_keys(context: FileContext, prepared: Prepared) -> None:
    """An incident's row key is an integer made of its month and its reference or content
    digest (``keys.incident_row_keys``). A partner's own reference identifies its row in
    any month (a later extract may correct the date), so it is keyed without one."""
    months, texts = prepared.values["month"], prepared.values["row_key"]
    assert not isinstance(texts, Same)
    if isinstance(months, Same):
        months = [months.value] * len(texts)
    references = prepared.values["crime_id"]
    if context.source == IncidentSource.CSV and not isinstance(references, Same):
        months = [
            None if reference else month
            for month, reference in zip(months, references, strict=True)
        ]
    prepared.values["row_key"] = incident_row_keys(months, texts)


@dataclass
class ColumnRows:
    """A chunk's rows to write, as its columns in the writer's order and which rows to
    keep."""

    columns: list[Sequence[Any]]
    keep: list[bool]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return compress(zip(*self.columns, strict=True), self.keep)


# Text columns whose values repeat from row to row (places, areas, outcomes).
REPEATING = frozenset({"location_text", "lsoa_code", "lsoa_name", "outcome", "location_key"})


def _itself(value: Any) -> Any:
    return value


def _rows(writer: Writer, prepared: Prepared) -> ColumnRows:
    columns: list[Sequence[Any]] = []
    for name in writer.variables:
        values = prepared.values[name]
        assert not isinstance(values, Same)
        if name in DATE_COLUMNS:
            # As Django stores dates: ISO text, converted once per distinct day.
            values = _lookup(values, lambda d: d.isoformat() if d is not None else None)
        elif name in REPEATING:
            # One object per distinct value: sent to the writing process once, referred to
            # after that (pickling and unpickling a chunk take half the time).
            values = _lookup(values, _itself)
        columns.append(values)
    return ColumnRows(columns, (~prepared.problems.bad).tolist())


# ---- the file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileTraits:
    holds_nul: bool
    # No quote character, NUL byte or carriage return outside a CRLF line end: csv's
    # reading of such a file is splitting each line at its commas (see ``_plain_chunks``).
    plain: bool


def _file_traits(path: Path) -> FileTraits:
    """What a scan of the bytes finds (C searches over 4 MB blocks: fast)."""
    holds_nul = holds_quote = bare_cr = False
    with open(path, "rb") as raw:
        while block := raw.read(4 * 1024 * 1024):
            if block.endswith(b"\r"):
                block += raw.read(1)  # a CRLF across the blocks' boundary
            holds_nul = holds_nul or b"\x00" in block
            holds_quote = holds_quote or b'"' in block
            bare_cr = bare_cr or block.count(b"\r") != block.count(b"\r\n")
    return FileTraits(holds_nul, plain=not (holds_nul or holds_quote or bare_cr))


@contextmanager
def _large_page_cache() -> Iterator[None]:
    """On SQLite, a page cache large enough for the indexes that a big import writes all
    over (the default 2 MB makes it write and read the same pages again and again); the
    connection's own size is restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Parsing a chunk makes a million small objects that all live until it is written; the
    cyclic garbage collector would walk them again and again for nothing (it doubles the
    time of ``csv.reader``)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_file(
    *,
    path: Path,
    organisation_id: int,
    source: str,
    mapping: ColumnMapping | None = None,
    import_id: int | None = None,
    on_progress: ProgressCallback | None = None,
    chunk_rows: int | None = None,
) -> ImportCounts:
    """Read one file and insert the rows that are not there yet.

    Call it inside a transaction: it may raise ``ImportRefused`` (or a database error)
    half-way through a file, and only the caller's rollback keeps the file from being half
    applied. ``on_progress(rows_read, bytes_read, bytes_total)`` is called after each chunk.

    A second process reads and checks the file one chunk ahead while this one writes the
    chunk before, so parsing and writing overlap on two cores (see ``_ahead``). Only this
    process touches the database.
    """
    counts = ImportCounts()
    size = path.stat().st_size
    with open(path, "rb") as binary:
        reader = csv.reader(io.TextIOWrapper(binary, encoding="utf-8-sig", newline=""))
        try:
            header = clean_header(next(reader, []))
        except UnicodeDecodeError:
            raise ImportRefused(
                _(
                    "The file is not UTF-8 text (after row %(row)s). Save it as “CSV UTF-8” "
                    "and upload it again."
                )
                % {"row": 1}
            ) from None
        except csv.Error as error:
            raise ImportRefused(
                _("Row %(row)s cannot be read as CSV: %(error)s") % {"row": 2, "error": error}
            ) from None
        check_header(header, source=source, mapping=mapping)
        located = source != IncidentSource.POLICEUK_OUTCOMES
        traits = _file_traits(path)
        context = FileContext(
            holds_nul=traits.holds_nul,
            organisation_id=organisation_id,
            source=source,
            import_id=import_id,
            header=header,
            mapping=mapping,
            neighbourhoods=Neighbourhoods(organisation_id) if located else None,
        )
        per_chunk = chunk_rows or CHUNK_ROWS
        records = (
            _plain_chunks(path, len(header), per_chunk)
            if traits.plain
            else _csv_chunks(reader, binary, per_chunk)
        )
        chunks = _checked_chunks(context, records, ImportCounts())
        ahead = _ahead(chunks, language=translation.get_language())
        # The writers met so far: a writer copied from the reading process is new each time.
        writers: dict[str, Writer] = {}
        # closing(): on an error, the reading process stops before the file is closed.
        with _collector_paused(), closing(ahead), _large_page_cache():
            for checked in ahead:
                if checked.writer is not None:
                    writer = writers.setdefault(checked.writer.stage, checked.writer)
                    counts.rows_added += writer.write(checked.rows)
                counts.rows_total = checked.counts.rows_total
                counts.rows_rejected = checked.counts.rows_rejected
                counts.rejected = checked.counts.rejected
                if on_progress is not None:
                    on_progress(counts.rows_total, checked.bytes_read, size)
    if import_id is not None and source == IncidentSource.POLICEUK_OUTCOMES:
        _apply_outcomes_from_import(organisation_id, import_id)
    elif import_id is not None and source == IncidentSource.POLICEUK_STREET:
        _apply_known_outcomes(organisation_id, import_id)
    counts.rows_present = counts.rows_total - counts.rows_added - counts.rows_rejected
    return counts


@dataclass
class CheckedChunk:
    """A chunk read and checked, handed to the writing process: its rows to write (none
    when ``writer`` is None), the counts of the file so far (all but the rows added, which
    only the database knows) and the bytes read, for the progress."""

    writer: Writer | None
    rows: Iterable[tuple[Any, ...]] | Batches
    counts: ImportCounts
    bytes_read: int


@dataclass
class RawChunk:
    """A chunk of the file as read: its records as ``csv`` gives them (a blank line is an
    empty record), or, when every record has the header's number of fields, its columns."""

    records: list[list[str]] | None
    columns: list[tuple[str, ...]] | None
    count: int
    bytes_read: int


def _csv_chunks(
    reader: Iterator[list[str]], binary: io.BufferedReader, chunk_rows: int
) -> Iterator[RawChunk]:
    while records := list(islice(reader, chunk_rows)):
        yield RawChunk(records, None, len(records), binary.tell())


def _plain_chunks(path: Path, width: int, chunk_rows: int) -> Iterator[RawChunk]:
    """The records of a plain file (``FileTraits.plain``) after its header, ``chunk_rows``
    lines at a time. Without a quote character, ``csv``'s reading of a line is splitting it
    at its commas: a chunk whose every line has the header's number of fields is split into
    its columns with a few calls in C (the ``csv`` module and turning its rows into columns
    took a third of the import's reading time); any other chunk is read by ``csv`` itself,
    line by line, so that blank lines, short and long rows and oversized fields are read
    (and refused) exactly as in any other file."""
    commas, limit = width - 1, csv.field_size_limit()
    with open(path, "rb") as raw:
        raw.readline()  # the header, read (and checked) by csv before
        while lines := list(islice(raw, chunk_rows)):
            text = b"".join(lines).decode("utf-8")
            if "\r" in text:  # CRLF only (a plain file has no other carriage return)
                text = text.replace("\r\n", "\n")
            records = text.removesuffix("\n").split("\n")
            regular = (
                width > 1
                and max(map(len, records)) <= limit
                and all(record.count(",") == commas for record in records)
            )
            if regular:
                fields = ",".join(records).split(",")
                columns = [tuple(fields[i::width]) for i in range(width)]
                yield RawChunk(None, columns, len(records), raw.tell())
            else:
                yield RawChunk(list(csv.reader(records)), None, len(records), raw.tell())


def _checked_chunks(
    context: FileContext, records: Iterator[RawChunk], counts: ImportCounts
) -> Iterator[CheckedChunk]:
    """Reads and checks the file a chunk at a time, counting every row but those added
    (which only the database knows). Runs in the reading process: no database access."""
    writers: dict[tuple[tuple[str, Any], ...], Writer] = {}
    row_number = 1
    try:
        for raw in records:
            writer, rows = _check_chunk(context, raw, row_number + 1, counts, writers)
            row_number += raw.count
            snapshot = replace(counts, rejected=list(counts.rejected))
            yield CheckedChunk(writer, rows, snapshot, raw.bytes_read)
    except UnicodeDecodeError:
        raise ImportRefused(
            _(
                "The file is not UTF-8 text (after row %(row)s). Save it as “CSV UTF-8” "
                "and upload it again."
            )
            % {"row": row_number}
        ) from None
    except csv.Error as error:
        raise ImportRefused(
            _("Row %(row)s cannot be read as CSV: %(error)s")
            % {"row": row_number + 1, "error": error}
        ) from None


def _check_chunk(
    context: FileContext,
    raw: RawChunk,
    first_row: int,
    counts: ImportCounts,
    writers: dict[tuple[tuple[str, Any], ...], Writer],
) -> tuple[Writer | None, Iterable[tuple[Any, ...]] | Batches]:
    width = len(context.header)
    numbers = first_row + np.arange(raw.count)
    room = max(REJECTED_KEPT - len(counts.rejected), 0)
    rejected: list[tuple[int, str]] = []
    if raw.columns is not None:
        columns, whole = raw.columns, numbers - first_row
        counts.rows_total += raw.count
    else:
        assert raw.records is not None
        chunk = raw.records
        lengths = _lengths(chunk)
        # A blank line is no row at all; a row with another number of fields is rejected.
        blank = lengths == 0
        broken = np.flatnonzero(~blank & (lengths != width))
        whole = np.flatnonzero(lengths == width)
        counts.rows_total += int((~blank).sum())
        counts.rows_rejected += len(broken)
        rejected = [
            (
                int(numbers[i]),
                _("The row has %(found)s fields; the header has %(expected)s.")
                % {"found": int(lengths[i]), "expected": width},
            )
            for i in broken[:room].tolist()
        ]
        chosen = chunk if whole.size == len(chunk) else [chunk[i] for i in whole.tolist()]
        columns = list(zip(*chosen, strict=True)) if chosen else []
    writer: Writer | None = None
    rows: Iterable[tuple[Any, ...]] | Batches = ()
    if whole.size:
        problems = Problems(int(whole.size), room)
        prepared = PREPARERS[context.source](context, columns, problems)
        counts.rows_rejected += int(problems.bad.sum())
        rejected += [(int(numbers[whole[i]]), reason) for i, reason in problems.reasons.items()]
        if not problems.bad.all():
            if context.source != IncidentSource.POLICEUK_OUTCOMES:
                _incident_keys(context, prepared)
            _fold_constants(prepared)
            # Chunks may differ in which columns are the same on every row.
            same = tuple((n, v.value) for n, v in prepared.values.items() if isinstance(v, Same))
            writer = writers.get(same)
            if writer is None:
                stage = f"ourbeat_import_stage_{len(writers)}"
                writer = writers[same] = _writer_for(context, prepared, stage)
            rows = _rows(writer, prepared)
            if connection.vendor == "sqlite":  # the vendor only: no database access here
                rows = writer.batched(rows)
    rejected.sort()
    counts.rejected += [{"row": row, "reason": reason} for row, reason in rejected[:room]]
    return writer, rows


T = TypeVar("T")
# Whether a second process reads ahead (with one core only, it would just take turns).
READ_AHEAD = (os.cpu_count() or 1) > 1


def _ahead(items: Iterator[T], *, language: str | None) -> Generator[T, None, None]:
    """``items``, produced by a forked process while the caller works on the previous one,
    and sent through a pipe (which holds the reader at most about one item ahead: it waits
    until the caller takes the item). An exception in that process is raised here; when the
    caller stops (an error, or closing this generator), the process is ended.

    A process, not a thread: parsing, checking and the binding of SQLite's parameters all
    need Python's interpreter lock, and with two threads they took turns for most of the
    import instead of running side by side. The process is forked, so it has the file open
    at the caller's place and the caller's checks and neighbourhoods; it never touches the
    database (the caller's connection is left alone, and the process ends with ``os._exit``,
    which closes nothing of it)."""
    if not READ_AHEAD:
        yield from items
        return
    fork = multiprocessing.get_context("fork")
    receiving, sending = fork.Pipe(duplex=False)

    def produce() -> None:
        receiving.close()
        try:
            # Reasons for rejected rows in the language of the request or task.
            with translation.override(language):
                for item in items:
                    sending.send((False, item))
        except BrokenPipeError:  # the caller stopped
            return
        except BaseException as error:  # raised again in the caller's process
            sending.send((True, _sendable(error)))
            return
        sending.send((True, None))

    reader = fork.Process(target=produce, name="ourbeat-import-reader")
    reader.start()
    sending.close()
    try:
        while True:
            try:
                done, value = receiving.recv()
            except EOFError:
                raise RuntimeError(
                    f"The process reading the file ended unexpectedly ({reader.exitcode})."
                ) from None
            if not done:
                yield value
            elif value is None:
                return
            else:
                raise value
    finally:
        receiving.close()
        reader.join(timeout=5)
        if reader.is_alive():
            reader.kill()
            reader.join()


def _sendable(error: BaseException) -> BaseException:
    """The error itself when it can be sent to the other process, else its description."""
    try:
        pickle.dumps(error)
    except Exception:
        return RuntimeError(repr(error))
    return error


# Each crime's latest outcome: that of the latest month, the last imported breaking a tie.
_LATEST_OUTCOME = (
    'SET "outcome" = (SELECT o."outcome" FROM "analytics_incidentoutcome" o '
    'WHERE o."organisation_id" = "analytics_incident"."organisation_id" '
    'AND o."crime_id" = "analytics_incident"."crime_id" '
    'ORDER BY o."month" DESC, o."id" DESC LIMIT 1)'
)
# Incidents have no index on their Crime ID nor on their import (every imported row would
# have to write them: see ``keys.incident_row_keys``), so these read the organisation's
# incidents through its date index and match them against the outcomes' Crime ID index:
# about a second per million incidents, for a file of outcomes or a street file imported
# after outcomes.
_OUTCOMES_FROM_IMPORT = (
    'UPDATE "analytics_incident" ' + _LATEST_OUTCOME + ' WHERE "organisation_id" = %s '  # noqa: S608
    'AND "source" = %s AND "crime_id" IN (SELECT "crime_id" FROM "analytics_incidentoutcome" '
    'WHERE "imported_by_id" = %s)'
)
_KNOWN_OUTCOMES = (
    'UPDATE "analytics_incident" ' + _LATEST_OUTCOME + ' WHERE "organisation_id" = %s '
    'AND "source" = %s AND "imported_by_id" = %s AND "crime_id" IN (SELECT "crime_id" '
    'FROM "analytics_incidentoutcome" WHERE "organisation_id" = %s)'
)


def _apply_outcomes_from_import(organisation_id: int, import_id: int) -> None:
    """The crimes whose outcomes this import added show their latest outcome."""
    with connection.cursor() as cursor:
        cursor.execute(
            _OUTCOMES_FROM_IMPORT,
            [organisation_id, IncidentSource.POLICEUK_STREET.value, import_id],
        )


def _apply_known_outcomes(organisation_id: int, import_id: int) -> None:
    """The crimes this import added whose outcomes came before take the latest one."""
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT 1 FROM "analytics_incidentoutcome" WHERE "organisation_id" = %s LIMIT 1',
            [organisation_id],
        )
        if cursor.fetchone() is None:
            return
        cursor.execute(
            _KNOWN_OUTCOMES,
            [organisation_id, IncidentSource.POLICEUK_STREET.value, import_id, organisation_id],
        )
