"""Public pages: the published summaries of problem-solving cases. They read only through
``selectors.published_summaries()``, which loads the public fields and nothing else."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ourbeat.problems.selectors import published_summaries

SUMMARIES_PER_PAGE = 20


@require_safe
def summary_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(published_summaries(), SUMMARIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "problems/public_list.html", {"page": page})


@require_safe
def summary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Unpublished cases are not in the selector, so they are a 404 like a missing one.
    summary = get_object_or_404(published_summaries(), pk=pk)
    return render(request, "problems/public_detail.html", {"summary": summary})
