"""Campaigns (年度工作) and their milestones: creating, copying, editing, and the reports
of milestones that no catalog status can tell."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalogs.models import Region
from catalogs.permissions import history_user, require_province_admin
from review import schedule
from review.models import Campaign, Milestone, MilestoneCompletion, MilestoneReport
from review.permissions import can_report_milestone

# The fields (standard codes) a default milestone covers, where not all: the plan has the
# province accept only the 社会救助 items in 2020 (part 三(四): “社会救助领域公开事项名称和要素”).
DEFAULT_COVERAGE = {"acceptance": ["social-assistance"]}


@transaction.atomic
def ensure_default_campaign() -> Campaign:
    """The 2020 campaign of 吉民发〔2020〕13号 with its milestones; creating it twice is harmless."""
    campaign, created = Campaign.objects.get_or_create(
        year=schedule.DEFAULT_YEAR,
        defaults={
            "title": schedule.DEFAULT_TITLE,
            "basis_document": schedule.DEFAULT_BASIS,
            "starts_on": schedule.DEFAULT_STARTS_ON,
            "is_current": not Campaign.objects.filter(is_current=True).exists(),
        },
    )
    if created or not campaign.milestones.exists():
        for order, spec in enumerate(schedule.DEFAULT_MILESTONES, start=1):
            milestone = Milestone(
                campaign=campaign,
                code=spec.code,
                order=order,
                title=spec.title,
                description=spec.description,
                due_on=spec.due_on,
                region_levels=list(spec.region_levels),
                completion=spec.completion,
                standard_codes=list(DEFAULT_COVERAGE.get(spec.code, [])),
            )
            milestone.full_clean()
            milestone.save()
    return campaign


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def campaign_copy(
    *, actor, campaign: Campaign, year: int, title: str = "", make_current: bool = False
) -> Campaign:
    """Next year's campaign: the same milestones with every date moved to ``year``."""
    require_province_admin(actor)
    if Campaign.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year}年度的工作已经存在。"})
    years = year - campaign.year
    copy = Campaign(
        year=year,
        title=title.strip() or campaign.title.replace(str(campaign.year), str(year)),
        basis_document=campaign.basis_document,
        starts_on=_shift_year(campaign.starts_on, years),
        copied_from=campaign,
        is_current=False,
    )
    if copy.title == campaign.title:
        copy.title = f"{year}年度 {campaign.title}"
    copy.full_clean()
    copy.save()
    for milestone in campaign.milestones.all():
        new = Milestone(
            campaign=copy,
            code=milestone.code,
            order=milestone.order,
            title=milestone.title,
            description=milestone.description,
            due_on=_shift_year(milestone.due_on, years),
            region_levels=list(milestone.region_levels),
            completion=milestone.completion,
            standard_codes=list(milestone.standard_codes),
        )
        new.full_clean()
        new.save()
    if make_current:
        campaign_set_current(actor=actor, campaign=copy)
    return copy


@transaction.atomic
def campaign_set_current(*, actor, campaign: Campaign) -> Campaign:
    require_province_admin(actor)
    Campaign.objects.select_for_update().filter(is_current=True).exclude(pk=campaign.pk).update(
        is_current=False
    )
    campaign.is_current = True
    campaign.full_clean()
    campaign.save(update_fields=["is_current"])
    return campaign


@transaction.atomic
def campaign_save(*, actor, campaign: Campaign) -> Campaign:
    require_province_admin(actor)
    if campaign.is_current:
        Campaign.objects.filter(is_current=True).exclude(pk=campaign.pk).update(is_current=False)
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def milestone_save(*, actor, milestone: Milestone) -> Milestone:
    require_province_admin(actor)
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def milestone_delete(*, actor, milestone: Milestone) -> None:
    require_province_admin(actor)
    milestone.delete()


@transaction.atomic
def milestone_report(
    *, actor, milestone: Milestone, region: Region, note: str = "", at=None
) -> MilestoneReport:
    """A region reports a milestone done that no catalog status can tell (confirmations, roll-ups)."""
    if not can_report_milestone(actor, milestone, region):
        raise PermissionDenied(f"您无权报送“{region.name}”的“{milestone.title}”。")
    if milestone.completion not in (MilestoneCompletion.CONFIRMED, MilestoneCompletion.ROLLUP):
        raise ValidationError(
            f"“{milestone.title}”以{milestone.get_completion_display()}为完成标志，无需报送。"
        )
    if not milestone.applies_to(region):
        raise ValidationError(
            f"“{milestone.title}”由{milestone.level_labels}完成，"
            f"“{region.name}”是{region.get_level_display()}。"
        )
    if MilestoneReport.objects.filter(milestone=milestone, region=region).exists():
        raise ValidationError(f"“{region.name}”已报送“{milestone.title}”。")
    report = MilestoneReport(
        milestone=milestone,
        region=region,
        reported_by=history_user(actor),
        reported_at=at or timezone.now(),
        note=note.strip(),
    )
    report.full_clean()
    report.save()
    return report
