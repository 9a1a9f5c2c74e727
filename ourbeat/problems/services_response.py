"""Writes of the Response stage: responses chosen from the 25 techniques of situational crime
prevention (or "other"), goals, and tasks for the lead force or a member agency.

Every function takes keyword-only arguments, checks everything before it writes, runs in one
transaction with one audit event (``problems.<thing>.<verb>``), and refuses bad input with a
``ValidationError`` that names the field. Text is stored as typed (pages escape it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ourbeat.core import audit
from ourbeat.core.text import clean_text
from ourbeat.places.models import Organisation
from ourbeat.problems.models import (
    Goal,
    Problem,
    Response,
    Task,
    TaskStatus,
    Technique,
)

MAX_RESPONSE_DESCRIPTION = 4000
MAX_GOAL = 500
MAX_TASK_TITLE = 300
MAX_TASK_NOTE = 4000
# Dates a task may be due on: nothing before the year 2000 or decades ahead is a real plan.
EARLIEST_DUE = date(2000, 1, 1)
LATEST_DUE_YEARS = 10


def case_organisation_ids(problem: Problem) -> set[int]:
    """The lead organisation and every member agency of the case."""
    return {problem.organisation_id, *problem.members.values_list("organisation_id", flat=True)}


def _case_organisation(problem: Problem, organisation: Any, *, field: str) -> Organisation:
    if not isinstance(organisation, Organisation) or organisation.pk not in case_organisation_ids(
        problem
    ):
        raise ValidationError(
            {field: _("Choose the lead organisation or an agency that is a member of the case.")}
        )
    return organisation


def response_add(
    *,
    actor: Any,
    problem: Problem,
    technique: str,
    description: str,
    organisation: Organisation | None = None,
) -> Response:
    """Record a response to the problem. Only after the analysis: a response answers what the
    analysis found."""
    if not problem.has_analysis:
        raise ValidationError(_("Record the analysis before choosing responses."))
    if not isinstance(technique, str) or technique not in Technique.values:
        raise ValidationError({"technique": _("Choose a technique from the list.")})
    description = clean_text(
        description,
        field="description",
        limit=MAX_RESPONSE_DESCRIPTION,
        required=_("Say what will be done."),
    )
    if organisation is not None:
        organisation = _case_organisation(problem, organisation, field="organisation")
    with transaction.atomic():
        response = Response.objects.create(
            problem=problem, technique=technique, description=description, organisation=organisation
        )
        audit.record(
            "problems.response.add",
            actor=actor,
            obj=response,
            data={
                "problem": problem.pk,
                "technique": technique,
                "organisation": organisation.pk if organisation is not None else None,
            },
        )
    return response


def goal_add(
    *, actor: Any, problem: Problem, text: str, target_reduction_percent: int | None = None
) -> Goal:
    """Record a goal, with a target reduction of the linked measure when it is numeric."""
    text = clean_text(text, field="text", limit=MAX_GOAL, required=_("Write the goal."))
    if target_reduction_percent is not None and (
        isinstance(target_reduction_percent, bool)
        or not isinstance(target_reduction_percent, int)
        or not 1 <= target_reduction_percent <= 100
    ):
        raise ValidationError(
            {"target_reduction_percent": _("Enter a reduction between 1 and 100 per cent.")}
        )
    with transaction.atomic():
        goal = Goal.objects.create(
            problem=problem, text=text, target_reduction_percent=target_reduction_percent
        )
        audit.record(
            "problems.goal.add",
            actor=actor,
            obj=goal,
            data={"problem": problem.pk, "target_reduction_percent": target_reduction_percent},
        )
    return goal


def _due(due_on: Any) -> date:
    if not isinstance(due_on, date):
        raise ValidationError({"due_on": _("Enter the date it is due.")})
    latest = timezone.localdate().replace(year=timezone.localdate().year + LATEST_DUE_YEARS)
    if not EARLIEST_DUE <= due_on <= latest:
        raise ValidationError({"due_on": _("Enter a due date within the next ten years.")})
    return due_on


def task_add(
    *,
    actor: Any,
    problem: Problem,
    title: str,
    organisation: Organisation,
    due_on: date,
    response: Response | None = None,
) -> Task:
    """A task for the lead organisation or a member agency, due on a date, optionally under
    one of the case's responses."""
    title = clean_text(title, field="title", limit=MAX_TASK_TITLE, required=_("Name the task."))
    organisation = _case_organisation(problem, organisation, field="organisation")
    due_on = _due(due_on)
    if response is not None and response.problem_id != problem.pk:
        raise ValidationError({"response": _("Choose one of this case's responses.")})
    with transaction.atomic():
        task = Task.objects.create(
            problem=problem,
            response=response,
            title=title,
            organisation=organisation,
            due_on=due_on,
        )
        audit.record(
            "problems.task.add",
            actor=actor,
            obj=task,
            data={
                "problem": problem.pk,
                "organisation": organisation.pk,
                "due_on": due_on.isoformat(),
                "response": response.pk if response is not None else None,
            },
        )
    return task


def _stale_task() -> ValidationError:
    return ValidationError(
        _("Someone else changed this task while you were editing it. Look at it again.")
    )


def task_update(
    *, actor: Any, task: Task, status: str, note: str = "", version: int | None = None
) -> Task:
    """Change a task's status and progress note. Only the case's lead staff or staff of the
    task's own agency (while it is a member) may. ``version`` is the version the editor saw:
    an edit made on a stale copy is refused instead of overwriting the other one. Done sets
    ``completed_on`` (today); any other status clears it."""
    if not isinstance(status, str) or status not in TaskStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    note = clean_text(note, field="note", limit=MAX_TASK_NOTE)
    with transaction.atomic():
        current = Task.objects.select_for_update().select_related("problem").get(pk=task.pk)
        if not actor.has_perm("problems.update_task", current):
            raise ValidationError(_("Only the task's agency or the case's lead may update it."))
        if version is not None and current.version != version:
            raise _stale_task()
        # Done keeps the day it was first done; any other status clears it.
        done = status == TaskStatus.DONE
        completed_on = (current.completed_on or timezone.localdate()) if done else None
        before = {"status": current.status, "note_changed": note != current.note}
        updated = Task.objects.filter(pk=current.pk, version=current.version).update(
            status=status,
            note=note,
            completed_on=completed_on,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if not updated:
            raise _stale_task()
        current.refresh_from_db()
        audit.record(
            "problems.task.update",
            actor=actor,
            obj=current,
            data={
                "problem": current.problem_id,
                "before": before["status"],
                "after": status,
                "note_changed": before["note_changed"],
            },
        )
    return current
