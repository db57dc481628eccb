"""Read the official table from real files (see the package docstring for what is accepted)."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from catalogs import vocabulary
from catalogs.excel.table import (
    EXTRA_NAME_LIMIT,
    FIELD_LABELS,
    MAX_DATA_ROWS,
    MAX_HEADER_SEARCH_ROWS,
    MAX_REPORTED_ERRORS,
    REQUIRED_FIELDS,
    TERM_FIELDS,
    TEXT_LIMITS,
    ExcelFormatError,
    ParsedRow,
    ParsedTable,
)
from catalogs.vocabulary import normalize_text

_TICK_YES = {"√", "✓", "✔", "☑", "■", "☒", "是", "有", "v", "V", "Y", "y", "1", "●"}
_TICK_NO = {"", "□", "☐", "否", "无", "-", "—", "–", "/", "×", "✗", "✘", "0", "○"}
_TICKED_MARKS = "■☑☒✓✔√"
_UNTICKED_MARKS = "□☐"
_CHECKLIST_SPLIT = re.compile(f"([{_TICKED_MARKS}{_UNTICKED_MARKS}])")
_CHANNEL_SEPARATORS = set("、,，;；/／\n\r\t ")
_OTHER_CHANNEL = re.compile(r"^其[他它]\s*[(（:：]?\s*(?P<text>.*?)\s*[)）]?$", re.S)
_NOTE_PREFIXES = ("注:", "注：", "备注", "说明", "填表说明", "附注")
_LEVEL_LIKE = re.compile(r"^(省|市|地|州|盟|县|区|旗|乡|镇|村|街道|社区)\S{0,6}级$")

_HEADER_MARKERS = {normalize_text(text) for text in ("序号", "公开事项", "一级事项")}
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
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _load_grid(fileobj):
    if isinstance(fileobj, bytes | bytearray):
        fileobj = io.BytesIO(fileobj)
    try:
        workbook = load_workbook(fileobj, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ExcelFormatError(
            "无法读取文件：这不是Excel工作簿（.xlsx）。如果是旧版.xls或WPS格式，"
            "请先在Excel或WPS中“另存为”.xlsx格式再导入。"
        ) from exc
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise ExcelFormatError(f"无法读取文件：Excel文件已损坏或格式不受支持（{exc}）。") from exc
    for ws in workbook.worksheets:
        grid, merged = _sheet_grid(ws)
        if _find_header_row(grid) is not None:
            return ws.title, grid, merged
    raise ExcelFormatError(
        f"未找到表头：工作表前{MAX_HEADER_SEARCH_ROWS}行中没有“序号”或“公开事项”。"
        "请使用官方表格格式（标题行下为两行表头）。"
    )


def _sheet_grid(ws):
    max_row = ws.max_row or 0
    if max_row > MAX_DATA_ROWS + MAX_HEADER_SEARCH_ROWS:
        raise ExcelFormatError(f"表格超过{MAX_DATA_ROWS}行，无法作为公开事项目录导入。")
    grid = [list(row) for row in ws.iter_rows(min_row=1, max_row=max_row, values_only=True)]
    merged = []
    for merged_range in ws.merged_cells.ranges:
        min_col, min_row, max_col, max_row_ = merged_range.bounds
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
        elif _LEVEL_LIKE.match(top):
            columns.append(_Column(index, "ignore", "levels", header=top_raw))
        else:
            columns.append(_Column(index, "unknown", header=(top_raw + sub_raw).strip()))

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
        if column.kind in ("blank", "ignore", "unknown"):
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
        if column.kind not in ("blank", "ignore", "unknown", "extra")
    }
    for field_name in REQUIRED_FIELDS:
        if field_name not in present:
            errors.append(f"{header_cell}：缺少表头“{FIELD_LABELS[field_name]}”")
    return columns, errors, warnings


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
    checklist = any(mark in text for mark in "■□☑☐☒") or re.search(r"(?m)^\s*[√✓✔]", text)
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


def read_catalog_workbook(fileobj) -> ParsedTable:
    """Parse the official table from an xlsx file object (or bytes); never writes anything."""
    sheet_title, grid, merged = _load_grid(fileobj)
    header1 = _find_header_row(grid)
    two_rows = _is_two_header_rows(grid, merged, header1)
    columns, errors, warnings = _classify_columns(grid, header1, two_rows)
    first_data = header1 + (2 if two_rows else 1)
    width = len(grid[0])

    for column in columns:
        if column.kind == "blank" and any(
            _text(row[column.index - 1]) for row in grid[first_data - 1 :]
        ):
            errors.append(f"第{header1}行第{column.letter}列：表头为空，但该列有内容，无法识别")
    if errors:
        raise ExcelFormatError(errors[:MAX_REPORTED_ERRORS])

    element_columns = [c for c in columns if c.kind not in ("blank", "ignore", "seq")]
    rows: list[ParsedRow] = []
    source_seqs: list[int | None] = []
    cell_errors: list[str] = []
    for row_number in range(first_data, len(grid) + 1):
        raw = grid[row_number - 1]
        texts = [_text(value) for value in raw]
        if not any(texts[c.index - 1] for c in element_columns):
            continue
        if _is_note_row(texts, row_number, merged, width):
            note = next(text for text in texts if text)
            warnings.append(f"第{row_number}行是说明文字，已跳过：“{note[:30]}”")
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
        sheet_title=sheet_title,
    )


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
