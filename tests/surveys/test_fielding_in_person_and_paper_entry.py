"""Staff enter questionnaires answered in person (on a tablet at a meeting or surgery) or on
paper: the same questions, with the mode and the language chosen; each response is marked
with its mode, and its audit event names the member of staff, never the answers. Only staff
who serve the neighbourhood enter for it; nobody else can claim those modes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ourbeat.core.models import AuditEvent
from ourbeat.surveys.models import Mode, Response
from ourbeat.surveys.services import fielding
from tests.surveys.fielding_helpers import CONFIDENCE_EN, answers_form, questionnaire, wave_of


@pytest.fixture
def q(town: Any) -> Any:
    return questionnaire(town.force)


def _enter_url(wave: Any) -> str:
    return f"/en/staff/surveys/{wave.pk}/enter/"


def test_an_officer_enters_answers_given_at_a_meeting_and_on_paper(
    q: Any, town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    wave = wave_of(q, personas["org_admin"], [town.home, town.elsewhere], title="Two places")
    officer = client_for(personas["officer"])
    page = officer.get(_enter_url(wave))
    html = page.content.decode()
    assert page.status_code == 200
    assert CONFIDENCE_EN in html
    assert "How were these answers given?" in html
    assert "In person, entered by staff" in html
    assert "Paper, entered by staff" in html
    # The officer serves the home neighbourhood only: it is the only one offered.
    assert town.home.name in html
    assert town.elsewhere.name not in html

    entered = officer.post(
        _enter_url(wave),
        answers_form(q, town.home, mode=Mode.IN_PERSON, language="ru", sex="female"),
    )
    assert entered.status_code == 302
    assert entered["Location"] == _enter_url(wave)
    assert "The answers are entered" in officer.get(entered["Location"]).content.decode()
    officer.post(_enter_url(wave), answers_form(q, town.home, mode=Mode.PAPER, language="en"))
    rows = list(Response.objects.filter(wave=wave).order_by("pk"))
    assert [(r.mode, r.language, r.sex) for r in rows] == [
        (Mode.IN_PERSON, "ru", "female"),
        (Mode.PAPER, "en", ""),
    ]
    events = list(AuditEvent.objects.filter(action="surveys.response.submit").order_by("id"))
    assert [e.data["mode"] for e in events] == ["in_person", "paper"]
    assert all(e.actor_id == personas["officer"].pk for e in events)
    assert all(set(e.data) == {"wave", "area", "mode"} for e in events)
    counts = officer.get(f"/en/staff/surveys/{wave.pk}/").content.decode()
    assert "2 responses, by neighbourhood and way of answering" in counts


def test_staff_enter_only_for_the_neighbourhoods_they_serve(
    q: Any, town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    wave = wave_of(q, personas["org_admin"], [town.home, town.elsewhere])
    refused = client_for(personas["officer"]).post(
        _enter_url(wave), answers_form(q, town.elsewhere, mode=Mode.IN_PERSON, language="en")
    )
    assert refused.status_code == 200
    assert "Choose your neighbourhood from the list." in refused.content.decode()
    with pytest.raises(ValidationError, match="You do not run surveys in"):
        fielding.response_submit(
            wave=wave,
            area=town.elsewhere,
            language="en",
            answers={q.confidence.pk: 2},
            mode=Mode.PAPER,
            actor=personas["officer"],
        )
    only_home = wave_of(q, personas["org_admin"], [town.elsewhere])
    assert client_for(personas["officer"]).get(_enter_url(only_home)).status_code == 403
    assert client_for(personas["analyst"]).get(_enter_url(wave)).status_code == 403
    assert not Response.objects.filter(wave__in=[wave, only_home]).exists()


def test_nobody_but_staff_can_claim_an_in_person_or_paper_answer(
    q: Any, town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    wave = wave_of(q, personas["officer"], [town.home])
    for actor in (None, personas["resident"]):
        for mode in (Mode.IN_PERSON, Mode.PAPER):
            with pytest.raises(ValidationError) as refused:
                fielding.response_submit(
                    wave=wave,
                    area=town.home,
                    language="en",
                    answers={q.confidence.pk: 5},
                    mode=mode,
                    actor=actor,
                )
            text = " ".join(refused.value.messages)
            assert "Only staff enter" in text or "You do not run surveys" in text
    # A mode posted to the public link is not taken from the form: the link's mode is used.
    client_for(None).post(f"/en/s/{wave.link_key}/", answers_form(q, town.home, mode="paper"))
    assert list(Response.objects.filter(wave=wave).values_list("mode", flat=True)) == [
        Mode.OPEN_LINK
    ]


def test_a_wave_that_takes_no_staff_entry_says_so(
    q: Any, town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    wave = wave_of(q, personas["officer"], [town.home], modes=(Mode.OPEN_LINK,))
    page = client_for(personas["officer"]).get(_enter_url(wave))
    assert "This wave does not take in-person or paper answers." in page.content.decode()
    with pytest.raises(ValidationError, match="does not take answers that way"):
        fielding.response_submit(
            wave=wave,
            area=town.home,
            language="en",
            answers={q.confidence.pk: 5},
            mode=Mode.IN_PERSON,
            actor=personas["officer"],
        )
