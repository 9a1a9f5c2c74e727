"""Writes of survey instruments: the built-in library, loaded from the JSON files of
``ourbeat/surveys/library/``; revisions of items; an organisation's own copy of a library
instrument.

The rules of versioning, kept by every function here:

- An item has been *fielded* once an ``Answer`` refers to it. Its wording, construct, scale
  and reported values are then frozen: changing them makes a new ``Item`` row with the same
  key and the next version, and the answers stay on the old row, so results never mix two
  wordings. An item that has not been fielded is edited in place. Its ``source`` is a note
  about provenance, not what respondents saw, and is always edited in place.
- An instrument has been fielded once a ``Wave`` uses it. A change to its items, title,
  introduction or kind then makes a new version; an instrument not yet fielded is edited in
  place. The current version of an item or an instrument is the one with the highest
  version for its key within its organisation (the built-in library has none).
- A revised item takes the place of the old one in the current versions of the instruments
  of its own organisation (or of the library) that hold it.

The library files: ``scales.json`` (``{"scales": [...]}``) and one file per instrument, whose
``items`` are item definitions, or the keys of items defined in another file of the library.
A file that does not fit is refused as a whole, with messages naming the file and the item,
before anything is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ourbeat.core import audit
from ourbeat.places.models import Organisation
from ourbeat.surveys.models import (
    Answer,
    Construct,
    Instrument,
    InstrumentItem,
    InstrumentKind,
    Item,
    Scale,
    Wave,
)

LIBRARY_DIRECTORY = Path(__file__).resolve().parent.parent / "library"
SCALES_FILE = "scales.json"
# Every text of the built-in library is given in these languages; others may be added.
LIBRARY_LANGUAGES = ("en", "ru")

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]+)?$")
_ITEM_FIELDS = ("construct", "wording", "scale", "reported", "reported_as")
_INSTRUMENT_FIELDS = ("kind", "title", "description")


class LibraryError(ValidationError):
    """The library's files do not fit; ``messages`` says where and why, one line each."""


# What changed ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One row of the library created, edited in place, or given a new version."""

    kind: str  # "scale", "item" or "instrument"
    key: str
    version: int | None
    how: str  # "created", "updated" or "new_version"

    def as_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "version": self.version, "how": self.how}

    def __str__(self) -> str:
        kinds = {"scale": _("scale"), "item": _("item"), "instrument": _("instrument")}
        values = {"kind": kinds[self.kind], "key": self.key, "version": self.version}
        if self.version is None:
            texts = {
                "created": _("%(kind)s “%(key)s” created"),
                "updated": _("%(kind)s “%(key)s” updated"),
            }
        else:
            texts = {
                "created": _("%(kind)s “%(key)s” version %(version)s created"),
                "updated": _("%(kind)s “%(key)s” version %(version)s updated in place"),
                "new_version": _(
                    "%(kind)s “%(key)s” version %(version)s created: the version before it "
                    "was fielded"
                ),
            }
        return texts[self.how] % values


@dataclass
class LibraryReport:
    changes: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


# Reading and checking the files ---------------------------------------------------------------


@dataclass(frozen=True)
class _ScaleSpec:
    key: str
    points: list[dict[str, Any]]
    missing: list[int]


@dataclass(frozen=True)
class _ItemSpec:
    key: str
    file: str
    construct: str
    wording: dict[str, str]
    scale: str | None
    reported: list[int]
    reported_as: dict[str, str]
    source: str


@dataclass(frozen=True)
class _InstrumentSpec:
    key: str
    file: str
    kind: str
    title: dict[str, str]
    description: dict[str, str]
    source: str
    items: list[str]


@dataclass
class _Library:
    scales: dict[str, _ScaleSpec] = field(default_factory=dict)
    items: dict[str, _ItemSpec] = field(default_factory=dict)
    instruments: list[_InstrumentSpec] = field(default_factory=list)
    # The file of every item key defined (even by a definition that does not fit), and the
    # references to items by key, as (file, key): checked once every file has been read.
    defined: dict[str, str] = field(default_factory=dict)
    references: list[tuple[str, str]] = field(default_factory=list)
    instrument_files: dict[str, str] = field(default_factory=dict)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    """Collects every problem of the library's files before any of them is refused."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, message: str, **values: Any) -> None:
        self.errors.append(f"{where}: {message % values}")

    def fields(
        self,
        data: Any,
        where: str,
        *,
        required: Iterable[str],
        optional: Iterable[str] = (),
    ) -> bool:
        if not isinstance(data, dict):
            self.fail(where, _("expected a JSON object"))
            return False
        required = tuple(required)
        allowed = set(required) | set(optional)
        for name in data:
            if name not in allowed:
                self.fail(where, _("unknown field “%(field)s”"), field=name)
        ok = True
        for name in required:
            if name not in data:
                self.fail(where, _("missing field “%(field)s”"), field=name)
                ok = False
        return ok

    def slug(self, value: Any, where: str, name: str, max_length: int) -> str | None:
        if not isinstance(value, str) or not _SLUG.match(value) or len(value) > max_length:
            self.fail(
                where,
                _(
                    "“%(field)s” must be an identifier of letters, digits, hyphens and "
                    "underscores, at most %(max)s characters long"
                ),
                field=name,
                max=max_length,
            )
            return None
        return value

    def text(self, value: Any, where: str, name: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, _("“%(field)s” must be a text that is not empty"), field=name)
            return None
        return value.strip()

    def texts(self, value: Any, where: str, name: str) -> dict[str, str] | None:
        """A text per language, with every language of ``LIBRARY_LANGUAGES``."""
        if not isinstance(value, dict):
            self.fail(
                where, _("“%(field)s” must be an object with a text per language"), field=name
            )
            return None
        result: dict[str, str] = {}
        ok = True
        for language, text in value.items():
            if not _LANGUAGE.match(str(language)):
                self.fail(
                    where,
                    _("“%(field)s” has a text in an unknown language “%(language)s”"),
                    field=name,
                    language=language,
                )
                ok = False
            elif not isinstance(text, str) or not text.strip():
                self.fail(
                    where,
                    _("“%(field)s” has an empty “%(language)s” text"),
                    field=name,
                    language=language,
                )
                ok = False
            else:
                result[str(language)] = text.strip()
        for language in LIBRARY_LANGUAGES:
            if language not in value:
                self.fail(
                    where,
                    _("“%(field)s” has no “%(language)s” text"),
                    field=name,
                    language=language,
                )
                ok = False
        return result if ok else None


def _item_place(file: str, key: Any) -> str:
    return _("%(file)s, item “%(key)s”") % {"file": file, "key": key}


def _scale_place(file: str, key: Any) -> str:
    return _("%(file)s, scale “%(key)s”") % {"file": file, "key": key}


def _read(path: Path, check: _Checker) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        check.fail(path.name, _("the file cannot be read (%(error)s)"), error=error.strerror)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        check.fail(path.name, _("the file is not valid JSON (%(error)s)"), error=str(error))
    return None


def _read_scales(data: Any, file: str, check: _Checker, library: _Library) -> None:
    if not check.fields(data, file, required=["scales"]):
        return
    if not isinstance(data["scales"], list) or not data["scales"]:
        check.fail(file, _("“%(field)s” must be a list that is not empty"), field="scales")
        return
    for number, raw in enumerate(data["scales"], start=1):
        key = raw.get("key") if isinstance(raw, dict) else None
        where = _scale_place(file, key if key is not None else f"#{number}")
        if not check.fields(raw, where, required=["key", "points"], optional=["missing"]):
            continue
        key = check.slug(raw["key"], where, "key", 60)
        points: list[dict[str, Any]] = []
        values: set[int] = set()
        ok = key is not None
        if not isinstance(raw["points"], list) or not raw["points"]:
            check.fail(where, _("“%(field)s” must be a list that is not empty"), field="points")
            ok = False
        else:
            for point in raw["points"]:
                if not check.fields(point, where, required=["value", "label"]):
                    ok = False
                    continue
                if not _is_int(point["value"]):
                    check.fail(where, _("a point's value must be a whole number"))
                    ok = False
                    continue
                if point["value"] in values:
                    check.fail(
                        where, _("the value %(value)s is on the scale twice"), value=point["value"]
                    )
                    ok = False
                label = check.texts(point["label"], where, "label")
                if label is None:
                    ok = False
                    continue
                values.add(point["value"])
                points.append({"value": point["value"], "label": label})
        missing = raw.get("missing", [])
        if not isinstance(missing, list) or not all(_is_int(v) for v in missing):
            check.fail(where, _("“%(field)s” must be a list of whole numbers"), field="missing")
            ok = False
        else:
            for value in missing:
                if value not in values:
                    check.fail(
                        where,
                        _("the value %(value)s in “missing” is not a point of the scale"),
                        value=value,
                    )
                    ok = False
            if values and not values - set(missing):
                check.fail(where, _("every point of the scale is “missing”"))
                ok = False
        if key is not None and key in library.scales:
            check.fail(where, _("the scale “%(key)s” is defined twice"), key=key)
            ok = False
        if ok and key is not None:
            library.scales[key] = _ScaleSpec(key=key, points=points, missing=list(missing))


def _read_item(raw: Any, file: str, number: int, check: _Checker, library: _Library) -> str | None:
    key = raw.get("key") if isinstance(raw, dict) else None
    where = _item_place(file, key if key is not None else f"#{number}")
    duplicate = False
    if isinstance(key, str) and key in library.defined:
        duplicate = True
        other = library.defined[key]
        check.fail(
            where, _("the item “%(key)s” is already defined in %(file)s"), key=key, file=other
        )
    elif isinstance(key, str):
        library.defined[key] = file
    required = ["key", "construct", "wording", "scale", "source"]
    if not check.fields(raw, where, required=required, optional=["reported", "reported_as"]):
        return None
    key = check.slug(raw["key"], where, "key", 80)
    construct = raw["construct"]
    ok = key is not None
    if construct not in Construct.values:
        check.fail(where, _("unknown construct “%(value)s”"), value=construct)
        ok = False
    wording = check.texts(raw["wording"], where, "wording")
    source = check.text(raw["source"], where, "source")
    ok = ok and wording is not None and source is not None
    scale_key = raw["scale"]
    reported = raw.get("reported", [])
    reported_as: dict[str, str] | None = {}
    if scale_key is None:
        if construct != Construct.OPEN_ISSUE:
            check.fail(where, _("only an open question (construct “open_issue”) has no scale"))
            ok = False
        if reported or raw.get("reported_as"):
            check.fail(where, _("an open question has no reported values"))
            ok = False
        reported = []
    else:
        scale = library.scales.get(scale_key) if isinstance(scale_key, str) else None
        if construct == Construct.OPEN_ISSUE:
            check.fail(where, _("the open question (construct “open_issue”) takes no scale"))
            ok = False
        if scale is None:
            check.fail(where, _("unknown scale “%(value)s”"), value=scale_key)
            ok = False
        if not isinstance(reported, list) or not reported or not all(_is_int(v) for v in reported):
            check.fail(
                where, _("“%(field)s” must be a list of whole numbers, not empty"), field="reported"
            )
            ok = False
        elif scale is not None:
            on_scale = {point["value"] for point in scale.points}
            for value in reported:
                if value not in on_scale:
                    check.fail(
                        where,
                        _("the reported value %(value)s is not on the scale “%(scale)s”"),
                        value=value,
                        scale=scale.key,
                    )
                    ok = False
                elif value in scale.missing:
                    check.fail(
                        where,
                        _("the reported value %(value)s is not an answer on the scale “%(scale)s”"),
                        value=value,
                        scale=scale.key,
                    )
                    ok = False
            if len(set(reported)) != len(reported):
                check.fail(where, _("a reported value is listed twice"))
                ok = False
        if "reported_as" not in raw:
            check.fail(where, _("missing field “%(field)s”"), field="reported_as")
            ok = False
        else:
            reported_as = check.texts(raw["reported_as"], where, "reported_as")
            ok = ok and reported_as is not None
    if duplicate:
        ok = False
    if not ok or key is None or wording is None or source is None or reported_as is None:
        return key
    library.items[key] = _ItemSpec(
        key=key,
        file=file,
        construct=str(construct),
        wording=wording,
        scale=scale_key,
        reported=list(reported),
        reported_as=reported_as,
        source=source,
    )
    return key


def _read_instrument(data: Any, file: str, check: _Checker, library: _Library) -> None:
    required = ["key", "kind", "title", "source", "items"]
    if not check.fields(data, file, required=required, optional=["description"]):
        return
    key = check.slug(data["key"], file, "key", 80)
    ok = key is not None
    if data["kind"] not in InstrumentKind.values:
        check.fail(file, _("unknown kind “%(value)s”"), value=data["kind"])
        ok = False
    title = check.texts(data["title"], file, "title")
    description = (
        check.texts(data["description"], file, "description") if "description" in data else {}
    )
    source = check.text(data["source"], file, "source")
    if key is not None and key in library.instrument_files:
        other = library.instrument_files[key]
        check.fail(
            file, _("the instrument “%(key)s” is already defined in %(file)s"), key=key, file=other
        )
        ok = False
    elif key is not None:
        library.instrument_files[key] = file
    keys: list[str] = []
    if not isinstance(data["items"], list) or not data["items"]:
        check.fail(file, _("“%(field)s” must be a list that is not empty"), field="items")
        ok = False
    else:
        for number, raw in enumerate(data["items"], start=1):
            item_key: str | None = raw
            if isinstance(raw, str):
                library.references.append((file, raw))
            else:
                item_key = _read_item(raw, file, number, check, library)
            if item_key is None:
                ok = False
                continue
            if item_key in keys:
                check.fail(_item_place(file, item_key), _("the item is in the instrument twice"))
                ok = False
            keys.append(item_key)
    if not ok or key is None or title is None or description is None or source is None:
        return
    library.instruments.append(
        _InstrumentSpec(
            key=key,
            file=file,
            kind=str(data["kind"]),
            title=title,
            description=description,
            source=source,
            items=keys,
        )
    )


def _read_library(directory: Path) -> _Library:
    check = _Checker()
    library = _Library()
    scales_path = directory / SCALES_FILE
    if not scales_path.is_file():
        raise LibraryError(
            _("%(directory)s has no %(file)s.") % {"directory": directory, "file": SCALES_FILE},
            code="library",
        )
    _read_scales(_read(scales_path, check), SCALES_FILE, check, library)
    paths = sorted(p for p in directory.glob("*.json") if p.name != SCALES_FILE)
    for path in paths:
        data = _read(path, check)
        if data is not None:
            _read_instrument(data, path.name, check, library)
    # References to items of other files, once every file has been read.
    for file, key in library.references:
        if key not in library.defined:
            check.fail(_item_place(file, key), _("no file of the library defines this item"))
    if check.errors:
        raise LibraryError(check.errors, code="library")
    return library


# Writing -------------------------------------------------------------------------------------


def _fielded(item: Item) -> bool:
    return Answer.objects.filter(item=item).exists()


def _instrument_fielded(instrument: Instrument) -> bool:
    return Wave.objects.filter(instrument=instrument).exists()


def _latest_version(
    model: type[Item] | type[Instrument], organisation_id: int | None, key: str
) -> int:
    rows = model.objects.filter(key=key)
    if organisation_id is None:
        rows = rows.filter(organisation__isnull=True)
    else:
        rows = rows.filter(organisation_id=organisation_id)
    return int(rows.aggregate(latest=Max("version"))["latest"] or 0)


def _entry_ids(instrument: Instrument) -> list[int]:
    return list(instrument.entries.order_by("position").values_list("item_id", flat=True))


def _set_entries(instrument: Instrument, item_ids: list[int]) -> None:
    InstrumentItem.objects.filter(instrument=instrument).delete()
    InstrumentItem.objects.bulk_create(
        InstrumentItem(instrument=instrument, item_id=item_id, position=position)
        for position, item_id in enumerate(item_ids, start=1)
    )


def _instrument_next_version(
    instrument: Instrument, *, item_ids: list[int], values: Mapping[str, Any] | None = None
) -> Instrument:
    """A new version of ``instrument`` holding ``item_ids``, with ``values`` changed."""
    fields = {
        "kind": instrument.kind,
        "title": instrument.title,
        "description": instrument.description,
        "source": instrument.source,
        **(values or {}),
    }
    version = _latest_version(Instrument, instrument.organisation_id, instrument.key) + 1
    created = Instrument.objects.create(
        organisation_id=instrument.organisation_id, key=instrument.key, version=version, **fields
    )
    _set_entries(created, item_ids)
    return created


def _sync_scales(library: _Library, report: LibraryReport) -> dict[str, Scale]:
    scales = {scale.key: scale for scale in Scale.objects.filter(key__in=list(library.scales))}
    refused: list[str] = []
    for spec in library.scales.values():
        scale = scales.get(spec.key)
        if scale is None:
            scales[spec.key] = Scale.objects.create(
                key=spec.key, points=spec.points, missing=spec.missing
            )
            report.changes.append(Change("scale", spec.key, None, "created"))
        elif scale.points != spec.points or list(scale.missing) != spec.missing:
            if Answer.objects.filter(item__scale=scale).exists():
                refused.append(
                    _(
                        "%(where)s: the scale has been fielded, so its points cannot change; "
                        "give the changed scale a new key"
                    )
                    % {"where": _scale_place(SCALES_FILE, spec.key)}
                )
                continue
            scale.points, scale.missing = spec.points, spec.missing
            scale.save(update_fields=["points", "missing"])
            report.changes.append(Change("scale", spec.key, None, "updated"))
    if refused:
        raise LibraryError(refused, code="library")
    return scales


def _sync_items(
    library: _Library, scales: Mapping[str, Scale], report: LibraryReport
) -> dict[str, Item]:
    current: dict[str, Item] = {}
    for item in (
        Item.objects.filter(organisation__isnull=True, key__in=list(library.items))
        .select_related("scale")
        .order_by("key", "version")
    ):
        current[item.key] = item  # the highest version wins
    for spec in library.items.values():
        values: dict[str, Any] = {
            "construct": spec.construct,
            "wording": spec.wording,
            "scale": scales[spec.scale] if spec.scale is not None else None,
            "reported": spec.reported,
            "reported_as": spec.reported_as,
        }
        existing = current.get(spec.key)
        if existing is None:
            current[spec.key] = Item.objects.create(
                organisation=None, key=spec.key, version=1, source=spec.source, **values
            )
            report.changes.append(Change("item", spec.key, 1, "created"))
            continue
        frozen_same = all(getattr(existing, name) == value for name, value in values.items())
        if frozen_same and existing.source == spec.source:
            continue
        if frozen_same or not _fielded(existing):
            for name, value in values.items():
                setattr(existing, name, value)
            existing.source = spec.source
            existing.save(update_fields=[*_ITEM_FIELDS, "source"])
            report.changes.append(Change("item", spec.key, existing.version, "updated"))
            continue
        current[spec.key] = Item.objects.create(
            organisation=None,
            key=spec.key,
            version=existing.version + 1,
            source=spec.source,
            **values,
        )
        report.changes.append(Change("item", spec.key, existing.version + 1, "new_version"))
    return current


def _sync_instruments(library: _Library, items: Mapping[str, Item], report: LibraryReport) -> None:
    for spec in library.instruments:
        item_ids = [items[key].pk for key in spec.items]
        values = {"kind": spec.kind, "title": spec.title, "description": spec.description}
        instrument = (
            Instrument.objects.filter(organisation__isnull=True, key=spec.key)
            .order_by("-version")
            .first()
        )
        if instrument is None:
            instrument = Instrument.objects.create(
                organisation=None, key=spec.key, version=1, source=spec.source, **values
            )
            _set_entries(instrument, item_ids)
            report.changes.append(Change("instrument", spec.key, 1, "created"))
            continue
        frozen_same = _entry_ids(instrument) == item_ids and all(
            getattr(instrument, name) == value for name, value in values.items()
        )
        if frozen_same and instrument.source == spec.source:
            continue
        if frozen_same or not _instrument_fielded(instrument):
            for name, value in values.items():
                setattr(instrument, name, value)
            instrument.source = spec.source
            instrument.save(update_fields=[*_INSTRUMENT_FIELDS, "source"])
            if not frozen_same:
                _set_entries(instrument, item_ids)
            report.changes.append(Change("instrument", spec.key, instrument.version, "updated"))
            continue
        created = _instrument_next_version(
            instrument, item_ids=item_ids, values={**values, "source": spec.source}
        )
        report.changes.append(Change("instrument", spec.key, created.version, "new_version"))


def ensure_library(*, directory: Path | None = None) -> LibraryReport:
    """Load the built-in library from ``directory`` (the library shipped with ourbeat by
    default), or bring the database up to date with it: idempotent, in one transaction,
    with one audit event when anything changed. Refuses files that do not fit with a
    ``LibraryError`` naming every problem, and then writes nothing."""
    library = _read_library(directory or LIBRARY_DIRECTORY)
    report = LibraryReport()
    with transaction.atomic():
        scales = _sync_scales(library, report)
        items = _sync_items(library, scales, report)
        _sync_instruments(library, items, report)
        if report.changed:
            audit.record(
                "surveys.library.load",
                actor=None,
                data={"changes": [change.as_data() for change in report.changes]},
            )
    return report


# Revisions and copies -------------------------------------------------------------------------


def _clean_texts(
    value: Any, *, name: str, keep: Iterable[str], errors: dict[str, list[str]]
) -> dict[str, str]:
    """A text per language, keeping at least the languages ``keep`` (no translation is lost)."""
    if not isinstance(value, Mapping):
        errors.setdefault(name, []).append(_("Give a text per language."))
        return {}
    cleaned: dict[str, str] = {}
    for language, text in value.items():
        if not _LANGUAGE.match(str(language)):
            errors.setdefault(name, []).append(
                _("“%(language)s” is not a language code.") % {"language": language}
            )
        elif isinstance(text, str) and text.strip():
            cleaned[str(language)] = text.strip()
    for language in keep:
        if language not in cleaned:
            errors.setdefault(name, []).append(
                _("Enter the text in “%(language)s”: the item has it.") % {"language": language}
            )
    if not cleaned and name not in errors:
        errors.setdefault(name, []).append(_("Enter the text."))
    return cleaned


def _current_instruments_holding(item: Item) -> list[Instrument]:
    """The current versions of the instruments of ``item``'s organisation (or of the library)
    that hold it."""
    holding = Instrument.objects.filter(entries__item=item)
    if item.organisation_id is None:
        holding = holding.filter(organisation__isnull=True)
    else:
        holding = holding.filter(organisation_id=item.organisation_id)
    return [
        instrument
        for instrument in holding.order_by("key", "version")
        if _latest_version(Instrument, instrument.organisation_id, instrument.key)
        == instrument.version
    ]


def _swap_item(instrument: Instrument, old: Item, new: Item) -> Instrument:
    """Put ``new`` in the place of ``old`` in ``instrument``: a new version of the
    instrument when it has been fielded."""
    if _instrument_fielded(instrument):
        item_ids = [new.pk if item_id == old.pk else item_id for item_id in _entry_ids(instrument)]
        return _instrument_next_version(instrument, item_ids=item_ids)
    InstrumentItem.objects.filter(instrument=instrument, item=old).update(item=new)
    return instrument


def item_revise(
    *,
    actor: Any,
    item: Item,
    wording: Mapping[str, str],
    reported_as: Mapping[str, str] | None = None,
    instrument: Instrument | None = None,
) -> Item:
    """Change the wording (and optionally how the reported values are described) of the
    current version of an item; returns the item now current.

    A fielded item gets a new version, which replaces it in the current instruments of its
    organisation (or of the library); its answers stay on the old version. An unfielded item
    is edited in place. With ``instrument``, an organisation's instrument that holds a library
    item, the organisation gets its own item (the next version of the key) in that instrument
    and the library is left as it is. Refusals are ``ValidationError``s and change nothing.
    """
    errors: dict[str, list[str]] = {}
    new_wording = _clean_texts(wording, name="wording", keep=item.wording or {}, errors=errors)
    new_reported_as = dict(item.reported_as or {})
    if reported_as is not None:
        if item.scale_id is None:
            if reported_as:
                errors["reported_as"] = [_("An open question has no reported values.")]
        else:
            new_reported_as = _clean_texts(
                reported_as, name="reported_as", keep=item.reported_as or {}, errors=errors
            )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        old = Item.objects.select_for_update().get(pk=item.pk)
        latest = _latest_version(Item, old.organisation_id, old.key)
        if latest != old.version:
            raise ValidationError(
                _("This item has a newer version (%(version)s): revise that one instead."),
                code="stale",
                params={"version": latest},
            )
        fork = False
        if instrument is not None:
            if not instrument.entries.filter(item=old).exists():
                raise ValidationError(_("This instrument does not hold the item."), code="invalid")
            if (
                _latest_version(Instrument, instrument.organisation_id, instrument.key)
                != instrument.version
            ):
                raise ValidationError(
                    _("This instrument has a newer version: revise the item there instead."),
                    code="stale",
                )
            if (
                old.organisation_id is not None
                and instrument.organisation_id != old.organisation_id
            ):
                raise ValidationError(
                    _("The item belongs to another organisation than the instrument."),
                    code="invalid",
                )
            fork = old.organisation_id is None and instrument.organisation_id is not None
        if new_wording == old.wording and new_reported_as == old.reported_as:
            return old

        instruments: list[Instrument] = []
        if fork:
            assert instrument is not None
            organisation_id = instrument.organisation_id
            version = max(
                _latest_version(Item, None, old.key),
                _latest_version(Item, organisation_id, old.key),
            )
            current = _copy_item(old, organisation_id=organisation_id, version=version + 1)
            how = "forked"
            instruments.append(_swap_item(instrument, old, current))
        elif _fielded(old):
            current = _copy_item(old, organisation_id=old.organisation_id, version=old.version + 1)
            how = "new_version"
            instruments.extend(
                _swap_item(held, old, current) for held in _current_instruments_holding(old)
            )
        else:
            current = old
            how = "updated"
        current.wording, current.reported_as = new_wording, new_reported_as
        current.save(update_fields=["wording", "reported_as"])
        audit.record(
            "surveys.item.revise",
            actor=actor,
            obj=current,
            data={
                "key": current.key,
                "from_version": old.version,
                "version": current.version,
                "how": how,
                "instruments": [f"{i.key} v{i.version}" for i in instruments],
            },
        )
    return current


def _copy_item(item: Item, *, organisation_id: int | None, version: int) -> Item:
    try:
        with transaction.atomic():
            return Item.objects.create(
                organisation_id=organisation_id,
                key=item.key,
                version=version,
                construct=item.construct,
                wording=item.wording,
                scale_id=item.scale_id,
                reported=item.reported,
                reported_as=item.reported_as,
                source=item.source,
            )
    except IntegrityError as error:
        raise ValidationError(
            _("Someone else revised this item meanwhile; reload the page and try again."),
            code="stale",
        ) from error


def instrument_copy(
    *, actor: Any, instrument: Instrument, organisation: Organisation
) -> Instrument:
    """The organisation's own copy of a library instrument, holding the same items (the
    items are referenced, not copied); the organisation may then revise it."""
    if instrument.organisation_id is not None:
        raise ValidationError(
            _("Only an instrument of the built-in library can be copied."), code="invalid"
        )
    exists = ValidationError(
        _("%(organisation)s already has its own copy of this instrument."),
        code="exists",
        params={"organisation": organisation.name},
    )
    try:
        with transaction.atomic():
            if Instrument.objects.filter(organisation=organisation, key=instrument.key).exists():
                raise exists
            copy = Instrument.objects.create(
                organisation=organisation,
                key=instrument.key,
                version=1,
                kind=instrument.kind,
                title=instrument.title,
                description=instrument.description,
                source=instrument.source,
            )
            _set_entries(copy, _entry_ids(instrument))
            audit.record(
                "surveys.instrument.copy",
                actor=actor,
                obj=copy,
                data={
                    "from": f"{instrument.key} v{instrument.version}",
                    "organisation": organisation.slug,
                },
            )
    except IntegrityError as error:  # a concurrent copy
        raise exists from error
    return copy
