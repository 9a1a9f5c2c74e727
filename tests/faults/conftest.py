"""Helpers of the faults tests: a point inside the demo town, read from a server's own
database through its manage shell."""

from __future__ import annotations

from collections.abc import Callable

POINT_CODE = (
    "from ourbeat.places.models import Area, AreaLevel\n"
    "area = Area.objects.filter(level=AreaLevel.NEIGHBOURHOOD).order_by('code').first()\n"
    "p = area.geometry.representative_point()\n"
    "print(p.y, p.x)"
)


def town_point(shell: Callable[[str], str]) -> tuple[str, str]:
    lat, lng = shell(POINT_CODE).split()[-2:]
    return lat, lng


def request_fields(api_key: str, lat: str, lng: str, text: str) -> dict[str, str]:
    return {
        "api_key": api_key,
        "service_code": "asb-noise",
        "lat": lat,
        "long": lng,
        "email": "resident@example.org",
        "first_name": "Robin",
        "description": text,
    }
