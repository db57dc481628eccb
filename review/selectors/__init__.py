"""Reads for review, one module per concern.

``progress``    milestone progress per region (never stored), upcoming milestones
``workspaces``  the tables the workspaces show: an editor's catalogs, a city's counties and
                townships, the province's cities and counties, catalogs by status
``findings``    the acceptance queue, findings counted per rule
``snapshots``   a catalog's snapshot (its publication, or the draft) and its comparison
                with the last accepted version
``rollup``      a city's roll-up item sheet, from the current publications

``today`` is always passed in so that tests can pin it. Import from ``review.selectors``.
"""

from review.selectors.findings import (
    REVIEW_QUEUE_STATUSES,
    RuleCount,
    findings_by_rule,
    review_queue,
    rule_titles,
)
from review.selectors.progress import (
    STATUS_RANK,
    ProgressCell,
    ProgressStatus,
    ProgressTable,
    StatusCounts,
    UpcomingMilestone,
    campaign_progress,
    campaign_window,
    catalog_reached_at,
    days_left,
    progress_status,
    upcoming_milestones,
)
from review.selectors.rollup import RollupItemRow, rollup_item_rows
from review.selectors.snapshots import (
    ELEMENT_COMPARE,
    SNAPSHOT_FIELDS,
    CatalogComparison,
    ElementChange,
    ItemComparison,
    catalog_snapshot,
    compare_items,
    compare_with_last_accepted,
    last_accepted_decision,
)
from review.selectors.workspaces import (
    CityProgress,
    CountyGroup,
    ProgressRow,
    ProvinceProgress,
    StatusBar,
    TownshipRow,
    catalog_status_bars,
    city_progress,
    editor_catalogs,
    province_progress,
)

__all__ = [
    "ELEMENT_COMPARE",
    "REVIEW_QUEUE_STATUSES",
    "SNAPSHOT_FIELDS",
    "STATUS_RANK",
    "CatalogComparison",
    "CityProgress",
    "CountyGroup",
    "ElementChange",
    "ItemComparison",
    "ProgressCell",
    "ProgressRow",
    "ProgressStatus",
    "ProgressTable",
    "ProvinceProgress",
    "RollupItemRow",
    "RuleCount",
    "StatusBar",
    "StatusCounts",
    "TownshipRow",
    "UpcomingMilestone",
    "campaign_progress",
    "campaign_window",
    "catalog_reached_at",
    "catalog_snapshot",
    "catalog_status_bars",
    "city_progress",
    "compare_items",
    "compare_with_last_accepted",
    "days_left",
    "editor_catalogs",
    "findings_by_rule",
    "last_accepted_decision",
    "progress_status",
    "province_progress",
    "review_queue",
    "rollup_item_rows",
    "rule_titles",
    "upcoming_milestones",
]
