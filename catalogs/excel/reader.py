"""Read the official table from real files (see the package docstring for what is accepted)."""

from __future__ import annotations

import io
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from xml.parsers import expat

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse

from catalogs import vocabulary
from catalogs.excel.archive import (
    DAMAGED,
    NOT_XLSX,
    UNSAFE_STRUCTURE,
    SheetShape,
    check_workbook,
)
from catalogs.excel.table import (
    EXTRA_NAME_LIMIT,
    FIELD_LABELS,
    MAX_HEADER_SEARCH_ROWS,
    MAX_REPORTED_ERRORS,
    READ_TIME_LIMIT_SECONDS,
    REQUIRED_FIELDS,
    TERM_FIELDS,
    TEXT_LIMITS,
    ExcelFormatError,
    ParsedRow,
    ParsedTable,
)
from catalogs.vocabulary import normalize_text

_TICK_YES = {"√", "✓", "✔", "☑", "■", "☒", "✅", "是", "有", "v", "V", "Y", "y", "1", "●"}
_TICK_NO = {"", "□", "☐", "否", "无", "-", "—", "–", "/", "×", "✗", "✘", "0", "○"}
_TICKED_MARKS = "■☑☒✓✔√✅"
# Emoji presentation selectors: ✔️ is ✔ followed by U+FE0F.
_VARIATION_SELECTORS = str.maketrans("", "", "\ufe0e\ufe0f")
_UNTICKED_MARKS = "□☐"
_CHECKLIST_SPLIT = re.compile(f"([{_TICKED_MARKS}{_UNTICKED_MARKS}])")
_CHANNEL_SEPARATORS = set("、,，;；/／\n\r\t ")
_OTHER_CHANNEL = re.compile(r"^其[他它]\s*[(（:：]?\s*(?P<text>.*?)\s*[)）]?$", re.S)
_NOTE_PREFIXES = ("注:", "注：", "备注", "说明", "填表说明", "附注")
_LEVEL_LIKE = re.compile(r"^(省|市|地|州|盟|县|区|旗|乡|镇|村|街道|社区)\S{0,6}级$")

_HEADER_MARKERS = {normalize_text(text) for text in ("序号", "公开事项", "一级事项", "一级目录")}
# A three-level layout: 一级目录 (the field) | 二级 (the standard's 一级事项) | 三级事项.
_TIER_HEADERS = {
    normalize_text(text): tier
    for text, tier in (
        ("一级目录", 1),
        ("一级", 1),
        ("二级目录", 2),
        ("二级", 2),
        ("三级目录", 3),
        ("三级", 3),
    )
}
# Footer rows that sum the table up, not items.
_TOTAL_ROW = re.compile(r"^(合计|小计|总计|共计)")
_GROUPS = {normalize_text(text): text for text in ("公开事项", "公开对象", "公开方式", "公开层级")}
_GROUP_FIELDS = {"公开对象": "audience", "公开方式": "method", "公开层级": "levels"}
_SINGLE_HEADERS = {
    normalize_text(text): field_name
    for text, field_name in (
        ("序号", "seq"),
        ("一级事项", "level1"),
        ("二级事项", "level2"),
        ("公开内容(要素)", "content"),
        ("公开内容（要素）", "content"),
        ("公开内容", "content"),
        ("公开要素", "content"),
        ("公开内容要素", "content"),
        ("公开依据", "basis"),
        ("公开时限", "deadline"),
        ("公开主体", "subject"),
        ("公开渠道和载体", "channels"),
        ("公开渠道及载体", "channels"),
        ("公开渠道", "channels"),
        ("公开载体", "channels"),
        ("公开对象", "audience"),
        ("公开方式", "method"),
        ("公开层级", "levels"),
    )
}
_THIRD_LEVEL = normalize_text("三级事项")
_RESERVED_EXTRA_NAMES = {normalize_text(label) for label in vocabulary.ELEMENT_LABELS.values()}
_SUB_HEADERS = {
    normalize_text(text)
    for text in (
        "一级事项",
        "二级事项",
        "三级事项",
        *_TIER_HEADERS,
        *vocabulary.AUDIENCES,
        *vocabulary.AUDIENCE_ALIASES,
        *vocabulary.METHODS,
        *vocabulary.METHOD_ALIASES,
        *vocabulary.LEVELS,
        *vocabulary.LEVEL_ALIASES,
    )
}


class _CellError(Exception):
    pass


@dataclass(frozen=True)
class _Formula:
    """A formula cell the file keeps no computed value for (written by a program, never
    opened in Excel): its value is unknown, which is not the same as empty."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class _Column:
    index: int
    kind: str  # seq, text, content, channels, tick, terms, extra, ignore, blank
    field: str = ""
    term: str = ""
    header: str = ""

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, _Formula):
        return ""
    text = str(value).translate(_VARIATION_SELECTORS).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


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


def _find_header_row(grid) -> int | None:
    for r, row in enumerate(grid[:MAX_HEADER_SEARCH_ROWS], start=1):
        if any(normalize_text(_text(value)) in _HEADER_MARKERS for value in row):
            return r
    return None


def _classify_sub(group: str, sub_norm: str, sub_raw: str, index: int) -> _Column:
    if group == "公开事项":
        if sub_norm in (normalize_text("一级事项"), normalize_text("二级事项")):
            return _Column(index, "text", _SINGLE_HEADERS[sub_norm], header=sub_raw)
        if sub_norm == _THIRD_LEVEL:
            return _Column(index, "extra", header="三级事项")
        if sub_norm in _TIER_HEADERS:
            return _Column(index, "tier", term=str(_TIER_HEADERS[sub_norm]), header=sub_raw)
        return _Column(index, "unknown", header=f"{group}·{sub_raw}")
    field_name = _GROUP_FIELDS[group]
    vocab, aliases = TERM_FIELDS[field_name]
    term = vocabulary.canonical_term(sub_norm, vocab, aliases)
    if term:
        return _Column(index, "tick", field_name, term, header=sub_raw)
    return _Column(index, "ignore", field_name, header=f"{group}·{sub_raw}")


def _classify_columns(grid, header1: int, two_rows: bool):
    """Map every column to what it holds; returns (columns, errors, warnings)."""
    width = len(grid[0]) if grid else 0
    columns, errors, warnings = [], [], []
    group = None
    for index in range(1, width + 1):
        top_raw = _text(grid[header1 - 1][index - 1])
        sub_raw = _text(grid[header1][index - 1]) if two_rows and header1 < len(grid) else ""
        top, sub = normalize_text(top_raw).rstrip(":"), normalize_text(sub_raw).rstrip(":")
        if sub == top:
            sub, sub_raw = "", ""
        if top in _GROUPS:
            group = _GROUPS[top]
        elif top:
            group = None
        elif sub and group:
            top = normalize_text(group)
        if not top and sub:
            top, top_raw, sub, sub_raw = sub, sub_raw, "", ""
        if not top:
            columns.append(_Column(index, "blank"))
        elif top in _GROUPS and sub:
            columns.append(_classify_sub(_GROUPS[top], sub, sub_raw, index))
        elif top == normalize_text("公开事项"):
            columns.append(_Column(index, "unknown", header=top_raw))
        elif top in _SINGLE_HEADERS:
            field_name = _SINGLE_HEADERS[top]
            kind = {"seq": "seq", "content": "content", "channels": "channels"}.get(field_name)
            if field_name in TERM_FIELDS:
                kind = "terms"
            columns.append(_Column(index, kind or "text", field_name, header=top_raw))
        elif top == _THIRD_LEVEL:
            columns.append(_Column(index, "extra", header="三级事项"))
        elif top in _TIER_HEADERS:
            columns.append(_Column(index, "tier", term=str(_TIER_HEADERS[top]), header=top_raw))
        elif _LEVEL_LIKE.match(top):
            columns.append(_Column(index, "ignore", "levels", header=top_raw))
        else:
            columns.append(_Column(index, "unknown", header=(top_raw + sub_raw).strip()))

    warnings.extend(_map_tiers(columns, header1))
    official = [c.index for c in columns if c.kind in ("seq", "text", "content", "channels")]
    official += [c.index for c in columns if c.kind in ("tick", "terms")]
    last_official = max(official, default=0)
    header_cell = f"第{header1}行"
    for column in columns:
        if column.kind == "unknown":
            if column.index > last_official and column.header:
                column.kind = "extra"
                column.header = re.sub(r"\s+", "", column.header)
            else:
                errors.append(
                    f"{header_cell}第{column.letter}列：无法识别的表头“{column.header}”"
                    "（应为官方表格的表头，如“公开依据”“公开对象”）"
                )
        if column.kind == "ignore":
            vocab = "、".join(TERM_FIELDS[column.field][0])
            warnings.append(
                f"{header_cell}第{column.letter}列“{column.header}”不是"
                f"{FIELD_LABELS[column.field]}的选项（{vocab}），该列已忽略"
            )
        if column.kind == "extra" and normalize_text(column.header) in _RESERVED_EXTRA_NAMES:
            errors.append(
                f"{header_cell}第{column.letter}列：“{column.header}”是必备要素，"
                "不能作为本地增加要素（请使用官方表头的列）"
            )
        if column.kind == "extra" and len(column.header) > EXTRA_NAME_LIMIT:
            errors.append(
                f"{header_cell}第{column.letter}列：表头“{column.header[:20]}…”过长"
                f"（本地增加要素名称不超过{EXTRA_NAME_LIMIT}字）"
            )

    seen: dict[tuple, _Column] = {}
    for column in columns:
        if column.kind in ("blank", "ignore", "unknown", "skip"):
            continue
        if column.kind == "extra":
            keys = [("extra", column.header)]
        elif column.kind == "tick":
            # A tick column clashes with the same tick, or with a list column of its field.
            keys = [("tick", column.field, column.term), ("terms", column.field)]
        elif column.kind == "terms":
            keys = [("terms", column.field), ("terms-ticked", column.field)]
        else:
            keys = [("field", column.field)]
        clash = next((seen[key] for key in keys if key in seen), None)
        if clash is not None:
            label = column.header or FIELD_LABELS.get(column.field, column.field)
            errors.append(
                f"{header_cell}第{column.letter}列：表头“{label}”重复（第{clash.letter}列已有）"
            )
            continue
        seen[keys[0]] = column
        if column.kind == "tick":
            seen.setdefault(("terms-ticked", column.field), column)

    present = {
        column.field
        for column in columns
        if column.kind not in ("blank", "ignore", "unknown", "extra", "skip")
    }
    for field_name in REQUIRED_FIELDS:
        if field_name not in present:
            errors.append(f"{header_cell}：缺少表头“{FIELD_LABELS[field_name]}”")
    return columns, errors, warnings


def _map_tiers(columns: list[_Column], header1: int) -> list[str]:
    """A layout by tiers (一级目录 | 二级 | 三级事项): the two lowest tiers are the item's
    一级事项 and 二级事项, a tier above them is the field (社会救助) and is left out."""
    tiers = [c for c in columns if c.kind == "tier"]
    if not tiers:
        return []
    third = next((c for c in columns if c.kind == "extra" and c.header == "三级事项"), None)
    named = {c.field for c in columns if c.kind == "text"}
    if third is not None and "level2" not in named:
        third.kind, third.field = "text", "level2"
        tiers.append(third)
        third.term = "3"
    tiers.sort(key=lambda c: (int(c.term), c.index))
    warnings = []
    free = [name for name in ("level1", "level2") if name not in named]
    lowest = tiers[-len(free) :] if free else []
    for column in tiers:
        if column in lowest:
            column.kind, column.field = "text", free[lowest.index(column)]
            continue
        column.kind = "skip"
        warnings.append(
            f"第{header1}行第{column.letter}列“{column.header}”是上一级目录（领域），"
            "按“二级为一级事项、三级事项为二级事项”读取，该列已忽略"
        )
    for column in lowest:
        if column.header and normalize_text(column.header) != normalize_text(
            FIELD_LABELS[column.field]
        ):
            warnings.append(
                f"第{header1}行第{column.letter}列“{column.header}”按"
                f"“{FIELD_LABELS[column.field]}”读取"
            )
    return warnings


def _is_two_header_rows(grid, merged, header1: int) -> bool:
    if header1 >= len(grid):
        return False
    if any(min_row == header1 and max_row > header1 for min_row, _c, max_row, _c2 in merged):
        return True
    return any(normalize_text(_text(value)) in _SUB_HEADERS for value in grid[header1])


def _parse_tick(value) -> bool:
    text = normalize_text(_text(value))
    if text in _TICK_YES:
        return True
    if text in _TICK_NO:
        return False
    raise _CellError(f"无法识别的勾选标记“{_text(value)}”（应为“√”或留空）")


def _parse_terms(text: str, field_name: str) -> list[str]:
    vocab, aliases = TERM_FIELDS[field_name]
    tokens, separators = _split_outside_brackets(text)
    terms, i = [], 0
    while i < len(tokens):
        if not tokens[i].strip():
            i += 1
            continue
        # A spelling may itself hold a separator ("乡、村级"): try the longest join first.
        for j in range(min(len(tokens), i + 3), i, -1):
            candidate = tokens[i] + "".join(separators[k] + tokens[k + 1] for k in range(i, j - 1))
            term = vocabulary.canonical_term(candidate, vocab, aliases)
            if term is not None:
                terms.append(term)
                i = j
                break
        else:
            raise _CellError(
                f"无法识别的{FIELD_LABELS[field_name]}“{tokens[i].strip()}”（可选：{'、'.join(vocab)}）"
            )
    return vocabulary.order_terms(terms, vocab)


def _split_outside_brackets(text: str) -> tuple[list[str], list[str]]:
    """Tokens and the separators between them, never splitting inside (…) or （…）."""
    tokens, separators, current, depth = [], [], [], 0
    for char in text:
        if char in "(（":
            depth += 1
        elif char in ")）":
            depth = max(depth - 1, 0)
        if depth == 0 and char in _CHANNEL_SEPARATORS:
            if current or not tokens:
                tokens.append("".join(current))
                separators.append(char)
            else:
                separators[-1] += char
            current = []
        else:
            current.append(char)
    tokens.append("".join(current))
    return tokens, separators


def _resolve_channel(label: str) -> tuple[str, str, bool]:
    """(channel, 其他 description, is_unknown) for one ticked label."""
    label = label.strip().strip("、,，;；。.")
    known = vocabulary.canonical_channel(label)
    if known is not None:
        return known, "", False
    match = _OTHER_CHANNEL.match(unicodedata.normalize("NFKC", label))
    if match:
        return vocabulary.OTHER_CHANNEL, match.group("text").strip(), False
    return vocabulary.OTHER_CHANNEL, label, True


def _checklist_labels(text: str) -> list[str]:
    parts = _CHECKLIST_SPLIT.split(text)
    # A label ends at the next mark or at the end of its line (unmarked lines are not ticked).
    return [
        label.strip().split("\n")[0].strip()
        for mark, label in zip(parts[1::2], parts[2::2], strict=True)
        if mark in _TICKED_MARKS and label.strip()
    ]


def _plain_list_labels(text: str) -> list[str]:
    tokens, separators = _split_outside_brackets(text)
    labels, i = [], 0
    while i < len(tokens):
        if not tokens[i].strip():
            i += 1
            continue
        # A channel's name may itself hold a separator ("发布会/听证会"): try the longest join.
        for j in range(min(len(tokens), i + 6), i, -1):
            candidate = tokens[i] + "".join(separators[k] + tokens[k + 1] for k in range(i, j - 1))
            if j == i + 1 or vocabulary.canonical_channel(candidate):
                labels.append(candidate)
                i = j
                break
    return labels


def parse_channels(text: str) -> tuple[list[str], str, list[str]]:
    """Read a 公开渠道和载体 cell: (ticked channels, 其他 description, unknown words)."""
    text = text or ""
    text = text.translate(_VARIATION_SELECTORS)
    checklist = any(mark in text for mark in "■□☑☐☒") or re.search(r"(?m)^\s*[√✓✔✅]", text)
    labels = _checklist_labels(text) if checklist else _plain_list_labels(text)
    channels, others, unknown = set(), [], []
    for label in labels:
        channel, other, is_unknown = _resolve_channel(label)
        channels.add(channel)
        if other:
            others.append(other)
        if is_unknown:
            unknown.append(other)
    other_text = "、".join(dict.fromkeys(others))
    return vocabulary.order_terms(channels, vocabulary.CHANNELS), other_text, unknown


def _is_note_row(values: list[str], row_number: int, merged, width: int) -> bool:
    for min_row, min_col, max_row, max_col in merged:
        if min_row <= row_number <= max_row and min_col == 1 and max_col - min_col + 1 >= width - 1:
            return True
    first = next((value for value in values if value), "")
    return first.startswith(_NOTE_PREFIXES) and sum(1 for value in values if value) <= 2


def read_catalog_workbook(
    fileobj, *, time_limit: float | None = READ_TIME_LIMIT_SECONDS
) -> ParsedTable:
    """Parse the official table from an xlsx file object (or bytes); never writes anything.

    The file is bounded before it is parsed (``catalogs.excel.archive``) and read as a
    stream; reading longer than ``time_limit`` seconds is refused.
    """
    deadline = _Deadline(time_limit)
    sheets, sheet_count = _load_sheets(fileobj, deadline)
    sheet = next((candidate for candidate in sheets if not candidate.errors), sheets[0])
    # Messages name the sheet when the table is not on the workbook's first sheet.
    prefix = (
        f"工作表“{sheet.title}”" if sheet.position > 0 or sheet.errors and sheet_count > 1 else ""
    )
    try:
        table = _read_sheet(sheet, deadline)
    except ExcelFormatError as error:
        if prefix:
            raise ExcelFormatError([f"{prefix}{message}" for message in error.messages]) from error
        raise
    if sheet.position > 0:
        table.warnings = [
            f"第一个工作表不是公开事项目录，已读取{prefix}",
            *(f"{prefix}{warning}" for warning in table.warnings),
        ]
    return table


def _read_sheet(sheet: _Sheet, deadline: _Deadline) -> ParsedTable:
    grid, merged, header1, two_rows = sheet.grid, sheet.merged, sheet.header1, sheet.two_rows
    columns, errors, warnings = sheet.columns, list(sheet.errors), list(sheet.warnings)
    first_data = header1 + (2 if two_rows else 1)
    width = len(grid[0])

    for column in columns:
        if column.kind == "blank" and any(
            _text(row[column.index - 1]) for row in grid[first_data - 1 :]
        ):
            errors.append(f"第{header1}行第{column.letter}列：表头为空，但该列有内容，无法识别")
    if errors:
        raise ExcelFormatError(errors[:MAX_REPORTED_ERRORS])

    element_columns = [c for c in columns if c.kind not in ("blank", "ignore", "seq", "skip")]
    rows: list[ParsedRow] = []
    source_seqs: list[int | None] = []
    cell_errors: list[str] = []
    for row_number in range(first_data, len(grid) + 1):
        if row_number % 256 == 0:
            deadline.check()
        raw = grid[row_number - 1]
        texts = [_text(value) for value in raw]
        if not any(
            texts[c.index - 1] or isinstance(raw[c.index - 1], _Formula) for c in element_columns
        ):
            continue
        if _is_note_row(texts, row_number, merged, width):
            note = next(text for text in texts if text)
            warnings.append(f"第{row_number}行是说明文字，已跳过：“{note[:30]}”")
            continue
        total = _total_label(texts, columns)
        if total:
            warnings.append(f"第{row_number}行是“{total[:20]}”行，不是事项，已跳过")
            continue
        heading = _heading_label(raw, texts, element_columns)
        if heading:
            warnings.append(f"第{row_number}行只填写了一级事项“{heading[:30]}”，是分组标题，已跳过")
            continue
        row, seq = _parse_row(row_number, raw, columns, cell_errors)
        if row is not None:
            rows.append(row)
            source_seqs.append(seq)
        if len(cell_errors) >= MAX_REPORTED_ERRORS:
            break
    if cell_errors:
        raise ExcelFormatError(cell_errors[:MAX_REPORTED_ERRORS])
    if not rows:
        raise ExcelFormatError(f"第{first_data}行起没有任何事项：表头下方的数据行为空。")

    if all(seq is not None for seq in source_seqs) and all(
        a < b for a, b in zip(source_seqs, source_seqs[1:], strict=False)
    ):
        for row, seq in zip(rows, source_seqs, strict=True):
            row.seq = seq
    else:
        for position, row in enumerate(rows, start=1):
            row.seq = position
        warnings.append("序号为空、重复或不是递增的，已按文件中的行序重新编号（1、2、3……）")

    for row in rows:
        warnings.extend(row.warnings)
    mapping = {}
    for column in columns:
        if column.kind == "extra":
            mapping[f"extra:{column.header}"] = column.letter
        elif column.field and column.kind not in ("ignore", "blank", "unknown"):
            mapping.setdefault(column.field, column.letter)
    return ParsedTable(
        rows=rows,
        warnings=warnings,
        columns=mapping,
        extra_names=[c.header for c in columns if c.kind == "extra"],
        header_row=header1,
        sheet_title=sheet.title,
    )


def _total_label(texts: list[str], columns: list[_Column]) -> str:
    """The 合计/小计 cell of a footer row (in 序号 or the name columns), or ""."""
    for column in columns:
        if column.kind == "seq" or (column.kind == "text" and column.field in ("level1", "level2")):
            text = normalize_text(texts[column.index - 1])
            if _TOTAL_ROW.match(text):
                return texts[column.index - 1]
    return ""


def _heading_label(raw: list, texts: list[str], element_columns: list[_Column]) -> str:
    """一级事项 of a row that fills nothing else: a section heading, not an item."""
    filled = [
        c for c in element_columns if texts[c.index - 1] or isinstance(raw[c.index - 1], _Formula)
    ]
    if len(filled) == 1 and filled[0].field == "level1":
        return texts[filled[0].index - 1]
    return ""


def _parse_row(row_number: int, raw: list, columns: list[_Column], errors: list[str]):
    values: dict = {"channels": [], "channel_other": "", "audience": [], "method": []}
    values["levels"] = []
    terms: dict[str, set] = {"audience": set(), "method": set(), "levels": set()}
    extras: dict[str, str] = {}
    warnings: list[str] = []
    seq = None
    failed = False
    for column in columns:
        value = raw[column.index - 1]
        where = f"第{row_number}行第{column.letter}列"
        if isinstance(value, _Formula) and column.kind not in ("seq", "blank", "ignore", "skip"):
            label = FIELD_LABELS.get(column.field) or column.header or "该单元格"
            errors.append(
                f"{where}：{label}是公式“{value.text[:40]}”，文件中没有保存计算结果，无法读取"
                "（请在Excel或WPS中打开文件、保存后再导入，或把公式改为文字）"
            )
            failed = True
            continue
        try:
            if column.kind == "seq":
                text = normalize_text(_text(value))
                seq = int(text) if text.isdigit() and int(text) > 0 else None
            elif column.kind == "text":
                values[column.field] = _text(value)
            elif column.kind == "content":
                elements = vocabulary.split_elements(_text(value))
                values["content"] = vocabulary.join_elements(elements)
            elif column.kind == "channels":
                channels, other, unknown = parse_channels(_text(value))
                values["channels"], values["channel_other"] = channels, other
                if unknown:
                    warnings.append(
                        f"{where}：渠道“{'、'.join(unknown)}”不在标准渠道中，"
                        "已按“其他”导入并保留原文"
                    )
                if vocabulary.OTHER_CHANNEL in channels and not other:
                    warnings.append(f"{where}：勾选了“其他”渠道，但未写明具体渠道")
            elif column.kind == "tick":
                if _parse_tick(value):
                    terms[column.field].add(column.term)
            elif column.kind == "terms":
                terms[column.field].update(_parse_terms(_text(value), column.field))
            elif column.kind == "extra":
                text = _text(value)
                if text:
                    extras[column.header] = text
        except _CellError as exc:
            errors.append(f"{where}：{exc}")
            failed = True
    for field_name, found in terms.items():
        values[field_name] = vocabulary.order_terms(found, TERM_FIELDS[field_name][0])
    letters = {c.field: c.letter for c in columns if c.kind == "text" or c.kind == "channels"}
    if not values.get("level1"):
        errors.append(f"第{row_number}行第{letters.get('level1', '?')}列：一级事项不能为空")
        failed = True
    for field_name, limit in TEXT_LIMITS.items():
        text = values.get(field_name, "")
        if len(text) > limit:
            errors.append(
                f"第{row_number}行第{letters.get(field_name, '?')}列："
                f"{FIELD_LABELS.get(field_name, '其他渠道说明')}超过{limit}字（现有{len(text)}字）"
            )
            failed = True
    if failed:
        return None, seq
    row = ParsedRow(
        row_number=row_number,
        seq=0,
        level1=values.get("level1", ""),
        level2=values.get("level2", ""),
        content=values.get("content", ""),
        basis=values.get("basis", ""),
        deadline=values.get("deadline", ""),
        subject=values.get("subject", ""),
        channels=values["channels"],
        channel_other=values["channel_other"],
        audience=values["audience"],
        method=values["method"],
        levels=values["levels"],
        extras=extras,
        warnings=warnings,
    )
    return row, seq
