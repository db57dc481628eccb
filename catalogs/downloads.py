"""File downloads: one way to answer with an attachment, whoever serves it.

Every xlsx, csv and json file the portal hands out (admin exports, review reports, public
downloads) goes through ``attachment_response`` so that the name, the content type and the
caching rules are the same everywhere.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

CONTENT_TYPES = {
    "xlsx": XLSX_CONTENT_TYPE,
    "csv": CSV_CONTENT_TYPE,
    "json": JSON_CONTENT_TYPE,
}


def attachment_response(
    content: bytes | str, filename: str, *, content_type: str | None = None
) -> HttpResponse:
    """An attachment named ``filename`` (Chinese allowed: RFC 6266 ``filename*``).

    The content type follows the file's suffix unless given.
    """
    if content_type is None:
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        content_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
    response = HttpResponse(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
