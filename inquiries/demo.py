"""Demo data of the inquiries app, built once by portal.demo.build_demo (in 长春市).

Questions and corrections on published items of 农安县, 农安镇 and 双阳区: one answered
publicly on time, one answered late, one overdue, one held as spam (a link), one answered
privately, one still within its deadline. Written through the services, dated in the past.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalogs.permissions import SYSTEM
from inquiries import services
from inquiries.models import Inquiry, Kind, Visibility
from items.models import PublishedItem

CLIENT = "203.0.113.7"  # documentation address (RFC 5737): no real person's


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _item(region_code: str, offset: int = 0):
    items = list(
        PublishedItem.objects.visible_to_public()
        .filter(publication__catalog__region__code=region_code)
        .order_by("publication__catalog__standard__order", "seq")[: offset + 1]
    )
    return items[offset] if len(items) > offset else None


def _actor(username: str):
    return get_user_model().objects.filter(username=username).first() or SYSTEM


def seed(today: date) -> dict[str, int]:
    """Create the demo rows; returns counts to print. Runs once, after the catalogs exist."""
    if Inquiry.objects.exists():
        return {}
    county, town, shuangyang = _item("220122"), _item("220122100"), _item("220112", 2)
    if county is None:
        return {}
    nongan = _actor("nongan")

    def ask(item, days_ago, kind, text, **extra):
        return services.inquiry_submit(
            item_public_id=item.public_id,
            kind=kind,
            text=text,
            client_address=CLIENT,
            now=_at(today - timedelta(days=days_ago), 9),
            **extra,
        )

    on_time = ask(
        county,
        30,
        Kind.QUESTION,
        "请问特困人员认定需要准备哪些材料？在哪里提交申请？",
        name="王女士",
        phone="13900000001",
    )
    services.inquiry_answer(
        actor=nongan,
        inquiry=on_time,
        answer="您好！申请特困人员认定，可持身份证、户口簿和收入、财产情况说明，向户籍所在地乡镇人民政府"
        "（街道办事处）提出申请，也可委托村（居）民委员会代为提出。咨询电话见本页联系方式。",
        visibility=Visibility.PUBLIC,
        seen_version=on_time.version,
        now=_at(on_time.due_date - timedelta(days=1), 15),
    )
    late = ask(
        county,
        26,
        Kind.CORRECTION,
        "本事项公开依据中引用的文件已经修订，请核实后更新。",
        phone="0431-83000000",
    )
    services.inquiry_answer(
        actor=nongan,
        inquiry=late,
        answer="感谢您的指正。经核实，公开依据已按修订后的文件更新，将在下次公开目录时一并发布。",
        visibility=Visibility.PUBLIC,
        seen_version=late.version,
        now=_at(late.due_date + timedelta(days=3), 11),
    )
    ask(county, 22, Kind.QUESTION, "低保金每月什么时候发放？本月还没有收到。", name="李先生")
    if shuangyang is not None:
        private = ask(
            shuangyang,
            8,
            Kind.CORRECTION,
            "页面上的咨询电话打不通，是否已经更换？",
            phone="13900000002",
        )
        services.inquiry_answer(
            actor=SYSTEM,
            inquiry=private,
            answer="您好，咨询电话已于本月更换，我们已通知目录编制人员更新，并已电话回复您。",
            visibility=Visibility.PRIVATE,
            seen_version=private.version,
            now=_at(today - timedelta(days=6), 16),
        )
    if town is not None:
        ask(
            town,
            1,
            Kind.QUESTION,
            "高额回报养老项目，详情请访问 http://example.com/invest 咨询",
        )
        ask(town, 0, Kind.QUESTION, "高龄津贴每年什么时候申报？", name="赵大爷")
    return {
        "inquiries": Inquiry.objects.count(),
        "answered": Inquiry.objects.filter(answered_on__isnull=False).count(),
        "overdue": Inquiry.objects.overdue(today).count(),
        "held": Inquiry.objects.filter(status="held").count(),
    }
