"""Fixtures of the guide tests: media in a temporary folder, sample files, a full guide."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogs.permissions import SYSTEM
from guides.services import GuideInput, MaterialInput, QuestionInput, StepInput, guide_save
from items.models import Item
from tests.browser.conftest import (  # noqa: F401 - chromium's launch fixtures, for test_browser
    browser_context_args,
    browser_type_launch_args,
    console_errors,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _office_zip(main: str, content_type: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/{main}" ContentType="{content_type}"/></Types>',
        )
        archive.writestr(main, "<x/>")
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return _office_zip(
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    )


def xlsx_bytes() -> bytes:
    return _office_zip(
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    )


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def full_input(**values) -> GuideInput:
    """A complete guide: every part R20 asks for."""
    return GuideInput(
        values={
            "legal_basis": "《社会救助暂行办法》（国务院令第649号）",
            "conditions": "共同生活的家庭成员人均收入低于当地最低生活保障标准。",
            "legal_days": 30,
            "promised_days": 20,
            "fee": "不收费",
            "location": "农安县政务服务中心一楼民政窗口",
            "office_hours": "工作日 8:30-11:30，13:00-17:00",
            "phone": "0431-83221234",
            "complaint_phone": "0431-83225678",
            "online_url": "https://www.jlzwfw.gov.cn/",
            "progress_url": "https://www.jlzwfw.gov.cn/progress",
            **values,
        },
        materials=[
            MaterialInput(name="最低生活保障申请书", upload=upload("申请书.pdf", pdf_bytes())),
            MaterialInput(name="居民身份证", form="both", copies=2, exempt_when_shared=True),
        ],
        steps=[
            StepInput(1, "申请", "乡镇人民政府（街道办事处）", "当场"),
            StepInput(2, "审核", "乡镇人民政府（街道办事处）", "15个工作日"),
            StepInput(3, "审批", "县民政局", "5个工作日"),
        ],
        questions=[QuestionInput("外出务工的家庭成员算不算？", "算共同生活的家庭成员。")],
    )


def guide_item(catalog) -> Item:
    """The catalog's 最低生活保障 办事指南 item."""
    return Item.objects.get(catalog=catalog, level1="最低生活保障", level2__contains="办事指南")


@pytest.fixture
def guide(catalogs):
    return guide_save(actor=SYSTEM, item=guide_item(catalogs.nongan_social), data=full_input())
