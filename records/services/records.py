"""Writing disclosure records with their channels."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalogs.models import Catalog
from items.models import Item
from records.calendar import load_calendar
from records.models import DisclosureRecord, RecordChannel
from records.services.common import (
    RECORD_FIELDS,
    ChannelInput,
    _stamp,
    _user,
    apply_due,
    channel_input,
    clean_channel,
    guess_kind,
    records_touch,
    require_record,
    validate_record_values,
)

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
