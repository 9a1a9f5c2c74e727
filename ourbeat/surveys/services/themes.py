"""A theme of the answers to a survey's open question sent to a neighbourhood's priorities.

``theme_propose`` makes one proposed priority in the neighbourhood, proposed by the member of
staff (so it is published at once: ``priority_propose``), whose provenance is one origin per
answer of the theme (``OriginKind.SURVEY_ANSWER``, with the answer and a short reference such
as "wave 12, answer 3456"). The priority's public page then counts "N survey answers". The
answers' text is never copied into the priority, its origins or the audit log: the title and
description are what staff write, and respondents, being anonymous, are told nothing (the
origins name no person, so ``ourbeat.engagement.notifications`` finds no one behind them).

One transaction: the wave's row is locked first (as fielding does), so two members of staff
sending the same answers at once cannot both link them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ourbeat.core import audit
from ourbeat.engagement.models import OriginKind, Priority, PriorityOrigin
from ourbeat.engagement.services.priorities import MAX_TITLE, priority_propose
from ourbeat.places.models import Area
from ourbeat.surveys.models import Answer, Wave, WaveStatus
from ourbeat.surveys.services.fielding import _manages_area, _wave_locked
from ourbeat.surveys.themes import MAX_ANSWERS

# A priority's title: the themes page cuts the theme's label to it.
MAX_PRIORITY_TITLE = MAX_TITLE


def answer_reference(wave_id: int, answer_id: int) -> str:
    """How an origin names its answer (an identifier, the same in every language)."""
    return f"wave {wave_id}, answer {answer_id}"


def _ids(answer_ids: Iterable[Any]) -> list[int]:
    ids: set[int] = set()
    for value in answer_ids:
        if isinstance(value, bool):
            raise ValidationError({"answers": _("Choose the answers from the list.")})
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or value < 1:
            raise ValidationError({"answers": _("Choose the answers from the list.")})
        ids.add(value)
    if not ids:
        raise ValidationError({"answers": _("Choose at least one answer.")})
    if len(ids) > MAX_ANSWERS:
        raise ValidationError(
            {"answers": _("Send at most %(limit)d answers at a time.") % {"limit": MAX_ANSWERS}}
        )
    return sorted(ids)


def theme_propose(
    *,
    actor: Any,
    wave: Wave,
    area: Area,
    answer_ids: Iterable[Any],
    title: str,
    description: str = "",
) -> Priority:
    """Propose a priority for ``area`` from a theme of the wave's open answers (see the
    module's documentation). The actor runs surveys in ``area``, one of the wave's
    neighbourhoods; the wave is closed, so its answers are final; every answer is an answer
    to one of the questionnaire's open questions given in ``area``, and none has raised a
    priority yet. A refusal is a ``ValidationError`` and changes nothing."""
    if not bool(getattr(actor, "is_authenticated", False)):
        raise ValidationError(_("Sign in to send answers to the priorities."))
    if area.organisation_id != wave.organisation_id or not wave.areas.filter(pk=area.pk).exists():
        raise ValidationError({"area": _("That neighbourhood is not part of this wave.")})
    if not _manages_area(actor, area):
        raise ValidationError(
            {"area": _("You do not run surveys in %(name)s.") % {"name": area.name}}
        )
    ids = _ids(answer_ids)
    with transaction.atomic():
        locked = _wave_locked(wave)
        if locked.status != WaveStatus.CLOSED:
            raise ValidationError(
                _(
                    "Answers are sent to the priorities once the wave is closed and its "
                    "answers are final; this one is %(status)s."
                )
                % {"status": locked.get_status_display().lower()},
                code="status",
            )
        answers = list(
            Answer.objects.filter(
                pk__in=ids,
                response__wave=locked,
                response__area=area,
                item__scale__isnull=True,
                item__instruments=locked.instrument_id,
            )
            .exclude(text="")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if len(answers) != len(ids):
            raise ValidationError(
                {
                    "answers": _(
                        "Some of these answers are not answers to this wave's open question "
                        "in %(name)s."
                    )
                    % {"name": area.name}
                }
            )
        linked = PriorityOrigin.objects.filter(answer_id__in=answers).count()
        if linked:
            raise ValidationError(
                {
                    "answers": ngettext(
                        "%(count)d of these answers has already raised a priority; group the "
                        "answers again and send the others.",
                        "%(count)d of these answers have already raised a priority; group the "
                        "answers again and send the others.",
                        linked,
                    )
                    % {"count": linked}
                }
            )
        priority = priority_propose(area=area, title=title, description=description, actor=actor)
        PriorityOrigin.objects.bulk_create(
            PriorityOrigin(
                priority=priority,
                kind=OriginKind.SURVEY_ANSWER,
                answer_id=answer_id,
                survey_answer=answer_reference(locked.pk, answer_id),
                summary=answer_reference(locked.pk, answer_id),
            )
            for answer_id in answers
        )
        audit.record(
            "surveys.theme.propose",
            actor=actor,
            obj=locked,
            data={"priority": priority.pk, "area": area.pk, "answers": len(answers)},
        )
    return priority
