"""Fielding survey waves: staff create a wave, open it, invite a sample and enter paper or
in-person questionnaires; residents answer through the open link or their invitation; closing
the wave weights its responses to each neighbourhood's population.

Rules every function keeps:

- Keyword-only arguments, one short transaction, one audit event; a refusal is a
  ``ValidationError`` with a clear message (keyed by the form field it concerns) and nothing
  is written.
- A response is anonymous by design: no account, no IP address, no time of day (the day
  only). Its audit event names the wave, the neighbourhood and the mode, never an answer.
- An invitation's token exists only in the e-mail: the database keeps its SHA-256, and the
  row is deleted in the transaction that stores the response, so the response cannot be
  linked to the invitee and the token cannot be used twice. The invitees' addresses are held
  in memory while the mail is sent and are written nowhere (not even in the audit log, which
  records how many were sent). The mail goes out from the request, never through the task
  queue, whose table would keep the addresses.
- Submissions lock the wave's row, as closing does, so no response slips into a wave between
  its weighting and its closing.

**Weighting** (on close, per neighbourhood, ``area_weights``): when the neighbourhood has
population margins, its respondents are raked (``ourbeat.surveys.statistics.rake``) to the
margins by age band and by sex, as shares of the neighbourhood's respondents so that the
weights average 1 in each neighbourhood (the scale of neighbourhoods without margins, whose
weights stay 1.0). A respondent who did not declare a dimension (or declared a category the
margins do not list, such as "another way" when the margins count women and men only) forms
with the others alike an "undeclared" cell of that dimension, held at its share of the sample:
they are weighted by the other dimension only, and the declared respondents share the
population's distribution. Categories with people but no respondents are left out of the
targets (their share spreads over the others: no weight can stand for nobody). A dimension
nobody declared is left out; with no usable dimension, or if raking cannot meet the margins,
every weight in the neighbourhood is 1.0, and the close event says so.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ourbeat.core import audit
from ourbeat.core.permissions import SURVEY_MANAGER_ROLES, holds_role_over
from ourbeat.core.text import clean_text
from ourbeat.places.models import Area, AreaLevel, Organisation
from ourbeat.places.services import area_touch
from ourbeat.surveys.models import (
    AgeBand,
    Answer,
    Dimension,
    Instrument,
    Invitation,
    Item,
    Mode,
    PopulationMargin,
    Response,
    Sex,
    Wave,
    WaveStatus,
    translated,
)
from ourbeat.surveys.statistics import rake

logger = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_OPEN_ANSWER = 1000
MAX_INVITATIONS = 500
STAFF_MODES = (Mode.IN_PERSON, Mode.PAPER)
# A key under which a refusal that concerns no one question is shown (above the form).
ANSWERS = "answers"
SCALE_VALUE = re.compile(r"-?[0-9]{1,4}")


def item_field(item_id: int) -> str:
    """The form field (and error key) of one item."""
    return f"item_{item_id}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _manages_area(actor: Any, area: Area) -> bool:
    return _signed_in(actor) and holds_role_over(actor, area, SURVEY_MANAGER_ROLES)


def _wave_locked(wave: Wave) -> Wave:
    """The wave's row, locked until the transaction ends (on SQLite every write transaction
    is IMMEDIATE, and so already serialised)."""
    return Wave.objects.select_for_update().get(pk=wave.pk)


def _sync(wave: Wave, locked: Wave) -> None:
    for name in ("status", "closed_at"):
        setattr(wave, name, getattr(locked, name))


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# ----------------------------------------------------------------------------- waves


def wave_create(
    *,
    actor: Any,
    organisation: Organisation,
    instrument: Instrument,
    title: str,
    areas: Iterable[Area],
    opens_on: date,
    closes_on: date,
    modes: Sequence[str],
    languages: Sequence[str],
) -> Wave:
    """Set up a wave (a draft) of ``instrument`` in some of ``organisation``'s
    neighbourhoods. The instrument is the built-in library's or the organisation's own; the
    actor must run surveys in every chosen neighbourhood."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    try:
        title = clean_text(
            title, field="title", limit=MAX_TITLE, required=_("Give the wave a title.")
        )
    except ValidationError as error:
        for message in error.messages:
            refuse("title", message)
    if instrument.organisation_id not in (None, organisation.pk):
        refuse("instrument", _("That questionnaire belongs to another organisation."))
    elif not instrument.entries.exists():
        refuse("instrument", _("That questionnaire has no questions."))
    chosen = list({area.pk: area for area in areas}.values())
    if not chosen:
        refuse("areas", _("Choose at least one neighbourhood."))
    for area in chosen:
        if area.organisation_id != organisation.pk or area.level != AreaLevel.NEIGHBOURHOOD:
            refuse(
                "areas",
                _("%(name)s is not a neighbourhood of %(organisation)s.")
                % {"name": area.name, "organisation": organisation.name},
            )
        elif not _manages_area(actor, area):
            refuse(
                "areas",
                _("You do not run surveys in %(name)s.") % {"name": area.name},
            )
    mode_values = list(dict.fromkeys(modes))
    if not mode_values:
        refuse("modes", _("Choose at least one way of answering."))
    if any(mode not in Mode.values for mode in mode_values):
        refuse("modes", _("Choose the ways of answering from the list."))
    language_values = list(dict.fromkeys(languages))
    if not language_values:
        refuse("languages", _("Choose at least one language."))
    if any(code not in language_codes() for code in language_values):
        refuse("languages", _("Choose the languages from the list."))
    today = timezone.localdate()
    if not isinstance(opens_on, date) or not isinstance(closes_on, date):
        refuse("closes_on", _("Enter the dates the wave opens and closes."))
    elif closes_on < opens_on:
        refuse("closes_on", _("The wave cannot close before it opens."))
    elif closes_on < today:
        refuse("closes_on", _("The closing date has already passed."))
    elif (closes_on - opens_on).days > 366:
        refuse("closes_on", _("A wave runs for a year at most."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        wave = Wave.objects.create(
            organisation=organisation,
            instrument=instrument,
            title=title,
            opens_on=opens_on,
            closes_on=closes_on,
            modes=mode_values,
            languages=language_values,
            link_key=secrets.token_urlsafe(16),
            min_cell=settings.OURBEAT_SURVEY_MIN_CELL,
        )
        wave.areas.set(chosen)
        audit.record(
            "surveys.wave.create",
            actor=actor,
            obj=wave,
            data={
                "instrument": instrument.pk,
                "areas": sorted(area.pk for area in chosen),
                "opens_on": opens_on.isoformat(),
                "closes_on": closes_on.isoformat(),
                "modes": mode_values,
                "languages": language_values,
            },
        )
    return wave


def wave_open(*, actor: Any, wave: Wave) -> Wave:
    """Open a draft wave: its link and invitations start taking answers."""
    with transaction.atomic():
        locked = _wave_locked(wave)
        if locked.status != WaveStatus.DRAFT:
            raise ValidationError(
                _("Only a draft wave can be opened; this one is %(status)s.")
                % {"status": locked.get_status_display()},
                code="status",
            )
        if locked.closes_on < timezone.localdate():
            raise ValidationError(
                _("The wave's closing date has passed; set up a new wave."), code="dates"
            )
        locked.status = WaveStatus.OPEN
        locked.save(update_fields=["status"])
        audit.record("surveys.wave.open", actor=actor, obj=locked, data={})
    _sync(wave, locked)
    return wave


@dataclass(frozen=True)
class AreaWeighting:
    weights: np.ndarray[Any, np.dtype[np.float64]]
    # "raked", "no margins" (nothing to rake to), or "not met" (the margins cannot be met).
    outcome: str


def area_weights(
    age_bands: Sequence[str], sexes: Sequence[str], margins: Mapping[str, Mapping[str, int]]
) -> AreaWeighting:
    """The weights of one neighbourhood's respondents (see the module's documentation):
    ``age_bands`` and ``sexes`` are their declarations ("" when not declared), ``margins``
    the neighbourhood's population by ``Dimension`` and category."""
    n = len(age_bands)
    ones = np.ones(n)
    if n == 0:
        return AreaWeighting(ones, "no margins")
    undeclared = ""
    categories: dict[str, list[str]] = {}
    targets: dict[str, dict[str, float]] = {}
    for dimension, labels in ((Dimension.AGE_BAND, age_bands), (Dimension.SEX, sexes)):
        population = {c: float(p) for c, p in margins.get(dimension, {}).items() if p > 0}
        coded = [label if label in population else undeclared for label in labels]
        counts = Counter(coded)
        present = {c: p for c, p in population.items() if counts.get(c)}
        missing = counts.get(undeclared, 0)
        declared = n - missing
        if not present or declared == 0:
            continue
        total = sum(present.values())
        target = {c: declared * p / total for c, p in present.items()}
        if missing:
            target[undeclared] = float(missing)
        categories[str(dimension)] = coded
        targets[str(dimension)] = target
    if not categories:
        return AreaWeighting(ones, "no margins")
    try:
        weighting = rake(categories, targets)
    except ValueError as error:
        # An expected outcome with few respondents (the wave's page says "not met"): one line
        # in the log, not a traceback.
        logger.warning("survey weighting: raking did not meet the margins: %s", error)
        return AreaWeighting(ones, "not met")
    return AreaWeighting(np.asarray(weighting.weights, dtype=np.float64), "raked")


def weigh_responses(wave: Wave) -> dict[str, list[int]]:
    """Set the weight of every response of ``wave``, neighbourhood by neighbourhood (see the
    module's documentation); returns the neighbourhoods' ids by outcome ("raked", "no
    margins", "not met"). ``wave_close`` calls it in its transaction; the demo town calls it
    for the closed waves it writes."""
    rows = list(
        Response.objects.filter(wave=wave)
        .order_by("pk")
        .values_list("pk", "area_id", "age_band", "sex")
    )
    margins: dict[int, dict[str, dict[str, int]]] = {}
    for area_id, dimension, category, population in PopulationMargin.objects.filter(
        area__in=wave.areas.all()
    ).values_list("area_id", "dimension", "category", "population"):
        margins.setdefault(area_id, {}).setdefault(dimension, {})[category] = population
    by_area: dict[int, list[tuple[int, str, str]]] = {}
    for pk, area_id, age_band, sex in rows:
        by_area.setdefault(area_id, []).append((pk, age_band, sex))
    outcomes: dict[str, list[int]] = {}
    updates: list[Response] = []
    for area_id, members in sorted(by_area.items()):
        result = area_weights(
            [m[1] for m in members], [m[2] for m in members], margins.get(area_id, {})
        )
        outcomes.setdefault(result.outcome, []).append(area_id)
        updates += [
            Response(pk=pk, weight=float(w))
            for (pk, _a, _s), w in zip(members, result.weights, strict=True)
        ]
    Response.objects.bulk_update(updates, ["weight"], batch_size=500)
    return outcomes


def wave_close(*, actor: Any, wave: Wave) -> Wave:
    """Close an open wave: no more answers; its responses are weighted (see the module's
    documentation) and its neighbourhoods' public pages change."""
    with transaction.atomic():
        locked = _wave_locked(wave)
        if locked.status != WaveStatus.OPEN:
            raise ValidationError(
                _("Only an open wave can be closed; this one is %(status)s.")
                % {"status": locked.get_status_display()},
                code="status",
            )
        locked.status = WaveStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        outcomes = weigh_responses(locked)
        area_ids = list(locked.areas.values_list("pk", flat=True))
        audit.record(
            "surveys.wave.close",
            actor=actor,
            obj=locked,
            data={
                "responses": Response.objects.filter(wave=locked).count(),
                "weighting": dict(sorted(outcomes.items())),
            },
        )
        area_touch(area_ids)
    _sync(wave, locked)
    return wave


# ----------------------------------------------------------------------------- invitations


@dataclass(frozen=True)
class InvitationsSent:
    sent: int
    failed: int


def _addresses(emails: Iterable[str]) -> list[str]:
    """The distinct addresses (case-insensitively), in order; refusals name lines, not
    addresses, so that no address is echoed into a log."""
    seen: dict[str, str] = {}
    bad: list[int] = []
    for line, raw in enumerate(emails, start=1):
        address = (raw or "").strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            bad.append(line)
            continue
        seen.setdefault(address.lower(), address)
    if bad:
        shown = ", ".join(str(n) for n in bad[:10])
        raise ValidationError(
            {
                "emails": _("These lines are not e-mail addresses: %(lines)s.") % {"lines": shown}
                if len(bad) > 1
                else _("Line %(line)s is not an e-mail address.") % {"line": shown}
            }
        )
    if not seen:
        raise ValidationError({"emails": _("Paste at least one e-mail address.")})
    if len(seen) > MAX_INVITATIONS:
        raise ValidationError(
            {
                "emails": _("Send at most %(limit)d invitations at a time.")
                % {"limit": MAX_INVITATIONS}
            }
        )
    return list(seen.values())


def _invitation_languages(wave: Wave) -> list[str]:
    current = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    languages = list(wave.languages) or [settings.LANGUAGE_CODE]
    return sorted(languages, key=lambda code: code != current)


def _invitation_message(wave: Wave, token: str, address: str) -> EmailMessage:
    parts, subjects = [], []
    for code in _invitation_languages(wave):
        with translation.override(code):
            url = settings.OURBEAT_SITE_URL.rstrip("/") + reverse(
                "surveys:invited", kwargs={"token": token}
            )
            context = {
                "wave": wave,
                "title": translated(wave.instrument.title, code),
                "url": url,
                "closes_on": wave.closes_on,
                "site_name": settings.OURBEAT_SITE_NAME,
            }
            subjects.append(
                render_to_string("surveys/email/invitation_subject.txt", context).strip()
            )
            parts.append(render_to_string("surveys/email/invitation_body.txt", context).strip())
    return EmailMessage(
        subject=" / ".join(dict.fromkeys(subjects)),
        body="\n\n----\n\n".join(parts) + "\n",
        to=[address],
    )


def invitations_send(*, actor: Any, wave: Wave, emails: Iterable[str]) -> InvitationsSent:
    """E-mail each address a single-use link to the wave's questionnaire (in each of the
    wave's languages). Only the tokens' hashes are stored; the addresses nowhere. An
    invitation whose mail could not be sent is withdrawn again."""
    addresses = _addresses(emails)
    if wave.status != WaveStatus.OPEN:
        raise ValidationError(_("Invitations are sent while the wave is open."), code="status")
    if Mode.INVITED not in wave.modes:
        raise ValidationError(
            _("This wave does not take invited answers; choose that way when setting it up."),
            code="mode",
        )
    tokens = [secrets.token_urlsafe(24) for _address in addresses]
    with transaction.atomic():
        locked = _wave_locked(wave)
        if locked.status != WaveStatus.OPEN:
            raise ValidationError(_("Invitations are sent while the wave is open."), code="status")
        Invitation.objects.bulk_create(
            [Invitation(wave=locked, token_hash=token_hash(token)) for token in tokens]
        )
        audit.record(
            "surveys.invitations.send", actor=actor, obj=locked, data={"count": len(tokens)}
        )
    sent, failed_hashes = 0, []
    connection = get_connection()
    with connection:
        for address, token in zip(addresses, tokens, strict=True):
            try:
                sent += connection.send_messages([_invitation_message(wave, token, address)]) or 0
            except Exception:  # any failure of the mail server: withdraw that invitation
                logger.warning("survey invitation: one message could not be sent")
                failed_hashes.append(token_hash(token))
    if failed_hashes:
        Invitation.objects.filter(token_hash__in=failed_hashes).delete()
    return InvitationsSent(sent=sent, failed=len(failed_hashes))


def invitation_wave(token: str) -> Wave | None:
    """The wave a token invites to, while the invitation is unused (else None)."""
    invitation = (
        Invitation.objects.select_related("wave__instrument")
        .filter(token_hash=token_hash(token))
        .first()
    )
    return invitation.wave if invitation is not None else None


# ----------------------------------------------------------------------------- responses


def _clean_answers(
    instrument: Instrument, answers: Mapping[Any, Any], errors: dict[str, list[str]]
) -> list[tuple[Item, int | None, str]]:
    items = {
        entry.item.pk: entry.item
        for entry in instrument.entries.select_related("item__scale").order_by("position")
    }
    cleaned: list[tuple[Item, int | None, str]] = []
    for key, raw in answers.items():
        item_id = key if isinstance(key, int) and not isinstance(key, bool) else None
        if isinstance(key, str) and key.isascii() and key.isdigit():
            item_id = int(key)
        item = items.get(item_id) if item_id is not None else None
        if item is None:
            errors.setdefault(ANSWERS, []).append(
                _(
                    "The questionnaire has changed since the page was opened: an answer was "
                    "given to a question that is not in it. Reload the page and answer again."
                )
            )
            continue
        field = item_field(item.pk)
        if item.scale is None:
            try:
                text = clean_text(raw, field=field, limit=MAX_OPEN_ANSWER)
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.messages)
                continue
            if text:
                cleaned.append((item, None, text))
            continue
        if raw is None or raw == "":
            continue
        value: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, str) and SCALE_VALUE.fullmatch(raw.strip()):
            value = int(raw.strip())
        allowed = {int(p["value"]) for p in item.scale.points}
        if value is None or value not in allowed:
            errors.setdefault(field, []).append(_("Choose one of the answers offered."))
            continue
        cleaned.append((item, value, ""))
    return cleaned


def response_submit(
    *,
    wave: Wave,
    area: Area | None,
    language: str,
    answers: Mapping[Any, Any],
    age_band: str = "",
    sex: str = "",
    mode: str,
    token: str | None = None,
    actor: Any = None,
) -> Response:
    """Store one completed questionnaire. ``answers`` maps item ids to a scale value (scale
    items) or text (open questions); unanswered items may be left out.

    Through the open link (``Mode.OPEN_LINK``), with an invitation's ``token``
    (``Mode.INVITED``: the invitation is used up in the same transaction; an unknown or used
    token is refused), or entered by staff (``Mode.IN_PERSON``, ``Mode.PAPER``: ``actor``
    runs surveys in the neighbourhood). The wave must be open and take that mode."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if mode not in Mode.values:
        refuse("mode", _("Choose how the answers were given."))
    elif mode not in wave.modes:
        refuse("mode", _("This wave does not take answers that way."))
    if mode == Mode.INVITED and not token:
        refuse(ANSWERS, _("This invitation link is not valid."))
    if mode != Mode.INVITED and token:
        refuse(ANSWERS, _("An invitation is answered through its own link."))
    if mode in STAFF_MODES and not _signed_in(actor):
        refuse("mode", _("Only staff enter paper and in-person answers."))
    area_ok = area is not None and wave.areas.filter(pk=area.pk).exists()
    if not area_ok:
        refuse("area", _("Choose your neighbourhood from the list."))
    elif mode in STAFF_MODES and _signed_in(actor):
        assert area is not None
        if area.organisation_id != wave.organisation_id or not _manages_area(actor, area):
            refuse("area", _("You do not run surveys in %(name)s.") % {"name": area.name})
    if language not in wave.languages:
        refuse("language", _("This survey is not offered in that language."))
    if age_band not in ("", *AgeBand.values):
        refuse("age_band", _("Choose an age band from the list, or leave it out."))
    if sex not in ("", *Sex.values):
        refuse("sex", _("Choose an answer from the list, or leave it out."))
    cleaned = _clean_answers(wave.instrument, answers, errors)
    if not cleaned and not errors:
        refuse(ANSWERS, _("Answer at least one question."))
    if errors:
        raise ValidationError(errors)
    assert area is not None
    with transaction.atomic():
        locked = _wave_locked(wave)
        if locked.status != WaveStatus.OPEN:
            raise ValidationError(
                _("This survey is closed: it no longer takes answers."), code="closed"
            )
        if mode == Mode.INVITED:
            assert token is not None
            used, _rows = Invitation.objects.filter(
                wave=locked, token_hash=token_hash(token)
            ).delete()
            if not used:
                raise ValidationError(
                    _("This invitation has already been answered, or its link is not valid."),
                    code="invitation",
                )
        response = Response.objects.create(
            wave=locked,
            area=area,
            mode=mode,
            language=language,
            submitted_on=timezone.localdate(),
            age_band=age_band,
            sex=sex,
        )
        Answer.objects.bulk_create(
            [
                Answer(response=response, item=item, value=value, text=text)
                for item, value, text in cleaned
            ]
        )
        if mode in STAFF_MODES:
            # Staff writes are audited. A resident's own answers are not: the log's time
            # stamps, taken in the order of the responses, would tell when each was sent.
            # The wave's close event records how many there were.
            audit.record(
                "surveys.response.submit",
                actor=actor,
                obj=locked,
                data={"wave": locked.pk, "area": area.pk, "mode": mode},
            )
    return response
