"""The printable report of a case: one HTML page with a print stylesheet, and the same page
rendered to PDF by WeasyPrint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from ourbeat.core.staff import staff_view
from ourbeat.problems import services_workspace
from ourbeat.problems.models import Problem
from ourbeat.problems.report import case_report
from ourbeat.problems.views.common import case_context, case_or_403

TEMPLATE = "problems/report.html"


def _context(request: HttpRequest, problem: Problem, *, for_pdf: bool) -> dict[str, Any]:
    return case_context(request, problem, "report", report=case_report(problem), for_pdf=for_pdf)


@staff_view
@require_safe
def problem_report(request: HttpRequest, pk: int) -> HttpResponse:
    problem = case_or_403(request, pk, "problems.read_problem")
    return render(request, TEMPLATE, _context(request, problem, for_pdf=False))


def static_only_fetcher(base_url: str) -> Any:
    """A WeasyPrint URL fetcher that serves the project's own static files from disk (and
    inline ``data:`` URLs) and refuses everything else: the PDF never makes a network
    request."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static_prefix = base_url.rstrip("/") + "/" + settings.STATIC_URL.strip("/") + "/"

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                # Inline data (the heat map's pixels inside its SVG): decoded, never fetched.
                return super().fetch(url, headers)
            clean_url = url.split("?")[0].split("#")[0]
            if not clean_url.startswith(static_prefix):
                raise ValueError(f"refused: {url}")
            relative = clean_url[len(static_prefix) :]
            # The finders join safely (no "..") and look only in the static directories.
            found = finders.find(relative) if relative and ".." not in relative else None
            if not isinstance(found, str):
                raise ValueError(f"not a static file: {url}")
            path = Path(found)
            media_type = "text/css" if path.suffix == ".css" else "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": media_type})

    return StaticOnlyFetcher(allowed_protocols={"http", "https", "data"})


@staff_view
@require_safe
def problem_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    import weasyprint

    problem = case_or_403(request, pk, "problems.read_problem")
    html = render_to_string(TEMPLATE, _context(request, problem, for_pdf=True), request=request)
    base_url = request.build_absolute_uri("/")
    pdf = weasyprint.HTML(
        string=html, base_url=base_url, url_fetcher=static_only_fetcher(base_url)
    ).write_pdf()
    services_workspace.report_export_record(
        actor=request.user, problem=problem, export_format="pdf", size=len(pdf)
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{problem.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
