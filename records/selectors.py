"""Reads of disclosure records: per item and catalog, timeliness, missed periods, evidence.

Every function takes ``today`` (and, where it counts working days, a ``calendar``) so tests
can pin them; callers that render a page load the calendar once (``load_calendar()``).
The functions here are what the check rules R14–R18, the item and catalog pages, the API
and the reviewers' evidence screen are built from.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from catalogs.models import Catalog
from items.deadlines import (
    PERIODIC,
    WITHIN,
    WORKDAY,
    DeadlineRule,
    Due,
    PeriodWindow,
    parse_deadline,
)
from items.models import Item, Publication
from records.calendar import TableCalendar, load_calendar
from records.models import (
    ChannelCheck,
    DisclosureRecord,
    HolidayCalendar,
    RecordChannel,
    RecordsStamp,
)
from records.timeliness import RecordState, Timeliness, record_state

# ---------------------------------------------------------------------------
# Records of items and catalogs
# ---------------------------------------------------------------------------


def records_for_user(user):
    return DisclosureRecord.objects.for_user(user)


def records_by_item(
    public_ids: Iterable[uuid.UUID], *, published_only: bool = True
) -> dict[uuid.UUID, list[DisclosureRecord]]:
    """Records of many items, newest first, with their channels: two queries in all."""
    public_ids = list(public_ids)
    queryset = DisclosureRecord.objects.filter(item_id__in=public_ids)
    if published_only:
        queryset = queryset.published()
    grouped: dict[uuid.UUID, list[DisclosureRecord]] = {public_id: [] for public_id in public_ids}
    for record in queryset.newest_first().with_channels():
        grouped[record.item_id].append(record)
    return grouped


def latest_publication_dates(public_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, date]:
    """Each item's latest publication date (for the catalog page): one query."""
    return dict(
        DisclosureRecord.objects.filter(item_id__in=list(public_ids))
        .published()
        .values("item_id")
        .annotate(latest=Max("published_on"))
        .values_list("item_id", "latest")
    )


def records_stamp(catalog: Catalog) -> RecordsStamp | None:
    """The catalog's RecordsStamp (when its records last changed), or None if they never
    did. No query when the catalog came with ``select_related("records_stamp")``."""
    try:
        return catalog.records_stamp
    except RecordsStamp.DoesNotExist:
        return None


def last_changed(published_at: datetime | None, catalog: Catalog) -> datetime | None:
    """A public page's Last-Modified: its publication, or a later change of the records."""
    stamp = records_stamp(catalog)
    moments = [moment for moment in (published_at, stamp and stamp.changed_at) if moment]
    return max(moments, default=None)


def public_photo_ids(records: Iterable[DisclosureRecord]) -> set[int]:
    """Ids of the channels (of prefetched records) whose photo staff made public: what a
    public page, which is the same for everyone and cached, may link to. No query."""
    return {
        channel.pk
        for record in records
        for channel in record.channels.all()
        if channel.photo and channel.photo_public
    }


def record_payloads(public_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[dict]]:
    """Each item's published records as the open-data API shows them, newest first (no
    photos): two queries whatever the number of items and records."""
    return {
        public_id: [record_payload(record) for record in records]
        for public_id, records in records_by_item(public_ids).items()
    }


def photo_visible_to(channel: RecordChannel, user=None) -> bool:
    """Whether ``user`` may see the channel's photo: staff of the region, or anyone once
    staff marked it public."""
    if not channel.photo:
        return False
    if channel.photo_public:
        return True
    return DisclosureRecord.objects.for_user(user).filter(pk=channel.record_id).exists()


def record_payload(record: DisclosureRecord, state: RecordState | None = None) -> dict:
    """A record as the open-data API shows it (photos are never in it)."""
    payload = {
        "title": record.title,
        "document_number": record.document_number,
        "kind": record.get_kind_display(),
        "formed_on": record.formed_on.isoformat(),
        "published_on": record.published_on.isoformat() if record.published_on else None,
        "due_on": record.due_on.isoformat() if record.due_on else None,
        "due_estimated": record.due_estimated,
        "on_time": None,
        "notice": (
            {
                "start": record.notice_start.isoformat() if record.notice_start else None,
                "end": record.notice_end.isoformat() if record.notice_end else None,
            }
            if record.notice_start or record.notice_end
            else None
        ),
        "channels": [
            {
                "channel": channel.channel,
                "url": channel.url or None,
                "location": channel.location or None,
            }
            for channel in record.channels.all()
        ],
    }
    if state is not None:
        payload["on_time"] = state.on_time
    elif record.published_on and record.due_on:
        payload["on_time"] = record.published_on <= record.due_on
    return payload


# ---------------------------------------------------------------------------
# Timeliness
# ---------------------------------------------------------------------------


def states_of(
    records: Iterable[DisclosureRecord], *, today: date, calendar: TableCalendar | None = None
) -> dict[int, RecordState]:
    calendar = calendar or load_calendar()
    return {record.pk: record_state(record, today=today, calendar=calendar) for record in records}


def records_with_state(
    queryset, *, today: date, calendar: TableCalendar | None = None
) -> list[tuple[DisclosureRecord, RecordState]]:
    calendar = calendar or load_calendar()
    return [(record, record_state(record, today=today, calendar=calendar)) for record in queryset]


def timeliness_counts(queryset, *, today: date) -> dict[str, int]:
    """How many records are in each state, counted in the database."""
    return {
        Timeliness.ON_TIME: queryset.on_time().count(),
        Timeliness.LATE: queryset.late().count(),
        Timeliness.OVERDUE: queryset.overdue(today).count(),
        Timeliness.NOT_DUE: queryset.not_yet_due(today).count(),
        Timeliness.NO_DEADLINE: queryset.filter(due_on__isnull=True).count(),
    }


def missing_holiday_years(*, today: date, extra_years: Iterable[int] = ()) -> list[int]:
    """Years the deadlines need and the holiday table lacks, for the province dashboard:
    this year, next year from November on (when the State Council publishes it), and every
    year a record's due date had to be estimated in."""
    needed = {today.year, *extra_years}
    if today.month >= 11:
        needed.add(today.year + 1)
    needed |= {
        day.year
        for day in DisclosureRecord.objects.filter(due_estimated=True).dates("due_on", "year")
    }
    known = {day.year for day in HolidayCalendar.objects.dates("date", "year")}
    return sorted(needed - known)


# ---------------------------------------------------------------------------
# Promises kept: which items lack records, which periods were missed
# ---------------------------------------------------------------------------


def first_publication_dates(catalog_ids: Iterable[int]) -> dict[int, date]:
    """When each catalog was first published: the day its promise started."""
    return {
        row["catalog_id"]: timezone.localtime(row["first"]).date()
        for row in Publication.objects.filter(catalog_id__in=list(catalog_ids))
        .values("catalog_id")
        .annotate(first=Min("published_at"))
    }


@dataclass(frozen=True)
class MissedPeriod:
    item: Item
    window: PeriodWindow
    due: Due

    @property
    def message(self) -> str:
        estimated = "（预计）" if self.due.estimated else ""
        return (
            f"{self.window.label}（{self.window.start.isoformat()}至{self.window.end.isoformat()}"
            f"形成的信息，应于{self.due.on.isoformat()}{estimated}前公开）没有公开信息"
        )


def missed_periods(
    items: Iterable[Item],
    *,
    today: date,
    since: dict[int, date] | date | None = None,
    calendar: TableCalendar | None = None,
) -> list[MissedPeriod]:
    """Periods of periodic items (每月, 每季度, 每年, 定期…) whose due date has passed with no
    record formed in them.

    The promise starts on ``since``: a date, a {catalog_id: date} map, or by default each
    catalog's first publication (an unpublished catalog has promised nothing yet).
    """
    items = [item for item in items if _periodic(item)]
    if not items:
        return []
    calendar = calendar or load_calendar()
    if since is None:
        since = first_publication_dates({item.catalog_id for item in items})
    formed = defaultdict(list)
    for public_id, formed_on in DisclosureRecord.objects.filter(
        item_id__in=[item.public_id for item in items]
    ).values_list("item_id", "formed_on"):
        formed[public_id].append(formed_on)
    missed = []
    for item in items:
        start = since.get(item.catalog_id) if isinstance(since, dict) else since
        missed += missed_periods_of(
            item, formed[item.public_id], since=start, today=today, calendar=calendar
        )
    return missed


def missed_periods_of(
    item, formed_dates: Iterable[date], *, since: date | None, today: date, calendar
) -> list[MissedPeriod]:
    """``missed_periods`` for one item (an Item or a PublishedItem) whose records' 形成日期
    are already loaded: no query. Nothing before ``since`` (the first publication)."""
    rule = parse_deadline((item.deadline or "").strip())
    if since is None or rule is None or rule.kind != PERIODIC:
        return []
    formed_dates = list(formed_dates)
    missed = []
    for window in rule.windows(since, today):
        due = rule.due(window.end, calendar=calendar)
        if due.on is None or due.on >= today or due.on < since:
            continue
        if not any(day in window for day in formed_dates):
            missed.append(MissedPeriod(item, window, due))
    return missed


def first_record_expected_on(item, *, since: date, calendar) -> Due:
    """When a non-periodic item should have its first record at the latest: its 公开时限
    counted from the day the catalog first promised it (``since``); that day itself for a
    rule without a due date (长期公开, 根据工作进度…) or a text no rule reads."""
    rule = parse_deadline((item.deadline or "").strip())
    if rule is None or not rule.has_due_date:
        return Due(since)
    due = rule.due(since, calendar=calendar)
    return due if due.on is not None else Due(since)


def _periodic(item: Item) -> bool:
    rule = parse_deadline((item.deadline or "").strip())
    return rule is not None and rule.kind == PERIODIC


def items_without_records(catalog: Catalog, *, today: date | None = None):
    """Items of a catalog that have no record at all (published or not)."""
    return (
        Item.objects.filter(catalog=catalog)
        .annotate(has_record=Exists(DisclosureRecord.objects.filter(item_id=OuterRef("public_id"))))
        .filter(has_record=False)
        .order_by("seq", "pk")
    )


# ---------------------------------------------------------------------------
# Evidence per promised channel, link health, 公示 periods
# ---------------------------------------------------------------------------


def latest_checks(channel_ids: Iterable[int]) -> dict[int, ChannelCheck]:
    """The latest check of each channel: one query."""
    latest = {}
    for check in ChannelCheck.objects.filter(channel_id__in=list(channel_ids)).order_by(
        "channel_id", "-checked_at", "-pk"
    ):
        latest.setdefault(check.channel_id, check)
    return latest


def broken_channels(queryset=None):
    """Channels whose latest check says broken (failed twice in a row), or whose page no
    longer shows the record's title or 文号."""
    channels = RecordChannel.objects.all() if queryset is None else queryset
    latest = ChannelCheck.objects.filter(channel=OuterRef("pk")).order_by("-checked_at", "-pk")
    return (
        channels.annotate(
            last_broken=Subquery(latest.values("broken")[:1]),
            last_ok=Subquery(latest.values("ok")[:1]),
            last_title_found=Subquery(latest.values("title_found")[:1]),
        )
        .filter(Q(last_broken=True) | Q(last_ok=True, last_title_found=False))
        .select_related("record")
    )


def channels_with_last_check():
    """Record channels in their order, each annotated with its latest check: ``last_ok``,
    ``last_broken``, ``last_title_found``, ``last_error``, ``last_checked_at`` (None when
    never checked). Subqueries, so prefetching them stays one query."""
    latest = ChannelCheck.objects.filter(channel=OuterRef("pk")).order_by("-checked_at", "-pk")
    return RecordChannel.objects.annotate(
        last_ok=Subquery(latest.values("ok")[:1]),
        last_broken=Subquery(latest.values("broken")[:1]),
        last_title_found=Subquery(latest.values("title_found")[:1]),
        last_error=Subquery(latest.values("error")[:1]),
        last_checked_at=Subquery(latest.values("checked_at")[:1]),
    ).order_by("order", "pk")


def link_problem(channel: RecordChannel) -> str | None:
    """What is wrong with an annotated channel's URL (``channels_with_last_check``): 失效
    (failed twice in a row), or the page answers but no longer shows the record."""
    if not channel.url:
        return None
    if getattr(channel, "last_broken", None):
        return "broken"
    if getattr(channel, "last_ok", None) and getattr(channel, "last_title_found", None) is False:
        return "title_missing"
    return None


def records_of_catalogs(catalog_ids: Iterable[int]) -> dict[int, list[DisclosureRecord]]:
    """Every record of the catalogs, newest first, with their channels annotated with their
    latest check: two queries whatever the number of catalogs (the check rules' prepare)."""
    grouped: dict[int, list[DisclosureRecord]] = defaultdict(list)
    records = (
        DisclosureRecord.objects.filter(catalog_id__in=list(catalog_ids))
        .newest_first()
        .prefetch_related(Prefetch("channels", queryset=channels_with_last_check()))
    )
    for record in records:
        grouped[record.catalog_id].append(record)
    return grouped


@dataclass(frozen=True)
class NoticeShortfall:
    record: DisclosureRecord
    required: str  # 公示7个工作日
    required_end: date
    estimated: bool


def short_notices(
    records: Iterable[DisclosureRecord], *, calendar: TableCalendar | None = None
) -> list[NoticeShortfall]:
    """公示 records that ended before the period their item's 公开时限 requires."""
    calendar = calendar or load_calendar()
    shortfalls = []
    for record in records:
        if record.notice_start is None or record.notice_end is None:
            continue
        rule = parse_deadline((record.deadline_text or "").strip())
        period = rule.publicity_period if rule else None
        if period is None:
            continue
        # A 公示 of N days starting on day S runs through S + N - 1: the start day counts.
        due = _period_end(period, record.notice_start - timedelta(days=1), calendar)
        if record.notice_end < due.on:
            shortfalls.append(NoticeShortfall(record, str(period), due.on, due.estimated))
    return shortfalls


def _period_end(period, start: date, calendar) -> Due:
    if period.unit != WORKDAY:
        # A 公示 is a span of days: it is not pushed past a weekend like a deadline.
        return Due(start + timedelta(days=period.amount))
    rule = DeadlineRule(text="", kind=WITHIN, amount=period.amount, unit=period.unit)
    return rule.due(start, calendar=calendar)


class Cell:
    """States of one (item, promised channel) cell of the evidence screen."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # no record at all
    NO_EVIDENCE = "no_evidence"  # a record, but nothing on this channel
    BROKEN = "broken"
    NOT_DUE = "not_due"
    LABELS = {
        ON_TIME: "按时",
        LATE: "逾期",
        MISSING: "缺失",
        NO_EVIDENCE: "无佐证",
        BROKEN: "失效",
        NOT_DUE: "未到期",
    }


@dataclass
class EvidenceCell:
    channel: str
    state: str
    record: DisclosureRecord | None = None
    record_channel: RecordChannel | None = None
    check: ChannelCheck | None = None
    late_workdays: int = 0

    @property
    def label(self) -> str:
        label = Cell.LABELS[self.state]
        if self.state == Cell.LATE and self.late_workdays:
            label += f"{self.late_workdays}个工作日"
        return label


@dataclass
class EvidenceRow:
    item: Item
    latest: DisclosureRecord | None
    state: RecordState | None
    cells: list[EvidenceCell] = field(default_factory=list)


def _latest_records(catalog: Catalog) -> tuple[list[Item], dict[uuid.UUID, DisclosureRecord]]:
    """The catalog's items in order, and each one's newest record (channels prefetched)."""
    items = list(Item.objects.filter(catalog=catalog).order_by("seq", "pk"))
    latest: dict[uuid.UUID, DisclosureRecord] = {}
    for record in (
        DisclosureRecord.objects.filter(item_id__in=[item.public_id for item in items])
        .newest_first()
        .with_channels()
    ):
        latest.setdefault(record.item_id, record)
    return items, latest


def evidence_grid(
    catalog: Catalog, *, today: date, calendar: TableCalendar | None = None
) -> list[EvidenceRow]:
    """Items × promised channels of a catalog, each cell on time / late / missing / no
    evidence / broken, from the item's latest record: a fixed number of queries."""
    calendar = calendar or load_calendar()
    items, latest = _latest_records(catalog)
    channel_ids = [channel.pk for record in latest.values() for channel in record.channels.all()]
    checks = latest_checks(channel_ids)
    rows = []
    for item in items:
        record = latest.get(item.public_id)
        state = record_state(record, today=today, calendar=calendar) if record else None
        row = EvidenceRow(item, record, state)
        by_channel = (
            {channel.channel: channel for channel in record.channels.all()} if record else {}
        )
        for promised in item.channels:
            row.cells.append(_cell(promised, record, state, by_channel.get(promised), checks))
        rows.append(row)
    return rows


def _cell(promised, record, state, record_channel, checks) -> EvidenceCell:
    if record is None:
        return EvidenceCell(promised, Cell.MISSING)
    if record_channel is None or not record_channel.has_evidence:
        return EvidenceCell(promised, Cell.NO_EVIDENCE, record, record_channel)
    check = checks.get(record_channel.pk)
    if check is not None and (check.broken or (check.ok and check.title_found is False)):
        return EvidenceCell(promised, Cell.BROKEN, record, record_channel, check)
    if state.timeliness in (Timeliness.LATE, Timeliness.OVERDUE):
        return EvidenceCell(promised, Cell.LATE, record, record_channel, check, state.late_workdays)
    if state.timeliness == Timeliness.NOT_DUE:
        return EvidenceCell(promised, Cell.NOT_DUE, record, record_channel, check)
    return EvidenceCell(promised, Cell.ON_TIME, record, record_channel, check)


def channels_without_evidence(catalog: Catalog) -> list[tuple[Item, DisclosureRecord, str]]:
    """(item, latest record, promised channel) where the latest record has no URL, place
    or photo for a channel the item promises."""
    items, latest = _latest_records(catalog)
    missing = []
    for item in items:
        record = latest.get(item.public_id)
        if record is None:
            continue
        present = {channel.channel for channel in record.channels.all() if channel.has_evidence}
        missing += [(item, record, channel) for channel in item.channels if channel not in present]
    return missing


@dataclass(frozen=True)
class EvidenceSummary:
    """For the 7/1 milestone (承诺渠道可查阅): how many items of a catalog have a published
    record with evidence (a URL, a place or a photo) on every channel they promise."""

    items: int
    complete: int
    # Once every item is complete: the day the last of them became findable on all its
    # channels (each item's earliest fully evidenced publication; the latest of those).
    evidenced_on: date | None = None

    @property
    def is_complete(self) -> bool:
        return self.items > 0 and self.complete == self.items

    @property
    def missing(self) -> int:
        return self.items - self.complete


def _fully_evidenced(record: DisclosureRecord, promised) -> bool:
    evidenced = {channel.channel for channel in record.channels.all() if channel.has_evidence}
    return set(promised) <= evidenced


def evidence_summaries(catalog_ids: Iterable[int]) -> dict[int, EvidenceSummary]:
    """EvidenceSummary per catalog, from each item's latest published record: three queries."""
    catalog_ids = list(catalog_ids)
    items = list(
        Item.objects.filter(catalog_id__in=catalog_ids).only(
            "pk", "catalog_id", "public_id", "channels"
        )
    )
    records: dict[uuid.UUID, list[DisclosureRecord]] = defaultdict(list)
    for record in (
        DisclosureRecord.objects.filter(catalog_id__in=catalog_ids)
        .published()
        .newest_first()
        .with_channels()
    ):
        records[record.item_id].append(record)
    totals: dict[int, list[int]] = {catalog_id: [0, 0] for catalog_id in catalog_ids}
    since: dict[int, date] = {}
    for item in items:
        totals[item.catalog_id][0] += 1
        mine = records.get(item.public_id)
        if not mine or not _fully_evidenced(mine[0], item.channels):
            continue
        totals[item.catalog_id][1] += 1
        first = min(r.published_on for r in mine if _fully_evidenced(r, item.channels))
        since[item.catalog_id] = max(first, since.get(item.catalog_id, first))
    summaries = {}
    for catalog_id, (count, complete) in totals.items():
        done = count > 0 and complete == count
        summaries[catalog_id] = EvidenceSummary(
            count, complete, since.get(catalog_id) if done else None
        )
    return summaries


def visible_photo_ids(records: Iterable[DisclosureRecord], user=None) -> set[int]:
    """Ids of the channels whose photos ``user`` may see, among prefetched records: public
    ones for anyone, every one for staff who may read the region (at most one query)."""
    records = list(records)
    channels = [channel for record in records for channel in record.channels.all() if channel.photo]
    visible = {channel.pk for channel in channels if channel.photo_public}
    hidden = [channel for channel in channels if not channel.photo_public]
    if hidden and user is not None and getattr(user, "is_authenticated", False):
        readable = set(
            DisclosureRecord.objects.for_user(user)
            .filter(pk__in={channel.record_id for channel in hidden})
            .values_list("pk", flat=True)
        )
        visible |= {channel.pk for channel in hidden if channel.record_id in readable}
    return visible
