"""R14–R18: promises kept — the disclosure records (公开信息) behind each item.

A catalog promises, per item, a deadline (公开时限) and channels (公开渠道和载体); the
records app holds what was actually published, when and where. These rules compare the
two, from the day a catalog was first published (before that it promised nothing):

``R14-record-missing``    an item with no record by the time its 公开时限 allows, or a
                          periodic item (每月, 每季度…) that missed a period
``R15-record-late``       a record published after its due date (in working days), or
                          still unpublished past it
``R16-channel-evidence``  a promised channel with no URL, place or photo for the item's
                          latest record
``R17-link-broken``       a recorded URL that failed twice in a row, or whose page no
                          longer shows the record's title or 文号 (``verify_channels``)
``R18-notice-period``     a 公示 shorter than the period the item's 公开时限 requires

``load_records`` (the rules' shared ``prepare``) loads the records of every catalog of the
run in a fixed number of queries — the calendar, the records, their channels with their
latest check, the catalogs' first publications — whatever the number of catalogs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from items.deadlines import PERIODIC, parse_deadline
from records.calendar import TableCalendar, load_calendar
from records.models import DisclosureRecord
from records.selectors import (
    first_publication_dates,
    first_record_expected_on,
    link_problem,
    missed_periods_of,
    records_of_catalogs,
    short_notices,
)
from records.timeliness import Timeliness, record_state
from review.checks.registry import WARNING, Hit, rule
from review.checks.runner import CatalogContext
from review.checks.text import item_label

DATA_KEY = "records"
# A periodic item's message names at most this many missed periods (the latest ones).
SHOWN_PERIODS = 6


def current_date() -> date:
    """Today in the portal's time zone (tests pin it)."""
    return timezone.localdate()


@dataclass
class RecordData:
    """What the record rules read for one catalog, loaded by ``load_records``."""

    today: date
    calendar: TableCalendar
    since: date | None  # the catalog's first publication: when its promise started
    by_item: dict = field(default_factory=dict)  # public_id -> [DisclosureRecord], newest first

    def records(self, item) -> list[DisclosureRecord]:
        return self.by_item.get(item.public_id, [])


def load_records(contexts: list[CatalogContext]) -> None:
    """The records of every catalog of the run, in four queries however many catalogs."""
    if any(DATA_KEY in context.data for context in contexts):
        return  # the five rules share this prepare: load once per run
    today = current_date()
    calendar = load_calendar()
    catalog_ids = [context.catalog.pk for context in contexts]
    by_catalog = records_of_catalogs(catalog_ids)
    since = first_publication_dates(catalog_ids)
    for context in contexts:
        by_item: dict = defaultdict(list)
        for record in by_catalog.get(context.catalog.pk, []):
            by_item[record.item_id].append(record)
        context.data[DATA_KEY] = RecordData(
            today=today,
            calendar=calendar,
            since=since.get(context.catalog.pk),
            by_item=dict(by_item),
        )


def _data(context: CatalogContext) -> RecordData:
    if DATA_KEY not in context.data:
        load_records([context])
    return context.data[DATA_KEY]


def _record_label(record: DisclosureRecord) -> str:
    number = f"（{record.document_number}）" if record.document_number else ""
    return f"公开信息“{record.title}”{number}"


def _estimated(flag: bool) -> str:
    return "（预计，该年节假日安排尚未导入）" if flag else ""


@rule(
    "R14-record-missing",
    WARNING,
    "事项有公开信息",
    "目录公开后，每个事项都应在其公开时限内登记已公开的信息；按月、按季度、按年等定期公开的"
    "事项，每个周期都应有公开信息。",
    prepare=load_records,
)
def check_record_missing(context: CatalogContext) -> Iterator[Hit]:
    data = _data(context)
    if data.since is None:
        return  # never published: the catalog has promised nothing yet
    for item in context.items:
        records = data.records(item)
        rule = parse_deadline((item.deadline or "").strip())
        if rule is not None and rule.kind == PERIODIC:
            missed = missed_periods_of(
                item,
                [record.formed_on for record in records],
                since=data.since,
                today=data.today,
                calendar=data.calendar,
            )
            if missed:
                shown = "、".join(period.window.label for period in missed[-SHOWN_PERIODS:])
                more = f"等{len(missed)}期" if len(missed) > SHOWN_PERIODS else ""
                latest = missed[-1]
                yield Hit(
                    f"{item_label(item)}：公开时限为“{rule.text}”，{shown}{more}没有公开信息"
                    f"（最近一期应于{latest.due.on.isoformat()}{_estimated(latest.due.estimated)}"
                    "前公开）。",
                    item,
                    "deadline",
                    key="periods",
                )
            continue
        if records:
            continue
        expected = first_record_expected_on(item, since=data.since, calendar=data.calendar)
        if expected.on < data.today:
            yield Hit(
                f"{item_label(item)}：目录于{data.since.isoformat()}公开，至今没有登记任何公开信息"
                f"（按公开时限“{item.deadline or '未填写'}”，最迟应于{expected.on.isoformat()}"
                f"{_estimated(expected.estimated)}前公开）。",
                item,
                "deadline",
                key="none",
            )


@rule(
    "R15-record-late",
    WARNING,
    "按时公开",
    "公开信息应在公开时限内发布：期限按事项的公开时限和信息形成日期，依国家法定节假日和调休"
    "安排的工作日计算；逾期发布或逾期未发布的，标明逾期的工作日数。",
    prepare=load_records,
)
def check_record_late(context: CatalogContext) -> Iterator[Hit]:
    data = _data(context)
    for item in context.items:
        for record in data.records(item):
            state = record_state(record, today=data.today, calendar=data.calendar)
            if state.timeliness == Timeliness.LATE:
                outcome = f"{record.published_on.isoformat()}才发布，逾期"
            elif state.timeliness == Timeliness.OVERDUE:
                outcome = "至今未发布，已逾期"
            else:
                continue
            yield Hit(
                f"{item_label(item)}：{_record_label(record)}形成于"
                f"{record.formed_on.isoformat()}，应于{state.due_on.isoformat()}"
                f"{_estimated(state.estimated)}前公开，{outcome}{state.late_workdays}个工作日。",
                item,
                "deadline",
                key=f"record:{record.pk}",
            )


@rule(
    "R16-channel-evidence",
    WARNING,
    "承诺渠道有佐证",
    "事项最新一条公开信息，在目录承诺的每个公开渠道上都应有佐证：线上渠道填写网址，"
    "线下渠道填写查阅位置（可附现场照片）。",
    prepare=load_records,
)
def check_channel_evidence(context: CatalogContext) -> Iterator[Hit]:
    data = _data(context)
    for item in context.items:
        records = data.records(item)
        if not records:
            continue  # R14's concern
        latest = records[0]
        evidenced = {channel.channel for channel in latest.channels.all() if channel.has_evidence}
        for promised in item.channels or []:
            if promised not in evidenced:
                yield Hit(
                    f"{item_label(item)}：目录承诺在“{promised}”公开，但最新的"
                    f"{_record_label(latest)}没有该渠道的网址或查阅位置。",
                    item,
                    "channels",
                    key=promised,
                )


@rule(
    "R17-link-broken",
    WARNING,
    "公开信息链接有效",
    "登记的网址应能打开并显示该条信息：连续两次检查都无法访问的链接视为失效；"
    "页面能打开但已找不到信息标题或文号的，视为信息已不在原处。",
    prepare=load_records,
)
def check_link_broken(context: CatalogContext) -> Iterator[Hit]:
    data = _data(context)
    for item in context.items:
        for record in data.records(item):
            for channel in record.channels.all():
                problem = link_problem(channel)
                if problem is None:
                    continue
                checked = channel.last_checked_at
                when = f"（{timezone.localtime(checked):%Y-%m-%d}检查）" if checked else ""
                if problem == "broken":
                    detail = f"已失效{when}：{channel.last_error or '无法访问'}"
                else:
                    detail = f"能打开，但页面上已找不到信息标题或文号{when}"
                yield Hit(
                    f"{item_label(item)}：{_record_label(record)}在“{channel.channel}”的网址"
                    f" {channel.url} {detail}。",
                    item,
                    "channels",
                    key=f"{record.pk}:{channel.channel}",
                )


@rule(
    "R18-notice-period",
    WARNING,
    "公示期足够",
    "公示类信息的公示期不应短于事项公开时限要求的公示期（如“公示7个工作日”按工作日计算，"
    "“公示期7天”按自然日计算）。",
    prepare=load_records,
)
def check_notice_period(context: CatalogContext) -> Iterator[Hit]:
    data = _data(context)
    for item in context.items:
        for shortfall in short_notices(data.records(item), calendar=data.calendar):
            record = shortfall.record
            yield Hit(
                f"{item_label(item)}：{_record_label(record)}公示期为"
                f"{record.notice_start.isoformat()}至{record.notice_end.isoformat()}，"
                f"短于要求的{shortfall.required}（应至少公示至{shortfall.required_end.isoformat()}"
                f"{_estimated(shortfall.estimated)}）。",
                item,
                "deadline",
                key=f"record:{record.pk}",
            )
