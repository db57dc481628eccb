"""Demo data for review: a campaign in mid-year over 长春市's catalogs.

``seed_review_demo(today=...)`` runs after the lead's demo has derived 长春市's catalogs and
published most of them. It creates the default 2020 campaign and this year's copy with its
dates moved so that ``today`` falls between the 复核 and 录入 deadlines, then plays the year
out with backdated moves: publications on time and late, 复核 on time, late and missing,
some catalogs entered and under acceptance, one accepted (with its snapshot), one returned,
rule findings from the checks and reviewers' findings open, answered and verified.

It runs once: when the city already has a check run (the demo's own, or anyone's), it
returns without writing, so a second run never moves what people did since (no backdated
publications, no invented 复核). Moves go through the services with a backdated
``at``/``now``; only the publication timestamps the lead's demo wrote "now" are moved back
directly, since publishing has no backdating path for status events it did not make.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from catalogs.models import (
    Catalog,
    CatalogEvent,
    CatalogStatus,
    Region,
    RegionLevel,
    Role,
    StaffProfile,
)
from catalogs.permissions import SYSTEM
from items.models import Item, Publication
from review import services
from review.models import (
    Campaign,
    CheckRun,
    Decision,
    Finding,
    FindingSource,
    FindingState,
    Milestone,
    MilestoneReport,
    Severity,
)
from review.schedule import DEFAULT_YEAR
from review.selectors import STATUS_RANK

S = CatalogStatus
DEMO_CITY = "2201"  # 长春市
# Today is placed on this day of the 2020 schedule: after 复核 (9/1), before 录入 (10/15).
ANCHOR = (9, 20)
SPECIFIC_BASIS = "《社会救助暂行办法》(国务院令第649号)"
# Counties whose catalogs the demo walks further than 复核: 南关区, 宽城区, 朝阳区, 农安县.
SPECIAL_REGIONS = {"220102", "220103", "220104", "220122"}


@dataclass(frozen=True)
class Plan:
    """What happened to one region's catalogs this year (days relative to the due dates)."""

    publish_days: int  # negative: before the due date
    review_days: int | None  # None: not reviewed yet
    confirm_days: int | None  # 承诺渠道可查阅 confirmation


def _plan(index: int) -> Plan:
    publish = 4 + index % 18 if index % 7 == 3 else -(3 + index % 30)
    phase = index % 8
    review = None if phase in (0, 1) else (1 + index % 12 if phase == 2 else -(2 + index % 25))
    confirm = None if index % 5 == 4 else (2 + index % 6 if index % 10 == 3 else -(1 + index % 9))
    return Plan(publish, review, confirm)


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _staff(role: str, region: Region | None = None):
    profiles = StaffProfile.objects.filter(role=role).select_related("user")
    if region is not None:
        profiles = profiles.filter(region=region)
    profile = profiles.order_by("pk").first()
    return profile.user if profile else SYSTEM


def _editor_for(region: Region):
    role = Role.COUNTY_EDITOR if region.level == RegionLevel.COUNTY else Role.TOWNSHIP_EDITOR
    user = _staff(role, region)
    if user is SYSTEM and region.level == RegionLevel.TOWNSHIP and region.parent_id:
        user = _staff(Role.COUNTY_EDITOR, region.parent)
    return user


# ---------------------------------------------------------------------------
# Campaigns
# ---------------------------------------------------------------------------


def demo_campaign(today: date) -> Campaign:
    """This year's campaign: the 2020 schedule with today on the 20th of September."""
    default = services.ensure_default_campaign()
    if today.year == DEFAULT_YEAR:
        campaign = default
    else:
        campaign = Campaign.objects.filter(year=today.year).first()
        if campaign is None:
            campaign = services.campaign_copy(
                actor=SYSTEM,
                campaign=default,
                year=today.year,
                title=f"{today.year}年度社会救助和养老服务领域基层政务公开标准化规范化工作（演示）",
            )
            shift = today - date(today.year, *ANCHOR)
            campaign.starts_on += shift
            services.campaign_save(actor=SYSTEM, campaign=campaign)
            for milestone in campaign.milestones.all():
                milestone.due_on += shift
                services.milestone_save(actor=SYSTEM, milestone=milestone)
    if not campaign.is_current:
        services.campaign_set_current(actor=SYSTEM, campaign=campaign)
    return campaign


# ---------------------------------------------------------------------------
# The year's moves
# ---------------------------------------------------------------------------


def _backdate_publications(catalogs: list[Catalog], due: date, plans: dict[int, Plan]) -> None:
    """Move the lead's "now" publications to the planned day (only those not moved yet)."""
    limit = _at(due + timedelta(days=25))
    for catalog in catalogs:
        plan = plans[catalog.region_id]
        publication = catalog.publications.filter(is_current=True).first()
        if publication is None or publication.published_at < limit:
            continue
        when = _at(due + timedelta(days=plan.publish_days), 9, 30 + catalog.standard_id % 20)
        had_changes = catalog.draft_changed_at > (catalog.last_published_at or when)
        Publication.objects.filter(catalog=catalog).update(published_at=when)
        CatalogEvent.objects.filter(catalog=catalog, to_status=S.PUBLISHED).update(at=when)
        draft_changed = when + timedelta(days=20) if had_changes else when
        Catalog.objects.filter(pk=catalog.pk).update(
            last_published_at=when, draft_changed_at=draft_changed, status_changed_at=when
        )
        catalog.last_published_at, catalog.draft_changed_at = when, draft_changed


def _move(catalog: Catalog, to_status: str, at: datetime, actor, note: str = "") -> None:
    services.catalog_move(actor=actor, catalog=catalog, to_status=to_status, note=note, at=at)


def _advance(catalog: Catalog, target: str, start: datetime, actor, reviewer) -> datetime:
    """Walk a published catalog forward to ``target``, a few days per step."""
    steps = [S.REVIEWED, S.ENTERED, S.ACCEPTING]
    at = start
    for step in steps:
        if STATUS_RANK[catalog.status] >= STATUS_RANK[step]:
            continue
        if STATUS_RANK[step] > STATUS_RANK[target]:
            break
        who = reviewer if step == S.ACCEPTING else actor
        note = {
            S.REVIEWED: "已完成公开事项及共性公开事项复核",
            S.ENTERED: "已录入全省基层政务公开事项查询系统",
            S.ACCEPTING: "开始省级验收",
        }[step]
        _move(catalog, step, at, who, note)
        at += timedelta(days=3, hours=2)
    return at


def _reviewer_finding(catalog, *, reviewer, seq, element, severity, text, fix, now, due):
    item = Item.objects.filter(catalog=catalog, seq=seq).first()
    return services.finding_create(
        actor=reviewer,
        catalog=catalog,
        item=item,
        element=element if item else "",
        severity=severity,
        description=text,
        required_fix=fix,
        due_on=due,
        now=now,
    )


def _specific_basis(catalog: Catalog, actor, at: datetime, count: int = 3) -> None:
    """Staff replace the template's generic basis with the real document on a few items
    and publish again (which also resolves the checks' suggestion on the next run)."""
    from items.services import catalog_publish, item_update

    changed = False
    for item in Item.objects.filter(catalog=catalog).order_by("seq")[:count]:
        if item.basis != SPECIFIC_BASIS:
            item_update(actor=actor, item=item, basis=SPECIFIC_BASIS)
            changed = True
    if changed:
        catalog_publish(actor=actor, catalog=catalog, note="补充具体公开依据", now=at)
        catalog.refresh_from_db()


# Mistakes staff really make, one per chosen catalog (each trips one automated rule).
MISTAKES = [
    {"subject": "乡镇人民政府(街道办事处)"},  # template wording left in (R06)
    {"deadline": "及时公开"},  # no readable time limit (R10)
    {"deadline": "制定或获取信息之日起30个工作日内"},  # looser than the standard (R11)
    {"basis": "《关于进一步加强和改进最低生活保障工作的意见》(国发(2012)45号)"},  # R08
    {"channel_other": "乡镇微信公众号"},  # an "other" channel without ticking 其他 (R04)
]


def _mistake_targets(catalogs: list[Catalog]) -> list[tuple[int, Catalog]]:
    townships = [
        c
        for c in catalogs
        if c.region.level == RegionLevel.TOWNSHIP
        and c.region.parent.code not in SPECIAL_REGIONS
        and c.standard.code == "social-assistance"
        and c.last_published_at
    ]
    return list(enumerate(townships[3::9]))


def _make_mistakes(catalogs: list[Catalog]) -> None:
    from items.services import item_update

    for index, catalog in _mistake_targets(catalogs):
        if not catalog.is_editable:
            continue
        item = Item.objects.filter(catalog=catalog).order_by("seq")[1 + index % 3]
        item_update(actor=_editor_for(catalog.region), item=item, **MISTAKES[index % len(MISTAKES)])


def _fix_some_mistakes(catalogs: list[Catalog]) -> None:
    """Half the catalogs put right what the first check found."""
    from items.services import item_update

    for index, catalog in _mistake_targets(catalogs):
        catalog.refresh_from_db()
        if index % 2 or not catalog.is_editable:
            continue
        item = Item.objects.filter(catalog=catalog).order_by("seq")[1 + index % 3]
        standard = item.standard_item
        mistake = MISTAKES[index % len(MISTAKES)]
        fixed = {
            "subject": catalog.region.office_name
            or f"{catalog.region.name}{'办事处' if catalog.region.name.endswith('街道') else '人民政府'}",
            "deadline": standard.deadline if standard else "制定或获取信息之日起10个工作日内",
            "basis": SPECIFIC_BASIS,
            "channel_other": "",
        }
        values = {name: fixed[name] for name in mistake}
        if any(getattr(item, name) != value for name, value in values.items()):
            item_update(actor=_editor_for(catalog.region), item=item, **values)


def _demo_mail_addresses() -> None:
    """Give demo staff an address so that send_reminders has someone to write to."""
    for profile in StaffProfile.objects.select_related("user").filter(user__email=""):
        profile.user.email = f"{profile.user.username}@demo.example.cn"
        profile.user.save(update_fields=["email"])


@transaction.atomic
def seed_review_demo(*, today: date) -> dict:
    """Create the campaigns and play 长春市's year out until ``today``, once.

    Returns an empty summary, having written nothing, when the city has been checked before.
    """
    city = Region.objects.filter(code=DEMO_CITY).first()
    if city is None or CheckRun.objects.filter(region=city).exists():
        return {}
    _demo_mail_addresses()
    campaign = demo_campaign(today)
    due = {m.code: m.due_on for m in campaign.milestones.all()}
    reviewer = _staff(Role.PROVINCE_REVIEWER)
    admin = _staff(Role.PROVINCE_ADMIN)
    coordinator = _staff(Role.CITY_COORDINATOR, city)
    catalogs = list(
        Catalog.objects.within(city)
        .select_related("region__parent", "standard", "edition")
        .order_by("region__path", "standard__order")
    )
    regions = sorted({c.region for c in catalogs}, key=lambda r: r.path)
    plans = {region.pk: _plan(index) for index, region in enumerate(regions)}
    _backdate_publications(catalogs, due["publish"], plans)

    # Milestone reports: the province's plan, the cities' roll-ups, regions' confirmations.
    _report(
        campaign,
        "plan",
        Region.objects.filter(level=RegionLevel.PROVINCE).first(),
        admin,
        _at(due["plan"] - timedelta(days=4)),
        "工作方案已印发并报备",
    )
    _report(
        campaign,
        "rollup",
        city,
        coordinator,
        _at(due["rollup"] + timedelta(days=3)),
        "已汇总各县(市、区)联系人和事项清单报省民政厅",
    )
    jilin_city = Region.objects.filter(code="2202").first()
    if jilin_city:
        _report(
            campaign,
            "rollup",
            jilin_city,
            _staff(Role.CITY_COORDINATOR, jilin_city),
            _at(due["rollup"] - timedelta(days=2)),
            "已按时报送",
        )
    published_regions = {c.region_id for c in catalogs if c.last_published_at}
    for region in regions:
        plan = plans[region.pk]
        if plan.confirm_days is None or region.pk not in published_regions:
            continue
        _report(
            campaign,
            "viewable",
            region,
            _editor_for(region),
            _at(due["viewable"] + timedelta(days=plan.confirm_days)),
            "已在承诺的政府网站、公示栏等渠道核对可查阅",
        )

    # A first check run a month before 复核 was due.
    if not CheckRun.objects.filter(region=city).exists():
        _make_mistakes(catalogs)
        services.checks_run(
            actor=reviewer, region=city, now=_at(due["review"] - timedelta(days=30), 8)
        )

    # 复核: on time, late, or not yet.
    by_code = {c.region.code: [] for c in catalogs}
    for catalog in catalogs:
        by_code[catalog.region.code].append(catalog)
    for catalog in catalogs:
        plan = plans[catalog.region_id]
        special = catalog.region.code in SPECIAL_REGIONS
        if special or catalog.status != S.PUBLISHED or plan.review_days is None:
            continue
        when = _at(due["review"] + timedelta(days=plan.review_days), 15, catalog.pk % 50)
        _move(
            catalog,
            S.REVIEWED,
            when,
            _editor_for(catalog.region),
            "已完成公开事项及共性公开事项复核",
        )

    summary = {"campaign": campaign.pk}
    # 南关区: entered early, social assistance accepted; elderly care under acceptance.
    nanguan = by_code.get("220102", [])
    for catalog in nanguan:
        if catalog.status not in (S.PUBLISHED, S.REVIEWED):
            continue
        start = _at(due["review"] - timedelta(days=12), 11)
        _specific_basis(catalog, _editor_for(catalog.region), start - timedelta(days=2))
        _advance(catalog, S.ACCEPTING, start, _editor_for(catalog.region), reviewer)
    social = next((c for c in nanguan if c.standard.code == "social-assistance"), None)
    if social and social.status == S.ACCEPTING:
        findings_at = _at(today - timedelta(days=9), 10)
        if not social.findings.filter(source=FindingSource.REVIEWER).exists():
            first = _reviewer_finding(
                social,
                reviewer=reviewer,
                seq=4,
                element="channels",
                severity=Severity.WARNING,
                text="办事指南承诺在便民服务站公开，现场核查未见纸质指南。",
                fix="在各便民服务站放置最新版办事指南，并拍照留存。",
                now=findings_at,
                due=today - timedelta(days=2),
            )
            services.finding_answer(
                actor=_editor_for(social.region),
                finding=first,
                answer="已在区内各便民服务站摆放办事指南，照片已上传。",
                now=findings_at + timedelta(days=2),
            )
            services.finding_verify(
                actor=reviewer,
                finding=first,
                note="现场复核属实",
                now=findings_at + timedelta(days=4),
            )
        # The reviewer checks again just before deciding: fixed problems are resolved.
        services.checks_run(actor=reviewer, catalog=social, now=findings_at + timedelta(days=5))
        for finding in social.findings.filter(
            state__in=[FindingState.OPEN, FindingState.REOPENED, FindingState.ANSWERED],
            severity=Severity.ERROR,
        ):
            services.finding_verify(
                actor=reviewer,
                finding=finding,
                note="验收时核对，已整改",
                now=findings_at + timedelta(days=5),
            )
        services.acceptance_decide(
            actor=reviewer,
            catalog=social,
            decision=Decision.ACCEPT,
            note="事项名称和要素齐全，公开渠道可查阅，同意通过验收。",
            now=_at(today - timedelta(days=3), 16),
        )
        summary["accepted"] = social.pk

    # 农安县: entered; social assistance under acceptance with open findings.
    nongan = by_code.get("220122", [])
    for catalog in nongan:
        if catalog.status not in (S.PUBLISHED, S.REVIEWED):
            continue
        start = _at(due["review"] - timedelta(days=6), 9)
        _specific_basis(catalog, _editor_for(catalog.region), start - timedelta(days=3), count=2)
        target = S.ACCEPTING if catalog.standard.code == "social-assistance" else S.ENTERED
        _advance(catalog, target, start, _editor_for(catalog.region), reviewer)
    nongan_social = next((c for c in nongan if c.standard.code == "social-assistance"), None)
    if nongan_social and not nongan_social.findings.filter(source=FindingSource.REVIEWER).exists():
        at = _at(today - timedelta(days=12), 14)
        _reviewer_finding(
            nongan_social,
            reviewer=reviewer,
            seq=4,
            element="channels",
            severity=Severity.WARNING,
            text="办事指南承诺通过“两微一端”公开，县政务微信公众号中未找到。",
            fix="在县政务微信公众号发布最低生活保障办事指南，或删除未实际使用的渠道。",
            now=at,
            due=today + timedelta(days=10),
        )
        answered = _reviewer_finding(
            nongan_social,
            reviewer=reviewer,
            seq=2,
            element="subject",
            severity=Severity.WARNING,
            text="监督检查信息的公开主体应写明具体科室。",
            fix="公开主体写为“农安县民政局社会救助科”。",
            now=at,
            due=today + timedelta(days=5),
        )
        services.finding_answer(
            actor=_editor_for(nongan_social.region),
            finding=answered,
            answer="退回整改后将公开主体改为“农安县民政局社会救助科”。",
            now=at + timedelta(days=3),
        )
        _reviewer_finding(
            nongan_social,
            reviewer=reviewer,
            seq=1,
            element="deadline",
            severity=Severity.ERROR,
            text="政策法规文件的公开时限与实际发布时间不符，2 份文件超过20个工作日才公开。",
            fix="补充公开遗漏的文件，并说明今后的发布流程。",
            now=at,
            due=today - timedelta(days=3),
        )

    # 朝阳区: social assistance returned for correction after acceptance began.
    chaoyang = next(
        (c for c in by_code.get("220104", []) if c.standard.code == "social-assistance"), None
    )
    if chaoyang and chaoyang.status in (S.PUBLISHED, S.REVIEWED):
        _advance(
            chaoyang,
            S.ACCEPTING,
            _at(due["review"] - timedelta(days=10), 9),
            _editor_for(chaoyang.region),
            reviewer,
        )
        at = _at(today - timedelta(days=8), 10)
        _reviewer_finding(
            chaoyang,
            reviewer=reviewer,
            seq=3,
            element="content",
            severity=Severity.ERROR,
            text="最低生活保障政策法规文件只列出国家文件，缺少本省、本市的实施办法。",
            fix="补充《吉林省最低生活保障办法》等本省、本市文件。",
            now=at,
            due=today + timedelta(days=14),
        )
        services.acceptance_decide(
            actor=reviewer,
            catalog=chaoyang,
            decision=Decision.RETURN,
            note="公开内容缺少本地政策文件，退回整改后重新报验。",
            now=at + timedelta(hours=3),
        )

    # 宽城区: both catalogs entered, waiting in the review queue.
    for catalog in by_code.get("220103", []):
        if catalog.status in (S.PUBLISHED, S.REVIEWED):
            _advance(
                catalog,
                S.ENTERED,
                _at(due["review"] - timedelta(days=4), 10),
                _editor_for(catalog.region),
                reviewer,
            )

    # 农安镇: the township editor has a reviewer's finding to answer.
    town = next(
        (c for c in by_code.get("220122100", []) if c.standard.code == "social-assistance"), None
    )
    if town and not town.findings.filter(source=FindingSource.REVIEWER).exists():
        _reviewer_finding(
            town,
            reviewer=reviewer,
            seq=2,
            element="channels",
            severity=Severity.WARNING,
            text="监督检查信息应在村公示栏同步公示。",
            fix="勾选“社区/企事业单位/村公示栏(电子屏)”并在各村公示。",
            now=_at(today - timedelta(days=5), 9),
            due=today + timedelta(days=7),
        )

    # The latest check, two days ago: fixed problems are resolved, the rest stay open.
    second_check = _at(today - timedelta(days=2), 7)
    if not CheckRun.objects.filter(region=city, started_at=second_check).exists():
        _fix_some_mistakes(catalogs)
        services.checks_run(actor=reviewer, region=city, now=second_check)
    summary["findings"] = Finding.objects.within(city).count()
    summary["catalogs"] = len(catalogs)
    return summary


def _report(campaign, code, region, actor, at, note):
    milestone = Milestone.objects.filter(campaign=campaign, code=code).first()
    if milestone is None or region is None:
        return
    if MilestoneReport.objects.filter(milestone=milestone, region=region).exists():
        return
    services.milestone_report(actor=actor, milestone=milestone, region=region, note=note, at=at)
