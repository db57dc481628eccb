"""Disclosure records exported as the same sheet the import reads."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from catalogs.models import Catalog
from catalogs.spreadsheets import keep_text_as_text
from items.models import Item
from records.excel.reading import HEADER
from records.models import DisclosureRecord


def records_export_workbook(*, catalog: Catalog, records=None) -> bytes:
    """The sheet the import reads, from the catalog's records (oldest item first)."""
    records = (
        DisclosureRecord.objects.filter(catalog=catalog) if records is None else records
    ).with_channels()
    items = {item.public_id: item for item in Item.objects.filter(catalog=catalog)}
    rows = []
    for record in records:
        item = items.get(record.item_id)
        if item is None:
            continue  # the item left the catalog; its records cannot be named by 序号
        channels = list(record.channels.all()) or [None]
        for channel in channels:
            rows.append(
                (
                    (item.seq, record.published_on or date.min, record.title),
                    [
                        item.seq,
                        item.level2 or item.level1,
                        record.title,
                        record.document_number,
                        record.formed_on,
                        record.published_on,
                        channel.channel if channel else "",
                        (channel.url or channel.location) if channel else "",
                        record.notice_start,
                        record.notice_end,
                    ],
                )
            )
    rows.sort(key=lambda row: row[0])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "公开信息"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for _, values in rows:
        sheet.append(values)
    for index in (5, 6, 9, 10):
        letter = get_column_letter(index)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[letter].width = 12
    for index, width in ((2, 24), (3, 40), (4, 20), (7, 18), (8, 48)):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    keep_text_as_text(sheet)  # a title starting with "=" stays text, never a formula
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
