"""The built-in survey library: its JSON files load idempotently, cover every construct with
standard items worded in English and Russian and each with its source, and a file that does
not fit is refused with a message naming the file and the item, with nothing written. A
changed wording of a fielded item makes new versions of the item and of its instruments;
an unfielded item is edited in place."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from ourbeat.core.models import AuditEvent
from ourbeat.surveys.models import (
    Answer,
    Construct,
    Instrument,
    InstrumentItem,
    Item,
    Mode,
    Response,
    Scale,
    Wave,
)
from ourbeat.surveys.services.instruments import LIBRARY_DIRECTORY, LibraryError, ensure_library

PRACTICE = {Construct.PARTNERSHIPS, Construct.ORGANISATION, Construct.PROBLEM_SOLVING}
LANGUAGES = ("en", "ru")


def library_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "library"
    shutil.copytree(LIBRARY_DIRECTORY, directory)
    return directory


def edit(directory: Path, name: str, change: Callable[[Any], None]) -> None:
    path = directory / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def item_in(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(i for i in data["items"] if isinstance(i, dict) and i["key"] == key)


def current_library_instrument(key: str) -> Instrument:
    instrument = (
        Instrument.objects.filter(organisation__isnull=True, key=key).order_by("-version").first()
    )
    assert instrument is not None
    return instrument


def current_library_item(key: str) -> Item:
    item = Item.objects.filter(organisation__isnull=True, key=key).order_by("-version").first()
    assert item is not None
    return item


def field(town: Any, instrument: Instrument, item: Item, value: int | None = 4) -> Answer:
    """One wave of ``instrument`` with one response answering ``item``."""
    wave = Wave.objects.create(
        organisation=town.force,
        instrument=instrument,
        title="Library test wave",
        opens_on=date(2025, 1, 6),
        closes_on=date(2025, 2, 2),
        link_key=f"library-test-{instrument.pk}-{item.pk}",
    )
    response = Response.objects.create(
        wave=wave, area=town.home, mode=Mode.OPEN_LINK, language="en", submitted_on=date(2025, 1, 9)
    )
    return Answer.objects.create(response=response, item=item, value=value)


def counts() -> tuple[int, int, int, int, int]:
    return (
        Scale.objects.count(),
        Item.objects.count(),
        Instrument.objects.count(),
        InstrumentItem.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
def test_loading_the_library_twice_changes_nothing() -> None:
    ensure_library()
    before = counts()
    wordings = dict(Item.objects.values_list("pk", "wording"))

    report = ensure_library()

    assert not report.changed
    assert counts() == before
    assert dict(Item.objects.values_list("pk", "wording")) == wordings


@pytest.mark.django_db
def test_a_first_load_writes_the_whole_library_with_one_audit_event() -> None:
    # Waves cascade to their responses and answers, instruments to their entries.
    Wave.objects.filter(instrument__organisation__isnull=True).delete()
    Answer.objects.filter(item__organisation__isnull=True).delete()
    Instrument.objects.filter(organisation__isnull=True).delete()
    Item.objects.filter(organisation__isnull=True).delete()
    events = AuditEvent.objects.count()

    report = ensure_library()

    kinds = {(change.kind, change.how) for change in report.changes}
    assert ("item", "created") in kinds
    assert ("instrument", "created") in kinds
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert event.action == "surveys.library.load"
    assert len(event.data["changes"]) == len(report.changes)
    assert {"kind": "instrument", "key": "residents_core", "version": 1, "how": "created"} in (
        event.data["changes"]
    )


@pytest.mark.django_db
def test_the_residents_survey_covers_every_construct_and_the_self_assessment_the_practice() -> None:
    ensure_library()
    residents = current_library_instrument("residents_core")
    practice = current_library_instrument("cops_self_assessment")

    assert residents.kind == "public"
    assert practice.kind == "self_assessment"
    assert {i.construct for i in residents.items.all()} == set(Construct.values) - PRACTICE
    assert {i.construct for i in practice.items.all()} == PRACTICE


@pytest.mark.django_db
def test_every_item_is_worded_in_english_and_russian_and_names_its_source() -> None:
    ensure_library()
    keys = {
        item.key
        for instrument in Instrument.objects.filter(organisation__isnull=True)
        for item in instrument.items.all()
    }
    assert len(keys) >= 40
    for key in keys:
        item = current_library_item(key)
        for language in LANGUAGES:
            assert item.wording.get(language, "").strip(), (key, language)
        assert item.source.strip(), key
        if item.scale is None:
            assert item.construct == Construct.OPEN_ISSUE
            assert item.reported == []
            continue
        for language in LANGUAGES:
            assert item.reported_as.get(language, "").strip(), (key, language)
        answers = {int(p["value"]) for p in item.scale.points} - set(item.scale.missing)
        assert item.reported, key
        assert set(item.reported) <= answers, key


@pytest.mark.django_db
def test_the_open_question_asks_for_the_one_issue_without_a_scale() -> None:
    ensure_library()
    item = current_library_item("one_issue")

    assert item.is_open
    assert item.construct == Construct.OPEN_ISSUE
    assert item.text("en") == (
        "What is the one issue you would most like the police to deal with in your area?"
    )


@pytest.mark.django_db
def test_every_scale_offers_dont_know_as_not_an_answer_and_labels_every_point_twice() -> None:
    ensure_library()
    data = json.loads((LIBRARY_DIRECTORY / "scales.json").read_text(encoding="utf-8"))
    for spec in data["scales"]:
        scale = Scale.objects.get(key=spec["key"])
        labels = {int(p["value"]): p["label"] for p in scale.points}
        assert any(labels[v]["en"] == "Don't know" for v in scale.missing), scale.key
        for label in labels.values():
            assert all(label[language].strip() for language in LANGUAGES), scale.key


@pytest.mark.django_db
def test_the_standard_wordings_are_those_of_their_surveys() -> None:
    ensure_library()
    expected = {
        "csew_confidence": (
            "Taking everything into account, I have confidence in the police in this area."
        ),
        "safe_walking_after_dark": "How safe do you feel walking alone in this area after dark?",
        "ess_duty_back_decisions": (
            "To what extent is it your duty to back the decisions made by the police even when "
            "you disagree with them?"
        ),
    }
    for key, wording in expected.items():
        assert current_library_item(key).text("en") == wording
    fear = current_library_item("safe_walking_after_dark")
    assert fear.reported_as["en"] == "feel unsafe walking alone after dark"
    assert fear.scale is not None
    unsafe = {label for value, label in fear.scale.labels("en") if value in fear.reported}
    assert unsafe == {"A bit unsafe", "Very unsafe"}


def drop_russian(data: Any) -> None:
    del item_in(data, "worry_mugging")["wording"]["ru"]


def unknown_construct(data: Any) -> None:
    item_in(data, "worry_mugging")["construct"] = "happiness"


def unknown_scale(data: Any) -> None:
    item_in(data, "worry_mugging")["scale"] = "worried7"


def reported_off_the_scale(data: Any) -> None:
    item_in(data, "worry_mugging")["reported"] = [3, 7]


def reported_dont_know(data: Any) -> None:
    item_in(data, "worry_mugging")["reported"] = [99]


def duplicate_key(data: Any) -> None:
    item_in(data, "worry_burglary")["key"] = "worry_mugging"


def misspelt_field(data: Any) -> None:
    item = item_in(data, "worry_mugging")
    item["sorce"] = item.pop("source")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (drop_russian, "“wording” has no “ru” text"),
        (unknown_construct, "unknown construct “happiness”"),
        (unknown_scale, "unknown scale “worried7”"),
        (reported_off_the_scale, "the reported value 7 is not on the scale “worried4”"),
        (reported_dont_know, "the reported value 99 is not an answer on the scale “worried4”"),
        (duplicate_key, "the item “worry_mugging” is already defined in residents_core.json"),
        (misspelt_field, "unknown field “sorce”"),
    ],
)
def test_a_broken_library_file_is_refused_naming_the_item_and_nothing_is_written(
    tmp_path: Path, change: Callable[[Any], None], problem: str
) -> None:
    ensure_library()
    directory = library_copy(tmp_path)

    def break_it(data: Any) -> None:
        # A new item and a new wording that would be written if the file were not refused.
        data["items"].insert(0, {**item_in(data, "one_issue"), "key": "a_new_open_question"})
        item_in(data, "police_good_job")["source"] += "."
        change(data)

    edit(directory, "residents_core.json", break_it)
    before = counts()
    sources = dict(Item.objects.values_list("pk", "source"))

    with pytest.raises(LibraryError) as refused:
        ensure_library(directory=directory)

    assert f"residents_core.json, item “worry_mugging”: {problem}" in refused.value.messages
    assert counts() == before
    assert dict(Item.objects.values_list("pk", "source")) == sources
    assert not Item.objects.filter(key="a_new_open_question").exists()


@pytest.mark.django_db
def test_a_file_that_is_not_json_is_refused_by_its_name(tmp_path: Path) -> None:
    directory = library_copy(tmp_path)
    (directory / "half_written.json").write_text('{"key": "half_written", "items": [', "utf-8")

    with pytest.raises(LibraryError) as refused:
        ensure_library(directory=directory)

    assert any(
        m.startswith("half_written.json: the file is not valid JSON")
        for m in refused.value.messages
    )


@pytest.mark.django_db
def test_an_item_named_by_an_instrument_but_defined_nowhere_is_refused(tmp_path: Path) -> None:
    directory = library_copy(tmp_path)
    edit(directory, "residents_pulse.json", lambda data: data["items"].append("no_such_item"))

    with pytest.raises(LibraryError) as refused:
        ensure_library(directory=directory)

    assert refused.value.messages == [
        "residents_pulse.json, item “no_such_item”: no file of the library defines this item"
    ]


@pytest.mark.django_db
def test_a_fielded_scale_cannot_change_and_the_whole_load_is_rolled_back(
    town: Any, tmp_path: Path
) -> None:
    ensure_library()
    confidence = current_library_item("csew_confidence")
    field(town, current_library_instrument("residents_core"), confidence)
    directory = library_copy(tmp_path)

    def relabel(data: Any) -> None:
        agree = next(s for s in data["scales"] if s["key"] == "agree5")
        agree["points"][0]["label"]["en"] = "Agree strongly"

    edit(directory, "scales.json", relabel)
    edit(directory, "residents_core.json", lambda d: item_in(d, "worry_mugging").update(source="x"))
    before = counts()

    with pytest.raises(LibraryError) as refused:
        ensure_library(directory=directory)

    assert refused.value.messages == [
        "scales.json, scale “agree5”: the scale has been fielded, so its points cannot change; "
        "give the changed scale a new key"
    ]
    assert counts() == before
    assert current_library_item("worry_mugging").source != "x"


@pytest.mark.django_db
def test_new_wording_of_a_fielded_item_makes_new_versions_and_of_an_unfielded_one_edits_it(
    town: Any, tmp_path: Path
) -> None:
    ensure_library()
    residents = current_library_instrument("residents_core")
    confidence = current_library_item("csew_confidence")
    answer = field(town, residents, confidence)
    practice = current_library_item("practice_assessment")
    assert not practice.answers.exists()
    directory = library_copy(tmp_path)
    new_wording = "All things considered, I have confidence in the police in this area."

    def reword(data: Any) -> None:
        item_in(data, "csew_confidence")["wording"]["en"] = new_wording

    edit(directory, "residents_core.json", reword)
    edit(
        directory,
        "cops_self_assessment.json",
        lambda d: item_in(d, "practice_assessment")["wording"].update(ru="Потом мы проверяем."),
    )

    report = ensure_library(directory=directory)

    changes = {(c.kind, c.key, c.version, c.how) for c in report.changes}
    new_version = confidence.version + 1
    assert ("item", "csew_confidence", new_version, "new_version") in changes
    assert ("instrument", "residents_core", residents.version + 1, "new_version") in changes
    assert ("item", "practice_assessment", practice.version, "updated") in changes
    # The fielded version and its answers are as they were.
    confidence.refresh_from_db()
    assert confidence.text("en").startswith("Taking everything into account")
    answer.refresh_from_db()
    assert answer.item_id == confidence.pk
    assert list(residents.items.filter(key="csew_confidence")) == [confidence]
    # The new versions hold the new wording, in the same place.
    current = current_library_item("csew_confidence")
    assert (current.version, current.text("en")) == (new_version, new_wording)
    new_residents = current_library_instrument("residents_core")
    assert new_residents.version == residents.version + 1
    position = residents.entries.get(item=confidence).position
    assert new_residents.entries.get(position=position).item == current
    # The unfielded item was edited where it stood.
    practice.refresh_from_db()
    assert practice.text("ru") == "Потом мы проверяем."
    assert current_library_item("practice_assessment") == practice
    # And the same files again change nothing.
    assert not ensure_library(directory=directory).changed


@pytest.mark.django_db
def test_the_management_command_prints_what_changed(tmp_path: Path, capsys: Any) -> None:
    ensure_library()
    call_command("survey_library")
    assert "The survey library is up to date." in capsys.readouterr().out

    directory = library_copy(tmp_path)
    edit(
        directory,
        "cops_self_assessment.json",
        lambda d: item_in(d, "practice_training").update(source="Adapted from the CP-SAT."),
    )
    call_command("survey_library", directory=directory)
    out = capsys.readouterr().out
    assert "item “practice_training” version 1 updated in place" in out
    assert "The survey library is loaded: 1 change." in out
