"""Form and sample files of guide materials: checked by their content, stored under new names.

A file is accepted when its bytes are one of: PDF; a Word or Excel 2007+ document (a zip
whose ``[Content_Types].xml`` declares the main part and which holds ``word/document.xml``
or ``xl/workbook.xml``); a Word, Excel or WPS file of the older kind (an OLE compound file
holding a ``WordDocument`` or ``Workbook``/``Book`` stream); or a JPEG, PNG, GIF or WEBP
image that Pillow can read. The name's extension and the browser's content type are never
trusted: the stored name and the type served come from what the content is. Nothing is
parsed before the size is bounded.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

MAX_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_CONTENT_TYPES_BYTES = 512 * 1024
MAX_IMAGE_PIXELS = 50_000_000
UPLOAD_DIR = "guides/forms"

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGE_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
}
# OLE compound files: the extension only tells which of the accepted kinds it is.
OLE_KINDS = {
    "doc": ("application/msword", (b"WordDocument",)),
    "wps": ("application/vnd.ms-works", (b"WordDocument",)),
    "xls": ("application/vnd.ms-excel", (b"Workbook", b"Book")),
    "et": ("application/vnd.ms-excel", (b"Workbook", b"Book")),
}
ACCEPTED = "PDF、DOC、DOCX、XLS、XLSX、WPS文件或JPG、PNG、GIF、WEBP图片"


@dataclass(frozen=True)
class Sniffed:
    extension: str
    content_type: str


def _refuse(field: str, label: str, reason: str) -> ValidationError:
    return ValidationError(f"{field}的文件“{label}”{reason}")


def clean_label(name: str) -> str:
    """The uploader's file name as it may be shown: no path, no control characters, short."""
    name = unicodedata.normalize("NFKC", os.path.basename(str(name or "").replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"/|?*]+', "_", name).strip(" .") or "附件"
    stem, _dot, _ext = name.rpartition(".")
    return (stem or name)[:80]


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    return data


def _ole_streams(data: bytes, names: tuple[bytes, ...]) -> bool:
    """Whether one of the stream ``names`` appears (UTF-16LE) in the compound file."""
    return any(name.decode().encode("utf-16-le") in data for name in names)


def _office_zip(upload, data: bytes) -> Sniffed | None:
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            return None
        names = {entry.filename: entry for entry in entries}
        types = names.get("[Content_Types].xml")
        if types is None or types.file_size > MAX_CONTENT_TYPES_BYTES:
            return None
        try:
            declared = archive.read(types).decode("utf-8", "replace")
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError):
            return None
    if "word/document.xml" in names and "wordprocessingml.document.main" in declared:
        return Sniffed("docx", DOCX_TYPE)
    if "xl/workbook.xml" in names and (
        "spreadsheetml.sheet.main" in declared or "spreadsheetml.template.main" in declared
    ):
        return Sniffed("xlsx", XLSX_TYPE)
    return None


def _image(upload, mime: str) -> Sniffed | None:
    from PIL import Image

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return None
            image.verify()
    except Exception:  # noqa: BLE001 - any failure to read means "not an image we accept"
        return None
    finally:
        upload.seek(0)
    return Sniffed(IMAGE_TYPES[mime], mime)


def sniff(upload, *, field: str = "“表格或样表”") -> Sniffed:
    """What ``upload`` is by its content, or a ValidationError naming the field (as shown,
    quoted) and the file."""
    label = clean_label(getattr(upload, "name", "")) + os.path.splitext(upload.name or "")[1][:10]
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse(field, label, f"超过10 MB（{size / 1024 / 1024:.1f} MB），请压缩后再上传。")
    data = _read_all(upload)
    if len(data) > MAX_BYTES:
        raise _refuse(field, label, "超过10 MB，请压缩后再上传。")
    if not data:
        raise _refuse(field, label, "是空文件。")
    found: Sniffed | None = None
    if data.startswith(b"%PDF-"):
        found = Sniffed("pdf", "application/pdf")
    elif data.startswith(ZIP_SIGNATURE):
        found = _office_zip(upload, data)
    elif data.startswith(OLE_SIGNATURE):
        extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
        kind = OLE_KINDS.get(extension)
        if kind is None:  # decide by the streams it holds
            if _ole_streams(data, (b"WordDocument",)):
                extension, kind = "doc", OLE_KINDS["doc"]
            elif _ole_streams(data, (b"Workbook", b"Book")):
                extension, kind = "xls", OLE_KINDS["xls"]
        if kind is not None and _ole_streams(data, kind[1]):
            found = Sniffed(extension, kind[0])
    else:
        guess = filetype.guess(data[:8192])
        if guess is not None and guess.mime in IMAGE_TYPES:
            found = _image(upload, guess.mime)
    if found is None:
        raise _refuse(field, label, f"不是可接受的文件（只接受{ACCEPTED}，按文件内容判断）。")
    return found


def store(upload, sniffed: Sniffed, *, now=None) -> str:
    """Save ``upload`` under a new generated name; returns the storage name."""
    now = now or timezone.now()
    name = f"{UPLOAD_DIR}/{now:%Y/%m}/{uuid.uuid4().hex}.{sniffed.extension}"
    upload.seek(0)
    return default_storage.save(name, upload)
