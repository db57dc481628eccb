"""Disclosure records as the counties keep them in Excel: import with a plan, export the same sheet.

The sheet has one header row with exactly these names, one row per record and channel:

    序号 | 二级事项 | 信息标题 | 文号 | 形成日期 | 发布日期 | 公开渠道 | 网址或位置 | 公示开始 | 公示结束

Rows with the same 序号, 信息标题 and 发布日期 are one record. 序号 and 二级事项 must name the
same item of the region's catalog. Dates may be 2026-11-03, 2026/11/3, 2026年11月3日 or Excel
dates. A bad row is refused with a Chinese message naming its row and column, and nothing
is written: ``records_import_apply`` recomputes the plan inside one transaction and writes
all of it or none. The upload is bounded before it is parsed (file size, uncompressed
size, rows, columns).

Modules: ``reading`` (the sheet, row by row), ``plan`` (rows grouped into records and
matched to the catalog), ``apply`` (the plan written in one transaction) and ``export``.
"""

from records.excel.apply import records_import_apply
from records.excel.export import records_export_workbook
from records.excel.plan import ImportPlan, SheetRecord, records_import_plan
from records.excel.reading import (
    COLUMN,
    FIELD_COLUMNS,
    HEADER,
    MAX_COLUMNS,
    MAX_REPORTED_ERRORS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    RecordSheetError,
    SheetRow,
    read_record_sheet,
)

__all__ = [
    "COLUMN",
    "FIELD_COLUMNS",
    "HEADER",
    "MAX_COLUMNS",
    "MAX_REPORTED_ERRORS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "ImportPlan",
    "RecordSheetError",
    "SheetRecord",
    "SheetRow",
    "read_record_sheet",
    "records_export_workbook",
    "records_import_apply",
    "records_import_plan",
]
