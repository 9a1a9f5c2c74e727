"""A theme of a closed wave's open answers becomes one proposed priority of the
neighbourhood, published at once (staff propose it), whose provenance is one survey-answer
origin per answer; the public priority page says "N survey answers", never the answers. The
respondents are anonymous, so nobody is told through those origins. Refusals (a wave still
open, answers from elsewhere, answers already linked, no title, another organisation's staff)
change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ourbeat.accounts.models import Membership, Role
from ourbeat.core.models import AuditEvent
from ourbeat.engagement import notifications
from ourbeat.engagement.models import OriginKind, Priority, PriorityOrigin, PriorityStatus
from ourbeat.places.models import Organisation, OrganisationKind
from ourbeat.surveys.models import Answer, Mode
from ourbeat.surveys.services import fielding
from ourbeat.surveys.services.themes import theme_propose
from ourbeat.surveys.themes import wave_themes
from tests.fixtures.personas import make_user
from tests.surveys.fielding_helpers import questionnaire, wave_of

HOME_ANSWERS = [
    ("en", "Speeding on Mill Lane"),
    ("en", "cars speeding outside the primary school"),
    ("en", "The speeding! Drivers never slow down"),
    ("ru", "Превышение скорости у школы"),
    ("en", "Drug dealing in the park"),
    ("en", "drug dealers on the corner by the shop"),
    ("en", "Litter and fly-tipping"),
    ("en", "fly tipping behind the garages"),
]
ELSEWHERE_ANSWERS = [("en", "speeding traffic by the station")]


def _themes_url(wave: Any, area: Any) -> str:
    return f"/en/staff/surveys/{wave.pk}/themes/?area={area.slug}"


def _respond(wave: Any, q: Any, area: Any, answers: list[tuple[str, str]]) -> None:
    for language, text in answers:
        fielding.response_submit(
            wave=wave,
            area=area,
            language=language,
            answers={q.confidence.pk: 4, q.open.pk: text},
            mode=Mode.OPEN_LINK,
        )


@pytest.fixture
def survey(town: Any, personas: dict[str, Any]) -> Any:
    q = questionnaire(town.force, key="themes-priority")
    wave = wave_of(q, personas["org_admin"], [town.home, town.elsewhere], title="Spring survey")
    _respond(wave, q, town.home, HOME_ANSWERS)
    _respond(wave, q, town.elsewhere, ELSEWHERE_ANSWERS)
    fielding.wave_close(actor=personas["org_admin"], wave=wave)
    return wave, q


def _speeding(wave: Any, q: Any, area: Any) -> Any:
    grouping = wave_themes(wave, q.open, area)
    return next(
        t for t in grouping.themes if "Speeding on Mill Lane" in [a.text for a in t.answers]
    )


def _counts() -> tuple[int, int, int]:
    return (
        Priority.objects.count(),
        PriorityOrigin.objects.count(),
        AuditEvent.objects.filter(action="surveys.theme.propose").count(),
    )


def test_a_theme_sent_to_the_priorities_makes_one_published_proposal_with_its_answers_as_origins(
    survey: Any, town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    wave, q = survey
    officer = client_for(personas["officer"])
    wave_page = officer.get(f"/en/staff/surveys/{wave.pk}/").content.decode()
    assert f"/en/staff/surveys/{wave.pk}/themes/" in wave_page
    page = officer.get(_themes_url(wave, town.home))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Themes in the answers to the open question" in html
    # The officer serves the home neighbourhood only: its answers, none from elsewhere.
    assert "Speeding on Mill Lane" in html
    assert "fly tipping behind the garages" in html
    assert "speeding traffic by the station" not in html
    assert "3 answers" in html

    theme = _speeding(wave, q, town.home)
    ids = theme.answer_ids
    assert len(ids) == 3  # the three English answers; the Russian one is a theme of its own
    key = min(ids)
    sent = officer.post(
        _themes_url(wave, town.home),
        {
            "theme": str(key),
            f"theme-{key}-answers": ",".join(str(i) for i in ids),
            f"theme-{key}-title": "Speeding on Mill Lane and near the school",
            f"theme-{key}-description": "Residents asked for this in the spring survey.",
        },
    )
    assert sent.status_code == 302
    priority = Priority.objects.get(title="Speeding on Mill Lane and near the school")
    assert sent["Location"] == f"/en/staff/engagement/priorities/{priority.pk}/"
    staff_page = officer.get(sent["Location"]).content.decode()
    assert "The theme is proposed as a priority of" in staff_page
    assert f"wave {wave.pk}, answer {ids[0]}" in staff_page

    assert priority.area == town.home
    assert priority.status == PriorityStatus.PROPOSED
    assert priority.published_at is not None
    assert priority.description == "Residents asked for this in the spring survey."
    origins = list(priority.origins.order_by("pk"))
    assert [o.kind for o in origins] == [OriginKind.PROPOSAL] + [OriginKind.SURVEY_ANSWER] * 3
    survey_origins = origins[1:]
    assert [o.answer_id for o in survey_origins] == ids
    assert [o.survey_answer for o in survey_origins] == [f"wave {wave.pk}, answer {i}" for i in ids]
    texts = set(Answer.objects.filter(pk__in=ids).values_list("text", flat=True))
    assert not any(o.summary in texts for o in origins)
    assert all(o.user_id is None and o.language == "" for o in survey_origins)

    event = AuditEvent.objects.get(action="surveys.theme.propose")
    assert event.actor_id == personas["officer"].pk
    assert event.data == {"priority": priority.pk, "area": town.home.pk, "answers": 3}
    assert not any(text in str(event.data) for text in texts)

    # The public page counts the survey answers and shows none of them.
    public = client_for(None).get(f"/en/priorities/{priority.pk}/").content.decode()
    assert "3 survey answers" in public
    assert "Mill Lane and near the school" in public
    assert "Drivers never slow down" not in public
    # Respondents are anonymous: nobody is told through these origins (the proposer is staff).
    assert notifications.recipients(priority) == []

    # The answers have raised a priority: they are left out when the answers are grouped again.
    again = officer.get(_themes_url(wave, town.home)).content.decode()
    assert "3 answers have already raised a priority and are left out." in again
    assert "Drivers never slow down" not in again
    assert "Litter and fly-tipping" in again


def test_a_theme_is_proposed_through_the_service_for_the_whole_of_its_answers(
    survey: Any, town: Any, personas: dict[str, Any]
) -> None:
    wave, q = survey
    theme = _speeding(wave, q, town.home)
    priority = theme_propose(
        actor=personas["supervisor"],
        wave=wave,
        area=town.home,
        answer_ids=[str(i) for i in theme.answer_ids] + [str(theme.answer_ids[0])],
        title="Speeding",
    )
    assert priority.origins.filter(kind=OriginKind.SURVEY_ANSWER).count() == 3
    assert priority.proposed_by_id is None


def test_refusals_change_nothing(
    town: Any, personas: dict[str, Any], client_for: Any, survey: Any
) -> None:
    wave, q = survey
    theme = _speeding(wave, q, town.home)
    ids = theme.answer_ids
    officer = personas["officer"]
    before = _counts()

    def refused(match: str, **changes: Any) -> None:
        arguments: dict[str, Any] = {
            "actor": officer,
            "wave": wave,
            "area": town.home,
            "answer_ids": ids,
            "title": "Speeding",
        }
        arguments.update(changes)
        with pytest.raises(ValidationError, match=match):
            theme_propose(**arguments)
        assert _counts() == before

    # No title.
    refused("Say in a few words what the priority is", title="   ")
    # No answers, or something that is not an answer's number.
    refused("Choose at least one answer", answer_ids=[])
    refused("Choose the answers from the list", answer_ids=["x"])
    # Answers given in another neighbourhood, or to a closed question, or to another wave.
    elsewhere = list(
        Answer.objects.filter(
            response__wave=wave, response__area=town.elsewhere, item=q.open
        ).values_list("pk", flat=True)
    )
    refused("not answers to this wave's open question", answer_ids=ids + elsewhere)
    scale_answer = Answer.objects.filter(response__wave=wave, item=q.confidence).first()
    assert scale_answer is not None
    refused("not answers to this wave's open question", answer_ids=[*ids, scale_answer.pk])
    other_q = questionnaire(town.force, key="themes-other")
    other = wave_of(other_q, personas["org_admin"], [town.home], title="Another wave")
    _respond(other, other_q, town.home, [("en", "speeding again")])
    fielding.wave_close(actor=personas["org_admin"], wave=other)
    foreign = Answer.objects.get(response__wave=other, item=other_q.open)
    refused("not answers to this wave's open question", answer_ids=[*ids, foreign.pk])
    # A neighbourhood the wave does not cover; one the officer does not serve.
    uncovered = next(n for n in town.neighbourhoods if n not in (town.home, town.elsewhere))
    refused("not part of this wave", area=uncovered)
    refused("You do not run surveys in", area=town.elsewhere, answer_ids=elsewhere)
    # Staff of another police service.
    stranger = make_user("stranger@example.org")
    outsider = Organisation.objects.create(
        kind=OrganisationKind.POLICE_SERVICE, name="Testshire Police", slug="testshire"
    )
    Membership.objects.create(user=stranger, organisation=outsider, role=Role.ORG_ADMIN)
    refused("You do not run surveys in", actor=stranger)
    outsider_client = client_for(stranger)
    assert outsider_client.get(_themes_url(wave, town.home)).status_code == 403
    key = min(ids)
    posted = {
        "theme": str(key),
        f"theme-{key}-answers": ",".join(str(i) for i in ids),
        f"theme-{key}-title": "Speeding",
    }
    assert outsider_client.post(_themes_url(wave, town.home), posted).status_code == 403
    assert _counts() == before

    # An empty title through the page: the form says what is wrong.
    page = client_for(officer).post(
        _themes_url(wave, town.home), {**posted, f"theme-{key}-title": ""}
    )
    assert page.status_code == 200
    assert "Say in a few words what the priority is." in page.content.decode()
    assert _counts() == before

    # Answers already linked to a priority.
    theme_propose(actor=officer, wave=wave, area=town.home, answer_ids=ids[:1], title="First")
    before = _counts()
    refused("1 of these answers has already raised a priority", title="Speeding again")


def test_answers_are_sent_only_once_the_wave_is_closed(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    q = questionnaire(town.force, key="themes-open")
    wave = wave_of(q, personas["org_admin"], [town.home], title="Still open")
    _respond(wave, q, town.home, HOME_ANSWERS[:2])
    ids = list(Answer.objects.filter(item=q.open).values_list("pk", flat=True))
    before = _counts()
    with pytest.raises(ValidationError, match="once the wave is closed"):
        theme_propose(
            actor=personas["officer"], wave=wave, area=town.home, answer_ids=ids, title="Speeding"
        )
    assert _counts() == before
    page = client_for(personas["officer"]).get(_themes_url(wave, town.home)).content.decode()
    assert "The answers are grouped into themes once the wave is closed" in page
    assert "Speeding on Mill Lane" not in page
