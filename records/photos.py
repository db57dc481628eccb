"""Evidence photos: JPEG or PNG only (checked by decoding), at most 5 MB, EXIF removed.

A phone photo of a 公示栏 carries the place and time it was taken, and sometimes the
phone's owner, in its EXIF block. Re-encoding the decoded pixels drops all of it; the
orientation tag is applied first so the picture still stands the right way up.
"""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Bounds the decoded size too: a small PNG can expand to gigabytes of pixels.
MAX_PHOTO_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png"}


def _read_bounded(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError(f"照片不能超过5MB（现为{size / 1024 / 1024:.1f}MB）。")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_PHOTO_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError("照片不能超过5MB。")
    return data


def sanitize_photo(upload) -> ContentFile:
    """A clean JPEG or PNG re-encoded from ``upload``'s pixels, or ValidationError."""
    data = _read_bounded(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationError("照片只能是JPEG或PNG格式。")
                if width * height > MAX_PHOTO_PIXELS:
                    raise ValidationError("照片像素过多（超过4000万像素），请缩小后再上传。")
                probe.verify()
            # verify() leaves the image unusable: decode again for the pixels.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                output = io.BytesIO()
                if image_format == "JPEG":
                    if image.mode not in ("RGB", "L"):
                        image = image.convert("RGB")
                    image.save(output, format="JPEG", quality=88, optimize=True)
                else:
                    image.save(output, format="PNG", optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("无法识别照片：文件不是有效的JPEG或PNG图片。") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(f"照片已损坏，无法读取（{exc.__class__.__name__}）。") from None
    return ContentFile(output.getvalue(), name=f"photo{ALLOWED_FORMATS[image_format]}")
