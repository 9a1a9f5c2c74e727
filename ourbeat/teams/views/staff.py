"""Staff pages of the neighbourhood teams. Each view's first line fetches its object through
``object_or_403``; writes go through ``ourbeat.teams.services``."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ourbeat.accounts.models import Role
from ourbeat.core.permissions import areas_filter_for
from ourbeat.core.staff import apply_validation_errors, object_or_403, require_any_perm, staff_view
from ourbeat.places.models import Area, AreaLevel
from ourbeat.teams import services
from ourbeat.teams.forms import (
    CommitmentsForm,
    ContactPointForm,
    OccurrenceChangeForm,
    ProfileForm,
    VisibilityLogForm,
)
from ourbeat.teams.models import ContactPoint, OfficerProfile, VisibilityLog
from ourbeat.teams.schedule import occurrences


def _my_areas(request: HttpRequest) -> list[Area]:
    """Neighbourhoods the user's memberships cover (all of them for a site admin)."""
    neighbourhoods = Area.objects.filter(level=AreaLevel.NEIGHBOURHOOD).select_related("parent")
    if request.user.is_superuser:
        return list(neighbourhoods)
    roles = {Role.OFFICER, Role.SUPERVISOR, Role.ORG_ADMIN, Role.ANALYST}
    memberships = areas_filter_for(request.user, roles)
    return [
        area
        for area in neighbourhoods
        if any(
            m.organisation_id == area.organisation_id
            and (m.area is None or area.path.startswith(m.area.path))
            for m in memberships
        )
    ]


@staff_view
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    profile = OfficerProfile.objects.filter(user_id=request.user.pk or 0).first()
    return render(
        request, "teams/staff/home.html", {"areas": _my_areas(request), "profile": profile}
    )


@staff_view
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = OfficerProfile.objects.filter(user_id=request.user.pk or 0).first()
    if profile is None or not request.user.has_perm("teams.edit_profile", profile):
        raise PermissionDenied(_("You have no public profile to edit."))
    initial = {
        "name": profile.name,
        "rank": profile.rank,
        "bio": profile.bio,
        "languages": profile.languages,
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_update(
                profile=profile,
                actor=request.user,
                name=data["name"],
                rank=data["rank"],
                bio=data["bio"],
                languages=data["languages"],
                photo=data["photo"] or None,
                remove_photo=data["remove_photo"],
            )
        except ValidationError as error:
            form.add_error("photo", error)
        else:
            messages.success(request, _("Your public profile is saved."))
            return redirect("staff:profile_edit")
    return render(request, "teams/staff/profile_form.html", {"form": form, "profile": profile})


@staff_view
@require_safe
def area_overview(request: HttpRequest, slug: str) -> HttpResponse:
    area = object_or_403(
        request, Area, "teams.read_visibility_log", slug=slug, level=AreaLevel.NEIGHBOURHOOD
    )
    today = timezone.localdate()
    points = list(area.contact_points.prefetch_related("changes").order_by("starts_at"))
    logs = VisibilityLog.objects.filter(area=area).select_related("logged_by")[:20]
    return render(
        request,
        "teams/staff/area.html",
        {
            "area": area,
            "points": points,
            "commitments": list(area.commitments.all()),
            "logs": logs,
            "can_edit": request.user.has_perm("teams.edit_area_team", area),
            "can_log": request.user.has_perm("teams.log_visibility", area),
            "today": today,
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def contact_point_create(request: HttpRequest, slug: str) -> HttpResponse:
    area = object_or_403(
        request, Area, "teams.edit_area_team", slug=slug, level=AreaLevel.NEIGHBOURHOOD
    )
    form = ContactPointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.contact_point_save(
                contact_point=ContactPoint(area=area), actor=request.user, fields=form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("%(title)s is published.") % {"title": point.title})
            return redirect("staff:area", slug=area.slug)
    return render(request, "teams/staff/contact_point_form.html", {"form": form, "area": area})


@staff_view
@require_http_methods(["GET", "POST"])
def contact_point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = object_or_403(request, ContactPoint, "teams.edit_contact_point", pk=pk)
    form = ContactPointForm(request.POST or None, instance=point)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_point_save(
                contact_point=point, actor=request.user, fields=form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("%(title)s is saved.") % {"title": point.title})
            return redirect("staff:area", slug=point.area.slug)
    return render(
        request,
        "teams/staff/contact_point_form.html",
        {"form": form, "area": point.area, "point": point},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def occurrence_change(request: HttpRequest, pk: int) -> HttpResponse:
    point = object_or_403(request, ContactPoint, "teams.edit_contact_point", pk=pk)
    now = timezone.now()
    upcoming = occurrences(point, now - timedelta(days=1), now + timedelta(days=180))
    form = OccurrenceChangeForm(request.POST or None, occurrences=upcoming)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "restore":
                services.occurrence_restore(
                    contact_point=point, actor=request.user, original_start=form.original_start()
                )
            else:
                services.occurrence_change(
                    contact_point=point,
                    actor=request.user,
                    original_start=form.original_start(),
                    status=data["action"],
                    reason=data["reason"],
                    new_start=data["new_start"],
                    new_venue=data["new_venue"],
                )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("The calendar is updated."))
            return redirect("staff:area", slug=point.area.slug)
    return render(request, "teams/staff/occurrence_form.html", {"form": form, "point": point})


@staff_view
@require_http_methods(["GET", "POST"])
def commitments_edit(request: HttpRequest, slug: str) -> HttpResponse:
    area = object_or_403(
        request, Area, "teams.edit_area_team", slug=slug, level=AreaLevel.NEIGHBOURHOOD
    )
    current = {c.metric: c.monthly_target for c in area.commitments.all()}
    form = CommitmentsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.commitments_set(area=area, actor=request.user, targets=dict(form.cleaned_data))
        messages.success(request, _("The visibility commitment is published."))
        return redirect("staff:area", slug=area.slug)
    return render(request, "teams/staff/commitments_form.html", {"form": form, "area": area})


@staff_view
@require_http_methods(["GET", "POST"])
def visibility_log(request: HttpRequest, slug: str) -> HttpResponse:
    area = object_or_403(
        request, Area, "teams.read_visibility_log", slug=slug, level=AreaLevel.NEIGHBOURHOOD
    )
    form = VisibilityLogForm(request.POST or None, initial={"day": timezone.localdate()})
    if request.method == "POST":
        require_any_perm(request, area, "teams.log_visibility")
        if form.is_valid():
            try:
                services.visibility_log_add(area=area, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_errors(form, error)
            else:
                messages.success(
                    request, _("Logged. The public sees monthly totals after the month ends.")
                )
                return redirect("staff:visibility_log", slug=area.slug)
    entries = VisibilityLog.objects.filter(area=area).select_related("logged_by")[:50]
    return render(
        request,
        "teams/staff/visibility_log.html",
        {
            "form": form,
            "area": area,
            "entries": entries,
            "can_log": request.user.has_perm("teams.log_visibility", area),
        },
    )
