"""Recurring concerns cluster: near-copies of one problem in English and in Russian, reported
close together within the window, form one group each; the same words far away or long
after do not join it; a different problem at the same place stays apart; and what a group
shows never names who reported it and masks personal details."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ourbeat.analytics.recurring import recurring_clusters
from ourbeat.concerns.models import Category, Concern
from ourbeat.concerns.services import concern_publish, concern_submit

pytestmark = pytest.mark.django_db


def plant(
    people: dict[str, Any],
    area: Any,
    code: str,
    text: str,
    *,
    north_m: float = 0.0,
    east_m: float = 0.0,
    days_ago: float = 0.0,
    publish: bool = True,
    name: str = "",
) -> Concern:
    """A concern a signed-in resident reported ``days_ago`` some metres from the area's
    centre, published unless told otherwise."""
    latitude = area.centre_lat + north_m / 111_320
    longitude = area.centre_lng + east_m / (111_320 * math.cos(math.radians(latitude)))
    concern = concern_submit(
        category=Category.objects.get(code=code),
        latitude=latitude,
        longitude=longitude,
        description=text,
        user=people["resident"],
        reporter_name=name,
    ).concern
    if days_ago:
        Concern.objects.filter(pk=concern.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    if publish:
        concern_publish(concern=concern, actor=people["site_admin"])
    return concern


def groups(concerns: list[Concern]) -> list[set[str]]:
    clusters = recurring_clusters(concerns=Concern.objects.filter(pk__in=[c.pk for c in concerns]))
    return [{member.reference for member in cluster.members} for cluster in clusters]


def test_english_near_copies_reported_close_together_form_one_group(
    town: Any, personas: dict[str, Any]
) -> None:
    home = town.home
    copies = [
        plant(
            personas,
            home,
            "street-light",
            "Broken street light outside 14 Mill Lane, out for a week.",
            days_ago=20,
        ),
        plant(
            personas,
            home,
            "street-light",
            "Street light broken outside no. 14 Mill Lane - out for over a week now",
            north_m=30,
            days_ago=12,
        ),
        plant(
            personas,
            home,
            "street-light",
            "broken street light outside 14 mill lane, still out after a week",
            east_m=-40,
            days_ago=3,
        ),
    ]
    other = plant(
        personas,
        home,
        "roads-speeding",
        "Lorries using the lane by the allotments as a rat run at dawn.",
        north_m=20,
        days_ago=5,
    )
    assert groups([*copies, other]) == [{c.reference for c in copies}]


def test_russian_near_copies_form_one_group_apart_from_the_english_ones(
    town: Any, personas: dict[str, Any]
) -> None:
    home = town.home
    russian = [
        plant(
            personas,
            home,
            "asb-noise",
            "Громкая музыка из квартиры над магазинами на Церковной улице до трёх ночи "
            "каждые выходные.",
            days_ago=9,
        ),
        plant(
            personas,
            home,
            "asb-noise",
            "Каждые выходные громкая музыка до 3 ночи из квартиры над магазинами, Церковная ул.",
            east_m=25,
            days_ago=2,
        ),
    ]
    english = [
        plant(
            personas,
            home,
            "drugs-litter",
            "Needles and syringes left in the bushes at the back of the recreation ground.",
            north_m=-30,
            days_ago=8,
        ),
        plant(
            personas,
            home,
            "drugs-litter",
            "Syringes and needles left in bushes behind the recreation ground again.",
            north_m=-10,
            days_ago=1,
        ),
    ]
    found = {frozenset(group) for group in groups([*russian, *english])}
    assert found == {
        frozenset(c.reference for c in russian),
        frozenset(c.reference for c in english),
    }


def test_the_same_words_far_away_or_long_after_do_not_join(
    town: Any, personas: dict[str, Any]
) -> None:
    text = "Shopping trolleys dumped in the canal near the old mill again."
    here = plant(personas, town.home, "street-flytipping", text, days_ago=10)
    far_away = plant(personas, town.elsewhere, "street-flytipping", text, days_ago=10)
    long_after = plant(
        personas, town.home, "street-flytipping", text, north_m=15, days_ago=10 + 200
    )
    assert groups([here, far_away, long_after]) == []
    soon_after = plant(personas, town.home, "street-flytipping", text, north_m=15, days_ago=4)
    assert groups([here, far_away, long_after, soon_after]) == [
        {here.reference, soon_after.reference}
    ]


def test_a_group_may_mix_categories_and_says_so(town: Any, personas: dict[str, Any]) -> None:
    first = plant(
        personas,
        town.home,
        "asb-groups",
        "Youths throwing stones at buses on the High Street after school.",
        days_ago=6,
    )
    second = plant(
        personas,
        town.home,
        "asb-vandalism",
        "Youths are throwing stones at the buses on High Street after school finishes",
        east_m=35,
        days_ago=2,
    )
    clusters = recurring_clusters(concerns=Concern.objects.filter(pk__in=[first.pk, second.pk]))
    assert len(clusters) == 1
    cluster = clusters[0]
    assert cluster.size == 2
    assert sorted(count for _, count in cluster.categories) == [1, 1]
    assert {name for name, _ in cluster.categories} == {
        first.category.label,
        second.category.label,
    }
    assert cluster.first_reported < cluster.last_reported
    assert cluster.area_slug == town.home.slug


def test_a_group_shows_no_reporter_and_masks_personal_details(
    town: Any, personas: dict[str, Any]
) -> None:
    # Not published: the description is shown masked, as publication would show it.
    texts = [
        "Van parked across the dropped kerb at 22 Park Street every night, "
        "call me on 07700 900123.",
        "Van parks across dropped kerb at 22 Park St every night - wheelchair users "
        "can't get by, 07700 900123",
    ]
    planted = [
        plant(
            personas,
            town.home,
            "roads-parking",
            text,
            north_m=10 * i,
            days_ago=3 - i,
            publish=False,
            name="Hermione Quillfeather",
        )
        for i, text in enumerate(texts)
    ]
    clusters = recurring_clusters(concerns=Concern.objects.filter(pk__in=[c.pk for c in planted]))
    assert len(clusters) == 1
    shown = repr(clusters[0].as_dict()) + repr(clusters[0])
    assert "07700 900123" not in shown
    assert "Quillfeather" not in shown
    assert "resident@example.org" not in shown
    assert "Park St" in clusters[0].text


def test_nothing_to_compare_gives_no_group(town: Any, personas: dict[str, Any]) -> None:
    assert recurring_clusters(concerns=Concern.objects.none()) == []
    alone = plant(personas, town.home, "street-light", "The lamp by the war memorial is out.")
    assert groups([alone]) == []
