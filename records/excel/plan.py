"""Plan a records import: group rows into records, match them to the catalog's items."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils import timezone

from catalogs.models import Catalog, Region, StandardCatalog
from catalogs.vocabulary import normalize_text
from items.models import Item
from records.excel.reading import (
    FIELD_COLUMNS,
    MAX_REPORTED_ERRORS,
    RecordSheetError,
    SheetRow,
    _CellError,
    read_record_sheet,
)
from records.models import DisclosureRecord, RecordKind
from records.services import (
    ChannelInput,
    guess_kind,
    require_record,
    validate_record_values,
)


@dataclass
class SheetRecord:
    """One record of the sheet (its rows grouped by 序号, 信息标题 and 发布日期)."""

    item: Item
    rows: list[int]
    values: dict
    channels: list[ChannelInput] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.item.public_id, self.values["title"], self.values["published_on"])


@dataclass
class ImportPlan:
    catalog: Catalog
    rows: int
    created: list[SheetRecord] = field(default_factory=list)
    changed: list[tuple[DisclosureRecord, SheetRecord, list[str]]] = field(default_factory=list)
    unchanged: list[SheetRecord] = field(default_factory=list)
    digest: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.created and not self.changed

    def summary(self) -> str:
        return (
            f"“{self.catalog}”：共{self.rows}行，新增{len(self.created)}条公开信息，"
            f"修改{len(self.changed)}条，{len(self.unchanged)}条无变化。"
        )


def _catalog(region: Region, standard: StandardCatalog) -> Catalog:
    catalog = (
        Catalog.objects.select_related("region", "standard")
        .filter(region=region, standard=standard)
        .first()
    )
    if catalog is None:
        raise RecordSheetError(f"“{region.name}”还没有{standard.title}，请先编制目录。")
    return catalog


def _names(item: Item) -> set[str]:
    return {normalize_text(name) for name in (item.level2, item.name, item.level1) if name}


def _resolve_item(row: SheetRow, items_by_seq: dict[int, list[Item]]) -> Item:
    candidates = items_by_seq.get(row.seq, [])
    if not candidates:
        raise _CellError(row.row, "序号", f"目录中没有第{row.seq}项。")
    wanted = normalize_text(row.level2)
    for item in candidates:
        if wanted in _names(item):
            return item
    raise _CellError(
        row.row,
        "二级事项",
        f"“{row.level2}”与目录第{row.seq}项“{candidates[0].name}”不符，请核对序号和二级事项。",
    )


def _group(rows: list[SheetRow], items_by_seq, today: date) -> list[SheetRecord]:
    grouped: dict[tuple, SheetRecord] = {}
    first_row: dict[tuple, SheetRow] = {}
    errors: list[str] = []

    def fail(error: _CellError | str) -> None:
        errors.append(str(error))
        if len(errors) >= MAX_REPORTED_ERRORS:
            raise RecordSheetError(errors)

    for row in rows:
        try:
            item = _resolve_item(row, items_by_seq)
        except _CellError as error:
            fail(error)
            continue
        key = (row.seq, row.title, row.published_on)
        record = grouped.get(key)
        if record is None:
            values = {
                "title": row.title,
                "document_number": row.document_number,
                "formed_on": row.formed_on,
                "published_on": row.published_on,
                "notice_start": row.notice_start,
                "notice_end": row.notice_end,
            }
            record = grouped[key] = SheetRecord(item, [row.row], values)
            first_row[key] = row
        else:
            record.rows.append(row.row)
            first = first_row[key]
            for name in ("document_number", "formed_on", "notice_start", "notice_end"):
                mine, theirs = getattr(row, name), record.values[name]
                if mine in ("", None):
                    continue
                if theirs in ("", None):
                    record.values[name] = mine
                elif mine != theirs:
                    shown = theirs.isoformat() if isinstance(theirs, date) else theirs
                    fail(
                        _CellError(
                            row.row,
                            FIELD_COLUMNS[name],
                            f"与第{first.row}行同一条信息的{FIELD_COLUMNS[name]}（{shown}）不一致。",
                        )
                    )
        if row.channel:
            if any(channel.channel == row.channel.channel for channel in record.channels):
                fail(_CellError(row.row, "公开渠道", f"同一条信息的“{row.channel.channel}”重复。"))
                continue
            record.channels.append(row.channel)
    for key, record in grouped.items():
        values = record.values
        values["kind"] = (
            RecordKind.NOTICE
            if values["notice_start"] or values["notice_end"]
            else guess_kind(level2=record.item.level2, title=values["title"])
        )
        try:
            validate_record_values(values, today=today)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = FIELD_COLUMNS.get(name, "信息标题")
                fail(_CellError(first_row[key].row, column, messages[0]))
    if errors:
        raise RecordSheetError(errors)
    return list(grouped.values())


def _fingerprint(catalog: Catalog) -> str:
    state = DisclosureRecord.objects.filter(catalog=catalog).aggregate(
        count=Count("pk"), latest=Max("updated_at")
    )
    return f"{catalog.pk}:{catalog.draft_changed_at.isoformat()}:{state['count']}:{state['latest']}"


def _channels_of(record: DisclosureRecord) -> list[ChannelInput]:
    return [
        ChannelInput(channel.channel, channel.url, channel.location)
        for channel in record.channels.all()
    ]


def _differences(existing: DisclosureRecord, incoming: SheetRecord) -> list[str]:
    differing = [
        FIELD_COLUMNS[name]
        for name in ("document_number", "formed_on", "notice_start", "notice_end")
        if getattr(existing, name) != incoming.values[name]
    ]
    if _channels_of(existing) != incoming.channels:
        differing.append("公开渠道")
    return differing


def records_import_plan(
    *,
    actor,
    region: Region,
    standard: StandardCatalog,
    content: bytes,
    today: date | None = None,
) -> ImportPlan:
    """What importing the sheet would do; writes nothing."""
    require_record(actor, region)
    catalog = _catalog(region, standard)
    rows = read_record_sheet(content)
    today = today or timezone.localdate()
    items_by_seq: dict[int, list[Item]] = {}
    for item in Item.objects.filter(catalog=catalog).order_by("seq", "pk"):
        items_by_seq.setdefault(item.seq, []).append(item)
    sheet_records = _group(rows, items_by_seq, today)
    existing = {
        (record.item_id, record.title, record.published_on): record
        for record in DisclosureRecord.objects.filter(catalog=catalog).with_channels()
    }
    plan = ImportPlan(catalog=catalog, rows=len(rows))
    for sheet_record in sheet_records:
        current = existing.get(sheet_record.key)
        if current is None:
            plan.created.append(sheet_record)
            continue
        differing = _differences(current, sheet_record)
        if differing:
            plan.changed.append((current, sheet_record, differing))
        else:
            plan.unchanged.append(sheet_record)
    plan.digest = hashlib.sha256(
        hashlib.sha256(content).digest() + _fingerprint(catalog).encode()
    ).hexdigest()
    return plan
