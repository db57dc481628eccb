"""Every write to disclosure records, 专栏, link checks and the holiday table.

Records are facts, not catalog edits: staff of the item's region (or of the county above a
township, or the province administrator) record them whatever the catalog's review status.
Each service checks the actor first, runs in one transaction, validates before saving and
leaves a history row (django-simple-history) naming the actor.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from catalogs import vocabulary
from catalogs.models import Catalog, Region, RegionLevel, StandardCatalog
from catalogs.permissions import can_edit_region, history_user, require_province_admin
from items.models import Item
from records.calendar import (
    HolidayRow,
    TableCalendar,
    chinesecalendar_days,
    chinesecalendar_source,
    load_calendar,
)
from records.channels import OFFLINE_CHANNELS, is_url
from records.models import (
    ChannelCheck,
    DisclosureRecord,
    HolidayCalendar,
    RecordChannel,
    RecordKind,
    RecordsStamp,
    SpecialColumn,
)
from records.photos import sanitize_photo
from records.timeliness import compute_due

RECORD_FIELDS = (
    "title",
    "document_number",
    "kind",
    "formed_on",
    "published_on",
    "notice_start",
    "notice_end",
)
_url_validator = URLValidator(schemes=["http", "https"])


# ---------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------


def can_record(actor, region: Region) -> bool:
    """Staff of the region, of the county above a township, or the province administrator."""
    return can_edit_region(actor, region)


def require_record(actor, region: Region) -> None:
    if not can_record(actor, region):
        raise PermissionDenied(f"您无权录入或修改“{region.name}”的公开信息。")


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelInput:
    channel: str
    url: str = ""
    location: str = ""


def channel_input(value) -> ChannelInput:
    if isinstance(value, ChannelInput):
        return value
    if isinstance(value, Mapping):
        return ChannelInput(
            channel=value.get("channel", ""),
            url=(value.get("url") or "").strip(),
            location=(value.get("location") or "").strip(),
        )
    return ChannelInput(channel=str(value))


def clean_channel(value: ChannelInput) -> ChannelInput:
    """Canonical channel term; URL for online channels, a place for offline ones."""
    channel = vocabulary.canonical_channel(value.channel or "")
    if channel is None:
        raise ValidationError(
            f"“{value.channel}”不是公开渠道，请使用：{'、'.join(vocabulary.CHANNELS)}。"
        )
    url, location = value.url.strip(), value.location.strip()
    if url:
        if channel in OFFLINE_CHANNELS:
            raise ValidationError(
                f"“{channel}”是线下渠道，请填写查阅位置（如：某某民政局一楼大厅），不要填写网址。"
            )
        if len(url) > 500:
            raise ValidationError(f"“{channel}”的网址超过500个字符。")
        try:
            _url_validator(url)
        except ValidationError:
            raise ValidationError(
                f"“{channel}”的网址“{url}”无效，应以http://或https://开头。"
            ) from None
    if len(location) > 200:
        raise ValidationError(f"“{channel}”的位置超过200字。")
    return ChannelInput(channel, url, location)


def split_evidence(channel: str, text: str) -> ChannelInput:
    """One 网址或位置 cell: a web address, or else a place."""
    text = (text or "").strip()
    if is_url(text) or "://" in text:
        return ChannelInput(channel, url=text)  # clean_channel refuses it where it cannot be
    return ChannelInput(channel, location=text)


def guess_kind(*, level2: str = "", title: str = "", is_notice: bool = False) -> str:
    """The kind of a record when the source (an Excel sheet) does not say it."""
    text = f"{level2}{title}"
    if is_notice or "公示" in title:
        return RecordKind.NOTICE
    if "指南" in text:
        return RecordKind.GUIDE
    if "名单" in text or "名册" in text:
        return RecordKind.LIST
    if "政策" in text or "文件" in level2 or "办法" in title or "意见" in title:
        return RecordKind.POLICY
    if "通知" in title or "公告" in title:
        return RecordKind.ANNOUNCEMENT
    return RecordKind.OTHER


def validate_record_values(values: dict, *, today: date) -> None:
    """Rules a record's values obey before any database constraint sees them."""
    title = (values.get("title") or "").strip()
    if not title:
        raise ValidationError({"title": "请填写信息标题。"})
    if len(title) > 300:
        raise ValidationError({"title": "信息标题不能超过300字。"})
    if len(values.get("document_number") or "") > 100:
        raise ValidationError({"document_number": "文号不能超过100字。"})
    formed_on, published_on = values.get("formed_on"), values.get("published_on")
    if formed_on is None:
        raise ValidationError({"formed_on": "请填写形成日期。"})
    if formed_on > today:
        raise ValidationError({"formed_on": "形成日期不能晚于今天。"})
    if published_on is not None:
        if published_on > today:
            raise ValidationError({"published_on": "发布日期不能晚于今天。"})
        if published_on < formed_on:
            raise ValidationError({"published_on": "发布日期不能早于形成日期。"})
    start, end = values.get("notice_start"), values.get("notice_end")
    if (start or end) and values.get("kind") != RecordKind.NOTICE:
        raise ValidationError({"notice_start": "只有公示类信息填写公示开始和结束日期。"})
    if start and end and end < start:
        raise ValidationError({"notice_end": "公示结束日期不能早于开始日期。"})


def apply_due(record: DisclosureRecord, deadline_text: str, calendar: TableCalendar) -> bool:
    """Set due_on from the item's 公开时限; True when anything changed."""
    due = compute_due(deadline_text, record.formed_on, calendar)
    new = (due.on, due.estimated, (deadline_text or "")[:200])
    old = (record.due_on, record.due_estimated, record.deadline_text)
    record.due_on, record.due_estimated, record.deadline_text = new
    return new != old


def records_touch(catalog_ids: Iterable[int]) -> None:
    """Note that the catalogs' records changed (their public pages and API bodies move on)."""
    ids = sorted(set(catalog_ids))
    if not ids:
        return
    now = timezone.now()
    RecordsStamp.objects.bulk_create(
        [RecordsStamp(catalog_id=catalog_id, changed_at=now) for catalog_id in ids],
        update_conflicts=True,
        unique_fields=["catalog"],
        update_fields=["changed_at"],
    )


def _stamp(obj, actor, reason: str = "") -> None:
    obj._history_user = history_user(actor)
    if reason:
        obj._change_reason = reason


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


def _replace_channels(actor, record: DisclosureRecord, channels: Iterable) -> None:
    """Make the record's channels exactly ``channels``, keeping the photos of kept ones."""
    wanted: list[ChannelInput] = []
    for value in channels:
        cleaned = clean_channel(channel_input(value))
        if any(existing.channel == cleaned.channel for existing in wanted):
            raise ValidationError(f"公开渠道“{cleaned.channel}”重复。")
        wanted.append(cleaned)
    existing = {row.channel: row for row in record.channels.all()}
    for order, value in enumerate(wanted):
        row = existing.pop(value.channel, None) or RecordChannel(
            record=record, channel=value.channel
        )
        if row.pk and (row.url, row.location, row.order) == (value.url, value.location, order):
            continue
        row.url, row.location, row.order = value.url, value.location, order
        row.full_clean(exclude=["record", "photo"])
        _stamp(row, actor)
        row.save()
    for row in existing.values():
        _stamp(row, actor)
        if row.photo:
            row.photo.delete(save=False)
        row.delete()


@transaction.atomic
def record_create(
    *,
    actor,
    item: Item,
    title: str,
    formed_on: date,
    kind: str | None = None,
    document_number: str = "",
    published_on: date | None = None,
    notice_start: date | None = None,
    notice_end: date | None = None,
    channels: Iterable = (),
    today: date | None = None,
) -> DisclosureRecord:
    """Record one piece of published information of an item, with its channels."""
    catalog = Catalog.objects.select_related("region").get(pk=item.catalog_id)
    require_record(actor, catalog.region)
    if kind is None:
        kind = guess_kind(
            level2=item.level2, title=title, is_notice=bool(notice_start or notice_end)
        )
    values = {
        "title": (title or "").strip(),
        "document_number": (document_number or "").strip(),
        "kind": kind,
        "formed_on": formed_on,
        "published_on": published_on,
        "notice_start": notice_start,
        "notice_end": notice_end,
    }
    validate_record_values(values, today=today or timezone.localdate())
    record = DisclosureRecord(catalog=catalog, item=item, created_by=_user(actor), **values)
    apply_due(record, item.deadline, load_calendar())
    record.full_clean()
    _stamp(record, actor, "录入公开信息")
    record.save()
    _replace_channels(actor, record, channels)
    records_touch([catalog.pk])
    return record


def _user(actor):
    return history_user(actor)


@transaction.atomic
def record_update(
    *,
    actor,
    record: DisclosureRecord,
    version: int,
    channels: Iterable | None = None,
    today: date | None = None,
    **values,
) -> DisclosureRecord:
    """Change a record; ``version`` is the one the edit was based on (a stale one is refused)."""
    unknown = set(values) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"record_update() got unexpected fields {sorted(unknown)}")
    locked = (
        DisclosureRecord.objects.select_for_update()
        .select_related("catalog__region")
        .get(pk=record.pk)
    )
    require_record(actor, locked.catalog.region)
    if locked.version != version:
        last = locked.history.order_by("-history_date").select_related("history_user").first()
        who = last.history_user if last and last.history_user else "他人"
        when = timezone.localtime(locked.updated_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(
            f"这条公开信息已被{who}于{when}修改（现为第{locked.version}版，"
            f"您的修改基于第{version}版），请刷新后重新修改。"
        )
    for name, value in values.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    current = {name: getattr(locked, name) for name in RECORD_FIELDS}
    validate_record_values(current, today=today or timezone.localdate())
    deadline = locked.item.deadline if _item_exists(locked) else locked.deadline_text
    apply_due(locked, deadline, load_calendar())
    locked.version += 1
    locked.full_clean(exclude=["item"])
    _stamp(locked, actor, "修改公开信息")
    locked.save()
    if channels is not None:
        _replace_channels(actor, locked, channels)
    records_touch([locked.catalog_id])
    return locked


def _item_exists(record: DisclosureRecord) -> bool:
    try:
        return record.item is not None
    except Item.DoesNotExist:
        return False


@transaction.atomic
def record_delete(*, actor, record: DisclosureRecord) -> None:
    catalog = Catalog.objects.select_related("region").get(pk=record.catalog_id)
    require_record(actor, catalog.region)
    for channel in record.channels.all():
        if channel.photo:
            channel.photo.delete(save=False)
    _stamp(record, actor, "删除公开信息")
    record.delete()
    records_touch([catalog.pk])


def _require_channel(actor, channel: RecordChannel) -> RecordChannel:
    locked = (
        RecordChannel.objects.select_for_update()
        .select_related("record__catalog__region")
        .get(pk=channel.pk)
    )
    require_record(actor, locked.record.catalog.region)
    return locked


@transaction.atomic
def channel_photo_attach(
    *,
    actor,
    channel: RecordChannel,
    upload,
    taken_on: date | None = None,
    public: bool = False,
) -> RecordChannel:
    """Attach a dated photo as evidence; re-encoded without EXIF, stored via Django storage."""
    locked = _require_channel(actor, channel)
    if taken_on and taken_on > timezone.localdate():
        raise ValidationError({"photo_taken_on": "拍摄日期不能晚于今天。"})
    clean = sanitize_photo(upload)
    old = locked.photo.name if locked.photo else ""
    locked.photo.save(clean.name, clean, save=False)
    locked.photo_taken_on = taken_on
    locked.photo_public = public
    _stamp(locked, actor, "上传现场照片")
    locked.save()
    records_touch([locked.record.catalog_id])
    if old:
        storage = locked.photo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return locked


@transaction.atomic
def channel_photo_set_public(*, actor, channel: RecordChannel, public: bool) -> RecordChannel:
    """Show a photo to citizens, or hide it again (a 公示栏 may show names and ID numbers)."""
    locked = _require_channel(actor, channel)
    if public and not locked.photo:
        raise ValidationError("这个渠道没有照片。")
    locked.photo_public = public
    _stamp(locked, actor, "公开照片" if public else "隐藏照片")
    locked.save(update_fields=["photo_public"])
    records_touch([locked.record.catalog_id])
    return locked


@transaction.atomic
def channel_photo_remove(*, actor, channel: RecordChannel) -> RecordChannel:
    locked = _require_channel(actor, channel)
    if locked.photo:
        name, storage = locked.photo.name, locked.photo.storage
        transaction.on_commit(lambda: storage.delete(name))
    locked.photo = ""
    locked.photo_taken_on = None
    locked.photo_public = False
    _stamp(locked, actor, "删除现场照片")
    locked.save()
    records_touch([locked.record.catalog_id])
    return locked


@transaction.atomic
def channel_photo_describe(
    *, actor, channel: RecordChannel, taken_on: date | None, public: bool
) -> RecordChannel:
    """Change a photo's date and whether citizens see it (the admin's inline)."""
    locked = _require_channel(actor, channel)
    if not locked.photo:
        raise ValidationError("这个渠道没有照片。")
    if taken_on and taken_on > timezone.localdate():
        raise ValidationError({"photo_taken_on": "拍摄日期不能晚于今天。"})
    if (locked.photo_taken_on, locked.photo_public) == (taken_on, public):
        return locked
    locked.photo_taken_on, locked.photo_public = taken_on, public
    _stamp(locked, actor, "修改现场照片信息")
    locked.save(update_fields=["photo_taken_on", "photo_public"])
    records_touch([locked.record.catalog_id])
    return locked


def records_refresh_due(
    *, records=None, calendar: TableCalendar | None = None, batch_size: int = 500
) -> int:
    """Recompute due dates (after the holiday table or an item's 公开时限 changed).

    Derived data only (no actor): the inputs were each written through a service.
    """
    calendar = calendar or load_calendar()
    queryset = DisclosureRecord.objects.all() if records is None else records
    changed = []
    deadlines = {}
    for record in queryset.only(
        "pk", "catalog_id", "item_id", "formed_on", "due_on", "due_estimated", "deadline_text"
    ).iterator(chunk_size=batch_size):
        deadlines.setdefault(record.item_id, None)
        changed.append(record)
    deadlines.update(
        Item.objects.filter(public_id__in=list(deadlines)).values_list("public_id", "deadline")
    )
    dirty = []
    for record in changed:
        deadline = deadlines.get(record.item_id)
        if deadline is None:
            deadline = record.deadline_text  # the item is gone: keep the promise it had
        if apply_due(record, deadline, calendar):
            dirty.append(record)
    DisclosureRecord.objects.bulk_update(
        dirty, ["due_on", "due_estimated", "deadline_text"], batch_size=batch_size
    )
    records_touch(record.catalog_id for record in dirty)
    return len(dirty)


# ---------------------------------------------------------------------------
# 专栏
# ---------------------------------------------------------------------------


@transaction.atomic
def special_column_set(
    *, actor, region: Region, standard: StandardCatalog, url: str
) -> SpecialColumn:
    """Register (or change) a region's 基层政务公开专栏 URL for one field."""
    require_record(actor, region)
    if region.level not in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        raise ValidationError("只有县级和乡级区划登记基层政务公开专栏。")
    url = (url or "").strip()
    try:
        _url_validator(url)
    except ValidationError:
        raise ValidationError(
            {"url": f"专栏网址“{url}”无效，应以http://或https://开头。"}
        ) from None
    column = SpecialColumn.objects.filter(region=region, standard=standard).first()
    column = column or SpecialColumn(region=region, standard=standard)
    column.url = url
    column.updated_by = _user(actor)
    column.full_clean()
    column.save()
    return column


@transaction.atomic
def special_column_remove(*, actor, column: SpecialColumn) -> None:
    require_record(actor, column.region)
    column.delete()


# ---------------------------------------------------------------------------
# Holiday table
# ---------------------------------------------------------------------------


@dataclass
class HolidayLoadReport:
    years: list[int] = field(default_factory=list)
    rest_days: int = 0
    work_days: int = 0
    refreshed_records: int = 0

    def __str__(self) -> str:
        years = "、".join(f"{year}年" for year in self.years)
        return (
            f"已导入{years}的节假日安排：放假{self.rest_days}天，调休上班{self.work_days}天；"
            f"重新计算了{self.refreshed_records}条公开信息的期限。"
        )


def _replace_years(rows: list[tuple[date, str, str]], source: str) -> HolidayLoadReport:
    years = sorted({day.year for day, _, _ in rows})
    HolidayCalendar.objects.filter(date__year__in=years).delete()
    HolidayCalendar.objects.bulk_create(
        HolidayCalendar(date=day, kind=kind, name=name, source=source[:200])
        for day, kind, name in rows
    )
    report = HolidayLoadReport(years=years)
    report.rest_days = sum(1 for _, kind, _ in rows if kind == "rest")
    report.work_days = len(rows) - report.rest_days
    return report


@transaction.atomic
def holidays_load(*, actor, rows: list[HolidayRow], source: str) -> HolidayLoadReport:
    """Load the State Council's schedule; each year in ``rows`` replaces what the table had."""
    require_province_admin(actor)
    if not source.strip():
        raise ValidationError("请注明来源（如国务院办公厅通知的文号）。")
    report = _replace_years([(row.day, row.kind, row.name) for row in rows], source.strip())
    report.refreshed_records = records_refresh_due()
    return report


@transaction.atomic
def holidays_seed_from_chinesecalendar(*, actor, replace: bool = False) -> HolidayLoadReport:
    """Add the years ``chinesecalendar`` knows and the table does not (all of them if
    ``replace``): a province's own corrections are kept unless asked otherwise."""
    require_province_admin(actor)
    known = {day.year for day in HolidayCalendar.objects.dates("date", "year")}
    rows = [row for row in chinesecalendar_days() if replace or row[0].year not in known]
    if not rows:
        return HolidayLoadReport()
    report = _replace_years(rows, chinesecalendar_source())
    report.refreshed_records = records_refresh_due()
    return report


@transaction.atomic
def holiday_save(
    *,
    actor,
    day: date,
    kind: str,
    name: str = "",
    source: str,
    holiday: HolidayCalendar | None = None,
) -> HolidayCalendar:
    """Add or correct one day of the holiday table (the admin); due dates follow."""
    require_province_admin(actor)
    if kind == "work" and day.weekday() < 5:
        raise ValidationError(
            {
                "kind": f"{day.isoformat()}是周{'一二三四五'[day.weekday()]}，本来就是工作日，"
                "不应标为“班”（调休上班只在周六或周日）。"
            }
        )
    row = (
        HolidayCalendar.objects.select_for_update().get(pk=holiday.pk)
        if holiday is not None and holiday.pk
        else HolidayCalendar()
    )
    if HolidayCalendar.objects.filter(date=day).exclude(pk=row.pk).exists():
        raise ValidationError({"date": f"{day.isoformat()}已在节假日安排中，请修改那一条。"})
    row.date, row.kind, row.name, row.source = day, kind, (name or "").strip(), source.strip()
    row.full_clean()
    row.save()
    records_refresh_due()
    return row


@transaction.atomic
def holiday_delete(*, actor, holiday: HolidayCalendar) -> None:
    """Remove one day; the year stays known while it has other rows. Due dates follow."""
    require_province_admin(actor)
    HolidayCalendar.objects.filter(pk=holiday.pk).delete()
    records_refresh_due()


# ---------------------------------------------------------------------------
# Link checks
# ---------------------------------------------------------------------------


def _catalog_targets(columns: list[SpecialColumn]) -> dict[int, list[str]]:
    """The portal addresses each 专栏 should link to: its catalog's public page."""
    from django.conf import settings
    from django.urls import reverse

    catalogs = {
        (catalog.region_id, catalog.standard_id): catalog.pk
        for catalog in Catalog.objects.filter(
            region__in={column.region_id for column in columns}
        ).only("pk", "region_id", "standard_id")
    }
    base = (getattr(settings, "PORTAL_BASE_URL", "") or "").rstrip("/")
    targets = {}
    for column in columns:
        catalog_id = catalogs.get((column.region_id, column.standard_id))
        if catalog_id is None:
            continue
        path = reverse("site:catalog", kwargs={"pk": catalog_id})
        targets[column.pk] = [f"{base}{path}"] if base else [path]
    return targets


def channels_verify(
    *,
    actor,
    region: Region | None = None,
    allow_private: bool = False,
    limits=None,
    policy=None,
    resolver=None,
    now=None,
):
    """Fetch every recorded URL and registered 专栏 (within ``region``) and store a
    ChannelCheck for each; a URL that fails now and failed at its previous check is broken.

    Fetching happens outside any transaction; the results are written in one at the end.
    """
    from records import verify

    if region is None:
        require_province_admin(actor)
    else:
        require_record(actor, region)
    channels = RecordChannel.objects.exclude(url="").select_related("record")
    columns = SpecialColumn.objects.select_related("region", "standard")
    if region is not None:
        channels = channels.filter(record__catalog__region__path__startswith=region.path)
        columns = columns.filter(region__path__startswith=region.path)
    channels, columns = list(channels), list(columns)
    urls = [channel.url for channel in channels] + [column.url for column in columns]
    policy = policy or verify.AddressPolicy(allow_private=allow_private)
    options = {"limits": limits, "policy": policy}
    if resolver is not None:
        options["resolver"] = resolver
    clock = time.perf_counter()
    results, _ = verify.fetch_urls(urls, **options)
    report = verify.VerifyReport(urls=len(results), columns=len(columns))
    targets = _catalog_targets(columns)
    now = now or timezone.now()
    checks = []
    previous_channel = _previous_failures("channel_id", [channel.pk for channel in channels])
    previous_column = _previous_failures("special_column_id", [column.pk for column in columns])
    for channel in channels:
        result = results[channel.url]
        found = None
        if result.ok:
            found = verify.mentions(
                verify.page_text(result.text),
                [channel.record.title, channel.record.document_number],
            )
        checks.append(
            _check_row(result, now, previous_channel.get(channel.pk, False), channel=channel)
        )
        checks[-1].title_found = found
        _count(report, checks[-1], f"{channel.record} · {channel.channel}")
    for column in columns:
        result = results[column.url]
        linked = None
        if result.ok and column.pk in targets:
            linked = verify.links_to(
                result.text, result.final_url or column.url, targets[column.pk]
            )
        check = _check_row(
            result, now, previous_column.get(column.pk, False), special_column=column
        )
        check.links_to_catalog = linked
        checks.append(check)
        _count(report, check, f"{column.region.name}{column.standard.field}专栏")
        if linked is False:
            report.columns_without_link += 1
    report.seconds = time.perf_counter() - clock
    channel_checks_save(checks)
    return report


def _previous_failures(field_name: str, ids: list[int]) -> dict[int, bool]:
    """Whether each target's latest stored check failed."""
    latest: dict[int, bool] = {}
    rows = (
        ChannelCheck.objects.filter(**{f"{field_name}__in": ids})
        .order_by(field_name, "-checked_at", "-pk")
        .values_list(field_name, "ok")
    )
    for target, ok in rows:
        latest.setdefault(target, not ok)
    return latest


def _check_row(result, now, failed_before: bool, **target):
    return ChannelCheck(
        url=result.url[:500],
        status=result.status,
        ok=result.ok,
        final_url=(result.final_url or "")[:500],
        took_ms=result.took_ms,
        checked_at=now,
        error=(result.error or ("" if result.ok else f"HTTP {result.status}"))[:300],
        broken=not result.ok and failed_before,
        **target,
    )


def _count(report, check, label: str) -> None:
    report.checks += 1
    if check.ok:
        report.ok += 1
        if check.title_found is False:
            report.title_missing += 1
            report.problems.append(f"{label}：{check.url} 页面上找不到标题或文号")
    else:
        report.failed += 1
        report.broken += check.broken
        state = "已失效" if check.broken else "访问失败"
        report.problems.append(f"{label}：{check.url} {state}（{check.error}）")


@transaction.atomic
def channel_checks_save(checks: list[ChannelCheck]) -> list[ChannelCheck]:
    """Store checks made elsewhere (the demo's seeded history); verify_channels uses it too."""
    return ChannelCheck.objects.bulk_create(checks, batch_size=500)
