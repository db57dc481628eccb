"""Flat sheets (django-import-export): staff accounts in bulk and region contacts.

Round trips, creates and updates through the services, every refusal with its row number
and Chinese message, nothing written when a row fails or on a dry run, scoping, bounded
input, formula-safe export, and the same through the admin's URLs.
"""

import io
import re
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalogs.models import Region, Role, StaffProfile
from catalogs.resources import (
    MAX_ROWS,
    FlatCSV,
    FlatImportError,
    FlatXLSX,
    RegionContactResource,
    StaffAccountResource,
    row_messages,
)
from catalogs.services import region_update_contact
from catalogs.staff import staff_account_create, staff_account_update
from tests.conftest import log_in

User = get_user_model()

STAFF_HEADER = ["用户名", "姓名", "电子邮箱", "角色", "区划代码", "停用"]
CONTACT_HEADER = [
    "区划代码",
    "区划名称",
    "民政部门名称",
    "联系人",
    "联系电话",
    "电子邮箱",
    "办公地址",
]


def sheet(header, *rows) -> tablib.Dataset:
    return tablib.Dataset(*[list(row) for row in rows], headers=header)


def totals(result) -> dict:
    return {kind: result.totals[kind] for kind in ("new", "update", "skip", "invalid", "error")}


def staff_snapshot():
    return sorted(
        User.objects.values_list(
            "username", "first_name", "email", "is_active", "is_staff", "password"
        )
    ) + sorted(StaffProfile.objects.values_list("user__username", "role", "region__code"))


def contact_snapshot():
    return list(
        Region.objects.order_by("code").values_list(
            "code", "office_name", "contact_name", "contact_phone", "contact_email", "address"
        )
    )


def xlsx_bytes(header, *rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet_ = workbook.active
    sheet_.append(header)
    for row in rows:
        sheet_.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Staff accounts
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", [FlatXLSX, FlatCSV])
def test_staff_export_imports_back_unchanged(users, file_format):
    User.objects.filter(pk=users.county_editor.pk).update(
        first_name="王芳", email="wang@example.com"
    )
    User.objects.filter(pk=users.other_county_editor.pk).update(is_active=False)
    exported = file_format().export_data(StaffAccountResource(actor=users.admin).export())
    dataset = file_format().create_dataset(exported)
    assert dataset.headers == STAFF_HEADER
    assert ["nongan-editor", "王芳", "wang@example.com", "县级编辑", "220122", "否"] in [
        list(row) for row in dataset
    ]
    assert ["yongji-editor", "", "", "县级编辑", "220221", "是"] in [list(row) for row in dataset]
    before = staff_snapshot()

    result = StaffAccountResource(actor=users.admin).import_data(dataset, dry_run=False)

    assert row_messages(result) == []
    assert totals(result) == {"new": 0, "update": 0, "skip": 7, "invalid": 0, "error": 0}
    assert staff_snapshot() == before


def test_staff_import_creates_accounts_without_password_and_updates_roles(users, regions):
    dataset = sheet(
        STAFF_HEADER,
        ["li-ming", "李明", "liming@example.com", "乡级编辑", "220122101", "否"],
        ["nongan-editor", "", "", "市级协调员", "2201", ""],
        ["yongji-editor", "", "", "县级编辑", "220221", "是"],
        ["province-reviewer", "", "", "省级审核员", "22", "否"],
    )
    result = StaffAccountResource(actor=users.admin).import_data(dataset, dry_run=False)

    assert row_messages(result) == []
    assert totals(result) == {"new": 1, "update": 2, "skip": 1, "invalid": 0, "error": 0}
    created = User.objects.get(username="li-ming")
    assert created.get_full_name() == "李明"
    assert created.email == "liming@example.com"
    assert created.is_staff and created.is_active
    assert not created.has_usable_password()
    assert created.staff_profile.role == Role.TOWNSHIP_EDITOR
    assert created.staff_profile.region == regions.fulongquan
    moved = StaffProfile.objects.get(user__username="nongan-editor")
    assert (moved.role, moved.region) == (Role.CITY_COORDINATOR, regions.changchun)
    assert not User.objects.get(username="yongji-editor").is_active


def test_staff_export_has_no_password_column(users):
    dataset = StaffAccountResource(actor=users.admin).export()
    assert dataset.headers == STAFF_HEADER
    assert not any("密码" in header or "password" in header.lower() for header in dataset.headers)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["zhao", "赵", "", "组长", "220122", "否"],
            "第3行 “角色”：未知的角色“组长”，可选：省级管理员、省级审核员、市级协调员、县级编辑、乡级编辑。",
        ),
        (
            ["zhao", "赵", "", "县级编辑", "229999", "否"],
            "第3行 “区划代码”：找不到区划代码“229999”。",
        ),
        (
            ["zhao", "赵", "", "县级编辑", "2201", "否"],
            "第3行 “区划代码”：县级编辑只能属于县级区划，而“长春市”（2201）是市级区划。",
        ),
        (
            ["zhao", "赵", "zhao@", "县级编辑", "220122", "否"],
            "第3行 “电子邮箱”：“zhao@”不是有效的电子邮箱地址。",
        ),
        (
            ["li-ming", "李明", "", "县级编辑", "220122", "否"],
            "第3行 “用户名”：“li-ming”与第2行重复。",
        ),
        (
            ["zhao", "赵", "", "县级编辑", "220122", "也许"],
            "第3行 “停用”：请填写“是”或“否”，而不是“也许”。",
        ),
        (
            ["zhao wei", "赵", "", "县级编辑", "220122", "否"],
            "第3行 “用户名”：只能包含字母、数字和 @ . + - _ 字符。",
        ),
    ],
    ids=["role", "region", "role-level", "email", "duplicate", "disabled", "username"],
)
def test_staff_refusals_name_row_and_column_and_write_nothing(users, row, message):
    before = staff_snapshot()
    dataset = sheet(
        STAFF_HEADER,
        ["li-ming", "李明", "", "乡级编辑", "220122101", "否"],  # valid, row 2
        row,  # row 3
        ["nongan-editor", "新名字", "", "县级编辑", "220122", "否"],  # valid change, row 4
    )
    result = StaffAccountResource(actor=users.admin).import_data(dataset, dry_run=False)

    assert row_messages(result) == [message]
    assert [invalid.number for invalid in result.invalid_rows] == [3]
    assert staff_snapshot() == before  # the valid rows before and after were rolled back


def test_staff_row_numbers_follow_the_file_when_blank_rows_are_skipped(users):
    data = xlsx_bytes(
        STAFF_HEADER,
        ["li-ming", "李明", "", "乡级编辑", "220122101", "否"],
        [None] * 6,
        ["zhao", "赵", "", "组长", "220122", "否"],
    )
    result = StaffAccountResource(actor=users.admin).import_data(FlatXLSX().create_dataset(data))
    assert row_messages(result)[0].startswith("第4行 “角色”：")
    assert [invalid.number for invalid in result.invalid_rows] == [4]


@pytest.mark.parametrize("role", ["county_editor", "coordinator", "reviewer"])
def test_only_the_province_administrator_imports_staff(users, role):
    before = staff_snapshot()
    dataset = sheet(STAFF_HEADER, ["li-ming", "李明", "", "乡级编辑", "220122101", "否"])
    result = StaffAccountResource(actor=getattr(users, role)).import_data(dataset)
    assert row_messages(result) == ["您无权导入工作人员账号。"]
    assert staff_snapshot() == before
    assert len(StaffAccountResource(actor=getattr(users, role)).export()) == 0
    with pytest.raises(PermissionDenied, match="只有省级管理员"):
        staff_account_create(
            actor=getattr(users, role),
            username="li-ming",
            role=Role.COUNTY_EDITOR,
            region=users.county_editor.staff_profile.region,
        )


def test_staff_services_protect_superusers_and_the_administrator_herself(users, regions):
    root = User.objects.create_superuser("root", password="x" * 12)
    with pytest.raises(PermissionDenied, match="只有系统管理员可以修改系统管理员账号"):
        staff_account_update(actor=users.admin, user=root, email="root@example.com")
    with pytest.raises(Exception, match="不能停用自己的账号"):
        staff_account_update(actor=users.admin, user=users.admin, is_active=False)
    with pytest.raises(Exception, match="不能修改自己的角色"):
        staff_account_update(actor=users.admin, user=users.admin, region=regions.changchun)

    # The same refusals reach an import as row messages, and nothing is written.
    dataset = sheet(STAFF_HEADER, ["province-admin", "", "", "省级管理员", "22", "是"])
    result = StaffAccountResource(actor=users.admin).import_data(dataset, dry_run=False)
    assert row_messages(result) == ["第2行 “停用”：不能停用自己的账号。"]
    assert User.objects.get(pk=users.admin.pk).is_active


def test_staff_headers_must_match(users):
    before = staff_snapshot()
    dataset = sheet(
        ["用户名", "姓名", "角色", "区划代码", "停用", "密码"],
        ["li-ming", "李明", "乡级编辑", "220122101", "否", "secret"],
    )
    result = StaffAccountResource(actor=users.admin).import_data(dataset)
    assert row_messages(result) == [
        "表头缺少以下列：电子邮箱。",
        "表头中有无法识别的列：密码。可用的列为：用户名、姓名、电子邮箱、角色、区划代码、停用。",
    ]
    assert staff_snapshot() == before


def test_staff_dry_run_previews_and_writes_nothing(users):
    before = staff_snapshot()
    dataset = sheet(
        STAFF_HEADER,
        ["li-ming", "李明", "", "乡级编辑", "220122101", "否"],
        ["nongan-editor", "", "", "市级协调员", "2201", "否"],
    )
    result = StaffAccountResource(actor=users.admin).import_data(dataset, dry_run=True)
    assert totals(result) == {"new": 1, "update": 1, "skip": 0, "invalid": 0, "error": 0}
    update = next(row for row in result.valid_rows() if row.import_type == "update")
    assert "市级协调员" in str(update.diff[3]) and "县级编辑" in str(update.diff[3])
    assert staff_snapshot() == before


# ---------------------------------------------------------------------------
# Region contacts
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "county_editor"])
@pytest.mark.parametrize("file_format", [FlatXLSX, FlatCSV])
def test_contacts_export_imports_back_unchanged(users, regions, role, file_format):
    region_update_contact(
        actor=users.admin,
        region=regions.nongan,
        contact_phone="+86 431-8888 0000",
        address="农安县黄龙路1号\n二楼",
    )
    actor = getattr(users, role)
    exported = file_format().export_data(RegionContactResource(actor=actor).export())
    dataset = file_format().create_dataset(exported)
    before = contact_snapshot()

    result = RegionContactResource(actor=actor).import_data(dataset, dry_run=False)

    assert row_messages(result) == []
    assert totals(result)["skip"] == len(dataset) > 0
    assert totals(result)["update"] == totals(result)["new"] == 0
    assert contact_snapshot() == before


def test_county_editor_exports_only_her_regions(users, regions):
    codes = [row[0] for row in RegionContactResource(actor=users.county_editor).export()]
    assert codes == ["220122", "220122100", "220122101"]


def test_contacts_import_updates_through_the_service(users, regions):
    dataset = sheet(
        CONTACT_HEADER,
        [
            "220122100",
            "农安镇",
            "农安镇人民政府",
            "张敏",
            "0431-83221234",
            "nz@example.com",
            "农安镇政府大院",
        ],
        ["220122", "农安县", "农安县民政局", "", "", "", ""],
    )
    result = RegionContactResource(actor=users.county_editor).import_data(dataset, dry_run=False)
    assert row_messages(result) == []
    assert totals(result) == {"new": 0, "update": 1, "skip": 1, "invalid": 0, "error": 0}
    town = Region.objects.get(code="220122100")
    assert (town.office_name, town.contact_name, town.contact_email) == (
        "农安镇人民政府",
        "张敏",
        "nz@example.com",
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["220221", "永吉县", "永吉县民政局", "", "", "", ""],
            "第3行 “区划代码”：您无权修改“永吉县”（220221）的联系信息。",
        ),
        (
            ["220122999", "", "某地", "", "", "", ""],
            "第3行 “区划代码”：找不到区划代码“220122999”；导入只修改已有区划的联系信息。",
        ),
        (
            ["220122101", "伏龙泉镇", "", "", "", "fl@@example", ""],
            "第3行 “电子邮箱”：“fl@@example”不是有效的电子邮箱地址。",
        ),
        (
            ["220122101", "农安镇", "", "", "", "", ""],
            "第3行 “区划名称”：“农安镇”与区划代码220122101（伏龙泉镇）不符。",
        ),
        (
            ["220122100", "农安镇", "另一个", "", "", "", ""],
            "第3行 “区划代码”：“220122100”与第2行重复。",
        ),
        (
            ["220122101", "伏龙泉镇", "局" * 101, "", "", "", ""],
            "第3行 “民政部门名称”：最多100个字符（现为101个）。",
        ),
    ],
    ids=["other-county", "unknown-code", "email", "name-mismatch", "duplicate", "too-long"],
)
def test_contact_refusals_name_row_and_column_and_write_nothing(users, regions, row, message):
    before = contact_snapshot()
    dataset = sheet(
        CONTACT_HEADER,
        ["220122100", "农安镇", "农安镇人民政府", "张敏", "", "", ""],  # valid, row 2
        row,  # row 3
    )
    result = RegionContactResource(actor=users.county_editor).import_data(dataset, dry_run=False)
    assert row_messages(result) == [message]
    assert contact_snapshot() == before


def test_contacts_sheet_carries_the_version_and_refuses_a_stale_row(users, regions):
    exported = RegionContactResource(actor=users.county_editor).export()
    assert exported.headers == [*CONTACT_HEADER, "版本"]
    # Someone else changes 农安镇's phone after the export ...
    region_update_contact(actor=users.admin, region=regions.nongan_town, contact_phone="0431-1")
    rows = [list(row) for row in exported]
    town = next(row for row in rows if row[0] == "220122100")
    town[3] = "张敏"  # ... and this user edits the old row (whose phone is still empty).
    rows[2][7] = "第二版"

    result = RegionContactResource(actor=users.county_editor).import_data(
        sheet(exported.headers, *rows), dry_run=False
    )

    messages = row_messages(result)
    assert messages[0].startswith("第3行：保存未成功：在您打开之后，province-admin于")
    assert "“联系电话”由“（空）”改为“0431-1”" in messages[0]
    assert messages[1] == "第4行 “版本”：应为导出时的版本号（整数）或留空，而不是“第二版”。"
    town = Region.objects.get(code="220122100")
    assert (town.contact_name, town.contact_phone) == ("", "0431-1")


def test_province_administrator_imports_any_regions_contacts(users, regions):
    dataset = sheet(CONTACT_HEADER, ["220221", "永吉县", "永吉县民政局", "刘", "", "", ""])
    result = RegionContactResource(actor=users.admin).import_data(dataset, dry_run=False)
    assert row_messages(result) == []
    assert Region.objects.get(code="220221").contact_name == "刘"


@pytest.mark.parametrize("role", ["coordinator", "reviewer"])
def test_readers_cannot_import_contacts(users, regions, role):
    before = contact_snapshot()
    dataset = sheet(CONTACT_HEADER, ["220122", "农安县", "改", "", "", "", ""])
    result = RegionContactResource(actor=getattr(users, role)).import_data(dataset)
    assert row_messages(result) == ["您无权导入区划联系信息。"]
    assert contact_snapshot() == before


def test_contacts_dry_run_writes_nothing(users, regions):
    before = contact_snapshot()
    dataset = sheet(CONTACT_HEADER, ["220122", "农安县", "农安县民政局", "新联系人", "", "", ""])
    result = RegionContactResource(actor=users.county_editor).import_data(dataset, dry_run=True)
    assert totals(result)["update"] == 1
    assert contact_snapshot() == before


# ---------------------------------------------------------------------------
# Formula-safe export and bounded input
# ---------------------------------------------------------------------------


def test_export_writes_formula_like_cells_as_text_and_reads_them_back(users, regions):
    formula = '=HYPERLINK("http://evil.example","点我")'
    region_update_contact(
        actor=users.admin,
        region=regions.nongan,
        office_name=formula,
        contact_name="@SUM(A1)",
        contact_phone="-1+1",
    )
    dataset = RegionContactResource(actor=users.county_editor).export()

    # xlsx: the exact text, in a text cell; nothing in the workbook is a formula.
    xlsx = FlatXLSX().export_data(dataset)
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx))
    row = next(row for row in workbook.active.iter_rows(min_row=2) if row[0].value == "220122")
    assert [cell.value for cell in row[2:5]] == [formula, "@SUM(A1)", "-1+1"]
    assert [cell.data_type for cell in row[2:5]] == ["s", "s", "s"]
    assert not any(cell.data_type == "f" for line in workbook.active.iter_rows() for cell in line)

    # csv: a quote before the formula-like text, as OWASP recommends.
    csv_bytes = FlatCSV().export_data(dataset)
    line = next(
        line for line in csv_bytes.decode("utf-8-sig").splitlines() if line.startswith("220122,")
    )
    assert (
        line
        == '220122,农安县,"\'=HYPERLINK(""http://evil.example"",""点我"")",\'@SUM(A1),\'-1+1,,,1'
    )

    # Both import back unchanged, the quote removed.
    for file_format, data in ((FlatXLSX, xlsx), (FlatCSV, csv_bytes)):
        result = RegionContactResource(actor=users.county_editor).import_data(
            file_format().create_dataset(data), dry_run=False
        )
        assert totals(result)["skip"] == 3 and totals(result)["update"] == 0, file_format
    assert Region.objects.get(code="220122").office_name == formula


def test_csv_export_has_a_bom_and_gbk_csv_imports(users, regions):
    data = FlatCSV().export_data(RegionContactResource(actor=users.county_editor).export())
    assert data.startswith(b"\xef\xbb\xbf")
    gbk = "区划代码,区划名称,民政部门名称,联系人,联系电话,电子邮箱,办公地址\r\n220122,农安县,农安县民政局,王,,,\r\n"
    dataset = FlatCSV().create_dataset(gbk.encode("gb18030"))
    assert list(dataset[0])[:4] == ["220122", "农安县", "农安县民政局", "王"]


def test_flat_formats_are_bounded():
    too_many = "用户名\n" + "a\n" * (MAX_ROWS + 1)
    with pytest.raises(FlatImportError, match=f"数据超过 {MAX_ROWS} 行"):
        FlatCSV().create_dataset(too_many.encode())
    with pytest.raises(FlatImportError, match="文件过大"):
        FlatCSV().create_dataset(b"a," * (3 * 1024 * 1024))
    with pytest.raises(FlatImportError, match="不是 .xlsx 工作簿"):
        FlatXLSX().create_dataset(b"PK not really a zip")
    with pytest.raises(FlatImportError, match="文件中没有数据"):
        FlatXLSX().create_dataset(xlsx_bytes(STAFF_HEADER))
    with pytest.raises(FlatImportError, match="第3行第8列有内容，但该列没有表头"):
        FlatCSV().create_dataset(
            ",".join(STAFF_HEADER).encode() + b"\na,b,c,d,e,f\na,b,c,d,e,f,,x\n"
        )


def test_one_import_writes_a_bounded_number_of_rows(users, regions, monkeypatch):
    monkeypatch.setattr("catalogs.resources.base.MAX_WRITTEN_ROWS", 2)
    before = contact_snapshot()
    dataset = sheet(
        CONTACT_HEADER,
        ["220122", "农安县", "农安县民政局", "", "", "", ""],  # unchanged: not counted
        ["220122100", "农安镇", "一", "", "", "", ""],
        ["220122101", "伏龙泉镇", "二", "", "", "", ""],
        ["220221", "永吉县", "三", "", "", "", ""],
        ["220221100", "岔路河镇", "四", "", "", "", ""],
    )
    result = RegionContactResource(actor=users.admin).import_data(dataset, dry_run=False)
    assert row_messages(result, limit=1) == [
        "第5行：一次导入最多新增或修改 2 行，请把文件分成几批导入。",
        "……另有 1 条错误未列出。",
    ]
    assert contact_snapshot() == before


def test_xlsx_declaring_a_huge_sheet_is_read_within_bounds(users):
    data = xlsx_bytes(STAFF_HEADER, ["li-ming", "李明", "", "乡级编辑", "220122101", "否"])
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as patched:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', content
                )
            patched.writestr(info, content)
    started = time.monotonic()
    dataset = FlatXLSX().create_dataset(target.getvalue())
    assert time.monotonic() - started < 10  # unbounded, this pads a million 16,384-cell rows
    assert [list(row) for row in dataset] == [
        ["li-ming", "李明", "", "乡级编辑", "220122101", "否"]
    ]


# ---------------------------------------------------------------------------
# Through the admin
# ---------------------------------------------------------------------------


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def preview(client, url_name: str, name: str, data: bytes):
    return client.post(reverse(url_name), {"resource": "0", "import_file": upload(name, data)})


def confirm_data(response) -> dict:
    form = response.context["confirm_form"]
    return {name: form.initial[name] for name in form.fields if name in form.initial}


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("county_editor", "admin:auth_user_import"),
        ("county_editor", "admin:auth_user_export"),
        ("reviewer", "admin:auth_user_import"),
        ("coordinator", "admin:catalogs_region_import"),
        ("reviewer", "admin:catalogs_region_import"),
    ],
)
def test_admin_import_and_export_pages_refuse_other_roles(login, users, role, url_name):
    client = login(getattr(users, role))
    assert client.get(reverse(url_name)).status_code == 403
    response = client.post(
        reverse(url_name),
        {"resource": "0", "import_file": upload("a.csv", b"x\n1\n"), "format": "0"},
    )
    assert response.status_code == 403


def test_admin_process_import_refuses_other_roles(login, users):
    client = login(users.county_editor)
    response = client.post(
        reverse("admin:auth_user_process_import"),
        {"import_file_name": "x", "original_file_name": "x.csv", "format": "1", "plan": "x"},
    )
    assert response.status_code == 403


def test_admin_staff_import_previews_then_confirms(login, users, regions):
    client = login(users.admin)
    page = client.get(reverse("admin:auth_user_import"))
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("导入文件", "填写说明", "此次将导入以下字段：", "用户名, 姓名, 电子邮箱", "提交"):
        assert text in html

    data = xlsx_bytes(
        STAFF_HEADER,
        ["li-ming", "李明", "liming@example.com", "乡级编辑", "220122101", "否"],
        ["nongan-editor", "", "", "市级协调员", "2201", "否"],
        ["province-reviewer", "", "", "省级审核员", "22", "否"],
    )
    response = preview(client, "admin:auth_user_import", "工作人员.xlsx", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "新增 1 个，修改 1 个，1 个没有变化" in html
    assert "确认导入" in html
    assert not User.objects.filter(username="li-ming").exists()  # the preview wrote nothing

    response = client.post(reverse("admin:auth_user_process_import"), confirm_data(response))
    assert response.status_code == 302
    created = User.objects.get(username="li-ming")
    assert not created.has_usable_password()
    assert StaffProfile.objects.get(user__username="nongan-editor").role == Role.CITY_COORDINATOR
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert "工作人员账号导入完成：新增1个，修改1个，1个没有变化。" in messages
    entries = LogEntry.objects.filter(user_id=users.admin.pk).order_by("action_flag")
    assert [(e.action_flag, e.object_repr, e.change_message) for e in entries] == [
        (ADDITION, "li-ming", "通过文件导入新增。"),
        (CHANGE, "nongan-editor", "通过文件导入修改：角色、区划代码。"),
    ]


def test_admin_contacts_import_confirms_and_logs(login, users, regions):
    client = login(users.county_editor)
    data = xlsx_bytes(CONTACT_HEADER, ["220122", "农安县", "农安县民政局", "新联系人", "", "", ""])
    response = preview(client, "admin:catalogs_region_import", "联系.xlsx", data)
    assert "新增 0 个，修改 1 个，0 个没有变化" in response.content.decode()
    assert Region.objects.get(code="220122").contact_name == ""

    response = client.post(reverse("admin:catalogs_region_process_import"), confirm_data(response))
    assert response.status_code == 302
    assert Region.objects.get(code="220122").contact_name == "新联系人"
    entry = LogEntry.objects.get(user_id=users.county_editor.pk)
    assert (entry.action_flag, entry.object_repr, entry.change_message) == (
        CHANGE,
        "农安县",
        "通过文件导入修改：联系人。",
    )


def test_admin_confirm_refuses_a_plan_that_changed_since_the_preview(login, users, regions):
    client = login(users.county_editor)
    data = xlsx_bytes(CONTACT_HEADER, ["220122", "农安县", "农安县民政局", "新联系人", "", "", ""])
    response = preview(client, "admin:catalogs_region_import", "联系.xlsx", data)
    posted = confirm_data(response)
    # Someone changes the contact between the preview and the confirm.
    region_update_contact(actor=users.admin, region=regions.nongan, contact_phone="12345")

    response = client.post(reverse("admin:catalogs_region_process_import"), posted)
    assert response.status_code == 200
    assert "导入内容与预览时不一致" in response.content.decode()
    nongan = Region.objects.get(code="220122")
    assert (nongan.contact_name, nongan.contact_phone) == ("", "12345")


def test_admin_confirm_refuses_a_forged_plan(login, users, regions):
    client = login(users.county_editor)
    data = xlsx_bytes(CONTACT_HEADER, ["220122", "农安县", "农安县民政局", "新联系人", "", "", ""])
    posted = confirm_data(preview(client, "admin:catalogs_region_import", "c.xlsx", data))
    posted["plan"] = posted["plan"][:-2] + "xx"
    response = client.post(reverse("admin:catalogs_region_process_import"), posted)
    assert "导入内容与预览时不一致" in response.content.decode()
    assert Region.objects.get(code="220122").contact_name == ""

    # Another user cannot confirm a file this user previewed.
    posted = confirm_data(preview(client, "admin:catalogs_region_import", "c.xlsx", data))
    other = log_in(Client(), users.admin)
    response = other.post(reverse("admin:catalogs_region_process_import"), posted)
    assert "导入内容与预览时不一致" in response.content.decode()
    assert Region.objects.get(code="220122").contact_name == ""


def test_admin_import_through_the_shared_cache(login, users, regions, settings):
    settings.IMPORT_EXPORT_TMP_STORAGE_CLASS = "items.admin.flat.FlatCacheStorage"
    client = login(users.county_editor)
    data = xlsx_bytes(CONTACT_HEADER, ["220122", "农安县", "农安县民政局", "新联系人", "", "", ""])
    posted = confirm_data(preview(client, "admin:catalogs_region_import", "c.xlsx", data))
    response = client.post(reverse("admin:catalogs_region_process_import"), posted)
    assert response.status_code == 302
    assert Region.objects.get(code="220122").contact_name == "新联系人"

    data = xlsx_bytes(CONTACT_HEADER, ["220122", "农安县", "农安县民政局", "另一人", "", "", ""])
    posted = confirm_data(preview(client, "admin:catalogs_region_import", "c.xlsx", data))
    cache.clear()  # the preview expired
    response = client.post(reverse("admin:catalogs_region_process_import"), posted)
    assert "预览已过期或上传的文件已不在服务器上" in response.content.decode()
    assert Region.objects.get(code="220122").contact_name == "新联系人"


def test_admin_confirm_after_the_upload_is_gone_writes_nothing(login, users, regions):
    client = login(users.county_editor)
    data = xlsx_bytes(CONTACT_HEADER, ["220122", "农安县", "农安县民政局", "新联系人", "", "", ""])
    posted = confirm_data(preview(client, "admin:catalogs_region_import", "c.xlsx", data))
    (Path(tempfile.gettempdir()) / posted["import_file_name"]).unlink()

    response = client.post(reverse("admin:catalogs_region_process_import"), posted)
    assert response.status_code == 200
    assert "预览已过期或上传的文件已不在服务器上" in response.content.decode()
    assert Region.objects.get(code="220122").contact_name == ""


def test_admin_county_editor_cannot_import_another_countys_contacts(login, users, regions):
    before = contact_snapshot()
    client = login(users.county_editor)
    data = xlsx_bytes(
        CONTACT_HEADER,
        ["220122", "农安县", "农安县民政局", "新联系人", "", "", ""],
        ["220221", "永吉县", "永吉县民政局", "冒名", "", "", ""],
    )
    response = preview(client, "admin:catalogs_region_import", "联系.xlsx", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "有 1 行存在错误，未写入任何数据" in html
    assert "第3行 “区划代码”：您无权修改“永吉县”（220221）的联系信息。" in html
    assert response.context.get("confirm_form") is None
    assert contact_snapshot() == before


def test_admin_import_refuses_other_files_in_chinese(login, users):
    client = login(users.admin)
    for name, data, message in [
        ("staff.xls", b"\xd0\xcf\x11\xe0", "只能导入 .xlsx 或 .csv 文件"),
        ("staff.json", b"[]", "只能导入 .xlsx 或 .csv 文件"),
        ("staff.xlsx", b"not a zip", "这不是 .xlsx 工作簿"),
        ("staff.csv", b"a" * (5 * 1024 * 1024 + 1), "文件过大"),
    ]:
        response = preview(client, "admin:auth_user_import", name, data)
        assert response.status_code == 200
        assert message in response.content.decode(), name
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None


def test_admin_export_is_chinese_scoped_and_an_attachment(login, users, regions):
    client = login(users.county_editor)
    page = client.get(reverse("admin:catalogs_region_export"))
    assert page.status_code == 200
    assert "此次将导出以下字段：" in page.content.decode()
    assert [title for _, title in page.context["form"].fields["format"].choices] == [
        "---",
        "xlsx",
        "csv",
    ]
    response = client.post(
        reverse("admin:catalogs_region_export"), {"format": "1", "resource": "0"}
    )
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    dataset = FlatCSV().create_dataset(response.content)
    assert [row[0] for row in dataset] == ["220122", "220122100", "220122101"]


def test_admin_staff_export_round_trips_through_the_admin(login, users):
    client = login(users.admin)
    response = client.post(reverse("admin:auth_user_export"), {"format": "0", "resource": "0"})
    assert response.status_code == 200
    before = staff_snapshot()
    response = preview(client, "admin:auth_user_import", "工作人员账号.xlsx", response.content)
    assert "文件中的数据与系统中的完全相同，无需导入。" in response.content.decode()
    assert response.context["confirm_form"] is None
    assert staff_snapshot() == before
