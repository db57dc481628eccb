"""The default campaign: the 2020 schedule of 吉民发〔2020〕13号 part 三 (frozen copy)."""

import datetime

from django.db import migrations

HOLDERS = ["county", "township"]
MILESTONES = [
    ("plan", "制定工作方案", (4, 25), ["province"], "confirmed",
     "结合我省实际制定工作方案，指导督促各地开展公开事项梳理、目录编制及信息发布，"
     "并报省政府政务公开主管部门备案。"),
    ("publish", "编制发布公开事项", (6, 15), HOLDERS, "published",
     "完成社会救助和养老服务领域基层政务公开事项梳理、目录编制以及目录中承诺公开事项的信息发布。"),
    ("rollup", "报送联系人和事项清单", (6, 15), ["city"], "rollup",
     "各市（州）、长白山管委会调度辖区内工作落实进度，将联系人信息和事项清单汇总后报省民政厅。"),
    ("viewable", "承诺渠道可查阅", (7, 1), HOLDERS, "confirmed",
     "在承诺公开的平台渠道中能够查阅到目录中承诺的公开事项对应的公开信息。"),
    ("review", "公开事项复核", (9, 1), HOLDERS, "reviewed",
     "开展社会救助和养老服务领域政务公开事项及共性公开事项的复核工作。"),
    ("entry", "录入查询系统", (10, 15), HOLDERS, "entered",
     "将确认后的公开事项录入全省统一开发的基层政务公开事项查询系统。"),
    ("acceptance", "省级验收", (12, 1), HOLDERS, "accepted",
     "省民政厅会同省政府政务公开主管部门对上传到查询系统的公开事项名称和要素进行验收，"
     "查找不足、指出问题、反馈改正。"),
]


def create_default_campaign(apps, schema_editor):
    Campaign = apps.get_model("review", "Campaign")
    Milestone = apps.get_model("review", "Milestone")
    if Campaign.objects.filter(year=2020).exists():
        return
    campaign = Campaign.objects.create(
        year=2020,
        title="2020年社会救助和养老服务领域基层政务公开标准化规范化工作",
        basis_document="吉民发〔2020〕13号",
        starts_on=datetime.date(2020, 4, 21),
        is_current=not Campaign.objects.filter(is_current=True).exists(),
    )
    for order, (code, title, (month, day), levels, completion, description) in enumerate(
        MILESTONES, start=1
    ):
        Milestone.objects.create(
            campaign=campaign,
            code=code,
            order=order,
            title=title,
            description=description,
            due_on=datetime.date(2020, month, day),
            region_levels=levels,
            completion=completion,
        )


class Migration(migrations.Migration):
    dependencies = [("review", "0001_campaigns_findings_acceptance")]

    operations = [migrations.RunPython(create_default_campaign, migrations.RunPython.noop)]
