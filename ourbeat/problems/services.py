"""Writes of problem-solving cases: opening a case, scanning (edit, CHEERS, members, linked
concerns, stage moves) and analysis (summary, triangle, hypotheses).

Every function takes keyword-only arguments, runs in one transaction, writes one audit event
(``problems.<thing>.<verb>``) and raises ``ValidationError`` on bad input, before anything
is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import h3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ourbeat.analytics.grid import study_cells
from ourbeat.concerns.models import Concern
from ourbeat.core import audit
from ourbeat.core.text import clean_text
from ourbeat.places.models import Area, Organisation
from ourbeat.problems.models import (
    STAGE_TRANSITIONS,
    CaseMember,
    CheersElement,
    Effectiveness,
    Hypothesis,
    HypothesisResult,
    OriginKind,
    Problem,
    SimilarityKind,
    Stage,
    TaskStatus,
    TriangleEntry,
    TriangleSide,
)

MAX_TITLE = 200
MAX_DESCRIPTION = 8000
MAX_NOTE = 2000
MAX_ROLE = 200
MAX_CATEGORIES = 20
# More cells than a neighbourhood holds at resolution 9 several times over: a case is a
# problem place, not a whole force area.
MAX_CELLS = 5000
MAX_CONCERNS = 200
MIN_RESOLUTION, MAX_RESOLUTION = 5, 12
CATEGORY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")


def _text(value: Any, *, field: str, limit: int, required: bool) -> str:
    """Stripped text within ``limit`` characters, without control characters."""
    return clean_text(
        value, field=field, limit=limit, required=_("This field is required.") if required else None
    )


def _categories(categories: Iterable[Any]) -> list[str]:
    values = list(categories)
    if len(values) > MAX_CATEGORIES:
        raise ValidationError({"categories": _("Choose fewer categories.")})
    cleaned: list[str] = []
    for value in values:
        if not isinstance(value, str) or not CATEGORY_PATTERN.fullmatch(value):
            raise ValidationError({"categories": _("An incident category is not valid.")})
        if value not in cleaned:
            cleaned.append(value)
    return sorted(cleaned)


def _cells(cells: Iterable[Any], resolution: int, area: Area) -> list[str]:
    """The problem place: valid H3 cells at ``resolution``; none given, the area's own."""
    values = list(cells)
    if len(values) > MAX_CELLS:
        raise ValidationError({"cells": _("The problem place holds too many cells.")})
    if not values:
        # The cells whose centre is inside the area's boundary, as a study area is built.
        ints = study_cells(resolution, polygons=[area.geometry])
        return sorted(h3.int_to_str(int(cell)) for cell in ints.tolist())
    cleaned: set[str] = set()
    for value in values:
        if (
            not isinstance(value, str)
            or not h3.is_valid_cell(value)
            or h3.get_resolution(value) != resolution
        ):
            raise ValidationError({"cells": _("The problem place holds a cell that is not valid.")})
        cleaned.add(value)
    return sorted(cleaned)


def _same_organisation_concerns(concerns: Iterable[Concern], organisation_id: int) -> list[Concern]:
    chosen = list(concerns)
    if len(chosen) > MAX_CONCERNS:
        raise ValidationError({"concerns": _("Link fewer concerns at a time.")})
    ids = [concern.pk for concern in chosen]
    found = list(
        Concern.objects.filter(pk__in=ids, area__organisation_id=organisation_id).only("pk")
    )
    if len(found) != len(set(ids)):
        raise ValidationError(
            {
                "concerns": _(
                    "Only concerns reported in the lead organisation's areas can be linked."
                )
            }
        )
    return found


def _touch(problem: Problem, *fields: str) -> None:
    problem.version += 1
    problem.save(update_fields=[*fields, "version", "updated_at"])


# ----------------------------------------------------------------------------- scanning


def problem_open(
    *,
    actor: Any,
    organisation: Organisation,
    area: Area,
    title: str,
    description: str = "",
    categories: Iterable[str] = (),
    cells: Iterable[str] = (),
    resolution: int = 9,
    origin_kind: str = OriginKind.MANUAL,
    origin_detail: dict[str, Any] | None = None,
    priority: Any = None,
    concerns: Iterable[Concern] = (),
) -> Problem:
    """Open a case led by ``organisation`` in ``area`` (one of its areas)."""
    title = _text(title, field="title", limit=MAX_TITLE, required=True)
    description = _text(description, field="description", limit=MAX_DESCRIPTION, required=False)
    if area.organisation_id != organisation.pk:
        raise ValidationError({"area": _("The area is not one of the lead organisation's.")})
    if not isinstance(resolution, int) or not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
        raise ValidationError({"cells": _("The resolution of the problem place is not valid.")})
    if origin_kind not in OriginKind.values:
        raise ValidationError({"origin_kind": _("Unknown origin.")})
    if priority is not None and priority.area.organisation_id != organisation.pk:
        raise ValidationError(
            {"priority": _("The priority is not in the lead organisation's areas.")}
        )
    chosen_categories = _categories(categories)
    chosen_cells = _cells(cells, resolution, area)
    linked = _same_organisation_concerns(concerns, organisation.pk)
    with transaction.atomic():
        problem = Problem.objects.create(
            organisation=organisation,
            area=area,
            title=title,
            description=description,
            categories=chosen_categories,
            cells=chosen_cells,
            resolution=resolution,
            origin_kind=origin_kind,
            origin_detail=dict(origin_detail or {}),
            priority=priority,
            opened_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if linked:
            problem.concerns.add(*linked)
        audit.record(
            "problems.problem.open",
            actor=actor,
            obj=problem,
            data={
                "area": area.pk,
                "origin_kind": origin_kind,
                "origin_detail": problem.origin_detail,
                "categories": chosen_categories,
                "cells": len(chosen_cells),
                "priority": priority.pk if priority is not None else None,
                "concerns": sorted(concern.pk for concern in linked),
            },
        )
    return problem


def problem_edit(
    *, actor: Any, problem: Problem, title: str, description: str, categories: Iterable[str]
) -> Problem:
    title = _text(title, field="title", limit=MAX_TITLE, required=True)
    description = _text(description, field="description", limit=MAX_DESCRIPTION, required=False)
    chosen = _categories(categories)
    with transaction.atomic():
        before = {"title": problem.title, "categories": problem.categories}
        problem.title, problem.description, problem.categories = title, description, chosen
        _touch(problem, "title", "description", "categories")
        audit.record(
            "problems.problem.edit",
            actor=actor,
            obj=problem,
            data={"before": before, "title": title, "categories": chosen},
        )
    return problem


def problem_record_cheers(*, actor: Any, problem: Problem, answers: dict[str, Any]) -> Problem:
    """Record the CHEERS test: ``{element: {"met": bool, "note": str}}`` for every element;
    similarity also says its ``kinds`` (at least one when it is met)."""
    if not isinstance(answers, dict):
        raise ValidationError(_("Answer every element of the CHEERS test."))
    recorded: dict[str, dict[str, Any]] = {}
    for element in CheersElement.values:
        answer = answers.get(element)
        if not isinstance(answer, dict) or not isinstance(answer.get("met"), bool):
            raise ValidationError({element: _("Say whether this element is met.")})
        note = _text(answer.get("note", ""), field=element, limit=MAX_NOTE, required=False)
        entry: dict[str, Any] = {"met": answer["met"], "note": note}
        if element == CheersElement.SIMILARITY:
            kinds = answer.get("kinds", [])
            if not isinstance(kinds, list | tuple) or any(
                kind not in SimilarityKind.values for kind in kinds
            ):
                raise ValidationError({"similarity_kinds": _("Choose among the kinds listed.")})
            if answer["met"] and not kinds:
                raise ValidationError(
                    {"similarity_kinds": _("Say how the events are alike: choose at least one.")}
                )
            entry["kinds"] = [kind for kind in SimilarityKind.values if kind in kinds]
        recorded[element] = entry
    unknown = set(answers) - set(CheersElement.values)
    if unknown:
        raise ValidationError(_("The answers hold an element that is not part of CHEERS."))
    with transaction.atomic():
        problem.cheers = recorded
        _touch(problem, "cheers")
        audit.record(
            "problems.cheers.record",
            actor=actor,
            obj=problem,
            data={"cheers": recorded, "state": str(problem.cheers_state)},
        )
    return problem


def problem_move(*, actor: Any, problem: Problem, stage: str, note: str = "") -> Problem:
    """Move the case along ``STAGE_TRANSITIONS``. A case that fails CHEERS may still move
    on (the pages keep saying it fails)."""
    note = _text(note, field="note", limit=MAX_NOTE, required=False)
    allowed = STAGE_TRANSITIONS.get(problem.stage, frozenset())
    if stage not in allowed:
        raise ValidationError({"stage": _("A case at this stage cannot move to the stage chosen.")})
    if stage == Stage.RESPONSE and not problem.has_analysis:
        raise ValidationError(
            {
                "stage": _(
                    "A response cannot be recorded before an analysis exists: record "
                    "what the analysis found first."
                )
            }
        )
    if stage == Stage.ASSESSMENT and not problem.responses.exists():
        raise ValidationError(
            {"stage": _("An assessment needs at least one response: record one first.")}
        )
    with transaction.atomic():
        before = problem.stage
        problem.stage = stage
        _touch(problem, "stage")
        audit.record(
            "problems.problem.move",
            actor=actor,
            obj=problem,
            data={"from": before, "to": stage, "note": note},
        )
    return problem


def member_add(
    *, actor: Any, problem: Problem, organisation: Organisation, role: str
) -> CaseMember:
    role = _text(role, field="role", limit=MAX_ROLE, required=True)
    if organisation.pk == problem.organisation_id:
        raise ValidationError(
            {"organisation": _("The lead organisation is not added as a member.")}
        )
    if CaseMember.objects.filter(problem=problem, organisation=organisation).exists():
        raise ValidationError({"organisation": _("This organisation is already a member.")})
    with transaction.atomic():
        member = CaseMember.objects.create(problem=problem, organisation=organisation, role=role)
        audit.record(
            "problems.member.add",
            actor=actor,
            obj=member,
            data={"problem": problem.pk, "organisation": organisation.pk, "role": role},
        )
    return member


def member_remove(*, actor: Any, member: CaseMember) -> None:
    open_tasks = member.problem.tasks.filter(
        organisation_id=member.organisation_id,
        status__in=[TaskStatus.PLANNED, TaskStatus.IN_PROGRESS],
    )
    if open_tasks.exists():
        raise ValidationError(_("This member still has open tasks: finish or reassign them first."))
    with transaction.atomic():
        data = {
            "problem": member.problem_id,
            "organisation": member.organisation_id,
            "role": member.role,
        }
        audit.record("problems.member.remove", actor=actor, obj=member, data=data)
        member.delete()


def problem_link_concerns(*, actor: Any, problem: Problem, concerns: Iterable[Concern]) -> None:
    linked = _same_organisation_concerns(concerns, problem.organisation_id)
    if not linked:
        raise ValidationError({"concerns": _("Choose at least one concern.")})
    with transaction.atomic():
        problem.concerns.add(*linked)
        _touch(problem)
        audit.record(
            "problems.concerns.link",
            actor=actor,
            obj=problem,
            data={"concerns": sorted(concern.pk for concern in linked)},
        )


# ----------------------------------------------------------------------------- analysis


def analysis_record(
    *, actor: Any, problem: Problem, summary: str, current_responses: str
) -> Problem:
    summary = _text(summary, field="summary", limit=MAX_DESCRIPTION, required=True)
    current = _text(
        current_responses, field="current_responses", limit=MAX_DESCRIPTION, required=False
    )
    with transaction.atomic():
        problem.analysis_summary, problem.current_responses = summary, current
        problem.analysed_at = timezone.now()
        _touch(problem, "analysis_summary", "current_responses", "analysed_at")
        audit.record(
            "problems.analysis.record",
            actor=actor,
            obj=problem,
            data={"summary_length": len(summary), "current_responses_length": len(current)},
        )
    return problem


def triangle_add(
    *,
    actor: Any,
    problem: Problem,
    side: str,
    description: str,
    controller: str = "",
    effectiveness: str = Effectiveness.UNKNOWN,
) -> TriangleEntry:
    if side not in TriangleSide.values:
        raise ValidationError({"side": _("Choose a side of the triangle.")})
    if effectiveness not in Effectiveness.values:
        raise ValidationError({"effectiveness": _("Choose how effective the controller is.")})
    description = _text(description, field="description", limit=4000, required=True)
    controller = _text(controller, field="controller", limit=300, required=False)
    with transaction.atomic():
        entry = TriangleEntry.objects.create(
            problem=problem,
            side=side,
            description=description,
            controller=controller,
            effectiveness=effectiveness,
        )
        audit.record(
            "problems.triangle.add",
            actor=actor,
            obj=entry,
            data={"problem": problem.pk, "side": side, "effectiveness": effectiveness},
        )
    return entry


def triangle_remove(*, actor: Any, entry: TriangleEntry) -> None:
    with transaction.atomic():
        audit.record(
            "problems.triangle.remove",
            actor=actor,
            obj=entry,
            data={"problem": entry.problem_id, "side": entry.side},
        )
        entry.delete()


def hypothesis_add(
    *, actor: Any, problem: Problem, statement: str, test_data: str = ""
) -> Hypothesis:
    statement = _text(statement, field="statement", limit=2000, required=True)
    test_data = _text(test_data, field="test_data", limit=2000, required=False)
    with transaction.atomic():
        hypothesis = Hypothesis.objects.create(
            problem=problem, statement=statement, test_data=test_data
        )
        audit.record(
            "problems.hypothesis.add", actor=actor, obj=hypothesis, data={"problem": problem.pk}
        )
    return hypothesis


def hypothesis_update(
    *, actor: Any, hypothesis: Hypothesis, result: str, finding: str, test_data: str
) -> Hypothesis:
    if result not in HypothesisResult.values:
        raise ValidationError({"result": _("Choose a result.")})
    finding = _text(finding, field="finding", limit=4000, required=False)
    test_data = _text(test_data, field="test_data", limit=2000, required=False)
    with transaction.atomic():
        before = hypothesis.result
        hypothesis.result, hypothesis.finding, hypothesis.test_data = result, finding, test_data
        hypothesis.save(update_fields=["result", "finding", "test_data"])
        audit.record(
            "problems.hypothesis.update",
            actor=actor,
            obj=hypothesis,
            data={"problem": hypothesis.problem_id, "from": before, "to": result},
        )
    return hypothesis
