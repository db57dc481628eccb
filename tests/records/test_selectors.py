from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from catalogs.permissions import SYSTEM
from items.services import item_update
from records.calendar import load_calendar
from records.models import ChannelCheck, DisclosureRecord
from records.selectors import (
    Cell,
    channels_without_evidence,
    evidence_grid,
    items_without_records,
    latest_publication_dates,
    missed_periods,
    record_payload,
    records_by_item,
    short_notices,
    states_of,
    timeliness_counts,
)
from records.timeliness import Timeliness
from tests.records.conftest import TODAY, item_of


def state(record, today=TODAY):
    return states_of([record], today=today, calendar=load_calendar())[record.pk]


# ---------------------------------------------------------------------------
# Timeliness
# ---------------------------------------------------------------------------


def test_on_time(make_record):
    record = make_record(formed_on=date(2026, 9, 25), published_on=date(2026, 10, 15))
    result = state(record)
    assert result.timeliness == Timeliness.ON_TIME and result.label == "按时公开"
    assert result.on_time is True


def test_late_across_the_national_day_counts_working_days(make_record):
    # Due 10/15; published Tuesday 10/20: 10/16, 10/19, 10/20 are working days.
    record = make_record(formed_on=date(2026, 9, 25), published_on=date(2026, 10, 20))
    result = state(record)
    assert (result.timeliness, result.late_workdays) == (Timeliness.LATE, 3)
    assert result.label == "逾期公开3个工作日" and result.on_time is False


def test_not_yet_due_and_overdue(make_record):
    record = make_record(formed_on=date(2026, 11, 20), published_on=None)
    assert state(record).timeliness == Timeliness.NOT_DUE  # due 12/4
    overdue = state(record, today=date(2026, 12, 8))
    assert (overdue.timeliness, overdue.late_workdays) == (Timeliness.OVERDUE, 2)


def test_no_deadline_and_estimates(make_record, item):
    item_update(actor=SYSTEM, item=item, deadline="常态化公开")
    record = make_record(title="常态化", published_on=date(2026, 10, 9))
    assert state(record).timeliness == Timeliness.NO_DEADLINE
    assert state(record).on_time is None
    item_update(actor=SYSTEM, item=item, deadline="制定或获取信息之日起10个工作日内")
    from records.models import HolidayCalendar

    HolidayCalendar.objects.filter(date__year=2026).delete()
    estimated = make_record(title="预计", formed_on=date(2026, 11, 20), published_on=None)
    assert state(estimated).label == "未到期（预计）"


def test_timeliness_is_a_query_too(make_record):
    make_record(title="按时", formed_on=date(2026, 9, 25), published_on=date(2026, 10, 15))
    make_record(title="逾期", formed_on=date(2026, 9, 25), published_on=date(2026, 10, 20))
    make_record(title="未到期", formed_on=date(2026, 11, 20), published_on=None)
    make_record(title="未公开", formed_on=date(2026, 9, 1), published_on=None)
    counts = timeliness_counts(DisclosureRecord.objects.all(), today=TODAY)
    assert counts == {
        Timeliness.ON_TIME: 1,
        Timeliness.LATE: 1,
        Timeliness.OVERDUE: 1,
        Timeliness.NOT_DUE: 1,
        Timeliness.NO_DEADLINE: 0,
    }


# ---------------------------------------------------------------------------
# Scoping
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("admin", True),
        ("reviewer", True),
        ("coordinator", True),
        ("county_editor", True),
        ("township_editor", False),
        ("other_county_editor", False),
        ("other_coordinator", False),
    ],
)
def test_for_user_scopes_by_region(users, make_record, role, sees):
    record = make_record()
    visible = list(DisclosureRecord.objects.for_user(getattr(users, role)))
    assert visible == ([record] if sees else [])
    assert list(DisclosureRecord.objects.for_user(None)) == []


# ---------------------------------------------------------------------------
# Pages: constant queries
# ---------------------------------------------------------------------------


def test_records_of_many_items_in_a_constant_number_of_queries(
    county, make_record, django_assert_num_queries
):
    items = [item_of(county, seq) for seq in (1, 2, 3)]
    for item in items:
        for n in range(50):
            make_record(
                target=item,
                title=f"第{n}条",
                formed_on=date(2026, 9, 1) + timedelta(days=n),
                published_on=date(2026, 9, 1) + timedelta(days=n + 1),
                channels=[{"channel": "政府网站", "url": f"https://a.cn/{n}"}],
            )
    public_ids = [item.public_id for item in items]
    with django_assert_num_queries(2):
        grouped = records_by_item(public_ids)
        payloads = [record_payload(record) for record in grouped[public_ids[0]]]
    assert [len(grouped[public_id]) for public_id in public_ids] == [50, 50, 50]
    assert payloads[0]["title"] == "第49条"  # newest first
    assert payloads[0]["channels"] == [
        {"channel": "政府网站", "url": "https://a.cn/49", "location": None}
    ]
    with django_assert_num_queries(1):
        latest = latest_publication_dates(public_ids)
    assert latest[public_ids[0]] == date(2026, 10, 21)


def test_payload_fields(make_record):
    record = make_record(document_number="农民发〔2026〕12号")
    payload = record_payload(record)
    assert payload["document_number"] == "农民发〔2026〕12号"
    assert (payload["formed_on"], payload["published_on"], payload["due_on"]) == (
        "2026-09-25",
        "2026-10-09",
        "2026-10-15",
    )
    assert payload["on_time"] is True and payload["kind"] == "政策文件"
    assert {"channel": "公开查阅点", "url": None, "location": "农安县民政局一楼大厅"} in payload[
        "channels"
    ]
    assert "photo" not in str(payload)


# ---------------------------------------------------------------------------
# Missing records and missed periods
# ---------------------------------------------------------------------------


def test_items_without_records(county, make_record, item):
    before = items_without_records(county).count()
    make_record()
    assert items_without_records(county).count() == before - 1
    assert item not in items_without_records(county)


def test_missed_periods_of_a_monthly_promise(county, make_record, item):
    item_update(actor=SYSTEM, item=item, deadline="每月10日前")
    make_record(title="9月", formed_on=date(2026, 9, 5), published_on=date(2026, 9, 8))
    make_record(title="11月", formed_on=date(2026, 11, 2), published_on=date(2026, 11, 9))
    missed = missed_periods([item], today=TODAY, since=date(2026, 8, 11))
    # Periods 8/11–9/10 (had a record), 9/11–10/10 (missed), 10/11–11/10 (had one);
    # 11/11–12/10 is not yet due.
    assert [period.window.label for period in missed] == ["2026年10月"]
    assert missed[0].due.on == date(2026, 10, 10)  # a make-up Saturday: a working day
    assert "2026年10月" in missed[0].message and "没有公开信息" in missed[0].message


def test_missed_periods_start_with_the_first_publication(county, item):
    item_update(actor=SYSTEM, item=item, deadline="每季度结束后10日内")
    publication = county.publications.get()
    publication.published_at = datetime(2026, 5, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    publication.save()
    missed = missed_periods([item], today=TODAY)
    assert [period.window.label for period in missed] == ["2026年第2季度", "2026年第3季度"]
    # Q3 ends 9/30; ten days is 10/10, a make-up Saturday.
    assert missed[1].due.on == date(2026, 10, 10)


def test_unpublished_catalogs_have_promised_nothing_yet(catalogs):
    item = item_of(catalogs.yongji_social, 1)
    item_update(actor=SYSTEM, item=item, deadline="每月10日前")
    assert missed_periods([item], today=TODAY) == []


# ---------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------


def test_evidence_grid_states(county, make_record, item, django_assert_max_num_queries):
    second = item_of(county, 2)
    item_update(actor=SYSTEM, item=second, channels=["政府网站", "政务服务中心"])
    late = make_record(target=second, formed_on=date(2026, 9, 25), published_on=date(2026, 10, 20))
    record = make_record()  # on time, both channels evidenced
    website = record.channels.get(channel="政府网站")
    ChannelCheck.objects.create(
        channel=website,
        url=website.url,
        status=404,
        ok=False,
        broken=True,
        checked_at=timezone.now(),
    )
    with django_assert_max_num_queries(5):
        rows = evidence_grid(county, today=TODAY)
    by_seq = {row.item.seq: row for row in rows}
    first_cells = {cell.channel: cell.state for cell in by_seq[1].cells}
    assert first_cells == {"政府网站": Cell.BROKEN, "公开查阅点": Cell.ON_TIME}
    second_cells = {cell.channel: cell for cell in by_seq[2].cells}
    assert second_cells["政府网站"].state == Cell.LATE
    assert second_cells["政府网站"].label == "逾期3个工作日"
    assert second_cells["政务服务中心"].state == Cell.NO_EVIDENCE  # promised, not recorded
    assert by_seq[2].latest == late
    assert all(cell.state == Cell.MISSING for cell in by_seq[3].cells)
    missing = channels_without_evidence(county)
    assert [(item.seq, channel) for item, _, channel in missing] == [(2, "政务服务中心")]


def test_a_notice_cut_short(make_record, item):
    item_update(actor=SYSTEM, item=item, deadline="制定或获取信息之日起10个工作日内，公示7个工作日")
    full = make_record(
        title="足期公示",
        notice_start=date(2026, 10, 9),
        notice_end=date(2026, 10, 19),  # 10/9, 10/10, 10/12–16, that is 7 working days to 10/16
    )
    short = make_record(
        title="缩短的公示", notice_start=date(2026, 10, 9), notice_end=date(2026, 10, 13)
    )
    shortfalls = short_notices([full, short])
    assert [shortfall.record for shortfall in shortfalls] == [short]
    assert shortfalls[0].required == "公示7个工作日"
    assert shortfalls[0].required_end == date(2026, 10, 16)


def test_a_notice_in_calendar_days(make_record, item):
    item_update(actor=SYSTEM, item=item, deadline="审核后公示7天")
    ok = make_record(title="七天", notice_start=date(2026, 11, 2), notice_end=date(2026, 11, 8))
    short = make_record(title="五天", notice_start=date(2026, 11, 2), notice_end=date(2026, 11, 6))
    assert [s.record for s in short_notices([ok, short])] == [short]
    assert ok.due_on is None  # 审核后公示 sets no publication deadline


def test_broken_channels_for_r17(make_record):
    from records.models import RecordChannel
    from records.selectors import broken_channels

    record = make_record()
    website = record.channels.get(channel="政府网站")
    now = timezone.now()
    assert list(broken_channels()) == []
    ChannelCheck.objects.create(
        channel=website, url=website.url, status=200, ok=True, title_found=False, checked_at=now
    )
    assert list(broken_channels(RecordChannel.objects.filter(record=record))) == [website]
    ChannelCheck.objects.create(
        channel=website,
        url=website.url,
        status=200,
        ok=True,
        title_found=True,
        checked_at=now + timedelta(hours=1),
    )
    assert list(broken_channels()) == []
    ChannelCheck.objects.create(
        channel=website,
        url=website.url,
        status=404,
        ok=False,
        broken=True,
        checked_at=now + timedelta(hours=2),
    )
    (broken,) = broken_channels()
    assert broken == website and broken.last_broken is True


def test_evidence_summaries_for_the_milestone(
    county, catalogs, make_record, item, django_assert_max_num_queries
):
    from records.selectors import evidence_summaries

    with django_assert_max_num_queries(3):
        summaries = evidence_summaries([county.pk, catalogs.yongji_social.pk])
    total = summaries[county.pk].items
    assert total > 0 and summaries[county.pk].complete == 0
    assert not summaries[county.pk].is_complete and summaries[county.pk].missing == total
    make_record()  # item 1 promises 政府网站 and 公开查阅点, both evidenced
    assert evidence_summaries([county.pk])[county.pk].complete == 1
    make_record(title="只有网站", published_on=date(2026, 10, 12), channels=["政府网站"])
    # The latest record lacks 公开查阅点 evidence: item 1 is no longer complete.
    assert evidence_summaries([county.pk])[county.pk].complete == 0
