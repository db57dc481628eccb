"""Every write of review and acceptance, one module per concern.

``campaigns``   campaigns and milestones, milestone reports
``rollup``      a city's roll-up reported to the province
``lifecycle``   catalog moves as the workspaces offer them
``findings``    reviewers' findings and their corrections (the finding transition table)
``check_runs``  running the automated checks and syncing their findings
``acceptance``  the acceptance decision with its frozen snapshot (of the publication)
``adjustments`` the province's rule settings and which regions compile catalogs

Each service is keyword-only, checks who may act before anything else, runs in one
transaction, validates before saving and records an event row after. Import from
``review.services``; the modules are an implementation detail.
"""

from review.services.acceptance import (
    acceptance_decide,
    latest_check_after_publication,
    unpublished_changes_reason,
)
from review.services.adjustments import region_set_compiles, rule_setting_save
from review.services.campaigns import (
    campaign_copy,
    campaign_save,
    campaign_set_current,
    ensure_default_campaign,
    milestone_delete,
    milestone_report,
    milestone_save,
)
from review.services.check_runs import CHECK_BATCH, CheckOutcome, checks_run, fingerprint
from review.services.findings import (
    EVENT_KIND,
    FINDING_TRANSITIONS,
    finding_allowed_moves,
    finding_answer,
    finding_create,
    finding_may_move,
    finding_reopen,
    finding_verify,
    latest_event_id,
)
from review.services.lifecycle import (
    DECISION_MOVES,
    MOVE_LABELS,
    PUBLICATION_MOVES,
    catalog_move,
    move_label,
    move_refusal,
)
from review.services.rollup import rollup_submit

__all__ = [
    "CHECK_BATCH",
    "DECISION_MOVES",
    "EVENT_KIND",
    "FINDING_TRANSITIONS",
    "MOVE_LABELS",
    "PUBLICATION_MOVES",
    "CheckOutcome",
    "acceptance_decide",
    "campaign_copy",
    "campaign_save",
    "campaign_set_current",
    "catalog_move",
    "checks_run",
    "ensure_default_campaign",
    "finding_allowed_moves",
    "finding_answer",
    "finding_create",
    "finding_may_move",
    "latest_event_id",
    "finding_reopen",
    "finding_verify",
    "fingerprint",
    "latest_check_after_publication",
    "milestone_delete",
    "milestone_report",
    "milestone_save",
    "move_label",
    "move_refusal",
    "region_set_compiles",
    "rollup_submit",
    "rule_setting_save",
    "unpublished_changes_reason",
]
