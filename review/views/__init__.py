"""Staff workspaces (工作台) for review and acceptance, one module per workspace.

``base``       the staff page context, messages, safe redirects, lifecycle buttons
``editor``     the landing page and the county and township editors' workspace
``city``       a city coordinator's workspace and the roll-up confirmation
``province``   the province's overview and the acceptance queue
``catalog``    one catalog under review: moves, check runs, findings added, the decision
``findings``   one finding: answer, verify, reopen
``corrections`` the correction loop on one page each: answer all, 提交复验, verify all
``campaigns``  campaigns and milestone confirmations
``downloads``  the roll-up and acceptance-report workbooks

Every object is looked up through ``for_user`` (another region's object is a 404), and
every POST goes through a service (which refuses with 403 whoever may not act). The page
tables come from ``review.selectors``.
"""

from review.views.campaigns import (
    campaign_copy,
    campaign_make_current,
    campaigns,
    milestone_confirm,
)
from review.views.catalog import (
    catalog_check,
    catalog_compare,
    catalog_decide,
    catalog_detail,
    catalog_move,
    decision_report,
    finding_add,
    finding_new,
    region_check,
)
from review.views.city import city, city_rollup_submit
from review.views.corrections import catalog_correct, catalog_resubmit, catalog_verify
from review.views.downloads import city_rollup, decision_xlsx
from review.views.editor import editor_workspace, home
from review.views.findings import finding_answer, finding_detail, finding_reopen, finding_verify
from review.views.province import dashboard, queue

__all__ = [
    "campaign_copy",
    "campaign_make_current",
    "campaigns",
    "catalog_check",
    "catalog_compare",
    "catalog_correct",
    "catalog_decide",
    "catalog_detail",
    "catalog_move",
    "catalog_resubmit",
    "catalog_verify",
    "city",
    "city_rollup",
    "city_rollup_submit",
    "dashboard",
    "decision_report",
    "decision_xlsx",
    "editor_workspace",
    "finding_add",
    "finding_answer",
    "finding_new",
    "finding_detail",
    "finding_reopen",
    "finding_verify",
    "home",
    "milestone_confirm",
    "queue",
    "region_check",
]
