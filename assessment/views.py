"""Staff pages of the assessment: dashboards, the item grid, overrides, the round, reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessment import services
from assessment.exports import report_workbook
from assessment.forms import OverrideForm, RoundForm
from assessment.models import Dimension
from assessment.scoring import SchemeError, assess, item_grid
from assessment.selectors import (
    assessment_years,
    children_of,
    dashboard_charts,
    default_year,
    overrides_within,
    require_assess,
)
from catalogs.downloads import attachment_response
from catalogs.models import Region, RegionLevel
from catalogs.permissions import is_province_reviewer, profile_of
from items.models import Item
from review.views.base import error_text, local_today, render_staff

DASHBOARD_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY)
GRID_PAGE_SIZE = 200


def chosen_year(request) -> int:
    value = request.GET.get("year") or request.POST.get("year") or ""
    return int(value) if value.isdigit() else default_year(local_today())


def region_for(request, code, *, levels=None) -> Region:
    """A region the user may assess: 404 outside what they may read, 403 inside it."""
    queryset = Region.objects.for_user(request.user)
    if levels:
        queryset = queryset.filter(level__in=levels)
    region = get_object_or_404(queryset, code=code)
    require_assess(request.user, region)
    return region


def _assess(region, year):
    try:
        return assess(root=region, year=year, today=local_today())
    except SchemeError as error:
        raise Http404(str(error)) from error


@login_required
def home(request):
    if is_province_reviewer(request.user):
        province = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
        if province is not None:
            return redirect("assessment:dashboard", code=province.code)
    profile = profile_of(request.user)
    if profile and profile.region.level == RegionLevel.CITY:
        return redirect("assessment:dashboard", code=profile.region.code)
    raise PermissionDenied("只有省级审核人员和市级协调员可以查看目标责任制评估。")


@login_required
def dashboard(request, code):
    region = region_for(request, code, levels=DASHBOARD_LEVELS)
    year = chosen_year(request)
    result = _assess(region, year)
    charts = dashboard_charts(result, region)
    return render_staff(
        request,
        "assessment/dashboard.html",
        {
            "region": region,
            "year": year,
            "years": assessment_years(),
            "result": result,
            "own": result.of(region),
            "ranking": children_of(result, region),
            "indicator_names": result.indicator_names,
            "charts": charts,
            "chart_data": [chart.as_json() for chart in charts],
            "inputs": result.grid.inputs,
            "overrides": overrides_within(region, year)[:20],
            "round_form": RoundForm(),
        },
    )


@login_required
def grid(request, code):
    region = region_for(request, code)
    year = chosen_year(request)
    result = item_grid(root=region, year=year, today=local_today())
    short_only = request.GET.get("short") == "1"
    rows = [row for row in result.rows if row.short] if short_only else result.rows
    page = Paginator(rows, GRID_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_staff(
        request,
        "assessment/grid.html",
        {
            "region": region,
            "year": year,
            "years": assessment_years(),
            "grid": result,
            "page": page,
            "short_only": short_only,
            "row_count": len(rows),
            "dimensions": Dimension.choices,
            "round_form": RoundForm(),
        },
    )


@login_required
def override(request, pk):
    item = get_object_or_404(Item.objects.select_related("catalog__region"), pk=pk)
    region = item.catalog.region
    region_for(request, region.code)
    if not is_province_reviewer(request.user):
        raise PermissionDenied("只有省级审核人员可以调整评分。")
    year = chosen_year(request)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_override(actor=request.user, item=item, year=year, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "评分已调整，调整记录已保存。")
            return redirect(f"{reverse('assessment:grid', args=[region.code])}?year={year}")
    row = next(
        r for r in item_grid(root=region, year=year, today=local_today()).rows if r.item.pk == pk
    )
    return render_staff(
        request,
        "assessment/override.html",
        {
            "item": item,
            "region": region,
            "year": year,
            "row": row,
            "form": form,
            "history": overrides_within(region, year).filter(item_public_id=item.public_id),
        },
    )


@login_required
@require_POST
def monitoring_round(request, code):
    region = region_for(request, code)
    year = chosen_year(request)
    form = RoundForm(request.POST)
    target = request.POST.get("next") or reverse("assessment:grid", args=[region.code])
    if not target.startswith("/assessment/"):
        target = reverse("assessment:grid", args=[region.code])
    if not form.is_valid():
        messages.error(request, "请填写有效的整改期限。")
        return redirect(target)
    try:
        result = services.monitoring_round_start(
            actor=request.user, region=region, year=year, due_on=form.cleaned_data["due_on"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            f"已生成{len(result.created)}条整改问题"
            + (f"，{result.skipped}个事项已有未完成的整改问题" if result.skipped else "")
            + "。",
        )
    return redirect(target)


@login_required
def report(request, code):
    region = region_for(request, code, levels=DASHBOARD_LEVELS)
    year = chosen_year(request)
    result = _assess(region, year)
    return attachment_response(
        report_workbook(result, region), f"{region.name}-{year}年度目标责任制评估.xlsx"
    )
