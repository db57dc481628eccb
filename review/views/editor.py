"""The landing page, and the county and township editors' workspace."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from catalogs.permissions import profile_of
from review.models import Campaign, MilestoneCompletion
from review.permissions import Workspace, can_report_milestone, workspace_of
from review.selectors import editor_catalogs, upcoming_milestones
from review.selectors.worklists import editor_worklist
from review.views.base import local_today, move_buttons, render_staff


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


def editor_workspace(request):
    """Opens with what needs the editor now: returned catalogs (with the reviewer's note and
    deadline), findings by due date, milestones due, unpublished changes; then the catalogs."""
    user = request.user
    region = profile_of(user).region
    today = local_today()
    campaign = Campaign.objects.current()
    upcoming = (
        upcoming_milestones(campaign=campaign, region=region, today=today, limit=6)
        if campaign
        else []
    )
    return render_staff(
        request,
        "review/editor_workspace.html",
        {
            "region": region,
            "campaign": campaign,
            "today": today,
            "work": editor_worklist(user, today=today),
            "upcoming": [
                (
                    entry,
                    entry.milestone.completion == MilestoneCompletion.CONFIRMED
                    and not entry.cell.is_done
                    and can_report_milestone(user, entry.milestone, region),
                )
                for entry in upcoming
            ],
            "rows": [(catalog, move_buttons(user, catalog)) for catalog in editor_catalogs(user)],
        },
    )
