"""A city's roll-up (联系人和事项清单) reported to the province."""

from django.core.exceptions import ValidationError

from catalogs.models import Region
from review.models import Campaign, MilestoneCompletion, MilestoneReport
from review.services.campaigns import milestone_report


def rollup_submit(
    *, actor, city: Region, campaign: Campaign, note: str = "", at=None
) -> MilestoneReport:
    """The city coordinator reports the city's roll-up (联系人和事项清单) submitted."""
    milestone = campaign.milestones.filter(completion=MilestoneCompletion.ROLLUP).first()
    if milestone is None:
        raise ValidationError(f"“{campaign}”没有汇总报送节点。")
    return milestone_report(actor=actor, milestone=milestone, region=city, note=note, at=at)
