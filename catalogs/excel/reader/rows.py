"""Read the table's data rows into a ``ParsedTable``, with row and column messages."""

from __future__ import annotations

import re

from catalogs import vocabulary
from catalogs.excel.reader.cells import (
    _CellError,
    _Formula,
    _parse_terms,
    _parse_tick,
    _text,
    parse_channels,
)
from catalogs.excel.reader.headers import _Column
from catalogs.excel.reader.loading import _Deadline, _load_sheets, _Sheet
from catalogs.excel.table import (
    FIELD_LABELS,
    MAX_REPORTED_ERRORS,
    READ_TIME_LIMIT_SECONDS,
    TERM_FIELDS,
    TEXT_LIMITS,
    ExcelFormatError,
    ParsedRow,
    ParsedTable,
)
from catalogs.vocabulary import normalize_text

_NOTE_PREFIXES = ("注:", "注：", "备注", "说明", "填表说明", "附注")

# Footer rows that sum the table up, not items.
_TOTAL_ROW = re.compile(r"^(合计|小计|总计|共计)")


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
