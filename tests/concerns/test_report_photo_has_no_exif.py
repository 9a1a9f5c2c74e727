"""A photo sent with a report is served publicly re-encoded, with no EXIF (no GPS)."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from ourbeat.concerns import services
from ourbeat.concerns.models import Concern, Reporter
from tests.concerns.test_report_helpers import REPORT_URL, jpeg_bytes, photo, report_data


def test_the_test_photo_does_carry_gps() -> None:
    with Image.open(io.BytesIO(jpeg_bytes(gps=True))) as image:
        assert image.getexif().get_ifd(0x8825)


def test_the_published_photo_has_no_exif(
    town: Any, client: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    data = {**report_data(town.home), "photos": [photo(gps=True)]}
    assert client.post(REPORT_URL, data).status_code == 302
    concern = Concern.objects.get(idempotency_key=data["idempotency_key"])
    Reporter.objects.filter(concern=concern).update(token_hash=services.token_hash("t0ken"))
    services.concern_publish(concern=services.concern_confirm(token="t0ken"), actor=None)
    html = client.get(concern.get_absolute_url()).content.decode()
    url = concern.photos.get().image.url
    assert url in html
    served = b"".join(client.get(url).streaming_content)
    with Image.open(io.BytesIO(served)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info
    assert b"SpyCam" not in served
