"""Read the official table from real files (see ``catalogs.excel`` for what is accepted).

- ``loading``: bound and load the workbook, each sheet as a grid (merged cells filled,
  uncomputed formulas marked), within the time limit;
- ``headers``: find the header row(s) and classify every column;
- ``cells``: one cell's text, tick marks, term lists and the 公开渠道和载体 checklist;
- ``rows``: the data rows, read into a ``ParsedTable``.
"""

from catalogs.excel.reader.cells import parse_channels
from catalogs.excel.reader.rows import read_catalog_workbook

__all__ = ["parse_channels", "read_catalog_workbook"]
