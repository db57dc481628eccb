"""The 2020 schedule of 吉民发〔2020〕13号, part 三 (2020年工作进度安排), as data.

The default campaign is built from it; later years are copies a provincial administrator
edits. Data migration 0002 keeps its own frozen copy, as migrations must.
"""

from dataclasses import dataclass
from datetime import date

from catalogs.models import RegionLevel
from review.models import MilestoneCompletion

CATALOG_HOLDERS = [RegionLevel.COUNTY, RegionLevel.TOWNSHIP]


@dataclass(frozen=True)
class MilestoneSpec:
    code: str
    title: str
    due_on: date
    region_levels: list[str]
    completion: str
    description: str


DEFAULT_YEAR = 2020
DEFAULT_TITLE = "2020年社会救助和养老服务领域基层政务公开标准化规范化工作"
DEFAULT_BASIS = "吉民发〔2020〕13号"
DEFAULT_STARTS_ON = date(2020, 4, 21)

DEFAULT_MILESTONES = [
    MilestoneSpec(
        "plan",
        "制定工作方案",
        date(2020, 4, 25),
        [RegionLevel.PROVINCE],
        MilestoneCompletion.CONFIRMED,
        "结合我省实际制定工作方案，指导督促各地开展公开事项梳理、目录编制及信息发布，"
        "并报省政府政务公开主管部门备案。",
    ),
    MilestoneSpec(
        "publish",
        "编制发布公开事项",
        date(2020, 6, 15),
        CATALOG_HOLDERS,
        MilestoneCompletion.PUBLISHED,
        "完成社会救助和养老服务领域基层政务公开事项梳理、目录编制以及目录中承诺公开事项的信息发布。",
    ),
    MilestoneSpec(
        "rollup",
        "报送联系人和事项清单",
        date(2020, 6, 15),
        [RegionLevel.CITY],
        MilestoneCompletion.ROLLUP,
        "各市（州）、长白山管委会调度辖区内工作落实进度，将联系人信息和事项清单汇总后报省民政厅。",
    ),
    MilestoneSpec(
        "viewable",
        "承诺渠道可查阅",
        date(2020, 7, 1),
        CATALOG_HOLDERS,
        MilestoneCompletion.CONFIRMED,
        "在承诺公开的平台渠道中能够查阅到目录中承诺的公开事项对应的公开信息。",
    ),
    MilestoneSpec(
        "review",
        "公开事项复核",
        date(2020, 9, 1),
        CATALOG_HOLDERS,
        MilestoneCompletion.REVIEWED,
        "开展社会救助和养老服务领域政务公开事项及共性公开事项的复核工作。",
    ),
    MilestoneSpec(
        "entry",
        "录入查询系统",
        date(2020, 10, 15),
        CATALOG_HOLDERS,
        MilestoneCompletion.ENTERED,
        "将确认后的公开事项录入全省统一开发的基层政务公开事项查询系统。",
    ),
    MilestoneSpec(
        "acceptance",
        "省级验收",
        date(2020, 12, 1),
        CATALOG_HOLDERS,
        MilestoneCompletion.ACCEPTED,
        "省民政厅会同省政府政务公开主管部门对上传到查询系统的公开事项名称和要素进行验收，"
        "查找不足、指出问题、反馈改正。",
    ),
]
