"""A wave from start to end, over HTTP: an officer sets one up from a questionnaire, opens
it; residents answer through the open link on a phone, in English and in Russian; the
officer sees the counts per neighbourhood and mode and closes it; the link then says the
survey is closed. A draft wave is not found; the questionnaire is offered only in the wave's
languages and for its neighbourhoods."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ourbeat.core.models import AuditEvent
from ourbeat.surveys.models import Answer, Mode, Response, Wave, WaveStatus
from ourbeat.surveys.services import fielding
from tests.surveys.fielding_helpers import (
    CONFIDENCE_EN,
    CONFIDENCE_RU,
    OPEN_EN,
    TITLE_EN,
    TITLE_RU,
    answers_form,
    questionnaire,
    respond_url,
    wave_of,
)

PHONE = {"HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36"}


def test_an_officer_fields_a_wave_that_residents_answer_in_english_and_russian(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    q = questionnaire(town.force)
    officer = client_for(personas["officer"])
    today = timezone.localdate()

    form = officer.get("/en/staff/surveys/new/")
    assert form.status_code == 200
    assert TITLE_EN in form.content.decode()
    created = officer.post(
        "/en/staff/surveys/new/",
        {
            "instrument": q.instrument.pk,
            "title": "Spring residents' survey",
            "areas": [town.home.pk],
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=21)).isoformat(),
            "modes": [Mode.OPEN_LINK, Mode.IN_PERSON],
            "languages": ["en", "ru"],
        },
    )
    wave = Wave.objects.get(title="Spring residents' survey")
    assert created.status_code == 302
    assert created["Location"] == f"/en/staff/surveys/{wave.pk}/"
    assert wave.status == WaveStatus.DRAFT
    assert list(wave.areas.all()) == [town.home]
    assert wave.organisation == town.force
    assert len(wave.link_key) >= 20
    assert wave.min_cell == 10
    # A draft is not public yet.
    assert client_for(None).get(respond_url(wave)).status_code == 404

    assert officer.post(f"/en/staff/surveys/{wave.pk}/open/").status_code == 302
    wave.refresh_from_db()
    assert wave.status == WaveStatus.OPEN

    resident = client_for(None)
    page = resident.get(respond_url(wave), **PHONE)
    html = page.content.decode()
    assert page.status_code == 200
    assert TITLE_EN in html
    assert CONFIDENCE_EN in html
    assert OPEN_EN in html
    assert "Tend to agree" in html
    assert "Which neighbourhood do you live in?" in html
    assert town.home.name in html
    assert town.elsewhere.name not in html
    assert "<fieldset" in html
    assert "<legend>" in html
    assert "<textarea" in html
    assert "we do not keep your IP address" in html
    assert f'href="/ru/s/{wave.link_key}/"' in html  # the wave's other language
    sent = resident.post(respond_url(wave), answers_form(q, town.home, age_band="25-34"), **PHONE)
    assert sent.status_code == 302
    assert sent["Location"] == f"/en/s/{wave.link_key}/thanks/"
    assert "your answers are recorded" in resident.get(sent["Location"]).content.decode()

    russian = client_for(None)
    page = russian.get(respond_url(wave, "ru"), **PHONE)
    html = page.content.decode()
    assert page.status_code == 200
    assert TITLE_RU in html
    assert CONFIDENCE_RU in html
    assert "Скорее согласен" in html
    assert "Tend to agree" not in html
    sent = russian.post(
        respond_url(wave, "ru"),
        answers_form(q, town.home, confidence="5", safe="9", issue="Парковка во дворах"),
    )
    assert sent.status_code == 302

    responses = list(Response.objects.filter(wave=wave).order_by("language"))
    assert [(r.language, r.mode, r.area_id) for r in responses] == [
        ("en", Mode.OPEN_LINK, town.home.pk),
        ("ru", Mode.OPEN_LINK, town.home.pk),
    ]
    assert all(r.submitted_on == today for r in responses)
    assert responses[0].age_band == "25-34"
    assert responses[1].age_band == ""
    russian_answers = {a.item_id: (a.value, a.text) for a in responses[1].answers.all()}
    assert russian_answers == {
        q.confidence.pk: (5, ""),
        q.safe.pk: (9, ""),
        q.open.pk: (None, "Парковка во дворах"),
    }
    # A resident's answers leave no event of their own: its time would date the response.
    events = AuditEvent.objects.filter(action="surveys.response.submit", object_id=str(wave.pk))
    assert not events.exists()

    detail = officer.get(f"/en/staff/surveys/{wave.pk}/").content.decode()
    assert "2 responses, by neighbourhood and way of answering" in detail
    assert f"/s/{wave.link_key}/" in detail

    assert officer.post(f"/en/staff/surveys/{wave.pk}/close/").status_code == 302
    wave.refresh_from_db()
    assert wave.status == WaveStatus.CLOSED
    assert wave.closed_at is not None
    # No population margins here: every weight is 1.
    assert list(Response.objects.filter(wave=wave).values_list("weight", flat=True)) == [1.0, 1.0]
    closed = client_for(None).get(respond_url(wave))
    assert closed.status_code == 410
    assert "This survey is closed" in closed.content.decode()
    before = Answer.objects.count()
    late = client_for(None).post(respond_url(wave), answers_form(q, town.home))
    assert late.status_code == 410
    assert Answer.objects.count() == before
    actions = set(
        AuditEvent.objects.filter(object_type="surveys.wave", object_id=str(wave.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"surveys.wave.create", "surveys.wave.open", "surveys.wave.close"} <= actions


def test_the_staff_list_shows_the_waves_of_the_neighbourhoods_one_serves(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    q = questionnaire(town.force)
    here = wave_of(q, personas["org_admin"], [town.home], title="Wave at home")
    there = wave_of(q, personas["org_admin"], [town.elsewhere], title="Wave elsewhere")
    officer_list = client_for(personas["officer"]).get("/en/staff/surveys/").content.decode()
    assert here.title in officer_list
    assert there.title not in officer_list
    analyst_list = client_for(personas["analyst"]).get("/en/staff/surveys/").content.decode()
    assert here.title in analyst_list
    assert there.title in analyst_list
    assert "Set up a wave" not in analyst_list


def test_a_draft_wave_is_not_found_and_a_wave_without_an_open_link_has_none(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    q = questionnaire(town.force)
    draft = wave_of(q, personas["officer"], [town.home], opened=False)
    invited_only = wave_of(q, personas["officer"], [town.home], modes=(Mode.INVITED,))
    anonymous = client_for(None)
    assert anonymous.get(respond_url(draft)).status_code == 404
    assert anonymous.post(respond_url(draft), answers_form(q, town.home)).status_code == 404
    assert anonymous.get(respond_url(invited_only)).status_code == 404
    assert anonymous.get("/en/s/no-such-wave/").status_code == 404
    assert not Response.objects.filter(wave__in=[draft, invited_only]).exists()


def test_the_questionnaire_is_offered_in_the_wave_languages_only(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    q = questionnaire(town.force)
    wave = wave_of(q, personas["officer"], [town.home], languages=("ru",))
    anonymous = client_for(None)
    english = anonymous.get(respond_url(wave, "en"))
    assert english.status_code == 302
    assert english["Location"] == f"/ru/s/{wave.link_key}/"
    refused = anonymous.post(respond_url(wave, "en"), answers_form(q, town.home))
    assert refused.status_code == 400
    assert "This survey is not offered in that language." in refused.content.decode()
    assert not Response.objects.filter(wave=wave).exists()


def test_setting_up_a_wave_is_refused_outside_ones_neighbourhoods_or_with_bad_choices(
    town: Any, personas: dict[str, Any]
) -> None:
    q = questionnaire(town.force)
    today = timezone.localdate()
    good: dict[str, Any] = {
        "actor": personas["officer"],
        "organisation": town.force,
        "instrument": q.instrument,
        "title": "A wave",
        "areas": [town.home],
        "opens_on": today,
        "closes_on": today + timedelta(days=7),
        "modes": [Mode.OPEN_LINK],
        "languages": ["en"],
    }
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"areas": [town.elsewhere]}, "areas", "You do not run surveys in"),
        ({"areas": [town.home.parent]}, "areas", "is not a neighbourhood of"),
        ({"areas": []}, "areas", "Choose at least one neighbourhood."),
        ({"modes": ["carrier_pigeon"]}, "modes", "Choose the ways of answering from the list."),
        ({"languages": ["fr"]}, "languages", "Choose the languages from the list."),
        ({"closes_on": today - timedelta(days=1)}, "closes_on", "cannot close before it opens"),
        ({"title": "  "}, "title", "Give the wave a title."),
    ]
    before = Wave.objects.count()
    for change, field, message in cases:
        with pytest.raises(ValidationError) as refused:
            fielding.wave_create(**{**good, **change})
        assert field in refused.value.message_dict, change
        assert any(message in m for m in refused.value.message_dict[field]), refused.value
    other = questionnaire(town.council, key="council-questionnaire")
    with pytest.raises(ValidationError, match="belongs to another organisation"):
        fielding.wave_create(**{**good, "instrument": other.instrument})
    assert Wave.objects.count() == before


def test_a_wave_opens_once_and_closes_once(town: Any, personas: dict[str, Any]) -> None:
    q = questionnaire(town.force)
    wave = wave_of(q, personas["officer"], [town.home])
    with pytest.raises(ValidationError, match="Only a draft wave can be opened"):
        fielding.wave_open(actor=personas["officer"], wave=wave)
    fielding.wave_close(actor=personas["officer"], wave=wave)
    with pytest.raises(ValidationError, match="Only an open wave can be closed"):
        fielding.wave_close(actor=personas["officer"], wave=wave)
    with pytest.raises(ValidationError, match="closed"):
        fielding.response_submit(
            wave=wave,
            area=town.home,
            language="en",
            answers={q.confidence.pk: 3},
            mode=Mode.OPEN_LINK,
        )


def test_the_staff_list_costs_the_same_queries_for_one_wave_or_many(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    q = questionnaire(town.force)
    officer = client_for(personas["officer"])
    wave_of(q, personas["officer"], [town.home], title="First wave")
    officer.get("/en/staff/surveys/")  # the session and the memberships are warm now
    with CaptureQueriesContext(connection) as one:
        assert officer.get("/en/staff/surveys/").status_code == 200
    for n in range(5):
        wave_of(q, personas["officer"], [town.home], title=f"Another wave {n}")
    with CaptureQueriesContext(connection) as six:
        page = officer.get("/en/staff/surveys/")
    assert "Another wave 4" in page.content.decode()
    assert len(six) == len(one), [query["sql"] for query in six.captured_queries]
