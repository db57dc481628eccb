"""guides.uploads: files are judged by their content, bounded, and stored under new names."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from catalogs.permissions import SYSTEM
from guides.models import GuideMaterial
from guides.services import MaterialInput, guide_save
from guides.uploads import MAX_BYTES, OLE_SIGNATURE, clean_label, sniff
from tests.guides.conftest import (
    docx_bytes,
    full_input,
    guide_item,
    pdf_bytes,
    png_bytes,
    upload,
    xlsx_bytes,
)

FIELD = "申请材料第1行“表格或样表”"


def ole_bytes(stream: str) -> bytes:
    return OLE_SIGNATURE + b"\x00" * 504 + stream.encode("utf-16-le") + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"),
    [
        ("申请书.pdf", pdf_bytes(), "pdf", "application/pdf"),
        (
            "申请表.docx",
            docx_bytes(),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "收入表.xlsx",
            xlsx_bytes(),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("样表.png", png_bytes(), "png", "image/png"),
        ("样表.bin", png_bytes(), "png", "image/png"),  # the content decides, not the name
        ("申请书.doc", ole_bytes("WordDocument"), "doc", "application/msword"),
        ("申请书.wps", ole_bytes("WordDocument"), "wps", "application/vnd.ms-works"),
        ("收入表.xls", ole_bytes("Workbook"), "xls", "application/vnd.ms-excel"),
        ("无扩展名", ole_bytes("Workbook"), "xls", "application/vnd.ms-excel"),
    ],
)
def test_accepted_files(name, content, extension, content_type):
    sniffed = sniff(upload(name, content, "application/octet-stream"), field=FIELD)
    assert (sniffed.extension, sniffed.content_type) == (extension, content_type)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("申请书.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),  # a program renamed
        ("申请书.pdf", b"<!DOCTYPE html><script>alert(1)</script>"),  # a web page renamed
        ("申请书.docx", b"PK\x03\x04 not really a zip"),
        ("申请书.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),  # a broken image
        ("申请书.doc", OLE_SIGNATURE + b"\x00" * 600),  # a compound file without a document
        ("安装包.msi", ole_bytes("SummaryInformation")),  # an installer is a compound file too
    ],
)
def test_refused_files_name_the_field_and_the_file(name, content):
    with pytest.raises(ValidationError) as refused:
        sniff(upload(name, content), field=FIELD)
    (message,) = refused.value.messages
    assert message.startswith(f"{FIELD}的文件“{name}”不是可接受的文件")


def test_a_zip_that_is_not_an_office_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("payload.html", "<script></script>")
    with pytest.raises(ValidationError, match="不是可接受的文件"):
        sniff(upload("申请表.docx", buffer.getvalue()), field=FIELD)


def test_an_11_mb_file_is_refused_before_it_is_read():
    big = upload("扫描件.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        sniff(big, field=FIELD)
    assert refused.value.messages == [
        f"{FIELD}的文件“扫描件.pdf”超过10 MB（11.0 MB），请压缩后再上传。"
    ]
    assert MAX_BYTES == 10 * 1024 * 1024


def test_the_service_refuses_a_renamed_program_and_stores_nothing(catalogs, media):
    data = full_input()
    data.materials = [
        MaterialInput(name="申请书", upload=upload("申请书.pdf", b"MZ" + b"\x00" * 100))
    ]
    with pytest.raises(ValidationError) as refused:
        guide_save(actor=SYSTEM, item=guide_item(catalogs.nongan_social), data=data)
    assert refused.value.messages[0].startswith(f"{FIELD}的文件“申请书.pdf”不是可接受的文件")
    assert not GuideMaterial.objects.exists()
    assert not (media / "guides").exists()


def test_labels_lose_paths_and_control_characters():
    assert clean_label("C:\\Users\\a\\..\\申请\x07书.pdf") == "申请书"
    assert clean_label("../../etc/passwd") == "passwd"
    assert clean_label("") == "附件"
