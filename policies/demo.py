"""Demo data of the policies app, built once by portal.demo.build_demo (in 长春市).

农安县 registers five documents, so that R22 (同步解读) shows each case: a 低保 document with
a 图解 two working days after it (passes); a 特困 document without any 解读 (hit); an old
高龄津贴 rule repealed by a newer one (the old one is not checked); the newer one whose 解读
came out six working days later (hit); and a province notice the county relays (转发: not
checked). Idempotent: a second run adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from catalogs.models import Catalog, Region
from catalogs.permissions import SYSTEM
from items.deadlines import add_workdays
from items.models import Item
from policies.models import DocumentRelation, InterpretationForm, PolicyDocument
from policies.services import document_create, document_repeal, interpretation_create
from records.calendar import load_calendar

COUNTY = "220122"  # 农安县
SITE = "https://www.nongan.gov.cn"


def _catalog(region: Region, code: str) -> Catalog | None:
    return (
        Catalog.objects.filter(region=region, standard__code=code)
        .select_related("standard")
        .first()
    )


def _items(catalog: Catalog | None, *words: str) -> list[Item]:
    if catalog is None:
        return []
    return [
        item
        for item in Item.objects.filter(catalog=catalog).order_by("seq")
        if any(word in f"{item.level1}{item.level2 or ''}" for word in words)
    ]


def _weekday_before(day: date, days: int) -> date:
    """A Monday to Wednesday ``days`` or more before ``day``: clear of weekends."""
    start = day - timedelta(days=days)
    return start - timedelta(days=start.weekday()) if start.weekday() > 2 else start


def seed(today: date) -> dict[str, int]:
    """Create the demo rows; returns counts to print. Runs once, after the catalogs exist."""
    region = Region.objects.filter(code=COUNTY).first()
    if region is None or PolicyDocument.objects.filter(region=region).exists():
        return {}
    social = _catalog(region, "social-assistance")
    elderly = _catalog(region, "elderly-care")
    if social is None or elderly is None:
        return {}
    calendar = load_calendar()
    year = today.year

    def workdays_after(day: date, n: int) -> date:
        return add_workdays(day, n, calendar=calendar, unknown_years="weekdays")

    common = {"actor": SYSTEM, "region": region, "today": today}
    dibao_on = _weekday_before(today, 120)
    dibao = document_create(
        **common,
        standard=social.standard,
        title="农安县最低生活保障审核确认办法",
        number=f"农政发〔{dibao_on.year}〕12号",
        issuer="农安县人民政府",
        issued_on=dibao_on,
        url=f"{SITE}/zwgk/zcwj/{dibao_on.year}/dibao.html",
        text="第一条 为规范最低生活保障审核确认工作，根据《社会救助暂行办法》……",
        items=_items(social, "最低生活保障"),
    )
    interpretation_create(
        actor=SYSTEM,
        document=dibao,
        title="一图读懂《农安县最低生活保障审核确认办法》",
        form=InterpretationForm.GRAPHIC,
        published_on=workdays_after(dibao_on, 2),
        url=f"{SITE}/zwgk/zcjd/{dibao_on.year}/dibao-tujie.html",
        today=today,
    )
    tekun_on = _weekday_before(today, 60)
    document_create(
        **common,
        standard=social.standard,
        title="农安县特困人员救助供养实施细则",
        number=f"农民发〔{tekun_on.year}〕8号",
        issuer="农安县民政局",
        issued_on=tekun_on,
        url=f"{SITE}/zwgk/zcwj/{tekun_on.year}/tekun.html",
        items=_items(social, "特困人员"),
    )
    subsidy_items = _items(elderly, "老年人补贴")
    old_on = date(year - 5, 3, 16)
    old = document_create(
        **common,
        standard=elderly.standard,
        title="农安县高龄津贴发放管理办法",
        number=f"农民发〔{old_on.year}〕3号",
        issuer="农安县民政局",
        issued_on=old_on,
        items=subsidy_items,
    )
    new_on = _weekday_before(today, 90)
    new = document_create(
        **common,
        standard=elderly.standard,
        title="农安县高龄老年人补贴发放管理办法",
        number=f"农民发〔{new_on.year}〕21号",
        issuer="农安县民政局",
        issued_on=new_on,
        url=f"{SITE}/zwgk/zcwj/{new_on.year}/gaoling.html",
        items=subsidy_items,
    )
    interpretation_create(
        actor=SYSTEM,
        document=new,
        title="《农安县高龄老年人补贴发放管理办法》政策问答",
        form=InterpretationForm.QA,
        published_on=workdays_after(new_on, 6),
        text="问：哪些老年人可以领取高龄补贴？\n答：具有本县户籍、年满80周岁的老年人。",
        today=today,
    )
    document_repeal(
        actor=SYSTEM, document=old, replaced_by=new, on=new_on, note="新办法施行，原办法同时废止"
    )
    relayed_on = _weekday_before(today, 150)
    document_create(
        **common,
        standard=social.standard,
        title="吉林省民政厅关于进一步做好困难群众基本生活保障工作的通知",
        number=f"吉民发〔{relayed_on.year}〕5号",
        issuer="吉林省民政厅",
        issued_on=relayed_on,
        relation=DocumentRelation.RELAYED,
        url="https://mzt.jl.gov.cn/",
        items=_items(social, "最低生活保障", "特困人员"),
    )
    return {"documents": 5, "interpretations": 2}
