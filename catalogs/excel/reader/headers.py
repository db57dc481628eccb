"""Find the header row(s) and classify every column of the official table."""

from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from catalogs import vocabulary
from catalogs.excel.reader.cells import _text
from catalogs.excel.table import (
    EXTRA_NAME_LIMIT,
    FIELD_LABELS,
    MAX_HEADER_SEARCH_ROWS,
    REQUIRED_FIELDS,
    TERM_FIELDS,
)
from catalogs.vocabulary import normalize_text

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
