"""Documents uploaded to a case's workspace: read within a size limit, their type decided by
their content (never by the name or the declared type), images re-encoded without metadata.

Allowed: PDF, PNG, JPEG, plain text or CSV (UTF-8, no NUL bytes, no markup), and office files
in OOXML (Word, Excel, PowerPoint) or ODF (text, spreadsheet, presentation) zip containers
without macros. Everything else is refused, and so are zip bombs (too many entries, or too
many bytes once decompressed, counted while decompressing rather than trusted from the
headers).
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

READ_CHUNK = 64 * 1024
# A zip container may hold at most this many entries and decompress to at most this many
# bytes: office files are far below both; zip bombs are far above.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED = 50 * 1024 * 1024
# Images larger than this (in pixels) are refused before they are decoded.
IMAGE_MAX_PIXELS = 40_000_000
NAME_MAX_LENGTH = 150

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TEXT = "text/plain"
CSV = "text/csv"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

# The file name extension each accepted type is downloaded with.
EXTENSIONS: dict[str, str] = {
    PDF: ".pdf",
    PNG: ".png",
    JPEG: ".jpg",
    TEXT: ".txt",
    CSV: ".csv",
    DOCX: ".docx",
    XLSX: ".xlsx",
    PPTX: ".pptx",
    ODT: ".odt",
    ODS: ".ods",
    ODP: ".odp",
}
# Names that mean the same type (a JPEG may be called .jpeg).
EXTENSION_ALIASES: dict[str, set[str]] = {JPEG: {".jpg", ".jpeg"}, TEXT: {".txt", ".text"}}

# Where each OOXML kind keeps its main part.
OOXML_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": XLSX,
    "ppt/presentation.xml": PPTX,
}
ODF_MIMETYPES = {ODT, ODS, ODP}

# Markup that a browser would run or render: refused in "text" even though it is valid UTF-8,
# because a text file is never supposed to be a web page.
MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|iframe|object|embed|svg|meta|link|style|\?xml)\b",
    re.IGNORECASE,
)
UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w .()+-]", re.UNICODE)


@dataclass(frozen=True)
class CheckedDocument:
    """An upload that passed every check, ready to be stored as it is."""

    content: bytes
    content_type: str
    display_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _refuse(message: str) -> ValidationError:
    return ValidationError({"upload": message})


def read_within(upload: Any, limit: int) -> bytes:
    """The upload's bytes, read in chunks and refused as soon as they pass ``limit`` (the
    declared ``size`` is not trusted: it is the client's word)."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    buffer = bytearray()
    chunks = (
        upload.chunks(READ_CHUNK)
        if hasattr(upload, "chunks")
        else iter(lambda: upload.read(READ_CHUNK), b"")
    )
    for chunk in chunks:
        buffer.extend(chunk)
        if len(buffer) > limit:
            raise _refuse(too_large_message(limit))
    if not buffer:
        raise _refuse(_("The file is empty."))
    return bytes(buffer)


def _image(content: bytes, expected_format: str) -> bytes:
    """Re-encode an image from its pixels alone, in its own format and size, so that no
    metadata (EXIF GPS, comments, colour profiles with text) survives."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != expected_format:
                raise _refuse(_("The image is damaged or not what it claims to be."))
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise _refuse(_("The image has too many pixels."))
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            has_alpha = expected_format == "PNG" and (
                upright.mode in {"RGBA", "LA", "PA"}
                or (upright.mode == "P" and "transparency" in upright.info)
            )
            pixels = upright.convert("RGBA" if has_alpha else "RGB")
            # A new image from the raw pixels: nothing of the original's info travels with it.
            clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise _refuse(_("The image is damaged or not what it claims to be.")) from error
    buffer = io.BytesIO()
    if expected_format == "PNG":
        clean.save(buffer, format="PNG", optimize=True)
    else:
        clean.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _text(content: bytes, name: str) -> str:
    if b"\x00" in content:
        raise _refuse(_("The file type is not allowed."))
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _refuse(
            _("The file type is not allowed (text files must be encoded in UTF-8).")
        ) from error
    if MARKUP.search(content):
        raise _refuse(_("Web pages and other markup cannot be uploaded."))
    # Both are plain text: the name only chooses which of two equally safe labels to use.
    return CSV if name.lower().endswith(".csv") else TEXT


def _read_counted(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Decompress one entry, counting its real bytes; return what is left of the budget."""
    with archive.open(info) as entry:
        while chunk := entry.read(READ_CHUNK):
            budget -= len(chunk)
            if budget < 0:
                raise _refuse(_("The archive decompresses to too much data."))
    return budget


def _office(content: bytes) -> str:
    """The type of an OOXML or ODF file, after checking the container is safe to keep."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                raise _refuse(_("The archive holds too many files."))
            if sum(info.file_size for info in entries) > ZIP_MAX_UNCOMPRESSED:
                raise _refuse(_("The archive decompresses to too much data."))
            names = {info.filename for info in entries}
            lowered = {name.lower() for name in names}
            if any(info.flag_bits & 0x1 for info in entries):
                raise _refuse(_("Encrypted files cannot be uploaded."))
            if any(name.endswith("vbaproject.bin") for name in lowered) or any(
                name.startswith(("basic/", "scripts/")) for name in lowered
            ):
                raise _refuse(_("Files with macros cannot be uploaded."))
            kind: str | None = None
            if "[Content_Types].xml" in names:
                types = archive.read("[Content_Types].xml")
                if b"macroenabled" in types.lower():
                    raise _refuse(_("Files with macros cannot be uploaded."))
                kind = next(
                    (value for part, value in OOXML_MAIN_PARTS.items() if part in names), None
                )
            elif "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                kind = declared if declared in ODF_MIMETYPES else None
            if kind is None:
                raise _refuse(_("The file type is not allowed."))
            # The headers' sizes are the uploader's word: count the real bytes (this also
            # checks every entry's CRC).
            budget = ZIP_MAX_UNCOMPRESSED
            for info in entries:
                budget = _read_counted(archive, info, budget)
            return kind
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise _refuse(_("The file is damaged.")) from error
    except NotImplementedError as error:  # an unsupported compression method
        raise _refuse(_("The file type is not allowed.")) from error


def detect(content: bytes, name: str) -> tuple[str, bytes]:
    """The content type decided by the bytes, and the bytes to keep (images re-encoded)."""
    if content.startswith(b"%PDF-"):
        return PDF, content
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG, _image(content, "PNG")
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG, _image(content, "JPEG")
    if content.startswith(b"PK\x03\x04"):
        return _office(content), content
    return _text(content, name), content


def display_name(original: str, content_type: str) -> str:
    """A name safe to show and to offer as the download's name: the last path component, no
    control or shell characters, ending in the detected type's extension."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", original or ""))[-1]
    base = UNSAFE_NAME_CHARACTERS.sub("_", base).strip(" ._")
    extension = EXTENSIONS[content_type]
    allowed = EXTENSION_ALIASES.get(content_type, {extension})
    suffix = PurePath(base).suffix.lower() if base else ""
    stem = base[: -len(suffix)] if suffix in allowed else base
    stem = stem.strip(" ._")[: NAME_MAX_LENGTH - len(extension)] or "document"
    return stem + (suffix if suffix in allowed else extension)


def check_document(upload: Any, *, max_bytes: int) -> CheckedDocument:
    """Read and check an upload; ``ValidationError`` (on ``upload``) when it is refused."""
    name = str(getattr(upload, "name", "") or "")
    raw = read_within(upload, max_bytes)
    content_type, content = detect(raw, name)
    return CheckedDocument(
        content=content,
        content_type=content_type,
        display_name=display_name(name, content_type),
        sha256=hashlib.sha256(content).hexdigest(),
    )


class SizeLimitUploadHandler(FileUploadHandler):
    """First in the request's chain of upload handlers: drops a file as soon as it passes
    ``limit`` bytes, before the next handlers keep it in memory or write it to disk. The
    view then reports the refusal (``exceeded``)."""

    def __init__(self, request: Any, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def too_large_message(limit: int) -> str:
    return _("The file is larger than %(limit)s MB.") % {"limit": f"{limit / (1024 * 1024):.3g}"}
