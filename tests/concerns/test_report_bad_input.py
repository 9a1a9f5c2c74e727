"""Bad input never costs data: each problem gets a clear form error and nothing is
half-written (no concern, reporter or photo)."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ourbeat.concerns.models import Concern, Photo, Reporter
from tests.concerns.test_report_helpers import REPORT_URL, photo, report_data


def counts() -> tuple[int, int, int]:
    return Concern.objects.count(), Reporter.objects.count(), Photo.objects.count()


def huge_photo() -> SimpleUploadedFile:
    """A real JPEG of more than 5 MB (random pixels compress badly)."""
    image = Image.frombytes("RGB", (1800, 1800), os.urandom(1800 * 1800 * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=100)
    data = buffer.getvalue()
    if len(data) < 6 * 1024 * 1024:  # pad the file after the image's end marker
        data += b"\0" * (6 * 1024 * 1024 - len(data))
    return SimpleUploadedFile("big.jpg", data, content_type="image/jpeg")


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "empty description": ({"description": ""}, "This field is required"),
    "blank description": ({"description": "   "}, "This field is required"),
    "huge description": ({"description": "x" * 5001}, "at most 5000 characters"),
    "latitude is text": ({"lat": "north"}, "Enter a number"),
    "latitude is NaN": ({"lat": "NaN"}, "Enter a number"),
    "longitude is infinite": ({"lng": "inf"}, "Enter a number"),
    "latitude out of range": ({"lat": "123"}, "less than or equal to 90"),
    "outside the town": ({"lat": "10.0", "lng": "10.0"}, "outside the neighbourhoods we serve"),
    "no place at all": ({"lat": "", "lng": "", "location_text": ""}, "Show us where it is"),
    "a landmark but no point": ({"lat": "", "lng": ""}, "alone is not enough"),
    "unknown category": ({"category": "no-such-thing"}, "Select a valid choice"),
    "no e-mail when signed out": ({"email": ""}, "This field is required"),
    "not an e-mail": ({"email": "robin-at-example"}, "Enter a valid email address"),
    "long e-mail": ({"email": "a" * 250 + "@example.org"}, "at most 254 characters"),
    "unknown show_name": ({"show_name": "maybe"}, "Select a valid choice"),
    "long phone": ({"phone": "1" * 41}, "at most 40 characters"),
    "no idempotency key": ({"idempotency_key": ""}, "This field is required"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gets_a_clear_error_and_files_nothing(case: str, town: Any, client: Any) -> None:
    overrides, message = CASES[case]
    before = counts()
    response = client.post(REPORT_URL, report_data(town.home, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before
    assert mail.outbox == []


def post_with_photos(client: Any, town: Any, photos: list[Any]) -> Any:
    return client.post(REPORT_URL, {**report_data(town.home), "photos": photos})


def test_a_file_that_is_not_an_image_is_refused(town: Any, client: Any) -> None:
    before = counts()
    fake = SimpleUploadedFile("shelter.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = post_with_photos(client, town, [fake])
    assert response.status_code == 400
    assert "shelter.jpg is not a JPEG, PNG or WebP photo" in response.content.decode()
    assert counts() == before


def test_a_gif_is_refused(town: Any, client: Any) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="GIF")
    gif = SimpleUploadedFile("a.gif", buffer.getvalue(), content_type="image/gif")
    before = counts()
    assert post_with_photos(client, town, [gif]).status_code == 400
    assert counts() == before


def test_more_than_three_photos_are_refused(town: Any, client: Any) -> None:
    before = counts()
    response = post_with_photos(client, town, [photo(f"{n}.jpg") for n in range(4)])
    assert response.status_code == 400
    assert "Attach at most 3 photos" in response.content.decode()
    assert counts() == before


def test_a_six_megabyte_photo_is_refused(town: Any, client: Any) -> None:
    before = counts()
    response = post_with_photos(client, town, [huge_photo()])
    assert response.status_code == 400
    assert "big.jpg is larger than 5 MB" in response.content.decode()
    assert counts() == before


def test_three_good_photos_are_kept(town: Any, client: Any) -> None:
    data = {**report_data(town.home), "photos": [photo(f"{n}.jpg") for n in range(3)]}
    assert client.post(REPORT_URL, data).status_code == 302
    concern = Concern.objects.get(idempotency_key=data["idempotency_key"])
    assert concern.photos.count() == 3


def test_hostile_html_is_escaped_on_the_public_page(town: Any, client: Any) -> None:
    from ourbeat.concerns import services

    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> graffiti'
    data = report_data(town.home, description=hostile, location_text="<b>bold</b>")
    assert client.post(REPORT_URL, data).status_code == 302
    concern = Concern.objects.get(idempotency_key=data["idempotency_key"])
    assert concern.description == hostile
    services.concern_confirm(token=_token_for(concern))
    concern.refresh_from_db()
    services.concern_publish(concern=concern, actor=None)
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "onerror=alert(1)>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def _token_for(concern: Concern) -> str:
    """Tokens are stored hashed; give the reporter a known one for the test."""
    from ourbeat.concerns.services import token_hash

    Reporter.objects.filter(concern=concern).update(token_hash=token_hash("known-token"))
    return "known-token"
