"""Read and check the records sheet, row by row; nothing is written."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from catalogs.excel import ExcelFormatError, check_workbook
from catalogs.vocabulary import canonical_channel
from records.calendar import parse_date_text
from records.services import (
    ChannelInput,
    clean_channel,
    split_evidence,
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
