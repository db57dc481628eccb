"""Demo data of the participation app, built once by portal.demo.build_demo (in 长春市).

农安县 and 双阳区 publish a participation catalog. 农安县 runs three consultations: one open
today with comments (one held for its link), one closed with its 采纳情况 published, and one
closed long ago without it (R23 lists it). 双阳区's one consultation closed yesterday: its
采纳情况 is not due yet.
"""

from __future__ import annotations

from datetime import date, timedelta

from catalogs.models import Region
from catalogs.permissions import SYSTEM
from participation.models import Adoption, Field, Method
from participation.services import (
    comment_answer,
    comment_submit,
    consultation_create,
    consultation_feedback_publish,
    matter_create,
    participation_catalog_create,
    participation_catalog_publish,
)

COUNTIES = ("220122", "220112")  # 农安县, 双阳区

MATTERS = [
    {
        "name": "最低生活保障等社会救助政策调整",
        "scope": "本县城乡最低生活保障标准、特困人员救助供养标准调整方案，"
        "临时救助实施办法的制定和修订。",
        "methods": [Method.CONSULTATION, Method.SYMPOSIUM],
        "timing": "方案起草阶段，征求意见时间一般不少于30日",
        "feedback_channel": "县政府网站“意见征集”栏目，电话、信函、现场座谈",
    },
    {
        "name": "养老服务设施布局规划",
        "scope": "居家社区养老服务中心（站）、农村互助幸福院的布局和建设计划。",
        "methods": [Method.CONSULTATION, Method.SURVEY],
        "timing": "规划编制阶段",
        "feedback_channel": "县政府网站“意见征集”栏目，网上调查问卷",
    },
    {
        "name": "经济困难老年人补贴标准调整",
        "scope": "高龄津贴、经济困难老年人养老服务补贴的对象范围和标准。",
        "methods": [Method.HEARING, Method.CONSULTATION],
        "timing": "标准调整方案报批前",
        "feedback_channel": "听证会现场陈述，县民政局意见箱",
    },
    {
        "name": "社会救助服务质量评议",
        "scope": "社会救助经办服务的办理时限、服务态度和公开情况。",
        "methods": [Method.SURVEY, Method.OTHER],
        "other_method": "入户走访",
        "timing": "每年第四季度",
        "feedback_channel": "网上调查问卷，乡镇（街道）社会救助服务窗口",
    },
]

OPEN_COMMENTS = [
    ("建议把低保标准调整的测算依据一并公开，便于群众理解。", "", ""),
    ("农村低保标准和城市差距较大，建议逐步缩小。\n希望听取村民代表意见。", "王某", "13800000000"),
    ("详情请见 http://example.com/promo 领取补贴", "", ""),  # held: a link
]


def _office(region: Region) -> str:
    return region.office_name or f"{region.name}民政局"


def seed(today: date) -> dict[str, int]:
    """Create the demo rows; returns counts to print. Runs once, after the catalogs exist."""
    counts = {"catalogs": 0, "matters": 0, "consultations": 0, "comments": 0}
    regions = {region.code: region for region in Region.objects.filter(code__in=COUNTIES)}
    for code in COUNTIES:
        region = regions.get(code)
        if region is None:
            continue
        catalog = participation_catalog_create(actor=SYSTEM, region=region)
        matters = [
            matter_create(actor=SYSTEM, catalog=catalog, office=_office(region), **values)
            for values in MATTERS
        ]
        participation_catalog_publish(actor=SYSTEM, catalog=catalog, note="首次公开")
        counts["catalogs"] += 1
        counts["matters"] += len(matters)
        if code == "220122":
            counts["consultations"] += 3
            counts["comments"] += _nongan_consultations(matters, today)
        else:
            consultation_create(
                actor=SYSTEM,
                matter=matters[1],
                field=Field.ELDERLY,
                title=f"关于《{region.name}居家社区养老服务设施布局规划（征求意见稿）》公开征求意见",
                draft_text="一、规划目标\n到2025年，街道综合养老服务中心覆盖率达到100%。",
                opens_on=today - timedelta(days=31),
                closes_on=today - timedelta(days=1),
            )
            counts["consultations"] += 1
    return counts


def _nongan_consultations(matters, today: date) -> int:
    comments = 0
    open_one = consultation_create(
        actor=SYSTEM,
        matter=matters[0],
        field=Field.SOCIAL,
        title="关于《农安县最低生活保障标准调整方案（征求意见稿）》公开征求意见",
        draft_text=(
            "一、调整范围\n本县城乡最低生活保障对象。\n"
            "二、调整标准\n城市低保标准由每人每月680元提高到710元；"
            "农村低保标准由每人每年5200元提高到5500元。\n"
            "三、实施时间\n自2027年1月1日起执行。"
        ),
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
    )
    for text, name, phone in OPEN_COMMENTS:
        comment_submit(consultation=open_one, text=text, name=name, phone=phone, today=today)
        comments += 1

    closed = consultation_create(
        actor=SYSTEM,
        matter=matters[2],
        field=Field.ELDERLY,
        title="关于调整农安县经济困难老年人养老服务补贴标准的意见征集",
        draft_text="经济困难失能老年人护理补贴由每人每月100元提高到150元。",
        opens_on=today - timedelta(days=90),
        closes_on=today - timedelta(days=60),
    )
    during = closed.opens_on + timedelta(days=3)
    adopted = comment_submit(
        consultation=closed,
        text="建议把半失能老年人也纳入护理补贴范围。",
        today=during,
    )
    declined = comment_submit(
        consultation=closed,
        text="建议补贴改为全部发放实物。",
        today=during,
    )
    comment_answer(
        actor=SYSTEM,
        comment=adopted,
        adoption=Adoption.PARTLY,
        reason="半失能老年人按护理补贴标准的50%发放，已写入实施方案。",
    )
    comment_answer(
        actor=SYSTEM,
        comment=declined,
        adoption=Adoption.NOT_ADOPTED,
        reason="老年人需求差异较大，继续以现金发放为主，可自愿选择服务券。",
    )
    consultation_feedback_publish(
        actor=SYSTEM,
        consultation=closed,
        feedback=(
            "征集期间共收到意见2条。部分采纳1条：半失能老年人纳入护理补贴范围，按标准的50%发放；"
            "未采纳1条：补贴改为全部发放实物，理由是老年人需求差异较大，继续以现金发放为主。"
        ),
        seen_version=None,
        today=closed.closes_on + timedelta(days=10),
    )
    comments += 2

    # Closed long ago and its 采纳情况 never published: R23-participation lists it.
    overdue = consultation_create(
        actor=SYSTEM,
        matter=matters[3],
        field=Field.SOCIAL,
        title="2026年农安县社会救助服务质量网上评议",
        draft_text="请对本县社会救助经办服务的办理时限、服务态度和公开情况提出意见。",
        opens_on=today - timedelta(days=80),
        closes_on=today - timedelta(days=50),
    )
    comment_submit(
        consultation=overdue,
        text="乡镇窗口办理低保审核时间较长，建议公开办理进度。",
        today=overdue.opens_on + timedelta(days=1),
    )
    comments += 1
    return comments
