"""Bounded reading and formula-safe writing of flat .xlsx and .csv sheets."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import tablib
from import_export.formats import base_formats

from catalogs.spreadsheets import csv_row, csv_value_read, keep_text_as_text, xlsx_value

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20_000
MAX_SCANNED_ROWS = 5 * MAX_ROWS  # blank rows included
MAX_COLUMNS = 30
# Each written row goes through a service (about 30 ms with its version claim and history
# row, measured on SQLite); an unchanged row costs about 0.6 ms. This keeps a dry run or a
# confirm of a whole province's sheet (13,015 regions) well within a web request's 60 s,
# and a county's whole sheet (农安县: 411 regions) within one import.
MAX_WRITTEN_ROWS = 1_000
MAX_SHOWN_MESSAGES = 100

YES, NO = "是", "否"
_YES_WORDS = {YES, "y", "yes", "true", "1", "√"}
_NO_WORDS = {NO, "", "n", "no", "false", "0"}

# ---------------------------------------------------------------------------
# Cells: text in, text out
# ---------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell's value as stripped text: numbers without '.0', booleans as 是/否.

    The quote a csv export puts before a formula-like text (``'=…``) is removed.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return csv_value_read(text)


# ---------------------------------------------------------------------------
# Formats: .xlsx and .csv only, bounded before they are parsed
# ---------------------------------------------------------------------------


class FlatImportError(Exception):
    """A whole file cannot be imported; the message is Chinese and shown as is."""


def _check_size(data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise FlatImportError(
            f"文件过大（{len(data) // 1024} KB），请上传不超过 {MAX_UPLOAD_BYTES // 1024} KB 的文件。"
        )


def _dataset(rows) -> tablib.Dataset:
    """A Dataset of the header row and the non-blank rows after it.

    Blank rows are left out; ``dataset.flat_sheet_rows`` keeps the row number each data
    row had in the file, so that errors name the row the user sees.
    """
    rows = iter(rows)
    try:
        header = [cell_text(value) for value in next(rows)]
    except StopIteration:
        raise FlatImportError("文件是空的：第1行应为表头。") from None
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FlatImportError("文件是空的：第1行应为表头。")
    if len(header) > MAX_COLUMNS:
        raise FlatImportError(f"表头超过 {MAX_COLUMNS} 列，这不是本系统导出的表格。")
    width = len(header)
    data, sheet_rows = [], []
    for number, raw in enumerate(rows, start=2):
        raw = list(raw)
        extra = next(
            (
                column
                for column, value in enumerate(raw[width:], start=width + 1)
                if value is not None and str(value).strip()
            ),
            None,
        )
        if extra is not None:
            raise FlatImportError(f"第{number}行第{extra}列有内容，但该列没有表头。")
        values = [cell_text(value) for value in raw[:width]]
        if not any(values):
            if number > MAX_SCANNED_ROWS:
                break  # a sea of empty (formatted) rows: stop looking
            continue
        if number > MAX_ROWS + 1:
            raise FlatImportError(f"数据超过 {MAX_ROWS} 行，请分成几个文件导入。")
        data.append(values + [""] * (width - len(values)))
        sheet_rows.append(number)
    if not data:
        raise FlatImportError("文件中没有数据：表头下面至少要有一行。")
    dataset = tablib.Dataset(*data, headers=header)
    dataset.flat_sheet_rows = sheet_rows
    return dataset


def _display_width(text: str) -> int:
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


class FlatXLSX(base_formats.XLSX):
    """.xlsx: read the first worksheet's values (not formulas), bounded; write text cells."""

    def export_data(self, dataset, **kwargs):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = (dataset.title or "Sheet1")[:31]
        sheet.append([xlsx_value(header) for header in dataset.headers or []])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [_display_width(str(header)) for header in dataset.headers or []]
        for row in dataset:
            sheet.append([xlsx_value(value) for value in row])
            widths = [max(w, _display_width(str(v))) for w, v in zip(widths, row, strict=False)]
        keep_text_as_text(sheet)  # text starting with "=" stays text, never a formula
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width + 2, 60)
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def create_dataset(self, in_stream):
        from openpyxl import load_workbook

        data = bytes(in_stream)
        _check_size(data)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                unzipped = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            raise FlatImportError(
                "无法读取文件：这不是 .xlsx 工作簿。旧版 .xls 或 WPS 文件请先“另存为” .xlsx。"
            ) from None
        if unzipped > MAX_UNZIPPED_BYTES:
            raise FlatImportError("文件解压后过大，无法导入。")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for damaged files
            raise FlatImportError(f"无法读取文件：工作簿已损坏或格式不受支持（{exc}）。") from exc
        try:
            # Bounded: read-only sheets pad rows to their declared dimension, which a
            # small file can set to 16,384 columns and a million rows.
            if not workbook.worksheets:
                raise FlatImportError("工作簿中没有工作表。")
            sheet = workbook.worksheets[0]
            return _dataset(
                sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1, values_only=True)
            )
        finally:
            workbook.close()


class FlatCSV(base_formats.CSV):
    """.csv in UTF-8 (with or without BOM) or GB18030 (what Excel saves in China).

    Read as bytes so that the encoding is found here; written as UTF-8 with a BOM so
    that Excel opens it with the Chinese intact.
    """

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        data = in_stream.encode("utf-8") if isinstance(in_stream, str) else bytes(in_stream)
        _check_size(data)
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise FlatImportError("无法识别CSV文件的编码，请另存为“CSV UTF-8”或 .xlsx 后再导入。")
        try:
            return _dataset(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise FlatImportError(f"无法读取CSV文件（{exc}）。") from exc

    def export_data(self, dataset, **kwargs):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(dataset.headers or [])
        writer.writerows(csv_row(row) for row in dataset)  # '=… for formula-like text
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


FLAT_FORMATS = [FlatXLSX, FlatCSV]
FLAT_EXTENSIONS = {".xlsx": FlatXLSX, ".csv": FlatCSV}
