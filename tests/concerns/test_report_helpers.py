"""Helpers the resident's reporting tests share (no tests here): a point inside a
neighbourhood, the form data of a complete report, and photos built with Pillow."""

from __future__ import annotations

import io
import secrets
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from shapely.geometry import shape

REPORT_URL = "/en/report/"


def point_in(area: Any) -> tuple[float, float]:
    point = shape(area.boundary).representative_point()
    return round(point.y, 6), round(point.x, 6)


def report_data(area: Any, **overrides: Any) -> dict[str, Any]:
    lat, lng = point_in(area)
    data: dict[str, Any] = {
        "lat": str(lat),
        "lng": str(lng),
        "location_text": "Behind the library",
        "category": "asb-vandalism",
        "description": "Someone keeps spraying graffiti on the bus shelter every weekend.",
        "show_name": "no",
        "name": "Robin Resident",
        "email": "robin@example.org",
        "phone": "",
        "url": "",
        "idempotency_key": secrets.token_urlsafe(24),
    }
    data.update(overrides)
    return data


def jpeg_bytes(*, gps: bool = False, size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    buffer = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "SpyCam"  # Make
        gps_ifd = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
        exif[0x8825] = gps_ifd  # GPSInfo
        image.save(buffer, format="JPEG", exif=exif)
    else:
        image.save(buffer, format="JPEG")
    return buffer.getvalue()


def photo(name: str = "shelter.jpg", **kwargs: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def published_concern(area: Any, *, category: str = "asb-vandalism", **kwargs: Any) -> Any:
    """A concern filed, confirmed and published through the services, as staff would."""
    from ourbeat.concerns import services
    from ourbeat.concerns.models import Category

    lat, lng = point_in(area)
    submitted = services.concern_submit(
        category=Category.objects.get(code=category),
        latitude=lat,
        longitude=lng,
        description=kwargs.pop("description", "Graffiti on the bus shelter again."),
        reporter_email=kwargs.pop("reporter_email", "first@example.org"),
        **kwargs,
    )
    confirmed = services.concern_confirm(token=submitted.token)
    concern = services.concern_publish(concern=confirmed, actor=None)
    concern.token = submitted.token  # type: ignore[attr-defined]
    return concern
