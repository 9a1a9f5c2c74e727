"""Bad input never costs data: an unknown question, a value off the scale, huge or hostile
text, another wave's neighbourhood, HTML or SQL in any field, nothing answered at all, a
closed wave: each is refused with a clear message on the re-shown form (with the answers
given kept), and nothing is written: no response, no answer, no audit event. HTML in an open
answer is kept as plain text and never rendered as markup. Submissions are rate-limited."""

from __future__ import annotations

from typing import Any

import pytest

from ourbeat.core.models import AuditEvent
from ourbeat.surveys.models import Answer, Mode, Response
from ourbeat.surveys.services import fielding
from ourbeat.surveys.views import public
from tests.surveys.fielding_helpers import answers_form, questionnaire, respond_url, wave_of

SQL = "1; DROP TABLE surveys_response; --"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def wave(town: Any, personas: dict[str, Any]) -> Any:
    q = questionnaire(town.force)
    made = wave_of(q, personas["officer"], [town.home])
    made.q = q  # type: ignore[attr-defined]
    return made


def _written() -> tuple[int, int, int]:
    return (
        Response.objects.count(),
        Answer.objects.count(),
        AuditEvent.objects.filter(action="surveys.response.submit").count(),
    )


def _bad_cases(q: Any, town: Any) -> list[tuple[str, dict[str, Any], str]]:
    c, s, o = (f"item_{q.confidence.pk}", f"item_{q.safe.pk}", f"item_{q.open.pk}")
    return [
        ("unknown item", {"item_999999": "3"}, "a question that is not in it"),
        ("not an item id", {"item_x": "3"}, "a question that is not in it"),
        ("off the scale", {c: "7"}, "Choose one of the answers offered."),
        ("negative", {s: "-1"}, "Choose one of the answers offered."),
        ("a fraction", {c: "4.5"}, "Choose one of the answers offered."),
        ("a huge number", {c: "1" * 40}, "Choose one of the answers offered."),
        ("SQL in a value", {c: SQL}, "Choose one of the answers offered."),
        ("HTML in a value", {s: SCRIPT}, "Choose one of the answers offered."),
        ("huge text", {o: "x" * 1001}, "Use at most 1000 characters."),
        ("control characters", {o: "bad\x07text"}, "Remove the control characters"),
        ("a NUL", {o: "bad\x00text"}, "Null characters are not allowed."),
        ("wrong area", {"area": str(town.elsewhere.pk)}, "Choose your neighbourhood from the list"),
        ("SQL in the area", {"area": SQL}, "Choose your neighbourhood from the list"),
        ("no area", {"area": ""}, "Choose your neighbourhood from the list"),
        ("bad age band", {"age_band": "<b>99</b>"}, "Choose an age band from the list"),
        ("bad sex", {"sex": "' OR 1=1 --"}, "Choose an answer from the list, or leave it out."),
        ("nothing answered", {c: "", s: "", o: "   "}, "Answer at least one question."),
    ]


def test_each_kind_of_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    wave: Any, town: Any, client_for: Any
) -> None:
    anonymous = client_for(None)
    before = _written()
    for name, change, message in _bad_cases(wave.q, town):
        data = {**answers_form(wave.q, town.home), **change}
        response = anonymous.post(respond_url(wave), data)
        html = response.content.decode()
        assert response.status_code == 400, name
        assert message in html, (name, message)
        assert "There is a problem" in html, name
        assert _written() == before, name


def test_the_answers_given_are_shown_again_and_html_stays_text(
    wave: Any, town: Any, client_for: Any
) -> None:
    data = answers_form(wave.q, town.home, confidence="7", safe="2", issue=SCRIPT)
    html = client_for(None).post(respond_url(wave), data).content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'value="2" id="id_item_{wave.q.safe.pk}_1" checked' in html
    # Sent correctly, the same text is stored as it was typed, as text.
    fixed = answers_form(wave.q, town.home, confidence="4", issue=SCRIPT)
    assert client_for(None).post(respond_url(wave), fixed).status_code == 302
    assert Answer.objects.get(item=wave.q.open, response__wave=wave).text == SCRIPT


def test_a_closed_wave_refuses_answers_and_writes_nothing(
    wave: Any, town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    fielding.wave_close(actor=personas["officer"], wave=wave)
    before = _written()
    response = client_for(None).post(respond_url(wave), answers_form(wave.q, town.home))
    assert response.status_code == 410
    assert "This survey is closed" in response.content.decode()
    officer = client_for(personas["officer"])
    entry = officer.post(
        f"/en/staff/surveys/{wave.pk}/enter/",
        answers_form(wave.q, town.home, mode=Mode.IN_PERSON, language="en"),
    )
    assert "Answers are entered while the wave is open." in entry.content.decode()
    assert _written() == before


def test_answers_from_one_connection_are_rate_limited(
    wave: Any, town: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(public, "RESPOND_RATE", "2/h")
    anonymous = client_for(None)
    statuses = [
        anonymous.post(respond_url(wave), answers_form(wave.q, town.home)).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Response.objects.filter(wave=wave).count() == 2
