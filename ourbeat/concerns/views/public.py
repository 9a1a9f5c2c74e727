"""The resident's pages: report a concern (two steps, JavaScript optional), confirm it
through the e-mailed link, see a published concern, reply to the team and rate the
response. Writes go through ``concerns.services``; the reporter is never shown."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import h3
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from ourbeat.analytics.recurring import similar_open_concerns
from ourbeat.concerns import notifications, services
from ourbeat.concerns.forms import PlaceForm, RatingForm, ReplyForm, ReportForm
from ourbeat.concerns.models import OPEN_STATUSES, Concern, Reporter
from ourbeat.concerns.selectors import due_dates, public_concerns, public_point
from ourbeat.places.models import Area, OrganisationKind
from ourbeat.places.selectors import neighbourhoods, police_services
from ourbeat.places.svgmap import build_svg_map

logger = logging.getLogger(__name__)

REPORT_RATE = "10/h"
SUPPORT_RATE = "30/h"
SESSION_REPORTED = "concerns_reported"
SESSION_SUPPORTED = "concerns_supported"

# Service errors name the service's arguments; the form names its fields.
SERVICE_FIELDS = {
    "location": "lat",
    "reporter_email": "email",
    "photos": "photos",
    "description": "description",
    "category": "category",
}


def _emergency_number(area: Area | None = None) -> str:
    """The emergency number of the police service covering the chosen neighbourhood (the
    areas of one hierarchy belong to one organisation, so the neighbourhood's is the one at
    the top of its path); before a place is chosen, the first police service's."""
    if (
        area is not None
        and area.organisation.kind == OrganisationKind.POLICE_SERVICE
        and area.organisation.emergency_number
    ):
        return area.organisation.emergency_number
    return police_services().values_list("emergency_number", flat=True).first() or "999"


def _map_config() -> dict[str, str]:
    return {
        "tileUrl": settings.OURBEAT_MAP_TILE_URL,
        "tileAttribution": settings.OURBEAT_MAP_TILE_ATTRIBUTION,
    }


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    return is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "concerns/report_limited.html", status=429)


def _step_one(request: HttpRequest, form: PlaceForm, status: int = 200) -> HttpResponse:
    areas = list(neighbourhoods())
    features = [
        {"type": "Feature", "geometry": a.boundary, "properties": {"name": a.name}} for a in areas
    ]
    return render(
        request,
        "concerns/report.html",
        {
            "form": form,
            "emergency_number": _emergency_number(),
            "svg_map": build_svg_map(areas),
            "map_data": {**_map_config(), "features": features, "clickToLocate": False},
        },
        status=status,
    )


def _step_two(
    request: HttpRequest, place: PlaceForm, form: ReportForm, status: int = 200
) -> HttpResponse:
    data = place.cleaned_data
    category = data["category"]
    change = {
        "lat": data["lat"],
        "lng": data["lng"],
        "location_text": data.get("location_text") or "",
        "category": category.code,
    }
    return render(
        request,
        "concerns/report_details.html",
        {
            "form": form,
            "category": category,
            "area": data.get("area"),
            "place": data,
            # Ranked by the text too once the resident has written one (a re-shown form).
            "nearby": similar_open_concerns(
                category,
                data["lat"],
                data["lng"],
                form.data.get("description", "") if form.is_bound else "",
            ),
            "change_url": f"?{urlencode({**change, 'change': '1'})}",
            "emergency_number": _emergency_number(data.get("area")),
        },
        status=status,
    )


def report(request: HttpRequest) -> HttpResponse:
    """Step one (GET without place and category, or with errors): where and what. Step two
    (GET with a valid place and category): nearby open concerns and the details. POST files
    the concern."""
    signed_in = request.user.is_authenticated
    if request.method == "POST":
        if _limited(request, "concerns.report", REPORT_RATE):
            return _too_many(request)
        place = PlaceForm(request.POST)
        if not place.is_valid():
            return _step_one(request, place, status=400)
        form = ReportForm(request.POST, request.FILES, signed_in=signed_in)
        if form.honeypot_filled:
            # Pretend all went well; file nothing.
            return redirect("concerns:report_sent")
        if not form.is_valid():
            return _step_two(request, place, form, status=400)
        return _submit(request, form)
    if "change" in request.GET:
        # Back from step two to change the place or the category: prefilled, no errors.
        return _step_one(request, PlaceForm(initial=request.GET.dict()))
    if not request.GET:
        return _step_one(request, PlaceForm())
    place = PlaceForm(request.GET)
    if not place.is_valid():
        return _step_one(request, place, status=400)
    initial = {name: request.GET.get(name, "") for name in ReportForm.PLACE_FIELDS}
    if signed_in:
        initial["email"] = getattr(request.user, "email", "")
    return _step_two(request, place, ReportForm(initial=initial, signed_in=signed_in))


def _submit(request: HttpRequest, form: ReportForm) -> HttpResponse:
    data = form.cleaned_data
    user = request.user if request.user.is_authenticated else None
    try:
        submitted = services.concern_submit(
            category=data["category"],
            latitude=data["lat"],
            longitude=data["lng"],
            description=data["description"],
            location_text=data.get("location_text") or "",
            answers=form.answers(),
            reporter_name=data.get("name") or "",
            reporter_email=data.get("email") or "",
            reporter_phone=data.get("phone") or "",
            show_name=data.get("show_name") == "yes",
            photos=data.get("photos") or [],
            user=user,
            idempotency_key=data["idempotency_key"],
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for key, errors in error.error_dict.items():
                form.add_error(SERVICE_FIELDS.get(key), errors)
        else:
            form.add_error(None, error)
        place = PlaceForm(request.POST)
        place.is_valid()
        return _step_two(request, place, form, status=400)
    concern = submitted.concern
    if submitted.created and user is None:
        # After the service's transaction has committed: e-mail never holds a transaction.
        try:
            notifications.send_confirmation(concern, submitted.token, translation.get_language())
        except Exception:  # the concern is safe; the resident can ask us to resend
            logger.exception("confirmation e-mail for %s failed", concern.reference)
    request.session[SESSION_REPORTED] = concern.reference
    return redirect("concerns:report_done" if user is not None else "concerns:report_sent")


def _commitment(concern: Concern) -> dict[str, Any]:
    first, plan = due_dates(concern)
    return {
        "first_days": concern.category.first_response_days,
        "plan_days": concern.category.resolution_plan_days,
        "first_due": first,
        "plan_due": plan,
    }


def _reported(request: HttpRequest) -> Concern | None:
    reference = request.session.get(SESSION_REPORTED)
    if not reference:
        return None
    return Concern.objects.select_related("category").filter(reference=reference).first()


def report_sent(request: HttpRequest) -> HttpResponse:
    """Signed out: check your e-mail."""
    concern = _reported(request)
    return render(
        request,
        "concerns/report_sent.html",
        {"concern": concern, **(_commitment(concern) if concern else {})},
    )


def report_done(request: HttpRequest) -> HttpResponse:
    """Signed in: the concern is confirmed at once."""
    concern = _reported(request)
    return render(
        request,
        "concerns/report_done.html",
        {"concern": concern, **(_commitment(concern) if concern else {})},
    )


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "concerns/report_link_invalid.html", status=404)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link. Opening it (GET) only asks: a mail scanner that fetches every link
    must not confirm the report. The resident's button (POST) confirms, then the page shows
    the confirmation and the links to reply and rate (the same link, later)."""
    reporter = services.reporter_for_token(token)
    if reporter is None:
        return _invalid_link(request)
    concern = reporter.concern
    if request.method == "POST":
        try:
            services.concern_confirm(token=token)
        except ValidationError:
            return _invalid_link(request)
        return redirect("concerns:confirm", token=token)
    template = "concerns/confirm.html" if concern.confirmed_at else "concerns/confirm_ask.html"
    return render(request, template, {"concern": concern, "token": token, **_commitment(concern)})


def _public_or_404(reference: str) -> Concern:
    concern = public_concerns().filter(reference=reference).first()
    if concern is None:
        raise Http404(_("No published concern has that reference."))
    return concern


def detail(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _public_or_404(reference)
    point = public_point(concern)
    map_data: dict[str, Any] | None = None
    svg_map = None
    if point is not None and concern.public_cell is not None:
        cell = h3.int_to_str(concern.public_cell)
        ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(cell)]
        ring.append(ring[0])
        map_data = {
            **_map_config(),
            "features": [
                {
                    "type": "Feature",
                    "geometry": concern.area.boundary,
                    "properties": {"name": concern.area.name},
                },
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                    "properties": {"name": _("Approximate place")},
                },
            ],
            "clickToLocate": False,
        }
        svg_map = build_svg_map([concern.area], width=480)
    shown_name = (
        Reporter.objects.filter(concern=concern, show_name=True)
        .exclude(name="")
        .values_list("name", flat=True)
        .first()
    )
    return render(
        request,
        "concerns/detail.html",
        {
            "concern": concern,
            "point": point,
            "map_data": map_data,
            "svg_map": svg_map,
            "photos": list(concern.photos.filter(public=True)),
            "updates": list(
                concern.updates.filter(public=True, hidden=False).order_by("created_at", "id")
            ),
            "shown_name": shown_name,
            "supported": concern.reference in request.session.get(SESSION_SUPPORTED, []),
            **_commitment(concern),
        },
    )


@require_POST
def support(request: HttpRequest, reference: str) -> HttpResponse:
    """Add your voice to an open concern instead of filing a duplicate."""
    concern = _public_or_404(reference)
    if _limited(request, "concerns.support", SUPPORT_RATE):
        return _too_many(request)
    supported = list(request.session.get(SESSION_SUPPORTED, []))
    if concern.reference in supported:
        messages.info(request, _("You have already added your voice to this concern."))
        return redirect(concern)
    try:
        services.concern_support(concern=concern)
    except ValidationError:
        messages.error(request, _("This concern is closed; it can no longer be supported."))
        return redirect(concern)
    request.session[SESSION_SUPPORTED] = [*supported, concern.reference][-100:]
    messages.success(request, _("Thank you: your voice has been added to this concern."))
    return redirect(concern)


def reply(request: HttpRequest, token: str) -> HttpResponse:
    reporter = services.reporter_for_token(token)
    if reporter is None:
        return _invalid_link(request)
    concern = reporter.concern
    form = ReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _limited(request, "concerns.reply", REPORT_RATE):
            return _too_many(request)
        if form.is_valid():
            try:
                services.concern_reply(token=token, text=form.cleaned_data["text"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return render(request, "concerns/reply_done.html", {"concern": concern})
        status = 400
    updates = concern.updates.filter(public=True, hidden=False).order_by("created_at", "id")
    return render(
        request,
        "concerns/reply.html",
        {"concern": concern, "form": form, "updates": list(updates)},
        status=status,
    )


def rate(request: HttpRequest, token: str) -> HttpResponse:
    reporter = services.reporter_for_token(token)
    if reporter is None:
        return _invalid_link(request)
    concern = reporter.concern
    context: dict[str, Any] = {"concern": concern}
    if concern.status in OPEN_STATUSES:
        return render(request, "concerns/rate_not_yet.html", context)
    if hasattr(concern, "rating"):
        return render(request, "concerns/rate_done.html", {**context, "already": True})
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _limited(request, "concerns.rate", REPORT_RATE):
            return _too_many(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.concern_rate(
                    token=token,
                    resolved=data["resolved"] == "yes",
                    satisfied=data["satisfied"],
                    respectful=data["respectful"] == "yes",
                    comment=data["comment"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return render(request, "concerns/rate_done.html", context)
        status = 400
    return render(request, "concerns/rate.html", {**context, "form": form}, status=status)
