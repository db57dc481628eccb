"""The province's overview (全省总览) and the acceptance queue, for provincial reviewers."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator

from catalogs.models import Catalog, Region, RegionLevel
from review.models import Campaign, Finding
from review.permissions import require_reviewer
from review.selectors import (
    ProgressStatus,
    catalog_status_bars,
    findings_by_rule,
    province_progress,
    review_queue,
)
from review.selectors.worklists import reviewer_worklist
from review.views.base import chosen_campaign, local_today, render_staff


@login_required
def dashboard(request):
    """Progress per city and county per milestone, findings by rule, catalogs by status."""
    require_reviewer(request.user)
    today = local_today()
    campaign = chosen_campaign(request)
    province = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    city_code = request.GET.get("city", "")
    findings = Finding.objects.for_user(request.user)
    visible = Catalog.objects.for_user(request.user)
    status_bars = catalog_status_bars(visible)
    work = reviewer_worklist(request.user, today=today)
    progress = province_progress(
        campaign=campaign, province=province, today=today, city_code=city_code
    )
    return render_staff(
        request,
        "review/dashboard.html",
        {
            "campaign": campaign,
            "campaigns": Campaign.objects.all(),
            "today": today,
            "province": province,
            "statuses": ProgressStatus.LABELS,
            "progress": progress,
            "work": work,
            "milestones_due": [
                (milestone, cell)
                for milestone, cell in progress.province_cells
                if cell is not None and not cell.is_done
            ],
            "city_filter": city_code,
            "rule_counts": findings_by_rule(findings),
            "unresolved_total": findings.unresolved().count(),
            "overdue_findings": findings.overdue(today).count(),
            "queue_total": work.to_accept_total,
            "catalog_status": status_bars,
            "catalog_total": sum(bar.count for bar in status_bars),
        },
    )


@login_required
def queue(request):
    require_reviewer(request.user)
    page = Paginator(review_queue(request.user), 50).get_page(request.GET.get("page"))
    return render_staff(request, "review/queue.html", {"page": page})
