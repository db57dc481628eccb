"""The official table (公开事项目录) as an Excel workbook: write it, and read it back.

Layout written, and expected (with the tolerance below) when reading::

    title row        the catalog's title, merged across the table
    subtitle row     optional (compiling office, export time), merged across
    header row 1     序号 | 公开事项 (over two columns) | 公开内容（要素） | 公开依据 | 公开时限 |
                     公开主体 | 公开渠道和载体 | 公开对象 (2) | 公开方式 (2) | 公开层级 (2) | extras…
    header row 2     一级事项 | 二级事项 · 全社会 | 特定群体 · 主动 | 依申请 · 县级 | 乡级;
                     single headers are merged over both header rows
    data rows        one item per row; 一级事项 merged down over the rows that share it;
                     公开渠道和载体 is the full ■/□ checklist, one channel a line in the official
                     order; the sub-columns of 公开对象/方式/层级 carry √ marks

What the reader accepts, because real files vary:

- The header row is the first of the first 15 rows holding 序号, 公开事项 or 一级事项; rows
  above it (title, subtitle) are skipped. One or two header rows both work.
- Headers are compared after NFKC folding and removing white space, so full- and half-width
  brackets and stray spaces do not matter; 公开内容 / 公开要素, 公开渠道 / 公开载体 are accepted
  for 公开内容（要素） and 公开渠道和载体.
- Merged cells are filled with their top-left value before anything is read, so 一级事项 (or any
  other cell) merged down over several rows applies to every row.
- Sub-column spellings go through the vocabulary's alias maps: 特定群众, 依申请公开, 乡、村级,
  镇级, … A group without sub-columns (a single 公开对象 column holding "全社会、特定群体") is
  read as a list of terms.
- 公开内容 may be a ● list, a "1. 2." list or one element per line; it is stored as a ● list.
- 公开渠道和载体 may be the ■/□ checklist (with "■其他(原文)" for a ticked 其他) or a plain list
  of ticked channels ("政府网站、公开查阅点", or one per line), alias-mapped (政府服务中心 →
  政务服务中心). A channel outside the vocabulary becomes 其他, its original words are kept as
  the 其他 description, and the row gets a warning.
- Ticks: √ ✓ ✔ ☑ ■ 是 v; empty, □, ×, 否, 无, - and / mean "not ticked". Anything else is refused.
- Rows that are empty apart from 序号 (unused numbered template rows) are skipped; a row merged
  across the whole table, or starting with 注/备注/说明, is a note and is skipped with a warning.
- 序号 is kept when it numbers the rows 1, 2, 3… in increasing order; otherwise (merged,
  repeated, missing) the rows are renumbered in file order with a warning.

Extra columns, chosen as staff would expect:

- 三级事项 (under 公开事项 or on its own) becomes a local extra element (本地增加要素) named 三级事项.
- Every column to the right of the official ones (备注, 责任科室, …) becomes a local extra element
  named by its header; an empty cell adds no element. This is also how exported extra
  elements come back on re-import.
- A tick column for a level outside the vocabulary (市级, 省级, 村级…), under 公开层级 or on its
  own, is ignored with a warning; so is any other unknown sub-column of 公开对象/方式/层级.
- An unrecognised header in the middle of the official columns, a missing required header,
  a duplicated header, or an empty header over a column with content is refused.

Before anything is parsed, ``check_workbook`` (``catalogs.excel.archive``) bounds the file: its
size, the zip's parts and decompressed size, no DTD in any XML part (no XXE), and each sheet's
declared dimension, rows, cells and merged ranges against 5,000 rows and 256 columns. The
sheet is then streamed (openpyxl's read-only mode) and reading stops after 20 seconds.

Every refusal is an ``ExcelFormatError`` whose messages name the row and column in Chinese
("第5行第K列：无法识别的勾选标记“maybe”"). The reader never touches the database.
"""

from catalogs.excel.archive import check_workbook
from catalogs.excel.reader import parse_channels, read_catalog_workbook
from catalogs.excel.table import (
    FIELD_LABELS,
    TERM_FIELDS,
    ExcelFormatError,
    ParsedRow,
    ParsedTable,
)
from catalogs.excel.writer import channel_checklist, write_catalog_workbook

__all__ = [
    "FIELD_LABELS",
    "TERM_FIELDS",
    "ExcelFormatError",
    "ParsedRow",
    "ParsedTable",
    "channel_checklist",
    "check_workbook",
    "parse_channels",
    "read_catalog_workbook",
    "write_catalog_workbook",
]
