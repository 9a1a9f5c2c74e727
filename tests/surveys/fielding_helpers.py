"""Helpers the fielding tests share: a small questionnaire of the organisation's own (two
scale items and an open question, worded in English and Russian), a wave of it set up and
opened through the real services, and the posted form of a questionnaire. Holds no tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from ourbeat.surveys.models import (
    Construct,
    Instrument,
    InstrumentItem,
    Item,
    Mode,
    Scale,
    Wave,
)
from ourbeat.surveys.services import fielding

AGREE = [
    (1, "Strongly disagree", "Совершенно не согласен"),
    (2, "Tend to disagree", "Скорее не согласен"),
    (3, "Neither agree nor disagree", "Ни то ни другое"),
    (4, "Tend to agree", "Скорее согласен"),
    (5, "Strongly agree", "Полностью согласен"),
    (9, "Don't know", "Затрудняюсь ответить"),
]
CONFIDENCE_EN = "Taking everything into account, the police in this area are doing a good job."
CONFIDENCE_RU = "В целом полиция в нашем районе хорошо делает свою работу."
SAFE_EN = "I feel safe walking alone in this area after dark."
SAFE_RU = "Мне не страшно ходить одному по нашему району после наступления темноты."
OPEN_EN = "What is the one issue you would most like the police to deal with in your area?"
OPEN_RU = "Какую одну проблему в вашем районе полиции следует решить в первую очередь?"
TITLE_EN = "Fielding test survey of residents"
TITLE_RU = "Тестовый опрос жителей"


class Questionnaire:
    """The test questionnaire's rows."""

    def __init__(self, organisation: Any, key: str) -> None:
        self.scale = Scale.objects.create(
            key=f"{key}-agree",
            points=[{"value": v, "label": {"en": en, "ru": ru}} for v, en, ru in AGREE],
            missing=[9],
        )

        def item(suffix: str, construct: str, en: str, ru: str, scale: Any) -> Item:
            return Item.objects.create(
                organisation=organisation,
                key=f"{key}-{suffix}",
                construct=construct,
                wording={"en": en, "ru": ru},
                scale=scale,
                reported=[4, 5] if scale is not None else [],
            )

        self.confidence = item(
            "confidence", Construct.OVERALL_CONFIDENCE, CONFIDENCE_EN, CONFIDENCE_RU, self.scale
        )
        self.safe = item("safe", Construct.FEAR_OF_CRIME, SAFE_EN, SAFE_RU, self.scale)
        self.open = item("issue", Construct.OPEN_ISSUE, OPEN_EN, OPEN_RU, None)
        self.instrument = Instrument.objects.create(
            organisation=organisation,
            key=key,
            title={"en": TITLE_EN, "ru": TITLE_RU},
            description={
                "en": "Tell us how safe you feel and what the police should work on.",
                "ru": "Расскажите, насколько безопасно вы себя чувствуете.",
            },
        )
        for position, row in enumerate((self.confidence, self.safe, self.open), start=1):
            InstrumentItem.objects.create(instrument=self.instrument, item=row, position=position)


def questionnaire(organisation: Any, key: str = "fielding-test") -> Questionnaire:
    return Questionnaire(organisation, key)


def wave_of(
    q: Questionnaire,
    actor: Any,
    areas: list[Any],
    *,
    modes: tuple[str, ...] = (Mode.OPEN_LINK, Mode.INVITED, Mode.IN_PERSON, Mode.PAPER),
    languages: tuple[str, ...] = ("en", "ru"),
    opened: bool = True,
    title: str = "Fielding test wave",
) -> Wave:
    today = timezone.localdate()
    wave = fielding.wave_create(
        actor=actor,
        organisation=areas[0].organisation,
        instrument=q.instrument,
        title=title,
        areas=areas,
        opens_on=today,
        closes_on=today + timedelta(days=30),
        modes=list(modes),
        languages=list(languages),
    )
    if opened:
        fielding.wave_open(actor=actor, wave=wave)
    return wave


def answers_form(
    q: Questionnaire,
    area: Any,
    *,
    confidence: Any = "4",
    safe: Any = "2",
    issue: str = "Speeding on the main road",
    **extra: Any,
) -> dict[str, Any]:
    """The POST of a filled-in questionnaire."""
    data = {
        "area": str(area.pk),
        f"item_{q.confidence.pk}": confidence,
        f"item_{q.safe.pk}": safe,
        f"item_{q.open.pk}": issue,
        "age_band": "",
        "sex": "",
    }
    data.update(extra)
    return data


def respond_url(wave: Wave, language: str = "en") -> str:
    return f"/{language}/s/{wave.link_key}/"
