"""The answers to a survey's open question ("what is the one issue you would most like the
police to deal with in your area?") are grouped into themes by similarity: answers about
speeding, drug dealing and litter, in English and in Russian and spelt in several ways, fall
into their own themes; unrelated answers stay apart; the grouping is the same whatever order
the answers come in; empty and very short answers are left out; the work per call is
bounded; a wave's themes are found per neighbourhood or for the whole wave."""

from __future__ import annotations

import random
from typing import Any

import pytest

from ourbeat.surveys import themes
from ourbeat.surveys.models import Mode
from ourbeat.surveys.services import fielding
from ourbeat.surveys.themes import OpenAnswer, group_answers, normalised, wave_themes
from tests.surveys.fielding_helpers import questionnaire, wave_of

ANSWERS: dict[tuple[str, str], list[str]] = {
    ("en", "speeding"): [
        "Speeding on Mill Lane",
        "cars speeding outside the primary school",
        "speeders racing round the estate at night",
        "The speeding! Drivers never slow down",
        "speeding traffic by the park",
    ],
    ("en", "drug dealing"): [
        "Drug dealing in the park",
        "drug dealers on the corner by the shop",
        "Drug-dealing outside the flats",
        "people dealing drugs from cars",
        "the drugs being dealt near the station",
    ],
    ("en", "litter"): [
        "Litter and fly-tipping",
        "fly tipping behind the garages",
        "Flytipping on the lane",
        "litter everywhere in the streets",
        "rubbish and litter left by the bins",
    ],
    ("ru", "speeding"): [
        "Превышение скорости на Мельничной улице",
        "машины превышают скорость возле школы",
        "водители превышают скорость ночью",
        "превышение скорости у парка",
    ],
    ("ru", "drug dealing"): [
        "Торговля наркотиками в подъезде",
        "наркотики продают у магазина",
        "продажа наркотиков возле станции",
        "наркоторговцы во дворе",
    ],
    ("ru", "litter"): [
        "Мусор на улицах",
        "мусор и свалки за гаражами",
        "кругом мусор, никто не убирает",
        "много мусора во дворах",
    ],
}
# Answers about other things: each stays on its own.
OTHERS = [
    ("en", "The lamp posts are broken on Elm Road"),
    ("en", "noisy neighbours"),
    ("ru", "не работают фонари"),
    ("ru", "шумные соседи"),
]


def _answers() -> tuple[list[OpenAnswer], dict[tuple[str, str], set[int]], set[int]]:
    answers: list[OpenAnswer] = []
    expected: dict[tuple[str, str], set[int]] = {}
    for (language, topic), texts in ANSWERS.items():
        for text in texts:
            answers.append(OpenAnswer(len(answers) + 1, text, language))
            expected.setdefault((language, topic), set()).add(len(answers))
    others = set()
    for language, text in OTHERS:
        answers.append(OpenAnswer(len(answers) + 1, text, language))
        others.add(len(answers))
    return answers, expected, others


def _theme_of(grouping: themes.Grouping, answer_id: int) -> themes.Theme:
    return next(t for t in grouping.themes if answer_id in t.answer_ids)


def test_answers_about_speeding_drug_dealing_and_litter_fall_into_their_own_themes() -> None:
    answers, expected, others = _answers()
    grouping = group_answers(answers)
    found = [set(theme.answer_ids) for theme in grouping.themes]
    for (language, topic), ids in expected.items():
        assert ids in found, f"the {language} answers about {topic} are not one theme"
    for answer_id in others:
        assert _theme_of(grouping, answer_id).count == 1
    assert grouping.grouped == len(answers)
    assert grouping.left_out == 0
    # Largest first: the three English themes of five, then the Russian ones of four.
    assert [theme.count for theme in grouping.themes[:6]] == [5, 5, 5, 4, 4, 4]
    texts = {answer.id: answer.text for answer in answers}
    for theme in grouping.themes:
        # The label is the theme's most central answer, shown first among its examples.
        assert theme.label == theme.answers[0].text
        assert theme.label in {texts[i] for i in theme.answer_ids}
        assert theme.examples(2) == theme.answers[:2]
        assert theme.count == len(theme.answers) == len(theme.answer_ids)


def test_spelling_variants_and_inflections_share_a_theme() -> None:
    answers, _expected, _others = _answers()
    grouping = group_answers(answers)
    by_text = {answer.text: answer.id for answer in answers}

    def same_theme(*texts: str) -> bool:
        return len({id(_theme_of(grouping, by_text[text])) for text in texts}) == 1

    assert same_theme(
        "Litter and fly-tipping", "fly tipping behind the garages", "Flytipping on the lane"
    )
    assert same_theme("Drug dealing in the park", "Drug-dealing outside the flats")
    assert same_theme("Speeding on Mill Lane", "speeders racing round the estate at night")
    assert same_theme(
        "Торговля наркотиками в подъезде",
        "наркотики продают у магазина",
        "продажа наркотиков возле станции",
    )
    assert same_theme("Мусор на улицах", "много мусора во дворах")
    assert same_theme(
        "Превышение скорости на Мельничной улице", "водители превышают скорость ночью"
    )
    speeding = _theme_of(grouping, by_text["Speeding on Mill Lane"])
    assert speeding.terms[0] == "speeding"


def test_the_text_is_lowercased_stripped_of_accents_and_english_stop_words_only_in_english() -> (
    None
):
    assert normalised("The CAFÉ is on fire-ish!", "en") == "cafe fire ish"
    assert normalised("The CAFÉ is on fire-ish!", "ru") == "the cafe fire ish"
    # Short words (prepositions of any language) count for nothing; ё is е.
    assert normalised("Всё в мусоре у подъезда", "ru") == "все мусоре подъезда"


def test_the_grouping_is_the_same_whatever_order_the_answers_come_in() -> None:
    answers, _expected, _others = _answers()

    def summary(items: list[OpenAnswer]) -> list[tuple[list[int], str, list[str]]]:
        return [(t.answer_ids, t.label, t.terms) for t in group_answers(items).themes]

    first = summary(answers)
    for seed in (1, 2, 3):
        shuffled = answers[:]
        random.Random(seed).shuffle(shuffled)
        assert summary(shuffled) == first


def test_empty_and_very_short_answers_are_left_out() -> None:
    answers = [
        OpenAnswer(1, "speeding cars", "en"),
        OpenAnswer(2, "", "en"),
        OpenAnswer(3, "ok", "en"),
        OpenAnswer(4, "   ", "en"),
        OpenAnswer(5, "n/a", "en"),  # nothing left once the stop words and punctuation go
        OpenAnswer(6, "speeding", "en"),
    ]
    grouping = group_answers(answers)
    assert grouping.left_out == 4
    assert [theme.answer_ids for theme in grouping.themes] == [[1, 6]]
    assert group_answers([]).themes == []
    assert group_answers([OpenAnswer(1, "no")]).left_out == 1
    single = group_answers([OpenAnswer(7, "Drug dealing", "en")])
    assert [(t.answer_ids, t.label) for t in single.themes] == [([7], "Drug dealing")]


def test_the_work_of_one_call_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(themes, "MAX_ANSWERS", 10)
    answers = [OpenAnswer(i, f"speeding on road number {i}", "en") for i in range(1, 16)]
    grouping = group_answers(answers)
    assert grouping.truncated == 5
    assert sorted(i for theme in grouping.themes for i in theme.answer_ids) == list(range(1, 11))


@pytest.fixture
def closed_wave(town: Any, personas: dict[str, Any]) -> Any:
    q = questionnaire(town.force, key="themes-grouping")
    wave = wave_of(q, personas["org_admin"], [town.home, town.elsewhere])
    for area, language, text in [
        (town.home, "en", "Speeding on Mill Lane"),
        (town.home, "en", "cars speeding outside the school"),
        (town.home, "ru", "Превышение скорости у школы"),
        (town.home, "en", "ok"),
        (town.elsewhere, "en", "speeding traffic by the park"),
        (town.elsewhere, "en", "Drug dealing by the flats"),
    ]:
        fielding.response_submit(
            wave=wave,
            area=area,
            language=language,
            answers={q.confidence.pk: 4, q.open.pk: text},
            mode=Mode.OPEN_LINK,
        )
    # A response that leaves the open question out has no answer to group.
    fielding.response_submit(
        wave=wave, area=town.home, language="en", answers={q.confidence.pk: 2}, mode=Mode.OPEN_LINK
    )
    fielding.wave_close(actor=personas["org_admin"], wave=wave)
    return wave, q


def test_a_waves_themes_are_found_per_neighbourhood_or_for_the_whole_wave(
    closed_wave: Any, town: Any
) -> None:
    wave, q = closed_wave
    assert themes.open_items(wave) == [q.open]
    home = wave_themes(wave, q.open, town.home)
    assert [(t.count, sorted(a.text for a in t.answers)) for t in home.themes] == [
        (2, ["Speeding on Mill Lane", "cars speeding outside the school"]),
        (1, ["Превышение скорости у школы"]),
    ]
    assert home.left_out == 1
    whole = wave_themes(wave, q.open)
    assert [t.count for t in whole.themes] == [3, 1, 1]
    assert whole.grouped == 5
    assert sorted(a.text for a in whole.themes[0].answers) == [
        "Speeding on Mill Lane",
        "cars speeding outside the school",
        "speeding traffic by the park",
    ]
