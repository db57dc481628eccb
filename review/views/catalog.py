"""One catalog under review: its page, lifecycle moves (with a confirmation page for those
that lock, unlock or go backwards), check runs, findings added by a reviewer (from an item's
row in three actions), the acceptance decision and its report, the comparison with the last
accepted version."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalogs.lifecycle import allowed_moves
from catalogs.models import Catalog, CatalogEvent, CatalogStatus, Region
from catalogs.permissions import can_edit_region, is_province_reviewer
from items.models import Item
from review import exports, services
from review.forms import DecisionForm, FindingForm, MoveConfirmForm, MoveForm
from review.models import UNRESOLVED, AcceptanceDecision, FindingState, Severity
from review.permissions import require_reviewer
from review.selectors import compare_with_last_accepted, last_accepted_decision
from review.selectors.worklists import catalog_state
from review.views.base import (
    MOVE_CONSEQUENCES,
    error_text,
    local_today,
    move_buttons,
    needs_confirmation,
    redirect_back,
    render_staff,
    report_run,
)


def catalog_for(request, pk) -> Catalog:
    """A catalog the user may see (404 otherwise)."""
    return get_object_or_404(
        Catalog.objects.for_user(request.user).select_related("region", "standard", "edition"),
        pk=pk,
    )


def decision_for(request, pk) -> AcceptanceDecision:
    """An acceptance decision on a catalog the user may see (404 otherwise)."""
    return get_object_or_404(
        AcceptanceDecision.objects.for_user(request.user).select_related(
            "catalog__region", "catalog__standard", "decided_by"
        ),
        pk=pk,
    )


@login_required
def catalog_detail(request, pk):
    catalog = catalog_for(request, pk)
    user = request.user
    reviewer = is_province_reviewer(user)
    findings = list(catalog.findings.select_related("item").by_urgency())
    order = {FindingState.OPEN: 0, FindingState.REOPENED: 0, FindingState.ANSWERED: 1}
    findings.sort(key=lambda f: order.get(f.state, 2))
    can_answer = can_edit_region(user, catalog.region)
    return render_staff(
        request,
        "review/catalog.html",
        {
            "catalog": catalog,
            "state": catalog_state(user, catalog),
            "today": local_today(),
            "moves": move_buttons(user, catalog),
            "events": CatalogEvent.objects.filter(catalog=catalog)
            .select_related("actor")
            .order_by("-at", "-pk"),
            "findings": findings,
            "awaiting_total": sum(1 for f in findings if f.awaits_staff),
            "answered_total": sum(1 for f in findings if f.state == FindingState.ANSWERED),
            "items": Item.objects.filter(catalog=catalog).order_by("seq", "pk"),
            "reviewer": reviewer,
            "can_answer": can_answer,
            "finding_form": FindingForm(catalog=catalog, initial={"severity": Severity.WARNING})
            if reviewer
            else None,
            "decision_form": DecisionForm()
            if reviewer and catalog.status == CatalogStatus.ACCEPTING
            else None,
            "decisions": AcceptanceDecision.objects.filter(catalog=catalog).select_related(
                "decided_by"
            ),
            "last_accepted": last_accepted_decision(catalog),
        },
    )


def _confirm_page(request, catalog, to_status, form=None):
    """The confirmation of a move that locks, unlocks or goes backwards."""
    if to_status not in allowed_moves(request.user, catalog):
        raise PermissionDenied(
            f"您不能把“{catalog}”从{catalog.get_status_display()}变更为"
            f"{CatalogStatus(to_status).label}。"
        )
    note_required = to_status == CatalogStatus.RETURNED
    return render_staff(
        request,
        "review/move_confirm.html",
        {
            "catalog": catalog,
            "to_status": to_status,
            "to_label": CatalogStatus(to_status).label,
            "label": services.move_label(catalog.status, to_status),
            "consequence": MOVE_CONSEQUENCES[(catalog.status, to_status)],
            "refusal": services.move_refusal(catalog, to_status),
            "form": form or MoveConfirmForm(note_required=note_required),
            "next": request.GET.get("next") or request.POST.get("next") or "",
        },
    )


@login_required
def catalog_move(request, pk):
    """GET: the confirmation page of a move that needs one (``?to=STATUS``); POST: the move.

    A POST of such a move without ``confirmed`` (an old page, a hand-made form) is sent to
    the confirmation page instead of being applied."""
    catalog = catalog_for(request, pk)
    if request.method == "GET":
        to_status = request.GET.get("to", "")
        if not needs_confirmation(catalog.status, to_status):
            raise Http404("没有需要确认的操作。")
        return _confirm_page(request, catalog, to_status)
    if request.method != "POST":
        return redirect("review:catalog", pk=catalog.pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作无效，请刷新后重试。")
        return redirect_back(request, reverse("review:catalog", args=[catalog.pk]))
    to_status, from_status = form.cleaned_data["to_status"], form.cleaned_data["from_status"]
    if (
        needs_confirmation(from_status, to_status)
        and catalog.status == from_status
        and not form.cleaned_data["confirmed"]
    ):
        confirm = MoveConfirmForm(
            initial={"note": form.cleaned_data["note"]},
            note_required=to_status == CatalogStatus.RETURNED,
        )
        return _confirm_page(request, catalog, to_status, confirm)
    try:
        services.catalog_move(
            actor=request.user,
            catalog=catalog,
            to_status=to_status,
            from_status=from_status,
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"“{catalog}”已变更为{catalog.get_status_display()}。")
    return redirect_back(request, reverse("review:catalog", args=[catalog.pk]))


@login_required
@require_POST
def catalog_check(request, pk):
    catalog = catalog_for(request, pk)
    outcome = services.checks_run(actor=request.user, catalog=catalog)
    report_run(request, outcome.run)
    return redirect_back(request, reverse("review:catalog", args=[catalog.pk]))


@login_required
@require_POST
def region_check(request, code):
    """Check every catalog of a region and below (offered in each workspace)."""
    region = get_object_or_404(Region.objects.for_user(request.user), code=code)
    try:
        outcome = services.checks_run(actor=request.user, region=region)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        report_run(request, outcome.run)
    return redirect_back(request, reverse("review:home"))


def _item_anchor(catalog, item) -> str:
    base = reverse("review:catalog", args=[catalog.pk])
    return f"{base}#item-{item.pk}" if item else f"{base}#findings"


@login_required
def finding_new(request, pk):
    """The finding form for one item (``?item=ID``), opened from the item's row: the item's
    elements on top, then what is wrong. With the row's link and the save, three actions."""
    catalog = catalog_for(request, pk)
    require_reviewer(request.user)
    item = None
    chosen = request.GET.get("item", "")
    if chosen.isdigit():
        item = get_object_or_404(Item.objects.filter(catalog=catalog), pk=chosen)
    element = request.GET.get("element", "")
    form = FindingForm(
        catalog=catalog,
        initial={
            "item": item.pk if item else None,
            "element": element
            if element in dict(FindingForm.base_fields["element"].choices)
            else "",
            "severity": Severity.WARNING,
        },
    )
    return render_staff(
        request,
        "review/finding_new.html",
        {"catalog": catalog, "item": item, "form": form, "back": _item_anchor(catalog, item)},
    )


@login_required
@require_POST
def finding_add(request, pk):
    catalog = catalog_for(request, pk)
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
        return redirect_back(request, reverse("review:catalog", args=[catalog.pk]))
    try:
        finding = services.finding_create(actor=request.user, catalog=catalog, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, "问题未保存：" + error_text(error))
        return redirect_back(request, reverse("review:catalog", args=[catalog.pk]))
    messages.success(request, f"已登记问题：{finding.anchor}。")
    return redirect(_item_anchor(catalog, finding.item))


@login_required
@require_POST
def catalog_decide(request, pk):
    catalog = catalog_for(request, pk)
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
        messages.error(request, error_text(error))
        return redirect("review:catalog", pk=catalog.pk)
    messages.success(request, f"已作出验收结论：{decision.get_decision_display()}。")
    return redirect("review:decision", pk=decision.pk)


@login_required
def catalog_compare(request, pk):
    catalog = catalog_for(request, pk)
    return render_staff(
        request,
        "review/compare.html",
        {"catalog": catalog, "comparison": compare_with_last_accepted(catalog)},
    )


@login_required
def decision_report(request, pk):
    decision = decision_for(request, pk)
    findings = exports.report_findings(decision)
    return render_staff(
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
