"""Uploaded photos: type and size checked, re-encoded, every byte of metadata dropped."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_BYTES = 5 * 1024 * 1024
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


def photo_reencode(upload: UploadedFile, *, max_side: int = 600) -> ContentFile:
    """Re-encode an uploaded photo as a JPEG at most ``max_side`` px a side, dropping all
    metadata (EXIF GPS included) because only the pixels are copied."""
    if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than 5 MB."))
    try:
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("The photo must be a JPEG, PNG or WebP image."))
            upright = ImageOps.exif_transpose(image) or image
            upright.thumbnail((max_side, max_side))
            rgba = upright.convert("RGBA")
            clean = Image.new("RGB", rgba.size, "white")
            clean.paste(rgba, mask=rgba.split()[-1])
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(_("The file is not an image we can read.")) from error
    buffer = io.BytesIO()
    clean.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name="photo.jpg")
