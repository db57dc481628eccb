"""Staff pages of the inquiries app (under /inquiries/: strict CSP, no-store): the overview
per region for the province and the cities, with CSV and XLSX downloads."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook

from catalogs.admin.base import is_staff_member
from catalogs.downloads import attachment_response
from catalogs.models import Region, RegionLevel, Role
from catalogs.permissions import READ_EVERYTHING, profile_of, visible_region_filter
from catalogs.spreadsheets import csv_row, workbook_text_only
from inquiries.forms import OverviewForm
from inquiries.models import InquirySettings
from inquiries.selectors import COLUMNS, region_overview

OVERVIEW_ROLES = READ_EVERYTHING | {Role.CITY_COORDINATOR}


def _home_region(user) -> Region:
    """The region the overview starts from: the province, or the coordinator's city."""
    if not is_staff_member(user):
        raise PermissionDenied("只有工作人员可以查看留言办理情况。")
    profile = profile_of(user)
    if user.is_superuser and profile is None:
        region = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
        if region is None:
            raise Http404("尚未导入行政区划。")
        return region
    if profile is None or profile.role not in OVERVIEW_ROLES:
        raise PermissionDenied(
            "留言办理情况总览供省级和市级工作人员查看；请在管理后台的“群众留言”中办理本地留言。"
        )
    return profile.region


@login_required
def overview(request):
    home = _home_region(request.user)
    form = OverviewForm(request.GET or None)
    today = timezone.localdate()
    start, end = form.period(today)
    code = form.cleaned_data.get("region") if form.is_bound and form.is_valid() else ""
    scope = home
    if code and code != home.code:
        scope = (
            Region.objects.filter(code=code)
            .filter(visible_region_filter(request.user, prefix=""))
            .filter(path__startswith=home.path)
            .first()
        )
        if scope is None:
            raise Http404("找不到该区划，或您无权查看。")
    rows, total = region_overview(scope, start=start, end=end, today=today)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _download(fmt, scope, rows, total, start, end, today)
    shown = OverviewForm(initial={"start": start, "end": end})  # the period actually used
    return render(
        request,
        "inquiries/overview.html",
        {
            "form": shown,
            "scope": scope,
            "home": home,
            "rows": rows,
            "total": total,
            "columns": COLUMNS,
            "start": start,
            "end": end,
            "today": today,
            "config": InquirySettings.load(),
            "drill": scope.level in (RegionLevel.PROVINCE, RegionLevel.CITY),
        },
    )


def _table(rows, total) -> list[list]:
    header = ["区划代码", "区划", *(label for _, label in COLUMNS), "按时答复率"]
    body = [
        [
            row.region.code if row.region else "",
            row.label,
            *(row.counts[name] for name, _ in COLUMNS),
            row.on_time_rate,
        ]
        for row in [*rows, total]
    ]
    return [header, *body]


def _download(fmt, scope, rows, total, start, end, today):
    name = f"留言办理情况-{scope.name}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    table = _table(rows, total)
    note = f"收到日期{start:%Y-%m-%d}至{end:%Y-%m-%d}；逾期未答复按{today:%Y-%m-%d}计"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(csv_row([f"{scope.name}留言办理情况", note]))
        for line in table:
            writer.writerow(csv_row(line))
        return attachment_response("\ufeff" + buffer.getvalue(), name)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "留言办理情况"
    sheet.append([f"{scope.name}留言办理情况（{note}）"])
    for line in table:
        sheet.append(line)
    workbook_text_only(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return attachment_response(out.getvalue(), name)
