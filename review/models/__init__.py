"""Campaigns and milestones, findings and their corrections, acceptance decisions, check runs.

A campaign (年度工作) is the year's schedule; how far a region has come is never stored but
derived from what the catalogs app already records (the first lifecycle event reaching a
status) and from milestone reports (a city's roll-up, a region's own confirmation).
"""

from review.models.acceptance import (
    AcceptanceDecision,
    Decision,
    ImmutableQuerySet,
)
from review.models.campaigns import (
    COMPLETION_STATUS,
    Campaign,
    CampaignQuerySet,
    Milestone,
    MilestoneCompletion,
    MilestoneReport,
    MilestoneReportQuerySet,
)
from review.models.compiling import (
    CompilingRegion,
    RegionCompileEvent,
)
from review.models.findings import (
    AWAITING_STAFF,
    ELEMENT_CHOICES,
    SEVERITY_ORDER,
    UNRESOLVED,
    Finding,
    FindingEvent,
    FindingEventKind,
    FindingQuerySet,
    FindingSource,
    FindingState,
    Severity,
)
from review.models.runs import (
    CheckRun,
    CheckRunQuerySet,
    CheckSource,
    ReminderLog,
    RuleSetting,
)

__all__ = [
    "COMPLETION_STATUS",
    "Campaign",
    "CampaignQuerySet",
    "Milestone",
    "MilestoneCompletion",
    "MilestoneReport",
    "MilestoneReportQuerySet",
    "AWAITING_STAFF",
    "ELEMENT_CHOICES",
    "Finding",
    "FindingEvent",
    "FindingEventKind",
    "FindingQuerySet",
    "FindingSource",
    "FindingState",
    "SEVERITY_ORDER",
    "Severity",
    "UNRESOLVED",
    "AcceptanceDecision",
    "Decision",
    "ImmutableQuerySet",
    "CheckRun",
    "CheckRunQuerySet",
    "CheckSource",
    "ReminderLog",
    "RuleSetting",
    "CompilingRegion",
    "RegionCompileEvent",
]
