"""What every page of one case needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from ourbeat.core.staff import apply_validation_errors
from ourbeat.problems.models import CHEERS_SHORT_LABELS, Problem


def case_or_403(request: HttpRequest, pk: int, perm: str = "problems.read_problem") -> Problem:
    """The case (404 when missing), if the user holds ``perm`` on it (403 otherwise)."""
    problem = get_object_or_404(Problem.objects.select_related("area", "organisation"), pk=pk)
    if not request.user.has_perm(perm, problem):
        raise PermissionDenied
    return problem


def cheers_failed_labels(problem: Problem) -> list[str]:
    """The names of the CHEERS elements the problem fails, in the test's order."""
    return [str(CHEERS_SHORT_LABELS[element]) for element in problem.cheers_failed]


def case_context(
    request: HttpRequest, problem: Problem, section: str, **extra: Any
) -> dict[str, Any]:
    """The context of ``problems/_case_base.html``."""
    return {
        "problem": problem,
        "case_section": section,
        "can_manage": request.user.has_perm("problems.manage_problem", problem),
        "cheers_failed": cheers_failed_labels(problem),
        **extra,
    }


def saved(
    request: HttpRequest,
    form: BaseForm,
    write: Callable[[dict[str, Any]], object],
    *,
    done: str,
    then: str,
    problem: Problem,
) -> HttpResponse | None:
    """Validate ``form`` and hand its data to ``write`` (a service call). On success: the
    ``done`` message and a redirect to the case page ``then``. Otherwise None, with the
    form carrying the errors, the service's included, for the caller to show again."""
    if not form.is_valid():
        return None
    try:
        write(form.cleaned_data)
    except ValidationError as error:
        apply_validation_errors(form, error)
        return None
    messages.success(request, done)
    return redirect(then, pk=problem.pk)
