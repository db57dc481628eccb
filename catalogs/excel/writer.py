"""Write items as the official table (see the package docstring for the layout)."""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Iterable
from copy import copy

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.page import PageMargins

from catalogs import vocabulary
from catalogs.spreadsheets import set_text_cell

TICK = "√"
CHECKED, UNCHECKED = "■", "□"

# (group, header, width in Excel character units, field, vocabulary term)
_OFFICIAL_COLUMNS = (
    (None, "序号", 4.5, "seq", None),
    ("公开事项", "一级事项", 9, "level1", None),
    ("公开事项", "二级事项", 11, "level2", None),
    (None, "公开内容（要素）", 28, "content", None),
    (None, "公开依据", 15, "basis", None),
    (None, "公开时限", 14, "deadline", None),
    (None, "公开主体", 13, "subject", None),
    (None, "公开渠道和载体", 23, "channels", None),
    ("公开对象", "全社会", 4.6, "audience", "全社会"),
    ("公开对象", "特定群体", 4.6, "audience", "特定群体"),
    ("公开方式", "主动", 4.6, "method", "主动"),
    ("公开方式", "依申请", 4.6, "method", "依申请"),
    ("公开层级", "县级", 4.6, "levels", "县级"),
    ("公开层级", "乡级", 4.6, "levels", "乡级"),
)
_VILLAGE_COLUMN = ("公开层级", vocabulary.VILLAGE_LEVEL, 4.6, "levels", vocabulary.VILLAGE_LEVEL)
_EXTRA_WIDTH = 13

_FONT_NAME = "宋体"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TITLE_FONT = Font(name="黑体", size=16, bold=True)
_SUBTITLE_FONT = Font(name=_FONT_NAME, size=10)
_HEADER_FONT = Font(name=_FONT_NAME, size=9, bold=True)
_BODY_FONT = Font(name=_FONT_NAME, size=9)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
# Line height of 9 pt CJK text (Noto/SimSun metrics are about 1.4 em), and character widths
# in Excel's column unit (the width of "0" in the default 11 pt font).
_LINE_HEIGHT_PT = 13.2
_WIDE_CHAR_UNITS, _NARROW_CHAR_UNITS = 1.65, 0.85


def channel_checklist(channels: Iterable[str], channel_other: str = "") -> str:
    """The 公开渠道和载体 cell: every vocabulary channel, ■ ticked or □ not, one a line."""
    ticked = set(channels or ())
    lines = []
    for channel in vocabulary.CHANNELS:
        label = channel
        if channel == vocabulary.OTHER_CHANNEL and channel in ticked and channel_other:
            label = f"{channel}({channel_other})"
        lines.append(f"{CHECKED if channel in ticked else UNCHECKED}{label}")
    return "\n".join(lines)


def _extras_of(obj) -> list[tuple[str, str]]:
    extras = getattr(obj, "extra_elements", None)
    if extras is None:
        return []
    if hasattr(extras, "all"):
        return [(extra.name, extra.value) for extra in extras.all()]
    return [(name, value) for name, value in extras]


def _cell_writer(ws):
    """A ``put(row, column, value, …)`` that styles cells cheaply.

    Assigning Font/Alignment/Border objects makes openpyxl hash them for every cell; each
    distinct combination is assigned once and later cells copy its style array (what
    openpyxl's own worksheet copy does).
    """
    prototypes: dict[tuple, object] = {}

    def put(row: int, column: int, value, *, font=_BODY_FONT, alignment=_LEFT, fill=None):
        # Text that looks like a formula ("=…") stays text: a cell never computes.
        cell = set_text_cell(ws.cell(row=row, column=column), value)
        key = (id(font), id(alignment), id(fill))
        if key in prototypes:
            cell._style = copy(prototypes[key])
        else:
            cell.font, cell.alignment, cell.border = font, alignment, _BORDER
            if fill is not None:
                cell.fill = fill
            prototypes[key] = copy(cell._style)
        return cell

    return put


def _display_width(text: str) -> float:
    return sum(
        _WIDE_CHAR_UNITS if unicodedata.east_asian_width(char) in "WFA" else _NARROW_CHAR_UNITS
        for char in text
    )


def _line_count(text, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` units wide (a generous guess)."""
    if text in (None, ""):
        return 1
    usable = max(width - 0.8, 1)
    return sum(max(1, math.ceil(_display_width(line) / usable)) for line in str(text).split("\n"))


def _merge(ws, min_row: int, min_col: int, max_row: int, max_col: int) -> None:
    """Merge a range whose cells are already styled with full borders.

    ``ws.merge_cells`` would re-apply the edge borders cell by cell (most of the export's
    time for a long table); here only the covered cells are blanked, as Excel expects.
    """
    cell_range = MergedCellRange(
        ws, f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
    )
    for row in range(min_row, max_row + 1):
        for column in range(min_col, max_col + 1):
            if (row, column) != (min_row, min_col):
                ws.cell(row=row, column=column).value = None
    ws.merged_cells.add(cell_range)


def _checklist_line_count(text: str, width: float) -> int:
    """The checklist's standard labels fit the column; only a long 其他(…) line wraps."""
    lines = text.split("\n")
    return len(lines) - 1 + _line_count(lines[-1], width)


def write_catalog_workbook(*, title: str, items, subtitle: str = "") -> bytes:
    """The official table of ``items`` (Item, PublishedItem or StandardItem objects) as xlsx bytes.

    ``extra_elements`` may be a related manager (prefetch it) or a list of [name, value];
    each distinct name becomes a column after 公开层级 so that re-importing keeps it.
    """
    items = list(items)
    extras_per_item = [dict(_extras_of(item)) for item in items]
    extra_names: list[str] = []
    for extras in extras_per_item:
        extra_names.extend(name for name in extras if name not in extra_names)

    columns = list(_OFFICIAL_COLUMNS)
    if any(vocabulary.VILLAGE_LEVEL in (item.levels or ()) for item in items):
        # A village catalog's items tick 村级 too (the reader reads that column back).
        columns.append(_VILLAGE_COLUMN)
    columns += [(None, name, _EXTRA_WIDTH, f"extra:{name}", None) for name in extra_names]
    last_column = len(columns)
    last_letter = get_column_letter(last_column)

    workbook = Workbook()
    ws = workbook.active
    ws.title = "公开事项目录"
    workbook.properties.title = title
    workbook.properties.creator = "基层政务公开标准目录"

    put = _cell_writer(ws)
    row = 1
    put(row, 1, title, font=_TITLE_FONT, alignment=_CENTER)
    ws.merge_cells(f"A{row}:{last_letter}{row}")
    ws.row_dimensions[row].height = 36
    if subtitle:
        row += 1
        put(row, 1, subtitle, font=_SUBTITLE_FONT, alignment=_LEFT)
        ws.merge_cells(f"A{row}:{last_letter}{row}")
        ws.row_dimensions[row].height = 20
    for column in range(1, last_column + 1):
        for r in range(1, row + 1):
            ws.cell(row=r, column=column).border = Border()

    header1, header2 = row + 1, row + 2
    for index, (group, header, width, _field, _term) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
        for r, value in ((header1, group or header), (header2, header if group else None)):
            put(r, index, value, font=_HEADER_FONT, alignment=_CENTER, fill=_HEADER_FILL)
    merges = []
    index = 1
    while index <= last_column:
        group = columns[index - 1][0]
        if group is None:
            merges.append((header1, index, header2, index))
            index += 1
            continue
        end = index
        while end < last_column and columns[end][0] == group:
            end += 1
        merges.append((header1, index, header1, end))
        index = end + 1
    ws.row_dimensions[header1].height = 22
    ws.row_dimensions[header2].height = 30

    first_data = header2 + 1
    widths = [column[2] for column in columns]
    for offset, (item, extras) in enumerate(zip(items, extras_per_item, strict=True)):
        r = first_data + offset
        values = []
        for _group, _header, _width, field_name, term in columns:
            if field_name == "channels":
                value = channel_checklist(item.channels, getattr(item, "channel_other", ""))
            elif field_name.startswith("extra:"):
                value = extras.get(field_name[len("extra:") :], "")
            elif term is not None:
                value = TICK if term in (getattr(item, field_name) or ()) else ""
            else:
                value = getattr(item, field_name)
            values.append(value)
        for index, value in enumerate(values, start=1):
            centered = columns[index - 1][4] is not None or columns[index - 1][3] in (
                "seq",
                "level1",
                "level2",
            )
            put(r, index, value, alignment=_CENTER if centered else _LEFT)
        lines = max(
            _checklist_line_count(value, width)
            if field_name == "channels"
            else _line_count(value, width)
            for value, width, (*_ignored, field_name, _term) in zip(
                values, widths, columns, strict=True
            )
        )
        ws.row_dimensions[r].height = round(lines * _LINE_HEIGHT_PT + 6, 1)

    # 一级事项 merged down over consecutive rows that share it, as in the official tables.
    level1_column = 2
    start = 0
    while start < len(items):
        end = start
        while end + 1 < len(items) and items[end + 1].level1 == items[start].level1:
            end += 1
        if end > start:
            merges.append((first_data + start, level1_column, first_data + end, level1_column))
        start = end + 1
    for min_row, min_col, max_row, max_col in merges:
        _merge(ws, min_row, min_col, max_row, max_col)

    last_data = first_data + len(items) - 1
    if items:
        ticks = DataValidation(type="list", formula1=f'"{TICK}"', allow_blank=True)
        ticks.error = "请填写“√”或留空"
        ticks.errorTitle = "勾选标记"
        first_tick = next(i for i, c in enumerate(columns, start=1) if c[4] is not None)
        last_tick = max(i for i, c in enumerate(columns, start=1) if c[4] is not None)
        ticks.add(
            f"{get_column_letter(first_tick)}{first_data}:{get_column_letter(last_tick)}{last_data}"
        )
        ws.add_data_validation(ticks)

    ws.freeze_panes = ws.cell(row=first_data, column=1)
    ws.print_title_rows = f"{header1}:{header2}"
    ws.print_area = f"A1:{last_letter}{max(last_data, header2)}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.2, footer=0.3)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
