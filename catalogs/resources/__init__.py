"""Flat sheets of the admin, on django-import-export: staff accounts and region contacts.

A flat sheet has one header row of Chinese column names and one record per row. It is
imported in two steps, a dry run that previews every change and a confirm, and either
every row is written or none (the import runs in one transaction that is rolled back on
any error). Errors name the row as Excel shows it (the header is row 1) and the column:
``第3行 “角色”：未知的角色“组长”……``.

Rows are written through the services (``catalogs.staff``, ``catalogs.services``), so the
permission checks, validation and history of a form edit apply to an import as well;
rows that change nothing are skipped, so exporting a sheet and importing it back
unchanged writes nothing.

Input is bounded before it is parsed (file size, unzipped size, rows, columns) and only
.xlsx and .csv are read. Exports never hold a live formula (``catalogs.spreadsheets``): in
.xlsx, text starting with = + - @ is stored as a text cell; in .csv it gets a leading
apostrophe, which the import strips again.

The official two-header catalog layout is not a flat sheet: see ``catalogs.excel``.
"""

from catalogs.resources.base import (
    FlatDiff,
    FlatResource,
    refusal_result_error,
    result_totals,
    row_messages,
)
from catalogs.resources.contacts import (
    CONTACT_FIELDS,
    RegionContactResource,
)
from catalogs.resources.formats import (
    FLAT_EXTENSIONS,
    FLAT_FORMATS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    MAX_SHOWN_MESSAGES,
    MAX_UNZIPPED_BYTES,
    MAX_UPLOAD_BYTES,
    MAX_WRITTEN_ROWS,
    FlatCSV,
    FlatImportError,
    FlatXLSX,
    cell_text,
)
from catalogs.resources.staff import (
    ROLE_BY_TEXT,
    StaffAccountResource,
)

__all__ = [
    "FlatDiff",
    "FlatResource",
    "refusal_result_error",
    "result_totals",
    "row_messages",
    "CONTACT_FIELDS",
    "RegionContactResource",
    "FLAT_EXTENSIONS",
    "FLAT_FORMATS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_SCANNED_ROWS",
    "MAX_SHOWN_MESSAGES",
    "MAX_UNZIPPED_BYTES",
    "MAX_UPLOAD_BYTES",
    "MAX_WRITTEN_ROWS",
    "FlatCSV",
    "FlatImportError",
    "FlatXLSX",
    "cell_text",
    "ROLE_BY_TEXT",
    "StaffAccountResource",
]
