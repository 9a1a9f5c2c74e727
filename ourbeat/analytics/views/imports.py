"""Staff pages of incident imports (under /staff/scan/imports/, namespace
``staff_analytics``): the imports of one's organisations, uploading files, an import's
progress and what it added, found present or rejected, and saving a column mapping.

Analysts and organisation administrators import (``analytics.import_incidents``) and read
their organisations' imports (``analytics.read_import``). Writes go through
``ourbeat.analytics.services``; each view's first line checks permission."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from ourbeat.analytics import services
from ourbeat.analytics.forms_imports import FIELD_LABELS, ImportForm, MappingForm
from ourbeat.analytics.importing import mapping_category_values, mapping_columns
from ourbeat.analytics.models import ColumnMapping, ImportStatus, IncidentImport
from ourbeat.core.permissions import INCIDENT_IMPORT_ROLES, areas_filter_for
from ourbeat.core.staff import apply_validation_errors, object_or_403, staff_view
from ourbeat.places.models import Organisation

LIST_SIZE = 100
REJECTED_PER_PAGE = 50


def _organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose incidents the user imports (all, for a site administrator)."""
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    ids = {m.organisation_id for m in areas_filter_for(user, INCIDENT_IMPORT_ROLES)}
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def _require_importer(request: HttpRequest) -> None:
    if not request.user.has_perm("analytics.import_incidents"):
        raise PermissionDenied


@staff_view
@require_safe
def import_list(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    imports = list(
        IncidentImport.objects.filter(organisation__in=_organisations(request.user))
        .select_related("organisation")
        .defer("rejected")
        .order_by("-created_at", "-pk")[:LIST_SIZE]
    )
    return render(
        request,
        "analytics/imports/import_list.html",
        {"imports": imports, "truncated": len(imports) == LIST_SIZE},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    organisations = _organisations(request.user)
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        organisations=organisations,
        mappings=ColumnMapping.objects.filter(organisation__in=organisations),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.import_create(
                actor=request.user,
                organisation=data["organisation"],
                source=data["source"],
                mapping=data.get("mapping"),
                uploads=[services.Upload(name=f.name, content=f) for f in data["uploads"]],
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            # With the immediate backend the imports have run by now; with a worker, not yet.
            waiting = IncidentImport.objects.filter(
                pk__in=[i.pk for i in created],
                status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING),
            ).exists()
            messages.success(
                request,
                (
                    ngettext(
                        "The file is queued for import.",
                        "%(count)s files are queued for import.",
                        len(created),
                    )
                    if waiting
                    else ngettext(
                        "The file has been imported.",
                        "%(count)s files have been imported.",
                        len(created),
                    )
                )
                % {"count": len(created)},
            )
            if len(created) == 1:
                return redirect("staff_analytics:import_detail", pk=created[0].pk)
            return redirect("staff_analytics:imports")
    return render(
        request,
        "analytics/imports/import_form.html",
        {"form": form, "has_mappings": form.fields["mapping"].queryset.exists()},  # type: ignore[attr-defined]
    )


@staff_view
@require_safe
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident_import = object_or_403(request, IncidentImport, "analytics.read_import", pk=pk)
    running = incident_import.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    progress = services.import_progress(incident_import) if running else None
    percent = None
    if progress and progress["bytes_total"]:
        percent = min(100, round(100 * progress["bytes_done"] / progress["bytes_total"]))
    rejected = Paginator(incident_import.rejected or [], REJECTED_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "analytics/imports/import_detail.html",
        {
            "import": incident_import,
            "running": running,
            "progress": progress,
            "percent": percent,
            "rejected": rejected,
            "rejected_kept": len(incident_import.rejected or []),
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def mapping_new(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    organisations = _organisations(request.user)
    form = MappingForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mapping = services.mapping_save(
                actor=request.user,
                organisation=data["organisation"],
                name=data["name"],
                columns=data["columns"],
                date_format=data["date_format"],
                category_values=data["category_values"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                error = ValidationError(
                    {
                        (f"column_{k}" if k in data["columns"] else k): v
                        for k, v in error.error_dict.items()
                    }
                )
            apply_validation_errors(form, error)
        else:
            messages.success(
                request, _("The column mapping “%(name)s” is saved.") % {"name": mapping.name}
            )
            return redirect("staff_analytics:import_new")
    saved = [
        {
            "mapping": m,
            "columns": [
                (FIELD_LABELS[field], header) for field, header in mapping_columns(m).items()
            ],
            "categories": len(mapping_category_values(m)),
        }
        for m in ColumnMapping.objects.filter(organisation__in=organisations)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    ]
    return render(request, "analytics/imports/mapping_form.html", {"form": form, "saved": saved})
