"""Hostile .xlsx files, written part by part so that no library smooths them over.

Each builder returns the file's bytes. A valid minimal workbook is assembled around a
worksheet XML that the builder controls; large sheets are streamed into the zip, so a
million rows cost the test a second, not gigabytes.
"""

import io
import zipfile

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET_OPEN = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}">'
HEADER_ROW = (
    '<row r="1">'
    + "".join(
        f'<c r="{column}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for column, text in zip("ABCD", ("序号", "一级事项", "二级事项", "公开内容"), strict=True)
    )
    + "</row>"
)


def workbook_with_sheet(sheet_chunks, *, workbook_xml: str = WORKBOOK) -> bytes:
    """A minimal .xlsx whose only worksheet is the concatenation of ``sheet_chunks``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook_xml)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for chunk in sheet_chunks:
                sheet.write(chunk.encode() if isinstance(chunk, str) else chunk)
    return buffer.getvalue()


def merged_range_bomb() -> bytes:
    """About 1 KB: one header row and one merged range over the whole sheet, no dimension."""
    return workbook_with_sheet(
        [
            SHEET_OPEN,
            f"<sheetData>{HEADER_ROW}</sheetData>",
            '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
            "</worksheet>",
        ]
    )


def million_rows(*, declare_dimension: bool = False) -> bytes:
    """A header row and 1,000,000 one-cell rows (about 300 KB), with or without a <dimension>.

    The rows carry no ``r`` attribute (they count on from the header), as in the 290 KB
    file of the issue that took a worker 30 s and 766 MiB.
    """
    block = ("<row><c><v>1</v></c></row>" * 10_000).encode()

    def chunks():
        yield SHEET_OPEN
        if declare_dimension:
            yield '<dimension ref="A1:D1000001"/>'
        yield "<sheetData>" + HEADER_ROW
        for _ in range(100):
            yield block
        yield "</sheetData></worksheet>"

    return workbook_with_sheet(chunks())


def zip_bomb(*, megabytes: int = 200) -> bytes:
    """A sheet that inflates to ``megabytes`` MB of one repeated cell (a few hundred KB)."""
    cell = '<c t="inlineStr"><is><t>' + "救助" * 400 + "</t></is></c>"
    block = ("<row>" + cell * 50 + "</row>") * 20
    repeats = megabytes * 1024 * 1024 // len(block.encode())

    def chunks():
        yield SHEET_OPEN + "<sheetData>" + HEADER_ROW
        encoded = block.encode()
        for _ in range(repeats):
            yield encoded
        yield "</sheetData></worksheet>"

    return workbook_with_sheet(chunks())


def lying_zip_bomb() -> bytes:
    """The zip bomb whose directory claims the sheet is 4 KB: decompression must stop there."""
    data = bytearray(zip_bomb(megabytes=60))
    name = b"xl/worksheets/sheet1.xml"
    # Patch the uncompressed size in the central directory record and the local header.
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        if bytes(data[central + 46 : central + 46 + name_length]) == name:
            data[central + 24 : central + 28] = (4096).to_bytes(4, "little")
            local = int.from_bytes(data[central + 42 : central + 46], "little")
            data[local + 22 : local + 26] = (4096).to_bytes(4, "little")
            break
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def xxe_in_sheet() -> bytes:
    """A cell whose text is an external entity pointing at a local file."""
    return workbook_with_sheet(
        [
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            f'<worksheet xmlns="{MAIN_NS}"><sheetData>{HEADER_ROW}'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
            "</sheetData></worksheet>"
        ]
    )


def billion_laughs_in_workbook() -> bytes:
    """Nested internal entities in workbook.xml (the part openpyxl parses first)."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    workbook_xml = WORKBOOK.replace(
        "<workbook ", f"<!DOCTYPE workbook [{entities}]><workbook ", 1
    ).replace('name="Sheet1"', 'name="&lol9;"')
    return workbook_with_sheet(
        [SHEET_OPEN, f"<sheetData>{HEADER_ROW}</sheetData></worksheet>"],
        workbook_xml=workbook_xml,
    )
