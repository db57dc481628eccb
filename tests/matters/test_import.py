"""The 实施清单 flat import: rows named in errors, regions checked, all or nothing."""

import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from matters.models import ServiceMatter
from matters.resources import ServiceMatterResource

HEADER = [
    "区划代码",
    "区划名称",
    "事项编码",
    "事项名称",
    "实施主体",
    "所属部门",
    "办理项",
    "网上办理链接",
]


def sheet(*rows) -> tablib.Dataset:
    return tablib.Dataset(*[list(row) for row in rows], headers=HEADER)


def run(actor, dataset, *, dry_run=False):
    return ServiceMatterResource(actor=actor).import_data(dataset, dry_run=dry_run)


def messages(result) -> list[str]:
    from catalogs.resources import row_messages

    return row_messages(result)


def snapshot():
    return list(
        ServiceMatter.objects.order_by("region__code", "code").values_list(
            "region__code",
            "code",
            "name",
            "implementer",
            "department",
            "handling_items",
            "online_url",
        )
    )


GOOD = [
    [
        "220122",
        "农安县",
        "220122000720001000",
        "最低生活保障对象认定",
        "农安县民政局",
        "民政",
        "城市低保对象认定；农村低保对象认定",
        "https://zwfw.jl.gov.cn/item?code=1",
    ],
    [
        "220122100",
        "农安镇",
        "220122100000720001",
        "最低生活保障申请受理",
        "农安镇人民政府",
        "民政",
        "",
        "",
    ],
]


def test_province_imports_a_good_file_then_reimport_changes_nothing(users, regions):
    result = run(users.admin, sheet(*GOOD))
    assert not result.has_errors() and not result.has_validation_errors(), messages(result)
    assert snapshot() == [
        (
            "220122",
            "220122000720001000",
            "最低生活保障对象认定",
            "农安县民政局",
            "民政",
            ["城市低保对象认定", "农村低保对象认定"],
            "https://zwfw.jl.gov.cn/item?code=1",
        ),
        (
            "220122100",
            "220122100000720001",
            "最低生活保障申请受理",
            "农安镇人民政府",
            "民政",
            [],
            "",
        ),
    ]
    again = run(users.admin, sheet(*GOOD))
    assert (again.totals["new"], again.totals["update"], again.totals["skip"]) == (0, 0, 2)


def test_county_editor_imports_her_county_and_its_townships(users, regions):
    result = run(users.county_editor, sheet(*GOOD))
    assert not result.has_validation_errors(), messages(result)
    assert ServiceMatter.objects.count() == 2
    assert (
        ServiceMatter.objects.get(code="220122000720001000").imported_by_id
        == users.county_editor.pk
    )


def test_an_update_keeps_the_row_and_changes_the_name(users, regions):
    run(users.admin, sheet(*GOOD))
    changed = [list(GOOD[0])]
    changed[0][3] = "城乡最低生活保障对象认定"
    result = run(users.county_editor, sheet(*changed))
    assert (result.totals["new"], result.totals["update"]) == (0, 1)
    assert ServiceMatter.objects.get(code="220122000720001000").name == "城乡最低生活保障对象认定"


def test_a_county_importing_another_regions_rows_is_refused_and_nothing_is_written(users, regions):
    rows = [
        GOOD[0],
        ["220221", "永吉县", "220221000720001000", "最低生活保障对象认定", "", "民政", "", ""],
    ]
    result = run(users.county_editor, sheet(*rows))
    assert result.has_validation_errors()
    assert messages(result) == [
        "第3行 “区划代码”：您无权导入“永吉县”（220221）的事项，只能导入本地区及下辖地区的事项。"
    ]
    assert snapshot() == []


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["999999", "", "X1", "某事项", "", "", "", ""],
            "第2行 “区划代码”：找不到区划代码“999999”。",
        ),
        (["220122", "", "", "某事项", "", "", "", ""], "第2行 “事项编码”：请填写“事项编码”。"),
        (["220122", "", "A1", "", "", "", "", ""], "第2行 “事项名称”：请填写事项名称。"),
        (
            ["220122", "双阳区", "A1", "某事项", "", "", "", ""],
            "第2行 “区划名称”：“双阳区”与区划代码220122（农安县）不符。",
        ),
        (
            ["220122", "", "A 1", "某事项", "", "", "", ""],
            "第2行 “事项编码”：“A 1”不是有效的事项编码（只能包含字母、数字和 - _ .）。",
        ),
        (
            ["220122", "", "A1", "某事项", "", "", "", "javascript:alert(1)"],
            "第2行 “网上办理链接”：“javascript:alert(1)”不是有效的网址（应以 https:// 开头）。",
        ),
        (
            ["220122", "", "A1", "某\x00事项", "", "", "", ""],
            "第2行 “事项名称”：含有不可见的控制字符。",
        ),
        (
            ["220122", "", "A1", "长" * 201, "", "", "", ""],
            "第2行 “事项名称”：最多200个字符（现为201个）。",
        ),
    ],
)
def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(users, regions, row, message):
    result = run(users.admin, sheet(row))
    assert message in messages(result), messages(result)
    assert snapshot() == []


def test_one_bad_row_rolls_back_the_good_ones(users, regions):
    result = run(users.admin, sheet(*GOOD, ["999999", "", "X1", "某事项", "", "", "", ""]))
    assert messages(result) == ["第4行 “区划代码”：找不到区划代码“999999”。"]
    assert snapshot() == []


def test_duplicate_rows_are_refused(users, regions):
    result = run(users.admin, sheet(GOOD[0], GOOD[0]))
    assert messages(result) == [
        "第3行 “事项编码”：区划220122的事项编码“220122000720001000”与第2行重复。"
    ]


def test_the_same_code_in_two_regions_is_two_entries(users, regions):
    rows = [
        GOOD[0],
        ["220221", "永吉县", "220122000720001000", "最低生活保障对象认定", "", "民政", "", ""],
    ]
    result = run(users.admin, sheet(*rows))
    assert not result.has_validation_errors(), messages(result)
    assert ServiceMatter.objects.filter(code="220122000720001000").count() == 2


@pytest.mark.parametrize("role", ["reviewer", "coordinator", "township_editor"])
def test_readers_and_townships_may_not_import(users, regions, role):
    result = run(getattr(users, role), sheet(*GOOD))
    assert messages(result) == ["您无权导入政务服务事项实施清单。"]
    assert snapshot() == []


def test_dry_run_writes_nothing(users, regions):
    result = run(users.admin, sheet(*GOOD), dry_run=True)
    assert result.totals["new"] == 2
    assert snapshot() == []


def test_missing_headers_are_named(users, regions):
    dataset = tablib.Dataset(["220122", "A1"], headers=["区划代码", "事项编码"])
    assert messages(run(users.admin, dataset)) == ["表头缺少以下列：事项名称。"]


def test_export_is_scoped_and_formula_safe(users, regions, matters):
    matters.dibao.name = '=HYPERLINK("http://evil")'
    matters.dibao.save()
    resource = ServiceMatterResource(actor=users.county_editor)
    dataset = resource.export(ServiceMatter.objects.all())
    codes = {row[2] for row in dataset}
    assert "220221000720001000" not in codes  # 永吉县 is not hers
    assert "220122000720001000" in codes
    from catalogs.resources import FlatCSV

    text = FlatCSV().export_data(dataset)
    text = text.decode("utf-8-sig") if isinstance(text, bytes) else text
    assert "'=HYPERLINK" in text


# ---------------------------------------------------------------------------
# Through the admin: preview, then confirm
# ---------------------------------------------------------------------------


def xlsx_bytes(*rows) -> bytes:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.append(HEADER)
    for row in rows:
        worksheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_admin_import_previews_then_confirms(login, users, regions):
    client = login(users.county_editor)
    upload = SimpleUploadedFile("实施清单.xlsx", xlsx_bytes(*GOOD))
    response = client.post(
        reverse("admin:matters_servicematter_import"), {"resource": "0", "import_file": upload}
    )
    assert response.status_code == 200
    assert "新增 2 个" in response.content.decode()
    assert snapshot() == []
    form = response.context["confirm_form"]
    posted = {name: form.initial[name] for name in form.fields if name in form.initial}
    response = client.post(reverse("admin:matters_servicematter_process_import"), posted)
    assert response.status_code == 302
    assert len(snapshot()) == 2


def test_admin_import_page_refuses_readers(login, users, regions):
    client = login(users.coordinator)
    assert client.get(reverse("admin:matters_servicematter_import")).status_code == 403
