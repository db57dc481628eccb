"""The item grid: four marks from 0 to 3 per item, computed from what the portal knows.

=====  ======================================================================================
公开    the item's latest published record has evidence (URL, place or photo) on every channel
        the item promises: 3; on at least half: 2; on fewer: 1; no published record: 0
完整    unresolved findings on the item (the checks' results and reviewers' findings, the
        records rules R14–R18 left out): none: 3; one 一般: 2; several 一般 or one 严重: 1;
        two or more 严重: 0
及时    the latest record on time (or not yet due, or with no fixed deadline): 3; late by up to
        5 working days: 2; later: 1; overdue unpublished or no record: 0; a missed period of
        a periodic promise (no record formed in a period now due) caps it at 1
渠道    the latest record's URLs: none failing: 3; some failing (broken, or the page no longer
        shows the record): 1; all failing: 0; no record: 0. An item promising 政府网站 loses a
        point when its region's 专栏 for the field is not registered or did not answer
=====  ======================================================================================

A reviewer's override (``MarkOverride``, newest row wins) replaces the computed mark. The whole
grid of a region scope takes a fixed number of queries (``tests/assessment``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery

from assessment.models import MAX_MARK, Dimension, MarkOverride
from catalogs.models import Catalog, Region
from items.models import Item
from records.calendar import load_calendar
from records.models import ChannelCheck, DisclosureRecord, SpecialColumn
from records.selectors import (
    channels_with_last_check,
    first_publication_dates,
    missed_periods_of,
)
from records.timeliness import Timeliness, record_state
from review.models import UNRESOLVED, CheckRun, Finding, FindingSource, Severity

RECORD_RULES = (
    "R14-record-missing",
    "R15-record-late",
    "R16-channel-evidence",
    "R17-link-broken",
    "R18-notice-period",
)
WEBSITE = "政府网站"
# Findings of a monitoring round (assessment.services) start with this; they restate the
# marks, so they never count against 完整 themselves.
ROUND_PREFIX = "目标责任制评估整改"
SHORTLY_LATE_WORKDAYS = 5
DIMENSIONS = list(Dimension.values)


@dataclass
class ItemMarks:
    item: Item
    catalog: Catalog
    computed: dict[str, int]
    reasons: dict[str, str]
    overrides: dict[str, MarkOverride] = field(default_factory=dict)

    @property
    def marks(self) -> dict[str, int]:
        return {
            dim: self.overrides[dim].mark if dim in self.overrides else self.computed[dim]
            for dim in DIMENSIONS
        }

    def mark(self, dimension: str) -> int:
        return self.marks[dimension]

    @property
    def cells(self) -> list[tuple[str, int, bool, str]]:
        """(dimension, mark, overridden, why) in the grid's column order."""
        marks = self.marks
        return [
            (
                dim,
                marks[dim],
                dim in self.overrides,
                f"已调整（原{self.overrides[dim].previous_mark}分）：{self.overrides[dim].reason}"
                if dim in self.overrides
                else self.reasons[dim],
            )
            for dim in DIMENSIONS
        ]

    @property
    def short(self) -> bool:
        """Below 3 on any mark: what a monitoring round turns into findings."""
        return any(mark < MAX_MARK for mark in self.marks.values())


@dataclass
class Inputs:
    """Which of the portal's data the marks could draw on, said on the page."""

    records: bool
    link_checks: bool
    check_runs: bool
    special_columns: bool

    @property
    def lines(self) -> list[tuple[str, bool]]:
        return [
            ("公开信息记录（公开、及时、渠道）", self.records),
            ("链接检查结果（渠道）", self.link_checks),
            ("自动检查结果（完整）", self.check_runs),
            ("基层政务公开专栏登记（渠道）", self.special_columns),
        ]


@dataclass
class Grid:
    root: Region
    year: int
    rows: list[ItemMarks]
    inputs: Inputs

    def by_region(self) -> dict[int, list[ItemMarks]]:
        grouped: dict[int, list[ItemMarks]] = defaultdict(list)
        for row in self.rows:
            grouped[row.catalog.region_id].append(row)
        return grouped

    def distribution(self) -> dict[str, list[int]]:
        """Per dimension, how many items have mark 0, 1, 2 and 3."""
        counts = {dim: [0] * (MAX_MARK + 1) for dim in DIMENSIONS}
        for row in self.rows:
            for dim, mark in row.marks.items():
                counts[dim][mark] += 1
        return counts


def public_mark(record, promised) -> tuple[int, str]:
    if record is None:
        return 0, "无已发布的公开信息"
    promised = set(promised)
    if not promised:
        return MAX_MARK, "未承诺渠道，已有公开信息"
    evidenced = {c.channel for c in record.channels.all() if c.has_evidence}
    shown = len(promised & evidenced)
    reason = f"{shown}/{len(promised)}个承诺渠道有佐证"
    if shown == len(promised):
        return 3, reason
    return (2 if shown * 2 >= len(promised) else 1), reason


def complete_mark(errors: int, warnings: int) -> tuple[int, str]:
    reason = f"未整改问题：严重{errors}个，一般{warnings}个"
    if errors >= 2:
        return 0, reason
    if errors == 1 or warnings >= 2:
        return 1, reason
    return (2 if warnings == 1 else 3), reason


def timely_mark(record, *, today, calendar, missed_period: bool) -> tuple[int, str]:
    if record is None:
        return 0, "无公开信息"
    state = record_state(record, today=today, calendar=calendar)
    if state.timeliness in (Timeliness.ON_TIME, Timeliness.NOT_DUE, Timeliness.NO_DEADLINE):
        mark = 3
    elif state.timeliness == Timeliness.LATE:
        mark = 2 if state.late_workdays <= SHORTLY_LATE_WORKDAYS else 1
    else:
        mark = 0
    reason = state.label
    if missed_period and mark > 1:
        mark, reason = 1, f"{reason}；有漏报的周期"
    return mark, reason


def channel_mark(record, promised, column_ok: bool | None) -> tuple[int, str]:
    if record is None:
        return 0, "无公开信息"
    with_url = [c for c in record.channels.all() if c.url]
    failing = [c for c in with_url if c.last_broken or (c.last_ok and c.last_title_found is False)]
    if with_url and len(failing) == len(with_url):
        mark, reason = 0, f"{len(failing)}个链接全部失效"
    elif failing:
        mark, reason = 1, f"{len(failing)}/{len(with_url)}个链接失效"
    else:
        checked = sum(1 for c in with_url if c.last_checked_at is not None)
        mark = 3
        if not with_url:
            reason = "线下渠道"
        elif checked:
            reason = f"{len(with_url)}个链接，已检查{checked}个，未发现失效"
        else:
            reason = f"{len(with_url)}个链接，尚未检查"
    if WEBSITE in promised and column_ok is not True:
        mark = max(mark - 1, 0)
        reason += "；专栏未登记" if column_ok is None else "；专栏无法访问"
    return mark, reason


def item_grid(*, root: Region, year: int, today: date, user=None) -> Grid:
    """Every item of every catalog under ``root`` with its four marks: a fixed number of
    queries whatever the size of ``root``."""
    catalogs_qs = Catalog.objects.within(root).of_governments().select_related("region", "standard")
    if user is not None:
        catalogs_qs = catalogs_qs.for_user(user)
    catalogs = {c.pk: c for c in catalogs_qs.order_by("region__code", "standard__order")}
    items = list(
        Item.objects.filter(catalog_id__in=list(catalogs))
        .only("pk", "catalog_id", "public_id", "seq", "level1", "level2", "channels", "deadline")
        .order_by("catalog_id", "seq", "pk")
    )
    latest: dict[uuid.UUID, DisclosureRecord] = {}
    latest_published: dict[uuid.UUID, DisclosureRecord] = {}
    formed_dates: dict[uuid.UUID, list[date]] = defaultdict(list)
    for record in (
        DisclosureRecord.objects.filter(catalog_id__in=list(catalogs))
        .newest_first()
        .prefetch_related(Prefetch("channels", queryset=channels_with_last_check()))
    ):
        latest.setdefault(record.item_id, record)
        formed_dates[record.item_id].append(record.formed_on)
        if record.published_on is not None:
            latest_published.setdefault(record.item_id, record)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        Finding.objects.filter(catalog_id__in=list(catalogs), state__in=UNRESOLVED)
        .exclude(item_id=None)
        .exclude(source=FindingSource.REVIEWER, description__startswith=ROUND_PREFIX)
        .values("item_id", "severity", "rule_code")
        .annotate(n=Count("pk"))
    ):
        if row["rule_code"] not in RECORD_RULES:
            counts[row["item_id"]][row["severity"]] += row["n"]
    last_column_check = ChannelCheck.objects.filter(special_column=OuterRef("pk")).order_by(
        "-checked_at", "-pk"
    )
    columns = {
        (region_id, standard_id): ok
        for region_id, standard_id, ok in SpecialColumn.objects.filter(
            region__path__startswith=root.path
        )
        .annotate(last_ok=Subquery(last_column_check.values("ok")[:1]))
        .values_list("region_id", "standard_id", "last_ok")
    }
    overrides: dict[tuple[uuid.UUID, str], MarkOverride] = {}
    for override in MarkOverride.objects.filter(year=year, catalog_id__in=list(catalogs)).order_by(
        "created_at", "pk"
    ):
        overrides[(override.item_public_id, override.dimension)] = override
    calendar = load_calendar()
    promised_since = first_publication_dates(list(catalogs))
    rows = []
    for item in items:
        catalog = catalogs[item.catalog_id]
        record = latest.get(item.public_id)
        key = (catalog.region_id, catalog.standard_id)
        column_ok = bool(columns[key]) if key in columns else None
        found = counts.get(item.pk, {})
        computed, reasons = {}, {}
        for dim, (mark, reason) in {
            Dimension.PUBLIC: public_mark(latest_published.get(item.public_id), item.channels),
            Dimension.COMPLETE: complete_mark(
                found.get(Severity.ERROR, 0), found.get(Severity.WARNING, 0)
            ),
            Dimension.TIMELY: timely_mark(
                record,
                today=today,
                calendar=calendar,
                missed_period=bool(
                    missed_periods_of(
                        item,
                        formed_dates[item.public_id],
                        since=promised_since.get(item.catalog_id),
                        today=today,
                        calendar=calendar,
                    )
                ),
            ),
            Dimension.CHANNEL: channel_mark(record, item.channels, column_ok),
        }.items():
            computed[dim], reasons[dim] = mark, reason
        rows.append(
            ItemMarks(
                item=item,
                catalog=catalog,
                computed=computed,
                reasons=reasons,
                overrides={
                    dim: overrides[(item.public_id, dim)]
                    for dim in DIMENSIONS
                    if (item.public_id, dim) in overrides
                },
            )
        )
    any_checked = any(
        c.last_checked_at is not None for r in latest.values() for c in r.channels.all()
    )
    inputs = Inputs(
        records=bool(latest),
        link_checks=any_checked,
        check_runs=CheckRun.objects.filter(
            Q(catalog_id__in=list(catalogs))
            | Q(region__path__startswith=root.path)
            | Q(region=None, catalog=None)
        ).exists(),
        special_columns=bool(columns),
    )
    return Grid(root=root, year=year, rows=rows, inputs=inputs)
