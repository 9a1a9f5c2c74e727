"""Documents uploaded to a case are judged by their content, not their name: only PDF, PNG,
JPEG, UTF-8 text and macro-free office files are kept; images lose their metadata; a refused
upload leaves no row and no file behind."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

pytestmark = pytest.mark.django_db

GPS_IFD = ExifTags.IFD.GPSInfo
DOCX_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="'
    b'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCM_CONTENT_TYPES = DOCX_CONTENT_TYPES.replace(
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    b"application/vnd.ms-word.document.macroEnabled.main+xml",
)


@pytest.fixture
def officer(personas: Any, client_for: Any) -> Any:
    return client_for(personas["officer"])


def _upload(client: Any, case: Any, name: str, content: bytes) -> Any:
    return client.post(
        reverse("staff_problems:document_upload", kwargs={"pk": case.pk}),
        {"upload": SimpleUploadedFile(name, content), "title": ""},
    )


def _files(directory: Any) -> list[Any]:
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx(**extra: bytes) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": DOCX_CONTENT_TYPES,
            "word/document.xml": b"<w:document/>",
            **extra,
        }
    )


def _image_with_gps(image_format: str) -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    gps = exif.get_ifd(GPS_IFD)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 40.0)
    exif[ExifTags.Base.Make] = "SpyCam"
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, exif=exif)
    return buffer.getvalue()


REFUSED = {
    "exe_renamed_pdf": ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
    "html_renamed_png": ("photo.png", b"<!DOCTYPE html><script>alert(document.cookie)</script>"),
    "svg_renamed_txt": ("notes.txt", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'),
    "latin1_text": ("notes.txt", "Caf\u00e9 minutes".encode("latin-1")),
    "png_header_only": ("map.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
    "jpeg_header_garbage": ("photo.jpg", b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 5),
    "plain_zip": ("archive.docx", _zip({"readme.txt": b"hello"})),
    "macro_docx": ("letter.docx", _docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})),
    "macro_enabled_types": (
        "letter.docx",
        _zip({"[Content_Types].xml": DOCM_CONTENT_TYPES, "word/document.xml": b"<w:document/>"}),
    ),
    "odf_with_basic_macros": (
        "sheet.ods",
        _zip(
            {
                "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                "content.xml": b"<office:document-content/>",
                "Basic/Standard/Module1.xml": b"<script:module/>",
            }
        ),
    ),
    "many_entries": (
        "many.docx",
        _docx(**{f"word/media/part{index}.xml": b"x" for index in range(2001)}),
    ),
    "truncated_zip": ("broken.docx", _docx()[:-30]),
}


# Why each is refused, as the form error says it.
REASONS = {
    "exe_renamed_pdf": "The file type is not allowed",
    "html_renamed_png": "markup cannot be uploaded",
    "svg_renamed_txt": "markup cannot be uploaded",
    "latin1_text": "encoded in UTF-8",
    "png_header_only": "damaged or not what it claims",
    "jpeg_header_garbage": "damaged or not what it claims",
    "plain_zip": "The file type is not allowed",
    "macro_docx": "macros cannot be uploaded",
    "macro_enabled_types": "macros cannot be uploaded",
    "odf_with_basic_macros": "macros cannot be uploaded",
    "many_entries": "too many files",
    "truncated_zip": "The file is damaged",
}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_a_refused_upload_gets_a_form_error_and_leaves_nothing_behind(
    case: Any, officer: Any, private_dir: Any, kind: str
) -> None:
    from ourbeat.core.models import AuditEvent

    name, content = REFUSED[kind]

    response = _upload(officer, case, name, content)

    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert REASONS[kind] in response.content.decode()
    assert case.documents.count() == 0
    assert _files(private_dir) == []
    assert not AuditEvent.objects.filter(action="problems.document.add").exists()


def test_a_zip_bomb_is_refused(case: Any, officer: Any, private_dir: Any) -> None:
    # 60 MB of zeros deflate to about 60 KB: far below the size limit, far above what the
    # archive may decompress to (50 MB).
    bomb = _docx(**{"word/media/zeros.bin": b"\x00" * (60 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024

    response = _upload(officer, case, "bomb.docx", bomb)

    assert response.status_code == 400
    assert "decompresses to too much data" in response.content.decode()
    assert case.documents.count() == 0
    assert _files(private_dir) == []


def test_an_empty_file_is_refused(case: Any, officer: Any, private_dir: Any) -> None:
    response = _upload(officer, case, "empty.pdf", b"")

    assert response.status_code == 400
    assert case.documents.count() == 0
    assert _files(private_dir) == []


def test_a_file_over_the_size_limit_is_refused(
    case: Any, officer: Any, private_dir: Any, settings: Any
) -> None:
    settings.OURBEAT_DOCUMENT_MAX_BYTES = 1000

    response = _upload(officer, case, "long.txt", b"a" * 1001)

    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert case.documents.count() == 0
    assert _files(private_dir) == []


def test_a_file_exactly_at_the_size_limit_is_kept(
    case: Any, officer: Any, private_dir: Any, settings: Any
) -> None:
    settings.OURBEAT_DOCUMENT_MAX_BYTES = 1000

    response = _upload(officer, case, "long.txt", b"a" * 1000)

    assert response.status_code == 302
    assert case.documents.get().size == 1000


def test_a_path_trick_name_is_stored_under_a_random_token_and_shown_sanitised(
    case: Any, officer: Any, private_dir: Any
) -> None:
    response = _upload(officer, case, "../../etc/passwd", b"root:x:0:0\n")

    assert response.status_code == 302
    document = case.documents.get()
    assert document.original_name == "passwd.txt"
    assert ".." not in document.stored_name
    files = _files(private_dir)
    assert len(files) == 1
    assert files[0].parent == private_dir / "problems"
    assert files[0].name != "passwd"


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("../../etc/passwd", "text/plain", "passwd.txt"),
        ("..\\..\\windows\\system32\\cmd.exe", "application/pdf", "cmd.exe.pdf"),
        ("minutes.pdf", "application/pdf", "minutes.pdf"),
        ("photo.JPEG", "image/jpeg", "photo.jpeg"),
        ("invoice.pdf.exe", "image/png", "invoice.pdf.exe.png"),
        ("a<b>c|d:e*f?.txt", "text/plain", "a_b_c_d_e_f.txt"),
        ("...", "application/pdf", "document.pdf"),
        ("", "text/csv", "document.csv"),
    ],
)
def test_display_names_lose_their_path_and_end_in_the_detected_type(
    original: str, content_type: str, expected: str
) -> None:
    from ourbeat.problems.uploads import display_name

    assert display_name(original, content_type) == expected


def test_a_pdf_is_kept_byte_for_byte(case: Any, officer: Any, private_dir: Any) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    assert _upload(officer, case, "scan.bin", pdf).status_code == 302

    document = case.documents.get()
    assert document.content_type == "application/pdf"
    assert document.original_name == "scan.bin.pdf"
    assert _files(private_dir)[0].read_bytes() == pdf


def test_an_office_document_without_macros_is_kept(
    case: Any, officer: Any, private_dir: Any
) -> None:
    docx = _docx()

    assert _upload(officer, case, "letter.docx", docx).status_code == 302

    document = case.documents.get()
    assert document.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert _files(private_dir)[0].read_bytes() == docx


def test_an_opendocument_spreadsheet_is_kept(case: Any, officer: Any, private_dir: Any) -> None:
    ods = _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b"<office:document-content/>",
        }
    )

    assert _upload(officer, case, "counts.ods", ods).status_code == 302
    assert case.documents.get().content_type == "application/vnd.oasis.opendocument.spreadsheet"


@pytest.mark.parametrize(("image_format", "name"), [("PNG", "map.png"), ("JPEG", "photo.jpg")])
def test_an_image_with_exif_gps_comes_back_without_it(
    case: Any, officer: Any, private_dir: Any, image_format: str, name: str
) -> None:
    original = _image_with_gps(image_format)
    with Image.open(io.BytesIO(original)) as before:
        # The test image really carries the location, so the check below can fail.
        assert before.getexif().get_ifd(GPS_IFD)[ExifTags.GPS.GPSLatitudeRef] == "N"

    assert _upload(officer, case, name, original).status_code == 302
    document = case.documents.get()
    response = officer.get(
        reverse("staff_problems:document", kwargs={"pk": case.pk, "document_id": document.pk})
    )

    assert response.status_code == 200
    returned = response.content
    with Image.open(io.BytesIO(returned)) as after:
        assert after.format == image_format
        assert after.size == (40, 30)
        assert dict(after.getexif()) == {}
        assert after.getexif().get_ifd(GPS_IFD) == {}
    assert b"SpyCam" not in returned
    assert b"Exif" not in returned
    assert b"eXIf" not in returned


def test_an_upload_without_the_csrf_token_is_refused_and_keeps_nothing(
    case: Any, personas: Any, private_dir: Any
) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["officer"])

    response = _upload(client, case, "minutes.txt", b"Minutes\n")

    assert response.status_code == 403
    assert case.documents.count() == 0
    assert _files(private_dir) == []
