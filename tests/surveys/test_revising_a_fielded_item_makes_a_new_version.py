"""Revising an item: once fielded, its wording is frozen, so a revision makes the next version
(taking its place in the current instruments) while the answers stay on the old one; an item
not yet fielded is edited in place. An organisation copies a library instrument (the same
items, referenced) and may revise a library item in its copy without touching the library."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

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
from ourbeat.surveys.services.instruments import ensure_library, instrument_copy, item_revise

OLD_EN = "The police in this area deal with the problems that matter to me."
OLD_RU = "Полиция нашего района занимается проблемами, которые важны для меня."
NEW_EN = "The police in this area deal with the problems that matter most to me."
NEW_RU = "Полиция нашего района занимается проблемами, которые для меня важнее всего."


def own_questionnaire(town: Any) -> tuple[Instrument, Item]:
    """An instrument of the organisation's own, holding one item of its own."""
    ensure_library()
    scale = Scale.objects.get(key="agree5")
    item = Item.objects.create(
        organisation=town.force,
        key="matters-to-me",
        construct=Construct.EFFECTIVENESS,
        wording={"en": OLD_EN, "ru": OLD_RU},
        scale=scale,
        reported=[4, 5],
        reported_as={"en": "agree", "ru": "согласны"},
        source="Written by the force",
    )
    instrument = Instrument.objects.create(
        organisation=town.force,
        key="own-survey",
        title={"en": "Our survey", "ru": "Наш опрос"},
    )
    InstrumentItem.objects.create(instrument=instrument, item=item, position=1)
    return instrument, item


def field(town: Any, instrument: Instrument, item: Item) -> Answer:
    wave = Wave.objects.create(
        organisation=town.force,
        instrument=instrument,
        title="Revision test wave",
        opens_on=date(2025, 3, 3),
        closes_on=date(2025, 3, 30),
        link_key=f"revision-test-{instrument.pk}-{item.pk}",
    )
    response = Response.objects.create(
        wave=wave, area=town.home, mode=Mode.PAPER, language="ru", submitted_on=date(2025, 3, 5)
    )
    return Answer.objects.create(response=response, item=item, value=5)


def last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    return event


@pytest.mark.django_db
def test_revising_a_fielded_item_makes_version_2_while_answers_stay_on_version_1(
    town: Any, personas: dict[str, Any]
) -> None:
    instrument, item = own_questionnaire(town)
    answer = field(town, instrument, item)

    current = item_revise(
        actor=personas["org_admin"], item=item, wording={"en": NEW_EN, "ru": NEW_RU}
    )

    assert current.pk != item.pk
    assert (current.organisation, current.key, current.version) == (town.force, item.key, 2)
    assert current.wording == {"en": NEW_EN, "ru": NEW_RU}
    assert (current.construct, current.scale, current.reported) == (
        item.construct,
        item.scale,
        item.reported,
    )
    item.refresh_from_db()
    assert item.wording == {"en": OLD_EN, "ru": OLD_RU}
    answer.refresh_from_db()
    assert answer.item_id == item.pk
    assert not current.answers.exists()
    # The fielded instrument keeps version 1; version 2 asks the new wording.
    assert list(instrument.items.all()) == [item]
    second = Instrument.objects.get(organisation=town.force, key="own-survey", version=2)
    assert list(second.items.all()) == [current]
    event = last_event()
    assert event.action == "surveys.item.revise"
    assert event.actor_id == personas["org_admin"].pk
    assert event.data["how"] == "new_version"
    assert (event.data["from_version"], event.data["version"]) == (1, 2)
    assert event.data["instruments"] == ["own-survey v2"]


@pytest.mark.django_db
def test_revising_an_unfielded_item_edits_it_in_place(town: Any, personas: dict[str, Any]) -> None:
    instrument, item = own_questionnaire(town)

    current = item_revise(
        actor=personas["org_admin"],
        item=item,
        wording={"en": f"  {NEW_EN} ", "ru": NEW_RU},
        reported_as={"en": "agree or strongly agree", "ru": "согласны или полностью согласны"},
    )

    assert current.pk == item.pk
    assert current.version == 1
    item.refresh_from_db()
    assert item.wording == {"en": NEW_EN, "ru": NEW_RU}
    assert item.reported_as["en"] == "agree or strongly agree"
    assert Item.objects.filter(organisation=town.force, key=item.key).count() == 1
    assert list(instrument.items.all()) == [item]
    assert not Instrument.objects.filter(key="own-survey", version=2).exists()
    event = last_event()
    assert (event.action, event.data["how"]) == ("surveys.item.revise", "updated")


@pytest.mark.django_db
def test_the_same_wording_again_changes_nothing(town: Any, personas: dict[str, Any]) -> None:
    _, item = own_questionnaire(town)
    events = AuditEvent.objects.count()

    current = item_revise(actor=personas["org_admin"], item=item, wording=dict(item.wording))

    assert current.pk == item.pk
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_revision_that_drops_a_language_is_refused_and_changes_nothing(
    town: Any, personas: dict[str, Any]
) -> None:
    _, item = own_questionnaire(town)

    with pytest.raises(ValidationError) as refused:
        item_revise(actor=personas["org_admin"], item=item, wording={"en": NEW_EN, "ru": "  "})

    assert refused.value.message_dict == {"wording": ["Enter the text in “ru”: the item has it."]}
    item.refresh_from_db()
    assert item.wording == {"en": OLD_EN, "ru": OLD_RU}


@pytest.mark.django_db
def test_an_old_version_cannot_be_revised(town: Any, personas: dict[str, Any]) -> None:
    instrument, item = own_questionnaire(town)
    field(town, instrument, item)
    item_revise(actor=personas["org_admin"], item=item, wording={"en": NEW_EN, "ru": NEW_RU})

    with pytest.raises(ValidationError) as refused:
        item_revise(actor=personas["org_admin"], item=item, wording={"en": "x", "ru": "y"})

    assert refused.value.messages == ["This item has a newer version (2): revise that one instead."]
    assert Item.objects.filter(organisation=town.force, key=item.key).count() == 2


@pytest.mark.django_db
def test_revising_a_fielded_library_item_moves_the_library_on_but_not_the_copies(
    town: Any, personas: dict[str, Any]
) -> None:
    ensure_library()
    library = (
        Instrument.objects.filter(organisation__isnull=True, key="residents_pulse")
        .order_by("-version")
        .first()
    )
    assert library is not None
    assert not Wave.objects.filter(instrument=library).exists()
    copy = instrument_copy(actor=personas["org_admin"], instrument=library, organisation=town.force)
    item = library.items.get(key="csew_respect")
    field(town, copy, item)
    wording = {**item.wording, "en": "The police in this area would treat me with respect."}

    current = item_revise(actor=personas["site_admin"], item=item, wording=wording)

    assert current.organisation is None
    assert current.version == item.version + 1
    # The library's pulse survey was not fielded: it now holds the new version in place.
    assert library.entries.filter(item=current).exists()
    assert not library.entries.filter(item=item).exists()
    # The organisation's fielded copy is its own: it still asks what its respondents saw.
    assert copy.entries.filter(item=item).exists()
    assert not copy.entries.filter(item=current).exists()


@pytest.mark.django_db
def test_copying_a_library_instrument_references_the_same_items(
    town: Any, personas: dict[str, Any]
) -> None:
    ensure_library()
    library = (
        Instrument.objects.filter(organisation__isnull=True, key="residents_core")
        .order_by("-version")
        .first()
    )
    assert library is not None
    items = Item.objects.count()

    copy = instrument_copy(actor=personas["org_admin"], instrument=library, organisation=town.force)

    assert (copy.organisation, copy.key, copy.version) == (town.force, "residents_core", 1)
    assert (copy.kind, copy.title, copy.description) == (
        library.kind,
        library.title,
        library.description,
    )
    assert list(copy.entries.values_list("item_id", "position")) == list(
        library.entries.values_list("item_id", "position")
    )
    assert Item.objects.count() == items
    event = last_event()
    assert event.action == "surveys.instrument.copy"
    assert event.data == {
        "from": f"residents_core v{library.version}",
        "organisation": town.force.slug,
    }
    with pytest.raises(ValidationError) as twice:
        instrument_copy(actor=personas["org_admin"], instrument=library, organisation=town.force)
    assert twice.value.code == "exists"
    with pytest.raises(ValidationError) as own:
        instrument_copy(actor=personas["org_admin"], instrument=copy, organisation=town.council)
    assert own.value.code == "invalid"


@pytest.mark.django_db
def test_an_organisation_revises_a_library_item_in_its_copy_without_touching_the_library(
    town: Any, personas: dict[str, Any]
) -> None:
    ensure_library()
    library = (
        Instrument.objects.filter(organisation__isnull=True, key="residents_pulse")
        .order_by("-version")
        .first()
    )
    assert library is not None
    copy = instrument_copy(actor=personas["org_admin"], instrument=library, organisation=town.force)
    item = library.items.get(key="foot_patrol_seen")
    wording = {
        "en": "How often do you see police officers or volunteers on foot patrol in this area?",
        "ru": "Как часто вы видите в вашем районе полицейских или дружинников в пешем патруле?",
    }

    current = item_revise(actor=personas["org_admin"], item=item, wording=wording, instrument=copy)

    assert current.organisation == town.force
    assert current.key == item.key
    assert current.version == item.version + 1
    assert current.wording == wording
    assert current.scale == item.scale
    item.refresh_from_db()
    assert item.organisation is None
    assert item.wording != wording
    assert copy.entries.filter(item=current).exists()
    assert library.entries.filter(item=item).exists()
    assert last_event().data["how"] == "forked"
