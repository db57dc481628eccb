"""Staff workspaces (工作台) for review and acceptance.

Every object is looked up through ``for_user`` (another region's object is a 404), and
every POST goes through a service (which refuses with 403 whoever may not act).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from catalogs.lifecycle import allowed_moves
from catalogs.models import Catalog, CatalogEvent, CatalogStatus, Region, RegionLevel
from catalogs.permissions import (
    can_edit_region,
    is_province_admin,
    is_province_reviewer,
    profile_of,
)
from items.models import Item
from review import exports, services
from review.forms import (
    AnswerForm,
    CampaignCopyForm,
    ConfirmForm,
    DecisionForm,
    FindingForm,
    MoveForm,
    ReopenForm,
    VerifyForm,
)
from review.models import (
    UNRESOLVED,
    AcceptanceDecision,
    Campaign,
    Finding,
    FindingState,
    Milestone,
    MilestoneCompletion,
)
from review.permissions import (
    Workspace,
    can_answer_finding,
    can_report_milestone,
    require_reviewer,
    workspace_of,
)
from review.selectors import (
    ProgressStatus,
    StatusCounts,
    campaign_progress,
    compare_with_last_accepted,
    findings_by_rule,
    last_accepted_decision,
    review_queue,
    upcoming_milestones,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _render(request, template: str, context: dict):
    """Render with what the staff base template shows on every page."""
    context.setdefault("is_reviewer", is_province_reviewer(request.user))
    context.setdefault("staff_profile", profile_of(request.user))
    return render(request, template, context)


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def _back(request, fallback: str):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"review.xlsx\"; filename*=UTF-8''{_quote(filename)}"
    )
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def _campaign(request) -> Campaign | None:
    chosen = request.GET.get("campaign")
    if chosen and chosen.isdigit():
        return Campaign.objects.filter(pk=chosen).first() or Campaign.objects.current()
    return Campaign.objects.current()


def _today(request):
    return timezone.localdate()


# ---------------------------------------------------------------------------
# Workspaces
# ---------------------------------------------------------------------------


@login_required
def home(request):
    """Each role lands in its own workspace."""
    kind = workspace_of(request.user)
    if kind == Workspace.REVIEWER:
        return redirect("review:dashboard")
    if kind == Workspace.COORDINATOR:
        return redirect("review:city", code=profile_of(request.user).region.code)
    if kind == Workspace.EDITOR:
        return editor_workspace(request)
    raise PermissionDenied("您的账号没有分配工作角色，请联系省级管理员。")


def _move_buttons(user, catalog) -> list[tuple[str, str]]:
    return [
        (to, services.move_label(catalog.status, to))
        for to in allowed_moves(user, catalog)
        if (catalog.status, to) not in services.DECISION_MOVES
        # Republishing is offered only when there is something new to publish.
        and not (
            to == CatalogStatus.PUBLISHED
            and catalog.last_published_at
            and not catalog.has_unpublished_changes
        )
    ]


def editor_workspace(request):
    user = request.user
    region = profile_of(user).region
    today = _today(request)
    campaign = Campaign.objects.current()
    upcoming = (
        upcoming_milestones(campaign=campaign, region=region, today=today, limit=6)
        if campaign
        else []
    )
    catalogs = list(
        Catalog.objects.editable_by(user)
        .select_related("region", "standard")
        .annotate(unresolved=Count("findings", filter=Q(findings__state__in=UNRESOLVED)))
        .order_by("region__path", "standard__order")
    )
    rows = [(catalog, _move_buttons(user, catalog)) for catalog in catalogs]
    findings = (
        Finding.objects.answerable_by(user)
        .awaiting_staff()
        .select_related("catalog__region", "catalog__standard")
        .by_urgency()
    )
    return _render(
        request,
        "review/editor_workspace.html",
        {
            "region": region,
            "campaign": campaign,
            "today": today,
            "upcoming": [
                (
                    entry,
                    entry.milestone.completion == MilestoneCompletion.CONFIRMED
                    and not entry.cell.is_done
                    and can_report_milestone(user, entry.milestone, region),
                )
                for entry in upcoming
            ],
            "rows": rows,
            "findings": findings[:50],
            "findings_total": findings.count(),
            "overdue_total": Finding.objects.answerable_by(user).overdue(today).count(),
        },
    )


@login_required
def city(request, code):
    """A city coordinator's workspace; a provincial reviewer may open any city's."""
    city = get_object_or_404(
        Region.objects.for_user(request.user), code=code, level=RegionLevel.CITY
    )
    today = _today(request)
    campaign = _campaign(request)
    groups, milestones, city_cells = [], [], []
    if campaign:
        table = campaign_progress(campaign=campaign, root=city, today=today)
        milestones = [
            m
            for m in table.milestones
            if set(m.region_levels) & {RegionLevel.COUNTY, RegionLevel.TOWNSHIP}
        ]
        city_cells = [
            (m, table.cell(city, m))
            for m in table.milestones
            if RegionLevel.CITY in m.region_levels
        ]
        catalogs_by_region: dict[int, list] = {}
        for catalog in (
            Catalog.objects.within(city)
            .select_related("standard")
            .only("id", "region_id", "status", "standard__field", "standard__order")
        ):
            catalogs_by_region.setdefault(catalog.region_id, []).append(catalog)
        counties = [r for r in table.regions if r.level == RegionLevel.COUNTY]
        townships: dict[int, list] = {}
        for region in table.regions:
            if region.level == RegionLevel.TOWNSHIP:
                townships.setdefault(region.parent_id, []).append(region)
        for county in counties:
            below = townships.get(county.pk, [])
            summaries = []
            for milestone in milestones:
                counts = StatusCounts()
                for township in below:
                    if cell := table.cell(township, milestone):
                        counts.add(cell.status)
                summaries.append(counts)
            groups.append(
                {
                    "county": county,
                    "cells": [table.cell(county, m) for m in milestones],
                    "catalogs": catalogs_by_region.get(county.pk, []),
                    "summaries": summaries,
                    "townships": [
                        (
                            t,
                            [table.cell(t, m) for m in milestones],
                            catalogs_by_region.get(t.pk, []),
                        )
                        for t in below
                    ],
                }
            )
        totals = [table.counts(m) for m in milestones]
    else:
        totals = []
    findings = Finding.objects.within(city)
    return _render(
        request,
        "review/city.html",
        {
            "city": city,
            "campaign": campaign,
            "campaigns": Campaign.objects.all(),
            "today": today,
            "milestones": milestones,
            "milestone_totals": list(zip(milestones, totals, strict=True)),
            "city_cells": city_cells,
            "groups": groups,
            "township_total": sum(len(group["townships"]) for group in groups),
            "can_submit_rollup": bool(city_cells)
            and any(
                m.completion == MilestoneCompletion.ROLLUP
                and not (cell and cell.is_done)
                and can_report_milestone(request.user, m, city)
                for m, cell in city_cells
            ),
            "unresolved_total": findings.unresolved().count(),
            "overdue_total": findings.overdue(today).count(),
            "rule_counts": findings_by_rule(findings),
            "statuses": ProgressStatus.LABELS,
        },
    )


@login_required
def city_rollup(request, code):
    city = get_object_or_404(
        Region.objects.for_user(request.user), code=code, level=RegionLevel.CITY
    )
    content = exports.city_rollup_workbook(city)
    return _xlsx(content, exports.rollup_filename(city, _today(request)))


@login_required
@require_POST
def city_rollup_submit(request, code):
    city = get_object_or_404(
        Region.objects.for_user(request.user), code=code, level=RegionLevel.CITY
    )
    campaign = Campaign.objects.current()
    form = ConfirmForm(request.POST)
    try:
        if campaign is None or not form.is_valid():
            raise ValidationError("没有当前年度工作。")
        services.rollup_submit(
            actor=request.user, city=city, campaign=campaign, note=form.cleaned_data["note"]
        )
        messages.success(request, f"已报送{city.name}的联系人和事项清单汇总。")
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("review:city", code=city.code)


@login_required
def dashboard(request):
    """The province's overview: progress per city and county per milestone, findings by rule."""
    require_reviewer(request.user)
    today = _today(request)
    campaign = _campaign(request)
    province = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    context = {
        "campaign": campaign,
        "campaigns": Campaign.objects.all(),
        "today": today,
        "province": province,
        "statuses": ProgressStatus.LABELS,
    }
    if campaign and province:
        table = campaign_progress(campaign=campaign, root=province, today=today)
        milestones = [m for m in table.milestones if RegionLevel.PROVINCE not in m.region_levels]
        county_milestones = [
            m
            for m in milestones
            if set(m.region_levels) & {RegionLevel.COUNTY, RegionLevel.TOWNSHIP}
        ]
        cities = [r for r in table.regions if r.level == RegionLevel.CITY]
        city_filter = request.GET.get("city", "")
        counties = [
            r
            for r in table.regions
            if r.level == RegionLevel.COUNTY and (not city_filter or r.code.startswith(city_filter))
        ]
        city_rows = table.grouped_counts(cities)
        county_rows = table.grouped_counts(counties)
        index = {m.pk: i for i, m in enumerate(table.milestones)}
        context.update(
            milestones=milestones,
            province_cells=[
                (m, table.cell(province, m))
                for m in table.milestones
                if RegionLevel.PROVINCE in m.region_levels
            ],
            milestone_totals=[(m, table.counts(m)) for m in milestones],
            city_rows=[
                (
                    city,
                    [counts[index[m.pk]] for m in milestones],
                    sum(counts[index[m.pk]].overdue for m in milestones),
                )
                for city, counts in city_rows
            ],
            county_milestones=county_milestones,
            county_rows=[
                (
                    county,
                    [counts[index[m.pk]] for m in county_milestones],
                    sum(counts[index[m.pk]].overdue for m in county_milestones),
                )
                for county, counts in county_rows
            ],
            city_filter=city_filter,
            cities=cities,
            overdue_total=sum(table.counts(m).overdue for m in milestones),
        )
    findings = Finding.objects.for_user(request.user)
    visible = Catalog.objects.for_user(request.user)
    status_counts = dict(visible.values_list("status").annotate(n=Count("id")).order_by())
    top = max(status_counts.values(), default=0)
    context.update(
        rule_counts=findings_by_rule(findings),
        unresolved_total=findings.unresolved().count(),
        overdue_findings=findings.overdue(today).count(),
        queue_total=visible.filter(
            status__in=(CatalogStatus.ENTERED, CatalogStatus.ACCEPTING)
        ).count(),
        catalog_status=[
            (
                label,
                status_counts.get(value, 0),
                round(100 * status_counts.get(value, 0) / top, 1) if top else 0,
            )
            for value, label in CatalogStatus.choices
        ],
        catalog_total=sum(status_counts.values()),
    )
    return _render(request, "review/dashboard.html", context)


@login_required
def queue(request):
    require_reviewer(request.user)
    page = Paginator(review_queue(request.user), 50).get_page(request.GET.get("page"))
    return _render(request, "review/queue.html", {"page": page})


@login_required
@require_POST
def region_check(request, code):
    region = get_object_or_404(Region.objects.for_user(request.user), code=code)
    try:
        outcome = services.checks_run(actor=request.user, region=region)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        _report_run(request, outcome.run)
    return _back(request, reverse("review:home"))


def _report_run(request, run) -> None:
    messages.success(
        request,
        f"已检查{run.scope_label}：{run.catalog_count}个目录，发现{run.result_count}处问题"
        f"（新增{run.created_count}，复查通过{run.resolved_count}，重新打开{run.reopened_count}），"
        f"用时{run.seconds:.2f}秒。",
    )


# ---------------------------------------------------------------------------
# One catalog
# ---------------------------------------------------------------------------


def _catalog_for(request, pk):
    return get_object_or_404(
        Catalog.objects.for_user(request.user).select_related("region", "standard", "edition"),
        pk=pk,
    )


@login_required
def catalog_detail(request, pk):
    catalog = _catalog_for(request, pk)
    user = request.user
    reviewer = is_province_reviewer(user)
    findings = list(catalog.findings.select_related("item").by_urgency())
    order = {FindingState.OPEN: 0, FindingState.REOPENED: 0, FindingState.ANSWERED: 1}
    findings.sort(key=lambda f: order.get(f.state, 2))
    return _render(
        request,
        "review/catalog.html",
        {
            "catalog": catalog,
            "today": _today(request),
            "moves": _move_buttons(user, catalog),
            "events": CatalogEvent.objects.filter(catalog=catalog)
            .select_related("actor")
            .order_by("-at", "-pk"),
            "findings": findings,
            "items": Item.objects.filter(catalog=catalog).order_by("seq", "pk"),
            "reviewer": reviewer,
            "can_answer": can_edit_region(user, catalog.region),
            "finding_form": FindingForm(catalog=catalog) if reviewer else None,
            "decision_form": DecisionForm()
            if reviewer and catalog.status == CatalogStatus.ACCEPTING
            else None,
            "decisions": AcceptanceDecision.objects.filter(catalog=catalog).select_related(
                "decided_by"
            ),
            "last_accepted": last_accepted_decision(catalog),
        },
    )


@login_required
@require_POST
def catalog_move(request, pk):
    catalog = _catalog_for(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作无效，请刷新后重试。")
        return _back(request, reverse("review:catalog", args=[catalog.pk]))
    try:
        services.catalog_move(
            actor=request.user,
            catalog=catalog,
            to_status=form.cleaned_data["to_status"],
            from_status=form.cleaned_data["from_status"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"“{catalog}”已变更为{catalog.get_status_display()}。")
    return _back(request, reverse("review:catalog", args=[catalog.pk]))


@login_required
@require_POST
def catalog_check(request, pk):
    catalog = _catalog_for(request, pk)
    outcome = services.checks_run(actor=request.user, catalog=catalog)
    _report_run(request, outcome.run)
    return _back(request, reverse("review:catalog", args=[catalog.pk]))


@login_required
@require_POST
def finding_add(request, pk):
    catalog = _catalog_for(request, pk)
    require_reviewer(request.user)
    form = FindingForm(request.POST, catalog=catalog)
    if not form.is_valid():
        messages.error(
            request,
            "问题未保存："
            + "；".join(
                f"{form.fields[name].label}：{'；'.join(errors)}"
                if name in form.fields
                else "；".join(errors)
                for name, errors in form.errors.items()
            ),
        )
        return redirect("review:catalog", pk=catalog.pk)
    try:
        finding = services.finding_create(actor=request.user, catalog=catalog, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, "问题未保存：" + _error_text(error))
        return redirect("review:catalog", pk=catalog.pk)
    messages.success(request, f"已登记问题：{finding.anchor}。")
    return redirect(reverse("review:catalog", args=[catalog.pk]) + "#findings")


@login_required
@require_POST
def catalog_decide(request, pk):
    catalog = _catalog_for(request, pk)
    require_reviewer(request.user)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择验收结论并填写验收意见。")
        return redirect("review:catalog", pk=catalog.pk)
    try:
        decision = services.acceptance_decide(
            actor=request.user,
            catalog=catalog,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("review:catalog", pk=catalog.pk)
    messages.success(request, f"已作出验收结论：{decision.get_decision_display()}。")
    return redirect("review:decision", pk=decision.pk)


@login_required
def catalog_compare(request, pk):
    catalog = _catalog_for(request, pk)
    return _render(
        request,
        "review/compare.html",
        {"catalog": catalog, "comparison": compare_with_last_accepted(catalog)},
    )


@login_required
def decision_report(request, pk):
    decision = get_object_or_404(
        AcceptanceDecision.objects.for_user(request.user).select_related(
            "catalog__region", "catalog__standard", "decided_by"
        ),
        pk=pk,
    )
    findings = exports.report_findings(decision)
    return _render(
        request,
        "review/report.html",
        {
            "decision": decision,
            "catalog": decision.catalog,
            "findings": findings,
            "unresolved": sum(1 for f in findings if f["state"] in UNRESOLVED),
            "items": decision.snapshot.get("items", []),
        },
    )


@login_required
def decision_xlsx(request, pk):
    decision = get_object_or_404(
        AcceptanceDecision.objects.for_user(request.user).select_related(
            "catalog__region", "catalog__standard", "decided_by"
        ),
        pk=pk,
    )
    return _xlsx(exports.acceptance_report_workbook(decision), exports.report_filename(decision))


# ---------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------


def _finding_for(request, pk):
    return get_object_or_404(
        Finding.objects.for_user(request.user).select_related(
            "catalog__region", "catalog__standard", "item", "created_by"
        ),
        pk=pk,
    )


@login_required
def finding_detail(request, pk):
    finding = _finding_for(request, pk)
    moves = services.finding_allowed_moves(request.user, finding)
    return _render(
        request,
        "review/finding.html",
        {
            "finding": finding,
            "today": _today(request),
            "events": finding.events.select_related("actor"),
            "answer_form": AnswerForm() if FindingState.ANSWERED in moves else None,
            "verify_form": VerifyForm() if FindingState.VERIFIED in moves else None,
            "reopen_form": ReopenForm() if FindingState.REOPENED in moves else None,
            "can_answer": can_answer_finding(request.user, finding),
        },
    )


def _finding_action(request, pk, form_class, call, success: str):
    finding = _finding_for(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("review:finding", pk=finding.pk)
    try:
        call(finding, form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return _back(request, reverse("review:finding", args=[finding.pk]))


@login_required
@require_POST
def finding_answer(request, pk):
    return _finding_action(
        request,
        pk,
        AnswerForm,
        lambda f, data: services.finding_answer(
            actor=request.user, finding=f, answer=data["answer"]
        ),
        "已提交整改情况，等待审核人员核验。",
    )


@login_required
@require_POST
def finding_verify(request, pk):
    return _finding_action(
        request,
        pk,
        VerifyForm,
        lambda f, data: services.finding_verify(actor=request.user, finding=f, note=data["note"]),
        "问题已核销。",
    )


@login_required
@require_POST
def finding_reopen(request, pk):
    return _finding_action(
        request,
        pk,
        ReopenForm,
        lambda f, data: services.finding_reopen(
            actor=request.user, finding=f, note=data["note"], due_on=data["due_on"]
        ),
        "问题已重新打开。",
    )


# ---------------------------------------------------------------------------
# Milestones and campaigns
# ---------------------------------------------------------------------------


@login_required
@require_POST
def milestone_confirm(request, pk, code):
    region = get_object_or_404(Region.objects.for_user(request.user), code=code)
    milestone = get_object_or_404(Milestone.objects.select_related("campaign"), pk=pk)
    form = ConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("说明过长。")
        services.milestone_report(
            actor=request.user, milestone=milestone, region=region, note=form.cleaned_data["note"]
        )
        messages.success(request, f"已确认{region.name}完成“{milestone.title}”。")
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(request, reverse("review:home"))


@login_required
def campaigns(request):
    require_reviewer(request.user)
    return _render(
        request,
        "review/campaigns.html",
        {
            "campaigns": Campaign.objects.prefetch_related("milestones"),
            "copy_form": CampaignCopyForm(
                initial={
                    "year": (
                        Campaign.objects.order_by("-year").values_list("year", flat=True).first()
                        or 2020
                    )
                    + 1
                }
            ),
            "can_edit": is_province_admin(request.user),
        },
    )


@login_required
@require_POST
def campaign_copy(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = CampaignCopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("review:campaigns")
    try:
        copy = services.campaign_copy(actor=request.user, campaign=campaign, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("review:campaigns")
    messages.success(request, f"已创建“{copy}”，请在管理后台核对各节点日期。")
    return redirect("review:campaigns")


@login_required
@require_POST
def campaign_make_current(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    services.campaign_set_current(actor=request.user, campaign=campaign)
    messages.success(request, f"已将“{campaign}”设为当前年度工作。")
    return redirect("review:campaigns")
