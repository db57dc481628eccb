"""Load the workbook within its bounds: sheets as grids, merged cells, formulas, time limit."""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse

from catalogs.excel.archive import (
    DAMAGED,
    NOT_XLSX,
    UNSAFE_STRUCTURE,
    SheetShape,
    check_workbook,
)
from catalogs.excel.reader.cells import _Formula
from catalogs.excel.reader.headers import _classify_columns, _find_header_row, _is_two_header_rows
from catalogs.excel.table import (
    MAX_HEADER_SEARCH_ROWS,
    ExcelFormatError,
)


def _dimensions_before_sheet_data(self) -> None:
    """``ReadOnlyWorksheet._get_size`` that stops where ``<sheetData>`` starts.

    openpyxl 3.1 looks for ``<dimension>`` until ``<sheetData>`` *ends*, so a sheet without
    one is parsed whole while the workbook loads. ``<dimension>`` precedes ``<sheetData>``
    (ECMA-376 §18.3.1.99), and every read here passes its bounds explicitly anyway.
    """
    with self._get_source() as source:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                try:
                    boundaries = SheetDimension.from_tree(element).boundaries
                except (TypeError, ValueError):
                    return
                if boundaries is not None and None not in boundaries:
                    self._min_column, self._min_row, self._max_column, self._max_row = boundaries
                return
            if element.tag == DATA_TAG:
                return


ReadOnlyWorksheet._get_size = _dimensions_before_sheet_data


class _Deadline:
    """Refuses once reading has taken longer than ``seconds`` (None: no limit)."""

    def __init__(self, seconds: float | None):
        self.ends = None if seconds is None else time.monotonic() + seconds
        self.seconds = seconds

    def check(self) -> None:
        if self.ends is not None and time.monotonic() > self.ends:
            raise ExcelFormatError(
                f"读取文件超时（超过{self.seconds:g}秒），已停止导入。"
                "请检查文件是否过大，或拆分后分别导入。"
            )


@dataclass
class _Sheet:
    title: str
    position: int  # 0 for the workbook's first sheet
    grid: list
    merged: list
    header1: int
    two_rows: bool
    columns: list
    errors: list
    warnings: list


def _load_sheets(fileobj, deadline: _Deadline):
    """Every sheet that has a header row, read and its columns classified, in workbook
    order; stops at the first sheet whose columns are the official table's."""
    checked = check_workbook(fileobj)  # bounds everything before openpyxl parses anything
    try:
        workbook = load_workbook(io.BytesIO(checked.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ExcelFormatError(NOT_XLSX) from exc
    except DefusedXmlException as exc:
        raise ExcelFormatError(UNSAFE_STRUCTURE.format(detail="XML部件含有DTD或实体声明")) from exc
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise ExcelFormatError(DAMAGED.format(detail=exc)) from exc
    sheets, titles = [], []
    try:
        for position, ws in enumerate(workbook.worksheets):
            titles.append(ws.title)
            path = getattr(ws, "_worksheet_path", "")
            shape = checked.sheets.get(path)
            if shape is None:  # a part openpyxl reads that the check did not see as a sheet
                raise ExcelFormatError(DAMAGED.format(detail=f"工作表“{ws.title}”无法识别"))
            grid, merged = _sheet_grid(ws, shape, deadline)
            header1 = _find_header_row(grid)
            if header1 is None:
                continue
            _mark_uncomputed_formulas(checked.data, path, grid, merged, deadline)
            two_rows = _is_two_header_rows(grid, merged, header1)
            columns, errors, warnings = _classify_columns(grid, header1, two_rows)
            sheet = _Sheet(
                ws.title, position, grid, merged, header1, two_rows, columns, errors, warnings
            )
            sheets.append(sheet)
            if not errors:
                break
    except (ExcelFormatError, MemoryError):
        raise
    except Exception as exc:
        raise ExcelFormatError(DAMAGED.format(detail=exc)) from exc
    finally:
        workbook.close()
    if not sheets:
        where = "工作表" if len(titles) <= 1 else f"工作表“{'”“'.join(titles)}”的"
        raise ExcelFormatError(
            f"未找到表头：{where}前{MAX_HEADER_SEARCH_ROWS}行中没有“序号”或“公开事项”。"
            "请使用官方表格格式（标题行下为两行表头）。"
        )
    return sheets, len(titles)


_FORMULA_HINT = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")


def _mark_uncomputed_formulas(data: bytes, path: str, grid, merged, deadline) -> None:
    """Put a ``_Formula`` where a cell has a formula and no saved value (openpyxl's
    read-only, data-only mode reads it as empty). One streaming pass over the sheet's XML,
    only when it holds a formula at all."""
    if not path:
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            xml = archive.read(path.lstrip("/"))
        except KeyError:
            return
    if not _FORMULA_HINT.search(xml):
        return
    state = {"ref": None, "formula": None, "value": False, "in": None}
    found: list[tuple[str, str]] = []

    def local(name: str) -> str:
        return name.rsplit(":", 1)[-1]

    def start(name, attrs):
        name = local(name)
        if name == "c":
            state.update(ref=attrs.get("r"), formula=None, value=False, text=[])
        elif name in ("f", "v", "is"):
            state["in"] = name
            if name == "f" and state["formula"] is None:
                state["formula"] = ""
            if name == "is":
                state["value"] = True

    def chars(text):
        if state["in"] == "f":
            state["formula"] += text
        elif state["in"] == "v" and text.strip():
            state["value"] = True

    def end(name):
        name = local(name)
        if name in ("f", "v", "is"):
            state["in"] = None
        elif name == "c":
            if state["formula"] is not None and not state["value"] and state["ref"]:
                found.append((state["ref"], state["formula"]))
            state["ref"] = None

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.Parse(xml, True)
    deadline.check()
    for ref, formula in found:
        match = _CELL_REF.match(ref)
        if not match:
            continue
        row, column = int(match.group(2)), column_index_from_string(match.group(1))
        if row <= len(grid) and column <= len(grid[row - 1]) and grid[row - 1][column - 1] is None:
            text = f"={formula}" if formula else "=（共享公式）"
            grid[row - 1][column - 1] = _Formula(text)


_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def _sheet_grid(ws, shape: SheetShape, deadline: _Deadline):
    """The sheet's rectangle of values (streamed), merged cells filled with their top-left."""
    grid = []
    if shape.rows and shape.columns:
        rows = ws.iter_rows(min_row=1, max_row=shape.rows, max_col=shape.columns, values_only=True)
        for index, row in enumerate(rows):
            if index % 256 == 0:
                deadline.check()
            grid.append(list(row))
            if index + 1 == MAX_HEADER_SEARCH_ROWS and _find_header_row(grid) is None:
                break  # not the table's sheet: the rest need not be read
    merged = []
    for min_row, min_col, max_row_, max_col in shape.merged:
        if min_row > len(grid):
            continue
        value = grid[min_row - 1][min_col - 1] if min_col <= len(grid[min_row - 1]) else None
        for r in range(min_row, min(max_row_, len(grid)) + 1):
            row = grid[r - 1]
            if len(row) < max_col:
                row.extend([None] * (max_col - len(row)))
            for c in range(min_col, max_col + 1):
                row[c - 1] = value
        merged.append((min_row, min_col, max_row_, max_col))
    width = max((len(row) for row in grid), default=0)
    for row in grid:
        row.extend([None] * (width - len(row)))
    return grid, merged
