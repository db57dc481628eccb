"""Campaigns (年度工作) and milestone confirmations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalogs.models import Region
from catalogs.permissions import is_province_admin
from review import services
from review.forms import CampaignCopyForm, ConfirmForm
from review.models import Campaign, Milestone
from review.permissions import require_reviewer
from review.views.base import error_text, form_error_text, redirect_back, render_staff


@login_required
def campaigns(request):
    require_reviewer(request.user)
    latest = Campaign.objects.order_by("-year").values_list("year", flat=True).first()
    return render_staff(
        request,
        "review/campaigns.html",
        {
            "campaigns": Campaign.objects.prefetch_related("milestones"),
            "copy_form": CampaignCopyForm(initial={"year": (latest or 2020) + 1}),
            "can_edit": is_province_admin(request.user),
        },
    )


@login_required
@require_POST
def campaign_copy(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = CampaignCopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("review:campaigns")
    try:
        copy = services.campaign_copy(actor=request.user, campaign=campaign, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_text(error))
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


@login_required
@require_POST
def milestone_confirm(request, pk, code):
    """A region's staff confirm a milestone done (from their workspace)."""
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
        messages.error(request, error_text(error))
    return redirect_back(request, reverse("review:home"))
