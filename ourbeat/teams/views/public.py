from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ourbeat.places.models import Area, AreaLevel
from ourbeat.teams.calendar import area_calendar


def calendar_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The neighbourhood's contact points and events as an iCalendar feed."""
    try:
        area = Area.objects.get(slug=slug, level=AreaLevel.NEIGHBOURHOOD)
    except Area.DoesNotExist as error:
        raise Http404(_("No neighbourhood has that address.")) from error
    points = list(area.contact_points.prefetch_related("changes").order_by("starts_at"))
    body = area_calendar(
        area, points, request.get_host().split(":")[0], request.build_absolute_uri()
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{area.slug}.ics"'
    return response
