"""The default scoring scheme, so that scores work out of the box: the four marks and the
year's milestones, 100 points in all. The province adjusts it in the admin."""

from django.db import migrations

DEFAULT_NAME = "2020年度目标责任制评估评分方案（默认）"
INDICATORS = [
    # (order, name, weight, kind, dimension)
    (1, "信息公开", 25, "marks", "public"),
    (2, "要素完整", 20, "marks", "complete"),
    (3, "公开及时", 20, "marks", "timely"),
    (4, "渠道畅通", 15, "marks", "channel"),
    (5, "工作节点", 20, "milestones", ""),
]


def seed(apps, schema_editor):
    Scheme = apps.get_model("assessment", "ScoringScheme")
    Indicator = apps.get_model("assessment", "Indicator")
    if Scheme.objects.exists():
        return
    scheme = Scheme.objects.create(
        name=DEFAULT_NAME,
        is_active=True,
        note="事项评分平均按“分值×平均分÷3”计分；工作节点按时完成得全分，逾期完成得一半，"
        "逾期未完成不得分，未到期的节点不计入。",
    )
    for order, name, weight, kind, dimension in INDICATORS:
        Indicator.objects.create(
            scheme=scheme, order=order, name=name, weight=weight, kind=kind, dimension=dimension
        )


def unseed(apps, schema_editor):
    apps.get_model("assessment", "ScoringScheme").objects.filter(name=DEFAULT_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_marks_and_scoring_scheme")]

    operations = [migrations.RunPython(seed, unseed)]
