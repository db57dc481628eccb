"""Staff pages of the matters app: the report of 民政 entries no catalog item links to."""

from __future__ import annotations

import csv
import io

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from openpyxl import Workbook

from catalogs.downloads import attachment_response
from catalogs.models import Region
from catalogs.spreadsheets import csv_row, keep_text_as_text, xlsx_value
from matters.permissions import may_read_reports
from matters.selectors import unlinked_matters

REPORT_COLUMNS = ("区划代码", "区划名称", "事项编码", "事项名称", "实施主体", "所属部门", "办理项")
REPORT_MAX_ROWS = 5000


def _rows(matters) -> list[list[str]]:
    return [
        [
            matter.region.code,
            matter.region.name,
            matter.code,
            matter.name,
            matter.implementer,
            matter.department,
            "；".join(matter.handling_items or []),
        ]
        for matter in matters
    ]


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "未关联的民政事项"
    sheet.append(REPORT_COLUMNS)
    for row in rows:
        sheet.append([xlsx_value(value) for value in row])
    keep_text_as_text(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for row in rows:
        writer.writerow(csv_row(row))
    return buffer.getvalue().encode("utf-8")


def unlinked_report(request):
    """民政 entries of the user's regions (or of ?region=CODE within them) not linked to any
    catalog item; ?format=csv or xlsx downloads the same rows."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_read_reports(request.user):
        raise PermissionDenied("只有工作人员可以查看该报告。")
    region = None
    code = request.GET.get("region", "").strip()
    if code:
        region = Region.objects.for_user(request.user).filter(code=code[:12]).first()
        if region is None:
            raise Http404("找不到该地区，或您无权查看。")
    matters = unlinked_matters(request.user, region)
    rows = _rows(matters[:REPORT_MAX_ROWS])
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        day = timezone.localdate().strftime("%Y%m%d")
        name = f"未关联的民政事项-{region.name if region else '全部'}-{day}.{fmt}"
        content = _csv(rows) if fmt == "csv" else _xlsx(rows)
        return attachment_response(content, name)
    context = {
        **admin.site.each_context(request),
        "title": "未关联目录事项的民政政务服务事项",
        "rows": rows,
        "region": region,
        "truncated": len(rows) >= REPORT_MAX_ROWS,
        "query": f"region={region.code}&" if region else "",
    }
    return TemplateResponse(request, "matters/unlinked.html", context)
