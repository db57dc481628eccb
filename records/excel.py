"""Disclosure records as the counties keep them in Excel: import with a plan, export the same sheet.

The sheet has one header row with exactly these names, one row per record and channel:

    序号 | 二级事项 | 信息标题 | 文号 | 形成日期 | 发布日期 | 公开渠道 | 网址或位置 | 公示开始 | 公示结束

Rows with the same 序号, 信息标题 and 发布日期 are one record. 序号 and 二级事项 must name the
same item of the region's catalog. Dates may be 2026-11-03, 2026/11/3, 2026年11月3日 or Excel
dates. A bad row is refused with a Chinese message naming its row and column, and nothing
is written: ``records_import_apply`` recomputes the plan inside one transaction and writes
all of it or none. The upload is bounded before it is parsed (file size, uncompressed
size, rows, columns).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from catalogs.excel import ExcelFormatError, check_workbook
from catalogs.models import Catalog, Region, StandardCatalog
from catalogs.permissions import history_user
from catalogs.spreadsheets import keep_text_as_text
from catalogs.vocabulary import canonical_channel, normalize_text
from items.models import Item
from records.calendar import load_calendar, parse_date_text
from records.models import DisclosureRecord, RecordChannel, RecordKind
from records.services import (
    ChannelInput,
    apply_due,
    clean_channel,
    guess_kind,
    records_touch,
    require_record,
    split_evidence,
    validate_record_values,
)

HEADER: tuple[str, ...] = (
    "序号",
    "二级事项",
    "信息标题",
    "文号",
    "形成日期",
    "发布日期",
    "公开渠道",
    "网址或位置",
    "公示开始",
    "公示结束",
)
COLUMN = {name: index for index, name in enumerate(HEADER)}
FIELD_COLUMNS = {
    "title": "信息标题",
    "document_number": "文号",
    "formed_on": "形成日期",
    "published_on": "发布日期",
    "notice_start": "公示开始",
    "notice_end": "公示结束",
}

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# check_workbook bounds a sheet at 5,015 rows; this is what the message names.
MAX_ROWS = 5_000
MAX_COLUMNS = 40
MAX_REPORTED_ERRORS = 20


class RecordSheetError(ValueError):
    """The sheet cannot be imported; ``messages`` are Chinese and name row and column."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _check_package(content: bytes) -> None:
    """Bound the upload before openpyxl parses it (``catalogs.excel.check_workbook``: file
    and decompressed size, parts, no DTD, each sheet's rows, cells and merged ranges)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise RecordSheetError(f"文件超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB，请拆分后导入。")
    try:
        check_workbook(content)
    except ExcelFormatError as error:
        raise RecordSheetError(
            [message.replace("公开事项目录", "公开信息表") for message in error.messages]
        ) from None


def _column_ref(row: int, column: str) -> str:
    return f"第{row}行“{column}”列（{get_column_letter(COLUMN[column] + 1)}列）"


class _CellError(Exception):
    def __init__(self, row: int, column: str, message: str):
        super().__init__(f"{_column_ref(row, column)}：{message}")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _date(value, row: int, column: str, *, required: bool) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _CellError(row, column, "不能为空。")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial day numbers, up to 9999-12-31
            return from_excel(value).date()
    parsed = parse_date_text(_text(value))
    if parsed is None:
        raise _CellError(
            row, column, f"“{_text(value)}”不是日期，请写成2026-11-03、2026/11/3或2026年11月3日。"
        )
    return parsed


def _seq(value, row: int) -> int:
    text = _text(value)
    if not text:
        raise _CellError(row, "序号", "不能为空。")
    if not text.isdigit() or int(text) <= 0:
        raise _CellError(row, "序号", f"“{text}”不是事项序号（正整数）。")
    return int(text)


@dataclass
class SheetRow:
    row: int
    seq: int
    level2: str
    title: str
    document_number: str
    formed_on: date
    published_on: date
    channel: ChannelInput | None
    notice_start: date | None
    notice_end: date | None


def read_record_sheet(content: bytes) -> list[SheetRow]:
    """The sheet's rows, each checked on its own; RecordSheetError naming rows and columns."""
    _check_package(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise RecordSheetError(f"无法读取文件：Excel文件已损坏或格式不受支持（{exc}）。") from None
    try:
        sheet = workbook.worksheets[0]
        header = next(sheet.iter_rows(values_only=True, max_row=1, max_col=MAX_COLUMNS), None)
        _check_header(header)
        rows = sheet.iter_rows(values_only=True, min_row=2, max_col=len(HEADER))
        parsed: list[SheetRow] = []
        errors: list[str] = []
        for number, values in enumerate(rows, start=2):
            if number - 1 > MAX_ROWS:
                raise RecordSheetError(f"表格超过{MAX_ROWS}行，请拆分后导入。")
            values = tuple(values[: len(HEADER)]) + (None,) * (len(HEADER) - len(values))
            if all(_text(value) == "" for value in values):
                continue
            try:
                parsed.append(_parse_row(number, values))
            except _CellError as error:
                errors.append(str(error))
                if len(errors) >= MAX_REPORTED_ERRORS:
                    break
    finally:
        workbook.close()
    if errors:
        raise RecordSheetError(errors)
    if not parsed:
        raise RecordSheetError("表格中没有任何公开信息（表头下没有数据行）。")
    return parsed


def _check_header(header) -> None:
    cells = [_text(value) for value in (header or ())]
    while cells and not cells[-1]:
        cells.pop()
    if tuple(cells) != HEADER:
        raise RecordSheetError(
            "第1行表头应为且仅为：" + " | ".join(HEADER) + f"；现为：{' | '.join(cells) or '空'}。"
        )


def _parse_row(number: int, values) -> SheetRow:
    cell = dict(zip(HEADER, values, strict=True))
    title = _text(cell["信息标题"])
    if not title:
        raise _CellError(number, "信息标题", "不能为空。")
    if len(title) > 300:
        raise _CellError(number, "信息标题", f"超过300字（现有{len(title)}字）。")
    document_number = _text(cell["文号"])
    if len(document_number) > 100:
        raise _CellError(number, "文号", "超过100字。")
    level2 = _text(cell["二级事项"])
    if not level2:
        raise _CellError(number, "二级事项", "不能为空。")
    channel_text = _text(cell["公开渠道"])
    evidence = _text(cell["网址或位置"])
    channel = None
    if channel_text:
        name = canonical_channel(channel_text)
        if not name:
            raise _CellError(number, "公开渠道", f"“{channel_text}”不是公开渠道。")
        try:
            channel = clean_channel(split_evidence(name, evidence))
        except ValidationError as error:
            raise _CellError(number, "网址或位置", error.messages[0]) from None
    elif evidence:
        raise _CellError(number, "公开渠道", "填写了网址或位置，但没有写明公开渠道。")
    return SheetRow(
        row=number,
        seq=_seq(cell["序号"], number),
        level2=level2,
        title=title,
        document_number=document_number,
        formed_on=_date(cell["形成日期"], number, "形成日期", required=True),
        published_on=_date(cell["发布日期"], number, "发布日期", required=True),
        channel=channel,
        notice_start=_date(cell["公示开始"], number, "公示开始", required=False),
        notice_end=_date(cell["公示结束"], number, "公示结束", required=False),
    )


# ---------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Applying
# ---------------------------------------------------------------------------


@transaction.atomic
def records_import_apply(
    *,
    actor,
    region: Region,
    standard: StandardCatalog,
    content: bytes,
    expected_digest: str | None = None,
    today: date | None = None,
) -> ImportPlan:
    """Import the sheet: all of it or nothing. With ``expected_digest`` (from the preview)
    it applies exactly the plan the preview showed, or refuses."""
    require_record(actor, region)
    catalog = _catalog(region, standard)
    Catalog.objects.select_for_update().filter(pk=catalog.pk).first()
    plan = records_import_plan(
        actor=actor, region=region, standard=standard, content=content, today=today
    )
    if expected_digest is not None and plan.digest != expected_digest:
        raise RecordSheetError("预览之后目录或公开信息已有变化，请重新预览后再导入。")
    user = history_user(actor)
    calendar = load_calendar()
    new_records = []
    for sheet_record in plan.created:
        record = DisclosureRecord(
            catalog=catalog, item=sheet_record.item, created_by=user, **sheet_record.values
        )
        apply_due(record, sheet_record.item.deadline, calendar)
        new_records.append(record)
    created = bulk_create_with_history(
        new_records,
        DisclosureRecord,
        batch_size=500,
        default_user=user,
        default_change_reason="Excel导入",
    )
    channels = [
        RecordChannel(
            record=record,
            channel=value.channel,
            url=value.url,
            location=value.location,
            order=order,
        )
        for record, sheet_record in zip(created, plan.created, strict=True)
        for order, value in enumerate(sheet_record.channels)
    ]
    changed_records = []
    stale_channels = []
    for record, sheet_record, _ in plan.changed:
        for name in ("document_number", "formed_on", "notice_start", "notice_end"):
            setattr(record, name, sheet_record.values[name])
        if record.notice_start or record.notice_end:
            record.kind = RecordKind.NOTICE  # the sheet has no kind column; keep the rest
        apply_due(record, sheet_record.item.deadline, calendar)
        record.version += 1
        record.updated_at = timezone.now()
        changed_records.append(record)
        kept = {value.channel: value for value in sheet_record.channels}
        for order, value in enumerate(sheet_record.channels):
            row = next((row for row in record.channels.all() if row.channel == value.channel), None)
            if row is None:
                channels.append(
                    RecordChannel(
                        record=record,
                        channel=value.channel,
                        url=value.url,
                        location=value.location,
                        order=order,
                    )
                )
            elif (row.url, row.location, row.order) != (value.url, value.location, order):
                row.url, row.location, row.order = value.url, value.location, order
                row._history_user = user
                row.save()
        stale_channels += [row for row in record.channels.all() if row.channel not in kept]
    if changed_records:
        bulk_update_with_history(
            changed_records,
            DisclosureRecord,
            [
                "document_number",
                "formed_on",
                "notice_start",
                "notice_end",
                "kind",
                "due_on",
                "due_estimated",
                "deadline_text",
                "version",
                "updated_at",
            ],
            batch_size=500,
            default_user=user,
            default_change_reason="Excel导入",
        )
    for row in stale_channels:
        if row.photo:
            name, storage = row.photo.name, row.photo.storage
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        row._history_user = user
        row.delete()
    bulk_create_with_history(
        channels,
        RecordChannel,
        batch_size=500,
        default_user=user,
        default_change_reason="Excel导入",
    )
    if not plan.is_empty:
        records_touch([catalog.pk])
    return plan


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def records_export_workbook(*, catalog: Catalog, records=None) -> bytes:
    """The sheet the import reads, from the catalog's records (oldest item first)."""
    records = (
        DisclosureRecord.objects.filter(catalog=catalog) if records is None else records
    ).with_channels()
    items = {item.public_id: item for item in Item.objects.filter(catalog=catalog)}
    rows = []
    for record in records:
        item = items.get(record.item_id)
        if item is None:
            continue  # the item left the catalog; its records cannot be named by 序号
        channels = list(record.channels.all()) or [None]
        for channel in channels:
            rows.append(
                (
                    (item.seq, record.published_on or date.min, record.title),
                    [
                        item.seq,
                        item.level2 or item.level1,
                        record.title,
                        record.document_number,
                        record.formed_on,
                        record.published_on,
                        channel.channel if channel else "",
                        (channel.url or channel.location) if channel else "",
                        record.notice_start,
                        record.notice_end,
                    ],
                )
            )
    rows.sort(key=lambda row: row[0])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "公开信息"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for _, values in rows:
        sheet.append(values)
    for index in (5, 6, 9, 10):
        letter = get_column_letter(index)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[letter].width = 12
    for index, width in ((2, 24), (3, 40), (4, 20), (7, 18), (8, 48)):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    keep_text_as_text(sheet)  # a title starting with "=" stays text, never a formula
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
