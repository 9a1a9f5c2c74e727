from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ourbeat.core.admin import AuditedAdmin
from ourbeat.core.geo import BoundaryError
from ourbeat.places.models import Area, AreaLevel, Organisation
from ourbeat.places.services import areas_import


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "slug", "telephone"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}


class BoundaryImportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), label=gettext_lazy("Organisation")
    )
    level = forms.ChoiceField(
        choices=AreaLevel.choices, label=gettext_lazy("Level of the areas in the file")
    )
    parent = forms.ModelChoiceField(
        queryset=Area.objects.exclude(level=AreaLevel.NEIGHBOURHOOD),
        required=False,
        label=gettext_lazy("Part of"),
    )
    file = forms.FileField(label=gettext_lazy("GeoJSON or KML file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.OURBEAT_BOUNDARY_MAX_BYTES
        if upload.size > limit:
            # Refused before it is read into memory.
            raise forms.ValidationError(
                _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"size": upload.size, "limit": limit}
            )
        return upload


@admin.register(Area)
class AreaAdmin(AuditedAdmin):
    list_display = ["name", "level", "code", "parent", "organisation", "population"]
    list_filter = ["level", "organisation"]
    search_fields = ["name", "code", "slug"]
    readonly_fields = [
        "boundary",
        "centre_lat",
        "centre_lng",
        "min_lat",
        "min_lng",
        "max_lat",
        "max_lng",
    ]
    change_list_template = "admin/places/area/change_list.html"

    def get_urls(self) -> list[Any]:
        custom = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="places_area_import",
            )
        ]
        return custom + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = BoundaryImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = areas_import(
                    organisation=form.cleaned_data["organisation"],
                    level=form.cleaned_data["level"],
                    parent=form.cleaned_data["parent"],
                    data=upload.read(),
                    filename=upload.name,
                    actor=request.user,
                )
            except BoundaryError as error:
                for problem in error.problems:
                    form.add_error("file", problem)
            else:
                messages.success(
                    request,
                    _("Imported: %(created)s new areas, %(updated)s updated.")
                    % {"created": len(result.created), "updated": len(result.updated)},
                )
                return redirect("admin:places_area_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Import boundaries"),
        }
        return TemplateResponse(request, "admin/places/area/import.html", context)
