"""Bound an uploaded .xlsx before anything parses it.

An .xlsx is a zip of XML parts, and openpyxl trusts both: it decompresses whatever a part
declares, builds a tree of a worksheet that lacks a ``<dimension>`` just to look for one, and
fills every cell of a merged range. A 2 KB file with one merged range ``A1:XFD1048576``, or a
290 KB sheet of a million rows, used to take a worker to gigabytes. So, before openpyxl
sees the file, this module checks, in one streaming pass that keeps nothing but counters:

- the file's size, the number of parts and their total decompressed size (from the zip's
  directory; Python's zipfile never decompresses past a part's declared size, and a part
  that lies about it fails its CRC);
- that no XML part has a DTD (no ``<!DOCTYPE``/``<!ENTITY``: no XXE, no "billion laughs"),
  with expat set up as defusedxml sets it up; openpyxl itself parses through defusedxml;
- in every worksheet, the declared ``<dimension>``, every row and cell reference and every
  ``<mergeCell>`` range against the row and column limits, and the numbers of cells, merged
  ranges and XML elements; in the shared-string table, the number of strings.

What it returns, the shape of each worksheet (last row and column, merged ranges), lets the
reader stream exactly that rectangle with openpyxl's read-only mode.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

import defusedxml  # noqa: F401  (openpyxl parses through defusedxml when it is installed)

from catalogs.excel.table import (
    MAX_COLUMNS,
    MAX_DATA_ROWS,
    MAX_HEADER_SEARCH_ROWS,
    ExcelFormatError,
)

MAX_SHEET_ROWS = MAX_DATA_ROWS + MAX_HEADER_SEARCH_ROWS
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ARCHIVE_ENTRIES = 500
# A full 5,000-row official table is about 10 MB of XML; five times that is still a table.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_SHEET_CELLS = MAX_SHEET_ROWS * 32  # the official 14 columns and 18 extras, every row
MAX_ROW_ELEMENTS = 100_000  # <row> elements, counting formatted rows without cells
MAX_MERGED_RANGES = 20_000
MAX_SHARED_STRINGS = MAX_SHEET_CELLS
MAX_XML_ELEMENTS = 3_000_000  # across all parts
_CHUNK = 64 * 1024

_SHEET_ROOTS = {"worksheet", "dialogsheet", "chartsheet"}
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_COLUMN_ONLY = re.compile(r"^\$?([A-Za-z]{1,3})")

NOT_XLSX = (
    "无法读取文件：这不是Excel工作簿（.xlsx）。如果是旧版.xls或WPS格式，"
    "请先在Excel或WPS中“另存为”.xlsx格式再导入。"
)
DAMAGED = "无法读取文件：Excel文件已损坏或格式不受支持（{detail}）。"
TOO_MANY_ROWS = f"表格超过{MAX_DATA_ROWS}行，无法作为公开事项目录导入。"
TOO_MANY_COLUMNS = f"表格超过{MAX_COLUMNS}列，无法作为公开事项目录导入。"
UNSAFE_STRUCTURE = "文件结构异常，已拒绝导入：{detail}。请在Excel或WPS中打开后另存为.xlsx再试。"


class _Refused(Exception):
    """Raised inside expat callbacks; carries the refusal out of the parser."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class SheetShape:
    """What a worksheet part holds: its last used row and column and its merged ranges."""

    rows: int = 0
    columns: int = 0
    # (min_row, min_col, max_row, max_col), 1-based, each within the limits
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class CheckedWorkbook:
    data: bytes
    sheets: dict[str, SheetShape]  # zip member name -> shape


def column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


def _cell_ref(ref: str) -> tuple[int, int]:
    match = _REF.match(ref.strip())
    if match is None:
        raise _Refused(DAMAGED.format(detail=f"无效的单元格引用“{ref[:20]}”"))
    return int(match.group(2)), column_index(match.group(1))


def _range_ref(ref: str) -> tuple[int, int, int, int]:
    first, _, last = ref.strip().partition(":")
    min_row, min_col = _cell_ref(first)
    max_row, max_col = _cell_ref(last) if last else (min_row, min_col)
    return (
        min(min_row, max_row),
        min(min_col, max_col),
        max(min_row, max_row),
        max(min_col, max_col),
    )


def _check_bounds(rows: int, columns: int) -> None:
    if rows > MAX_SHEET_ROWS:
        raise _Refused(TOO_MANY_ROWS)
    if columns > MAX_COLUMNS:
        raise _Refused(TOO_MANY_COLUMNS)


class _PartScanner:
    """Expat callbacks for one XML part; counts and checks, keeps no tree."""

    def __init__(self, budget: list[int]):
        self.budget = budget  # [elements left], shared by every part of the file
        self.kind = None  # "sheet", "sst" or "other", from the root element
        self.shape = SheetShape()
        self.row = 0
        self.column = 0
        self.row_elements = 0
        self.cells = 0
        self.strings = 0

    def start(self, name: str, attrs: dict) -> None:
        self.budget[0] -= 1
        if self.budget[0] < 0:
            raise _Refused(UNSAFE_STRUCTURE.format(detail="XML元素数量过多"))
        local = name.rpartition(":")[2]
        if self.kind is None:
            self.kind = "sheet" if local in _SHEET_ROOTS else "sst" if local == "sst" else "other"
            return
        if self.kind == "sheet":
            self._sheet_element(local, attrs)
        elif self.kind == "sst" and local == "si":
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise _Refused(UNSAFE_STRUCTURE.format(detail="共享字符串数量过多"))

    def _sheet_element(self, local: str, attrs: dict) -> None:
        if local == "c":
            ref = attrs.get("r")
            if ref:
                match = _COLUMN_ONLY.match(ref)
                if match is None:
                    raise _Refused(DAMAGED.format(detail=f"无效的单元格引用“{ref[:20]}”"))
                self.column = column_index(match.group(1))
            else:
                self.column += 1
            self.cells += 1
            if self.cells > MAX_SHEET_CELLS:
                raise _Refused(UNSAFE_STRUCTURE.format(detail="单元格数量过多"))
            # A formatted row without cells past the limit is harmless; a cell there is not.
            _check_bounds(self.row, self.column)
            shape = self.shape
            shape.rows = max(shape.rows, self.row)
            shape.columns = max(shape.columns, self.column)
        elif local == "row":
            ref = attrs.get("r")
            if ref:
                if not ref.isdigit() or len(ref) > 7:
                    raise _Refused(DAMAGED.format(detail=f"无效的行号“{ref[:20]}”"))
                self.row = int(ref)
            else:
                self.row += 1
            self.column = 0
            self.row_elements += 1
            if self.row_elements > MAX_ROW_ELEMENTS:
                raise _Refused(TOO_MANY_ROWS)
        elif local == "mergeCell":
            bounds = _range_ref(attrs.get("ref", ""))
            _check_bounds(bounds[2], bounds[3])
            self.shape.merged.append(bounds)
            if len(self.shape.merged) > MAX_MERGED_RANGES:
                raise _Refused(UNSAFE_STRUCTURE.format(detail="合并单元格数量过多"))
        elif local == "dimension":
            ref = attrs.get("ref", "")
            if ref:
                _min_row, _min_col, max_row, max_col = _range_ref(ref)
                _check_bounds(max_row, max_col)


def _refuse_dtd(*_args) -> None:
    raise _Refused(UNSAFE_STRUCTURE.format(detail="XML部件含有DTD或实体声明"))


def _looks_like_xml(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<")


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]):
    """Stream one part through expat; returns its scanner, or None for a binary part."""
    scanner = _PartScanner(budget)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.StartElementHandler = scanner.start
    read = 0
    with archive.open(info) as stream:
        first = True
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > info.file_size:
                raise _Refused(UNSAFE_STRUCTURE.format(detail="压缩包内容与目录不符"))
            if first:
                first = False
                if not _looks_like_xml(chunk[:1024]):
                    return None
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return scanner


def _read_bounded(fileobj) -> bytes:
    if isinstance(fileobj, bytes | bytearray | memoryview):
        data = bytes(fileobj)
    else:
        data = fileobj.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ExcelFormatError(
            f"文件过大，无法导入：Excel文件不能超过{MAX_FILE_BYTES // (1024 * 1024)} MB。"
        )
    return data


def _declared_entry_count(data: bytes) -> int | None:
    """Entries named by the end-of-central-directory record, before zipfile reads them all."""
    position = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if position < 0 or position + 22 > len(data):
        return None
    count = int.from_bytes(data[position + 10 : position + 12], "little")
    return None if count == 0xFFFF else count


def check_workbook(fileobj) -> CheckedWorkbook:
    """Refuse a file that is too big in any dimension; return its bytes and sheet shapes.

    Every refusal is an ``ExcelFormatError`` with a Chinese message.
    """
    data = _read_bounded(fileobj)
    declared = _declared_entry_count(data)
    if declared is not None and declared > MAX_ARCHIVE_ENTRIES:
        raise ExcelFormatError(UNSAFE_STRUCTURE.format(detail=f"压缩包内有{declared}个部件"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ExcelFormatError(NOT_XLSX) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ARCHIVE_ENTRIES:
            raise ExcelFormatError(UNSAFE_STRUCTURE.format(detail=f"压缩包内有{len(infos)}个部件"))
        total = sum(info.file_size for info in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ExcelFormatError(
                UNSAFE_STRUCTURE.format(
                    detail=f"解压后达{total // (1024 * 1024)} MB，超过"
                    f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB的上限"
                )
            )
        budget = [MAX_XML_ELEMENTS]
        sheets: dict[str, SheetShape] = {}
        for info in infos:
            if info.is_dir():
                continue
            try:
                scanner = _scan_part(archive, info, budget)
            except _Refused as refusal:
                raise ExcelFormatError(refusal.message) from None
            except expat.ExpatError as exc:
                raise ExcelFormatError(
                    DAMAGED.format(detail=f"{info.filename}：{expat.ErrorString(exc.code)}")
                ) from None
            except (
                zipfile.BadZipFile,
                OSError,
                EOFError,
                RuntimeError,
                NotImplementedError,
            ) as exc:
                raise ExcelFormatError(DAMAGED.format(detail=f"{info.filename}：{exc}")) from None
            if scanner is not None and scanner.kind == "sheet":
                sheets[info.filename] = scanner.shape
    return CheckedWorkbook(data=data, sheets=sheets)
