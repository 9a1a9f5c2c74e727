"""A profile photo is re-encoded as a JPEG with every piece of metadata (EXIF GPS above
all) removed; files that are not images, or too large, are refused with a form error."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ourbeat.teams.models import OfficerProfile


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (1200, 900), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Ltd"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 12.5)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(0x8825), "the test photo carries GPS"
    return data


def _post(client: Any, upload: SimpleUploadedFile) -> Any:
    return client.post(
        "/en/staff/profile/", {"name": "Pat Officer", "rank": "Police Constable", "photo": upload}
    )


def test_an_uploaded_photo_loses_its_exif_and_gps(
    personas: dict[str, Any], client_for: Any
) -> None:
    upload = SimpleUploadedFile("me.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    response = _post(client_for(personas["officer"]), upload)
    assert response.status_code == 302
    profile = OfficerProfile.objects.get(user=personas["officer"])
    assert str(profile.photo.name).endswith(".jpg")
    with profile.photo.open("rb") as stored:
        data = stored.read()
    assert b"Exif" not in data
    assert b"SpyCam" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info
        assert max(image.size) <= 600


def test_a_png_is_re_encoded_as_jpeg(personas: dict[str, Any], client_for: Any) -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 255, 128)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")
    assert _post(client_for(personas["officer"]), upload).status_code == 302
    profile = OfficerProfile.objects.get(user=personas["officer"])
    with profile.photo.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("me.jpg", b"this is not an image at all"),
        ("me.jpg", _jpeg_with_gps()[:200]),  # truncated
        (
            "me.gif",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01"
            b"\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        ),
    ],
)
def test_a_file_that_is_not_a_usable_image_is_a_form_error(
    name: str, content: bytes, personas: dict[str, Any], client_for: Any
) -> None:
    response = _post(client_for(personas["officer"]), SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert response.context["form"].errors["photo"]
    assert not OfficerProfile.objects.get(user=personas["officer"]).photo


def test_an_oversized_file_is_a_form_error(personas: dict[str, Any], client_for: Any) -> None:
    big = _jpeg_with_gps() + b"\0" * (5 * 1024 * 1024)
    response = _post(client_for(personas["officer"]), SimpleUploadedFile("me.jpg", big))
    assert response.status_code == 200
    assert "5 MB" in str(response.context["form"].errors["photo"])
    assert not OfficerProfile.objects.get(user=personas["officer"]).photo
