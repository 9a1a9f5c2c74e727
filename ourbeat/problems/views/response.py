"""The Response stage of a case: responses by technique in their five groups, goals, and
tasks for the lead force or member agencies; a task's own page where its agency updates it.

Managers (``problems.manage_problem``) see the forms, each posting to its own URL and
redirecting back; partners read the page and update their own agency's tasks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ourbeat.core.staff import apply_validation_errors, staff_view
from ourbeat.problems import services_response
from ourbeat.problems.forms_response import GoalForm, ResponseForm, TaskForm, TaskUpdateForm
from ourbeat.problems.models import (
    TECHNIQUE_GROUP,
    Problem,
    Task,
    TaskStatus,
    TechniqueGroup,
)
from ourbeat.problems.views.common import case_context, case_or_403, saved

OPEN_STATUSES = {TaskStatus.PLANNED, TaskStatus.IN_PROGRESS}


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _response_page(
    request: HttpRequest, problem: Problem, *, status: int = 200, **forms: Form
) -> HttpResponse:
    can_manage = request.user.has_perm("problems.manage_problem", problem)
    responses = list(problem.responses.select_related("organisation"))
    groups = []
    for group in TechniqueGroup:
        chosen = [r for r in responses if TECHNIQUE_GROUP[r.technique] == group]
        if chosen:
            groups.append({"label": group.label, "responses": chosen})
    today = timezone.localdate()
    tasks = list(problem.tasks.select_related("organisation", "response"))
    for task in tasks:
        task.is_overdue = task.status in OPEN_STATUSES and task.due_on < today  # type: ignore[attr-defined]
        task.can_update = request.user.has_perm("problems.update_task", task)  # type: ignore[attr-defined]
    context = case_context(
        request,
        problem,
        "response",
        response_groups=groups,
        goals=list(problem.goals.all()),
        tasks=tasks,
        response_form=forms.get("response_form") or ResponseForm(problem=problem),
        goal_form=forms.get("goal_form") or GoalForm(),
        task_form=forms.get("task_form") or TaskForm(problem=problem),
    )
    context["can_manage"] = can_manage
    return render(request, "problems/response.html", context, status=status)


@staff_view
@require_http_methods(["GET"])
def problem_response(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk)
    return _response_page(request, problem)


@staff_view
@require_POST
def response_add(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    form = ResponseForm(request.POST, problem=problem)
    done = saved(
        request,
        form,
        lambda data: services_response.response_add(
            actor=request.user,
            problem=problem,
            technique=data["technique"],
            description=data["description"],
            organisation=data["organisation"],
        ),
        done=_("The response is recorded."),
        then="staff_problems:response",
        problem=problem,
    )
    return done or _response_page(request, problem, status=400, response_form=form)


@staff_view
@require_POST
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    form = GoalForm(request.POST)
    done = saved(
        request,
        form,
        lambda data: services_response.goal_add(
            actor=request.user,
            problem=problem,
            text=data["text"],
            target_reduction_percent=data["target_reduction_percent"],
        ),
        done=_("The goal is recorded."),
        then="staff_problems:response",
        problem=problem,
    )
    return done or _response_page(request, problem, status=400, goal_form=form)


@staff_view
@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.manage_problem")
    form = TaskForm(request.POST, problem=problem)
    done = saved(
        request,
        form,
        lambda data: services_response.task_add(
            actor=request.user,
            problem=problem,
            title=data["title"],
            organisation=data["organisation"],
            due_on=data["due_on"],
            response=data["response"],
        ),
        done=_("The task is added."),
        then="staff_problems:response",
        problem=problem,
    )
    return done or _response_page(request, problem, status=400, task_form=form)


@staff_view
@require_http_methods(["GET", "POST"])
def task_update(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(
        Task.objects.select_related("problem__area", "problem__organisation", "organisation"),
        pk=task_id,
    )
    if not request.user.has_perm("problems.update_task", task):
        raise PermissionDenied
    problem = task.problem
    form = TaskUpdateForm(
        _posted(request),
        initial={"version": task.version, "status": task.status, "note": task.note},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_response.task_update(
                actor=request.user,
                task=task,
                status=data["status"],
                note=data["note"],
                version=data["version"],
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("The task is saved."))
            return redirect("staff_problems:task", task_id=task.pk)
    status = 400 if request.method == "POST" else 200
    today = timezone.localdate()
    return render(
        request,
        "problems/task.html",
        case_context(
            request,
            problem,
            "response",
            task=task,
            form=form,
            is_overdue=task.status in OPEN_STATUSES and task.due_on < today,
            can_read_case=request.user.has_perm("problems.read_problem", problem),
        ),
        status=status,
    )
