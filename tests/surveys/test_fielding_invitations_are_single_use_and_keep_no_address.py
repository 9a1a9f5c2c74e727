"""Invited samples: an officer pastes a list of addresses; each gets its own link in the
wave's languages; the link works once: the invitation's row is deleted with the answer, a
second use is refused and writes nothing. No invitee's address is kept in any table or
audit event (the database is dumped and searched), and a bad list is refused whole."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from ourbeat.core.models import AuditEvent
from ourbeat.surveys.models import Answer, Invitation, Mode, Response
from ourbeat.surveys.services import fielding
from tests.surveys.fielding_helpers import TITLE_EN, TITLE_RU, answers_form, questionnaire, wave_of

INVITEES = ["hazel.invitee@example.net", "Omar.Invitee@Example.net", "lena.invitee@example.net"]
LINK = re.compile(r"http://[^\s]+/(en|ru)/s/i/([A-Za-z0-9_-]+)/")


@pytest.fixture
def wave(town: Any, personas: dict[str, Any]) -> Any:
    q = questionnaire(town.force)
    made = wave_of(q, personas["officer"], [town.home])
    made.q = q  # type: ignore[attr-defined]
    return made


def _send(client: Any, wave: Any, lines: list[str]) -> Any:
    return client.post(
        f"/en/staff/surveys/{wave.pk}/invitations/", {"emails": "\n".join(lines)}, follow=True
    )


def _token(message: Any, language: str = "en") -> str:
    tokens = dict(LINK.findall(message.body))
    return tokens[language]


def test_each_invitee_gets_a_link_of_their_own_that_works_once(
    wave: Any, town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    officer = client_for(personas["officer"])
    form = officer.get(f"/en/staff/surveys/{wave.pk}/invitations/")
    assert form.status_code == 200
    page = _send(officer, wave, [*INVITEES, "", INVITEES[0].upper()])
    assert "3 invitations sent." in page.content.decode()
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(INVITEES)
    first = mail.outbox[0]
    assert TITLE_EN in first.subject
    assert TITLE_RU in first.subject
    assert "it works once" in first.body
    assert Invitation.objects.filter(wave=wave).count() == 3
    tokens = [_token(m) for m in mail.outbox]
    assert len(set(tokens)) == 3
    # The Russian link is the same invitation in the other language.
    assert _token(first, "ru") == tokens[0]
    stored = set(Invitation.objects.filter(wave=wave).values_list("token_hash", flat=True))
    assert stored == {fielding.token_hash(t) for t in tokens}
    assert not any(t in stored for t in tokens)

    resident = client_for(None)
    url = f"/en/s/i/{tokens[0]}/"
    questionnaire_page = resident.get(url)
    assert questionnaire_page.status_code == 200
    assert "Your invitation link works once" in questionnaire_page.content.decode()
    sent = resident.post(url, answers_form(wave.q, town.home))
    assert sent.status_code == 302
    assert sent["Location"] == f"/en/s/{wave.link_key}/thanks/"
    response = Response.objects.get(wave=wave)
    assert response.mode == Mode.INVITED
    assert not Invitation.objects.filter(token_hash=fielding.token_hash(tokens[0])).exists()
    assert Invitation.objects.filter(wave=wave).count() == 2

    answers_before = Answer.objects.count()
    again = resident.get(url)
    assert again.status_code == 404
    assert "This invitation link cannot be used" in again.content.decode()
    reused = client_for(None).post(url, answers_form(wave.q, town.home))
    assert reused.status_code == 404
    assert Response.objects.filter(wave=wave).count() == 1
    assert Answer.objects.count() == answers_before
    with pytest.raises(ValidationError, match="already been answered"):
        fielding.response_submit(
            wave=wave,
            area=town.home,
            language="en",
            answers={wave.q.confidence.pk: 4},
            mode=Mode.INVITED,
            token=tokens[0],
        )
    assert Response.objects.filter(wave=wave).count() == 1


def test_no_invitee_address_is_kept_in_any_table_or_audit_event(
    wave: Any, town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    officer = client_for(personas["officer"])
    _send(officer, wave, INVITEES)
    token = _token(mail.outbox[0])
    client_for(None).post(f"/en/s/i/{token}/", answers_form(wave.q, town.home))
    dump = io.StringIO()
    call_command("dumpdata", "--format", "json", "--indent", "0", stdout=dump)
    everything = dump.getvalue().lower()
    assert wave.link_key.lower() in everything  # the dump does hold the wave
    for address in INVITEES:
        assert address.lower() not in everything, address
        local = address.split("@")[0].lower()
        assert local not in everything, local
    assert token.lower() not in everything
    event = AuditEvent.objects.get(action="surveys.invitations.send", object_id=str(wave.pk))
    assert event.data == {"count": 3}
    audit_text = " ".join(
        f"{e.object_repr} {e.data}" for e in AuditEvent.objects.filter(action__startswith="surveys")
    ).lower()
    assert "invitee" not in audit_text


def test_an_unknown_or_mangled_token_is_refused_and_nothing_is_written(
    wave: Any, town: Any, client_for: Any
) -> None:
    before = (Response.objects.count(), Answer.objects.count())
    anonymous = client_for(None)
    for token in ("not-a-real-token", "x" * 500, "%3Cscript%3E", "1'%20OR%20'1'='1"):
        assert anonymous.get(f"/en/s/i/{token}/").status_code == 404
        assert anonymous.post(f"/en/s/i/{token}/", answers_form(wave.q, town.home)).status_code == (
            404
        )
    with pytest.raises(ValidationError, match="not valid"):
        fielding.response_submit(
            wave=wave,
            area=town.home,
            language="en",
            answers={wave.q.confidence.pk: 4},
            mode=Mode.INVITED,
        )
    assert (Response.objects.count(), Answer.objects.count()) == before


def test_a_bad_list_is_refused_whole_naming_its_lines(
    wave: Any, personas: dict[str, Any], client_for: Any
) -> None:
    officer = client_for(personas["officer"])
    page = _send(officer, wave, [INVITEES[0], "not an address", INVITEES[1], "<b>@x"])
    html = page.content.decode()
    assert "These lines are not e-mail addresses: 2, 4." in html
    assert not mail.outbox
    assert not Invitation.objects.filter(wave=wave).exists()
    page = _send(officer, wave, ["", "   "])
    assert "Paste at least one e-mail address." in page.content.decode()
    too_many = [f"person{n}@example.net" for n in range(fielding.MAX_INVITATIONS + 1)]
    page = _send(officer, wave, too_many)
    assert "Send at most 500 invitations at a time." in page.content.decode()
    assert not mail.outbox
    assert not AuditEvent.objects.filter(action="surveys.invitations.send").exists()


def test_invitations_are_refused_for_a_wave_that_takes_none_or_is_not_open(
    town: Any, personas: dict[str, Any]
) -> None:
    q = questionnaire(town.force)
    open_link_only = wave_of(q, personas["officer"], [town.home], modes=(Mode.OPEN_LINK,))
    with pytest.raises(ValidationError, match="does not take invited answers"):
        fielding.invitations_send(actor=personas["officer"], wave=open_link_only, emails=INVITEES)
    draft = wave_of(q, personas["officer"], [town.home], opened=False)
    with pytest.raises(ValidationError, match="while the wave is open"):
        fielding.invitations_send(actor=personas["officer"], wave=draft, emails=INVITEES)
    assert not mail.outbox
    assert not Invitation.objects.exists()


def test_an_invitation_cannot_be_answered_through_the_open_link_or_by_another_mode(
    wave: Any, town: Any, personas: dict[str, Any]
) -> None:
    result = fielding.invitations_send(actor=personas["officer"], wave=wave, emails=INVITEES[:1])
    assert result.sent == 1
    token = _token(mail.outbox[0])
    with pytest.raises(ValidationError, match="answered through its own link"):
        fielding.response_submit(
            wave=wave,
            area=town.home,
            language="en",
            answers={wave.q.confidence.pk: 4},
            mode=Mode.OPEN_LINK,
            token=token,
        )
    assert Invitation.objects.filter(wave=wave).count() == 1
