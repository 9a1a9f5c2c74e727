"""The demo town's residents' surveys: a wave every six months over three years in every
neighbourhood, answered from a model in which confidence and trust rise after a priority is
resolved in some neighbourhoods (and not in others), so that the before/after view on a
priority's page has a real signal to find, and the neighbourhood pages show trends,
intervals and, where few answered, suppression. The sample over-represents older
residents, as real surveys do, so the weighting to the population has work to do.

Responses and answers are written in bulk (with one audit event), then each closed wave is
weighted exactly as closing a wave weights it. The latest wave is still open."""

from __future__ import annotations

import math
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from ourbeat.core import audit
from ourbeat.engagement.models import Priority, PriorityStatus
from ourbeat.places.models import Area, AreaLevel, Organisation
from ourbeat.places.services import area_touch
from ourbeat.surveys.models import (
    AgeBand,
    Answer,
    Construct,
    Dimension,
    Instrument,
    Item,
    Mode,
    PopulationMargin,
    Response,
    Sex,
    Wave,
    WaveStatus,
)

WAVES = 7  # six closed, the latest open
INSTRUMENT = "residents_core"
WAVE_SPACING = timedelta(days=182)
WAVE_LENGTH = timedelta(days=28)
# The population's age structure, and the sample's (older people answer more).
POPULATION_AGES = {
    AgeBand.A16_24: 0.14,
    AgeBand.A25_34: 0.18,
    AgeBand.A35_44: 0.17,
    AgeBand.A45_54: 0.17,
    AgeBand.A55_64: 0.15,
    AgeBand.A65: 0.19,
}
SAMPLE_AGES = [0.06, 0.10, 0.14, 0.18, 0.22, 0.30]
POPULATION_SEX = {Sex.FEMALE: 0.51, Sex.MALE: 0.49}
# Constructs measured in the favourable direction; the others (fear, disorder) run opposite.
POSITIVE = {
    Construct.OVERALL_CONFIDENCE,
    Construct.EFFECTIVENESS,
    Construct.RESPECT,
    Construct.FAIRNESS,
    Construct.VOICE,
    Construct.EXPLAINING,
    Construct.TRUST,
    Construct.OBLIGATION,
    Construct.AWARENESS,
    Construct.FOOT_PATROL,
    Construct.VICTIM_SATISFACTION,
}
# The rise, on the log-odds scale, after each resolved priority in a neighbourhood where
# the work was noticed, up to a ceiling. Cumulative: a neighbourhood resolves a priority
# or two between waves, and a rise that stopped after the first two (as a halving model
# did) left most priorities with no effect to show, by chance of the calendar.
NOTICED = 0.3
NOTICED_CEILING = 2.4
VICTIMS = 0.15
DONT_KNOW = 0.04
OPEN_ANSWERS = [
    "Speeding cars on the main road at school time",
    "speeding on the high street, someone will get hurt",
    "Drug dealing in the park after dark",
    "people dealing drugs by the bus shelter",
    "Litter and fly-tipping behind the shops",
    "fly tipping in the back lanes",
    "Street lights out on the canal path",
    "Noisy groups drinking outside the off-licence",
    "Burglaries on our street this winter",
    "More police on foot, we never see them",
]


@dataclass
class SurveyPlan:
    waves: list[Wave]
    responses: int
    answers: int


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _value(rng: random.Random, item: Item, reported: bool) -> int:
    assert item.scale is not None
    missing = set(item.scale.missing)
    values = [int(p["value"]) for p in item.scale.points if int(p["value"]) not in missing]
    if missing and rng.random() < DONT_KNOW:
        return int(sorted(missing)[0])
    pool = [v for v in values if (v in item.reported) == reported] or values
    return rng.choice(pool)


def _margins(area: Area) -> list[PopulationMargin]:
    people = area.population or 8000
    rows = [
        PopulationMargin(
            area=area, dimension=Dimension.AGE_BAND, category=band, population=round(people * s)
        )
        for band, s in POPULATION_AGES.items()
    ]
    total = sum(r.population for r in rows)
    female = round(total * POPULATION_SEX[Sex.FEMALE])
    rows += [
        PopulationMargin(
            area=area, dimension=Dimension.SEX, category=Sex.FEMALE, population=female
        ),
        PopulationMargin(
            area=area, dimension=Dimension.SEX, category=Sex.MALE, population=total - female
        ),
    ]
    return rows


def demo_surveys_load(*, seed: int, today: date, force: Organisation) -> SurveyPlan:
    """Write the demo's waves, responses and answers (after the engagement history, whose
    resolved priorities the answers respond to)."""
    from ourbeat.surveys.services.fielding import weigh_responses
    from ourbeat.surveys.services.instruments import ensure_library

    ensure_library()
    rng = random.Random(seed * 7919 + 5)
    instrument = (
        Instrument.objects.filter(organisation__isnull=True, key=INSTRUMENT)
        .order_by("-version")
        .first()
    )
    if instrument is None:
        raise RuntimeError("the built-in library has no residents' survey")
    items = [e.item for e in instrument.entries.select_related("item__scale").order_by("position")]
    areas = list(
        Area.objects.filter(organisation=force, level=AreaLevel.NEIGHBOURHOOD)
        .defer("boundary")
        .order_by("code")
    )
    PopulationMargin.objects.filter(area__in=areas).delete()
    PopulationMargin.objects.bulk_create([m for area in areas for m in _margins(area)])
    # Where the work on a resolved priority was noticed: every other neighbourhood.
    noticed = {area.pk for number, area in enumerate(areas) if number % 2 == 0}
    resolved: dict[int, list[date]] = defaultdict(list)
    for area_id, closed in Priority.objects.filter(
        area__in=areas, status=PriorityStatus.RESOLVED, closed_at__isnull=False
    ).values_list("area_id", "closed_at"):
        if closed is not None:
            resolved[area_id].append(closed.date())
    base = {area.pk: rng.uniform(-0.4, 0.6) for area in areas}
    fear_base = {area.pk: rng.uniform(-0.9, 0.1) for area in areas}
    item_offset = {item.pk: rng.uniform(-0.5, 0.5) for item in items}
    small = (areas[-1].pk, WAVES - 3)  # one neighbourhood-wave too small to publish

    waves: list[Wave] = []
    first_close = today - timedelta(days=20) - WAVE_SPACING * (WAVES - 2)
    for number in range(WAVES):
        closes = first_close + WAVE_SPACING * number
        is_open = number == WAVES - 1
        if is_open:
            closes = today + timedelta(days=21)
        opens = closes - WAVE_LENGTH
        season = "spring" if opens.month in (3, 4, 5, 6, 7, 8) else "autumn"
        wave = Wave.objects.create(
            organisation=force,
            instrument=instrument,
            title=f"Residents' survey, {season} {opens.year}",
            opens_on=opens,
            closes_on=closes,
            status=WaveStatus.OPEN if is_open else WaveStatus.CLOSED,
            modes=[Mode.OPEN_LINK, Mode.INVITED, Mode.IN_PERSON, Mode.PAPER],
            languages=["en", "ru"],
            link_key=secrets.token_urlsafe(12) if number else f"demo-{seed}-residents",
            min_cell=10,
        )
        wave.areas.set(areas)
        waves.append(wave)

    responses: list[Response] = []
    answers: list[tuple[Response, Item, int | None, str]] = []
    bands = list(POPULATION_AGES)
    for number, wave in enumerate(waves):
        for area in areas:
            count = rng.randint(6, 9) if (area.pk, number) == small else rng.randint(28, 70)
            if wave.status == WaveStatus.OPEN:
                count //= 4
            done = sum(1 for closed in resolved[area.pk] if closed < wave.opens_on)
            lift = min(NOTICED * done, NOTICED_CEILING) if area.pk in noticed else 0.0
            for _ in range(count):
                age = rng.choices(range(len(bands)), SAMPLE_AGES)[0]
                sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.OTHER], [0.5, 0.48, 0.02])[0]
                response = Response(
                    wave=wave,
                    area=area,
                    mode=rng.choices(
                        [Mode.OPEN_LINK, Mode.INVITED, Mode.IN_PERSON, Mode.PAPER],
                        [0.6, 0.25, 0.1, 0.05],
                    )[0],
                    language=rng.choices(["en", "ru"], [0.85, 0.15])[0],
                    submitted_on=min(
                        wave.opens_on + timedelta(days=rng.randrange(WAVE_LENGTH.days)), today
                    ),
                    age_band=bands[age] if rng.random() < 0.93 else "",
                    sex=sex if rng.random() < 0.9 and sex != Sex.OTHER else "",
                )
                responses.append(response)
                feeling = base[area.pk] + 0.18 * (age - 2.5) + lift + rng.gauss(0, 1)
                victim = rng.random() < VICTIMS
                for item in items:
                    if item.is_open:
                        if rng.random() < 0.35:
                            answers.append((response, item, None, rng.choice(OPEN_ANSWERS)))
                        continue
                    if item.construct == Construct.VICTIM_SATISFACTION and not victim:
                        continue
                    if item.construct in POSITIVE:
                        chance = _logistic(feeling + item_offset[item.pk])
                    else:
                        chance = _logistic(
                            fear_base[area.pk] - 0.6 * feeling + item_offset[item.pk]
                        )
                    reported = rng.random() < chance
                    answers.append((response, item, _value(rng, item, reported), ""))
    Response.objects.bulk_create(responses, batch_size=1000)
    Answer.objects.bulk_create(
        (
            Answer(response=response, item=item, value=value, text=text)
            for response, item, value, text in answers
        ),
        batch_size=2000,
    )
    for wave in waves:
        if wave.status == WaveStatus.CLOSED:
            weigh_responses(wave)
    area_touch([area.pk for area in areas])
    audit.record(
        "demo.surveys.load",
        actor=None,
        obj=force,
        data={
            "seed": seed,
            "waves": len(waves),
            "responses": len(responses),
            "answers": len(answers),
        },
    )
    return SurveyPlan(waves=waves, responses=len(responses), answers=len(answers))
