"""A city coordinator's workspace (a provincial reviewer may open any city's)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from catalogs.models import Region, RegionLevel
from review import services
from review.forms import ConfirmForm
from review.models import Campaign, Finding, MilestoneCompletion
from review.permissions import can_report_milestone
from review.selectors import ProgressStatus, city_progress, findings_by_rule
from review.selectors.worklists import coordinator_worklist
from review.views.base import (
    chosen_campaign,
    error_text,
    local_today,
    move_buttons,
    render_staff,
)


def city_for(request, code) -> Region:
    """A city the user may see (404 otherwise)."""
    return get_object_or_404(
        Region.objects.for_user(request.user), code=code, level=RegionLevel.CITY
    )


@login_required
def city(request, code):
    city = city_for(request, code)
    today = local_today()
    campaign = chosen_campaign(request)
    progress = city_progress(campaign=campaign, city=city, today=today)
    findings = Finding.objects.within(city)
    work = coordinator_worklist(request.user, city=city, today=today)
    return render_staff(
        request,
        "review/city.html",
        {
            "city": city,
            "campaign": campaign,
            "campaigns": Campaign.objects.all(),
            "today": today,
            "progress": progress,
            "work": work,
            "to_confirm": [(c, move_buttons(request.user, c)) for c in work.to_confirm],
            "milestones_due": [
                (milestone, cell)
                for milestone, cell in progress.city_cells
                if cell is not None and not cell.is_done
            ],
            "can_submit_rollup": any(
                milestone.completion == MilestoneCompletion.ROLLUP
                and not (cell and cell.is_done)
                and can_report_milestone(request.user, milestone, city)
                for milestone, cell in progress.city_cells
            ),
            "unresolved_total": findings.unresolved().count(),
            "overdue_total": findings.overdue(today).count(),
            "rule_counts": findings_by_rule(findings),
            "statuses": ProgressStatus.LABELS,
        },
    )


@login_required
@require_POST
def city_rollup_submit(request, code):
    city = city_for(request, code)
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
        messages.error(request, error_text(error))
    return redirect("review:city", code=city.code)
