"""R14–R18: the check rules over disclosure records (review/checks/records.py)."""

import json
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalogs.models import Catalog
from catalogs.permissions import SYSTEM
from items.services import catalog_derive, catalog_publish, item_update
from records.models import ChannelCheck
from review.checks import RULE_FAMILIES, RULES_BY_CODE, run_checks
from review.checks.runner import DRAFT, PUBLICATION
from review.models import Finding
from review.services import checks_run
from tests.conftest import localise
from tests.records.conftest import TODAY, item_of

RECORD_RULES = [
    "R14-record-missing",
    "R15-record-late",
    "R16-channel-evidence",
    "R17-link-broken",
    "R18-notice-period",
]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr("review.checks.records.current_date", lambda: TODAY)


def first_published(catalog, day: date) -> None:
    """Pretend the catalog was first published on ``day`` (its promise starts then)."""
    catalog.publications.update(
        published_at=datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    )


def check(catalog, code, source=DRAFT):
    return run_checks(Catalog.objects.filter(pk=catalog.pk), rules=[code], source=source)


def test_the_family_registers_five_rules_with_one_prepare():
    assert "review.checks.records" in RULE_FAMILIES
    rules = [RULES_BY_CODE[code] for code in RECORD_RULES]
    assert {rule.check.__module__ for rule in rules} == {"review.checks.records"}
    assert {rule.prepare.__name__ for rule in rules} == {"load_records"}


# ---------------------------------------------------------------------------
# R14: records missing
# ---------------------------------------------------------------------------


def test_r14_an_item_without_a_record_once_its_deadline_has_passed(county, item, make_record):
    first_published(county, date(2026, 8, 3))
    results = check(county, "R14-record-missing")
    mine = [r for r in results if r.item_seq == item.seq]
    assert len(mine) == 1
    assert (mine[0].item_id, mine[0].element, mine[0].key) == (item.pk, "deadline", "none")
    # Ten working days from 2026-08-03.
    assert "目录于2026-08-03公开，至今没有登记任何公开信息" in mine[0].message
    assert "最迟应于2026-08-17前公开" in mine[0].message
    make_record()
    assert item.seq not in {r.item_seq for r in check(county, "R14-record-missing")}


def test_r14_waits_for_the_deadline_and_for_a_publication(county, item, catalogs):
    first_published(county, TODAY - timedelta(days=3))  # ten working days not yet over
    assert item.seq not in {r.item_seq for r in check(county, "R14-record-missing")}
    assert check(catalogs.yongji_social, "R14-record-missing") == []  # never published


def test_r14_a_periodic_item_that_missed_periods(county, item, make_record):
    item_update(actor=SYSTEM, item=item, deadline="每月10日前")
    first_published(county, date(2026, 8, 11))
    make_record(title="9月", formed_on=date(2026, 9, 5), published_on=date(2026, 9, 8))
    (result,) = [r for r in check(county, "R14-record-missing") if r.item_seq == item.seq]
    assert result.key == "periods" and result.element == "deadline"
    # 9/11–10/10 and 10/11–11/10 had no record; 10/10 is a make-up Saturday.
    assert "2026年10月、2026年11月没有公开信息" in result.message
    assert "最近一期应于2026-11-10前公开" in result.message
    make_record(title="10月", formed_on=date(2026, 10, 9), published_on=date(2026, 10, 9))
    make_record(title="11月", formed_on=date(2026, 11, 2), published_on=date(2026, 11, 9))
    assert item.seq not in {r.item_seq for r in check(county, "R14-record-missing")}


# ---------------------------------------------------------------------------
# R15: late
# ---------------------------------------------------------------------------


def test_r15_late_by_working_days_across_the_national_day(county, item, make_record):
    on_time = make_record(title="按时", published_on=date(2026, 10, 15))
    late = make_record(title="逾期", published_on=date(2026, 10, 20))
    results = check(county, "R15-record-late")
    assert [r.key for r in results] == [f"record:{late.pk}"]
    (result,) = results
    assert (result.item_seq, result.element) == (item.seq, "deadline")
    assert "应于2026-10-15前公开，2026-10-20才发布，逾期3个工作日" in result.message
    assert f"record:{on_time.pk}" not in {r.key for r in results}


def test_r15_unpublished_past_its_due_date(county, make_record):
    overdue = make_record(title="未发布", formed_on=date(2026, 11, 2), published_on=None)
    (result,) = check(county, "R15-record-late")
    assert result.key == f"record:{overdue.pk}"
    assert "应于2026-11-16前公开，至今未发布，已逾期" in result.message


# ---------------------------------------------------------------------------
# R16: evidence on every promised channel (the latest record)
# ---------------------------------------------------------------------------


def test_r16_a_promised_channel_without_evidence(county, item, make_record):
    make_record()  # both promised channels evidenced
    assert check(county, "R16-channel-evidence") == []
    make_record(
        title="只在网站",
        published_on=date(2026, 10, 12),
        channels=[{"channel": "政府网站", "url": "https://www.nongan.gov.cn/2.html"}],
    )
    (result,) = check(county, "R16-channel-evidence")
    assert (result.item_seq, result.element, result.key) == (item.seq, "channels", "公开查阅点")
    assert "承诺在“公开查阅点”公开，但最新的公开信息“只在网站”没有该渠道" in result.message


# ---------------------------------------------------------------------------
# R17: broken links
# ---------------------------------------------------------------------------


def test_r17_a_broken_link_and_a_page_that_lost_the_record(county, item, make_record):
    record = make_record()
    website = record.channels.get(channel="政府网站")
    now = timezone.now()
    ChannelCheck.objects.create(
        channel=website, url=website.url, status=200, ok=True, title_found=True, checked_at=now
    )
    assert check(county, "R17-link-broken") == []
    ChannelCheck.objects.create(
        channel=website,
        url=website.url,
        status=200,
        ok=True,
        title_found=False,
        checked_at=now + timedelta(hours=1),
    )
    (result,) = check(county, "R17-link-broken")
    assert (result.element, result.key) == ("channels", f"{record.pk}:政府网站")
    assert "页面上已找不到信息标题或文号" in result.message
    ChannelCheck.objects.create(
        channel=website,
        url=website.url,
        status=404,
        ok=False,
        broken=True,
        error="HTTP 404",
        checked_at=now + timedelta(hours=2),
    )
    (result,) = check(county, "R17-link-broken")
    assert "已失效" in result.message and "HTTP 404" in result.message


# ---------------------------------------------------------------------------
# R18: 公示 period
# ---------------------------------------------------------------------------


def test_r18_a_notice_cut_short(county, item, make_record):
    item_update(actor=SYSTEM, item=item, deadline="制定或获取信息之日起10个工作日内，公示7个工作日")
    make_record(title="足期", notice_start=date(2026, 10, 9), notice_end=date(2026, 10, 19))
    short = make_record(title="缩短", notice_start=date(2026, 10, 9), notice_end=date(2026, 10, 13))
    (result,) = check(county, "R18-notice-period")
    assert (result.item_seq, result.element, result.key) == (
        item.seq,
        "deadline",
        f"record:{short.pk}",
    )
    assert "短于要求的公示7个工作日（应至少公示至2026-10-16）" in result.message


# ---------------------------------------------------------------------------
# Running: a flat number of queries; check_catalogs and findings
# ---------------------------------------------------------------------------


def test_the_record_rules_load_in_a_flat_number_of_queries(
    county, catalogs, regions, standards, make_record, django_assert_num_queries
):
    for region in (regions.fulongquan, regions.shuangyang, regions.pinghu):
        catalog_derive(actor=SYSTEM, region=region, standard=standards.social)
        catalog_derive(actor=SYSTEM, region=region, standard=standards.elderly)
    make_record()
    make_record(target=item_of(county, 2), title="第二项", published_on=date(2026, 10, 20))
    localise(catalogs.town_social)
    catalog_publish(actor=SYSTEM, catalog=catalogs.town_social, note="发布")
    make_record(target=item_of(catalogs.town_social, 1), title="农安镇的信息")
    first_published(county, date(2026, 6, 1))
    assert Catalog.objects.count() == 10
    # load_contexts' four, then the records' prepare: the calendar, the records, their
    # channels with their latest checks, the first publications.
    with django_assert_num_queries(8):
        one = run_checks(Catalog.objects.filter(pk=county.pk), rules=RECORD_RULES)
    with django_assert_num_queries(8):
        every = run_checks(Catalog.objects.all(), rules=RECORD_RULES)
    assert one and {r.catalog_id for r in one} == {county.pk}
    assert {r.catalog_id for r in every} >= {county.pk}
    assert len([r for r in every if r.catalog_id == county.pk]) == len(one)


def test_check_catalogs_lists_them_with_item_and_element(county, item, make_record):
    make_record(
        published_on=date(2026, 10, 20),
        channels=[{"channel": "政府网站", "url": "https://www.nongan.gov.cn/1.html"}],
    )
    catalog_publish(actor=SYSTEM, catalog=county, note="公开渠道调整")  # the published promise
    output = StringIO()
    call_command(
        "check_catalogs",
        "--catalog",
        str(county.pk),
        "--format",
        "json",
        "--details",
        "--no-store",
        stdout=output,
        stderr=StringIO(),
    )
    data = json.loads(output.getvalue())
    by_code = {}
    for entry in data["results"]:
        by_code.setdefault(entry["rule_code"], []).append(entry)
    (evidence,) = by_code["R16-channel-evidence"]
    assert (evidence["item_seq"], evidence["element"]) == (item.seq, "公开渠道和载体")
    assert evidence["level1"] == item.level1 and "公开查阅点" in evidence["message"]
    (late,) = by_code["R15-record-late"]
    assert (late["item_seq"], late["element"]) == (item.seq, "公开时限")
    counted = {row["rule_code"]: row["count"] for row in data["scopes"][0]["by_rule"]}
    assert counted["R16-channel-evidence"] == 1 and counted["R15-record-late"] == 1


def test_a_check_run_stores_findings_on_the_item(county, item, make_record):
    make_record(channels=[{"channel": "政府网站", "url": "https://www.nongan.gov.cn/1.html"}])
    catalog_publish(actor=SYSTEM, catalog=county, note="公开渠道调整")
    checks_run(actor=SYSTEM, catalog=county)
    finding = Finding.objects.get(catalog=county, rule_code="R16-channel-evidence")
    assert (finding.item_id, finding.element) == (item.pk, "channels")
    # The evidence comes: the next run resolves the finding.
    make_record(title="补充佐证", published_on=date(2026, 10, 12))
    checks_run(actor=SYSTEM, catalog=county)
    finding.refresh_from_db()
    assert not finding.is_unresolved


def test_publication_source_reads_the_published_promise(county, item, make_record):
    # The fixture changed item 1's channels in the draft only: the publication still
    # promises what was published, so R16 judges that.
    make_record(channels=[{"channel": "政府网站", "url": "https://www.nongan.gov.cn/1.html"}])
    draft = check(county, "R16-channel-evidence", source=DRAFT)
    published = check(county, "R16-channel-evidence", source=PUBLICATION)
    assert [r.key for r in draft] == ["公开查阅点"]
    published_item = county.publications.get().items.get(public_id=item.public_id)
    expected = [c for c in published_item.channels if c != "政府网站"]
    assert [r.key for r in published] == expected
