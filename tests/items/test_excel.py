"""The official Excel table: layout, real-file variants, refusals, matching, commands, editions.

Workbooks standing in for real files are built here cell by cell with openpyxl, not with
our own writer, so that the reader is tested against files it did not produce.
"""

import io
import shutil
import subprocess

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from catalogs.excel import (
    ExcelFormatError,
    parse_channels,
    read_catalog_workbook,
    write_catalog_workbook,
)
from catalogs.models import Catalog, CatalogStatus, EditionStatus, StandardEdition
from catalogs.permissions import SYSTEM
from catalogs.vocabulary import CHANNELS
from items.imports import (
    catalog_export_workbook,
    catalog_import_apply,
    catalog_import_plan,
    standard_edition_import_apply,
    standard_edition_import_plan,
)
from items.models import Item
from items.services import catalog_derive, item_create, item_set_extra_elements, item_update
from items.validation import item_problems
from tests.conftest import localise

HEADER1 = [
    "序号",
    "公开事项",
    None,
    "公开内容（要素）",
    "公开依据",
    "公开时限",
    "公开主体",
    "公开渠道和载体",
    "公开对象",
    None,
    "公开方式",
    None,
    "公开层级",
    None,
]
HEADER2 = [
    None,
    "一级事项",
    "二级事项",
    None,
    None,
    None,
    None,
    None,
    "全社会",
    "特定群体",
    "主动",
    "依申请",
    "县级",
    "乡级",
]
HEADER_MERGES = ["A2:A3", "B2:C2", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:H3"]
HEADER_MERGES += ["I2:J2", "K2:L2", "M2:N2"]
CHECKLIST_WEBSITE_AND_HALL = "\n".join(
    ("■" if channel in ("政府网站", "政务服务中心") else "□") + channel for channel in CHANNELS
)


def official_row(seq, level1, level2, **values):
    """One data row of the official layout (14 cells), complete unless told otherwise."""
    row = {
        "seq": seq,
        "level1": level1,
        "level2": level2,
        "content": "●办事指南\n●办理流程",
        "basis": "信息公开规定",
        "deadline": "制定或获取信息之日起10个工作日内",
        "subject": "农安县民政局",
        "channels": CHECKLIST_WEBSITE_AND_HALL,
        "ticks": ["√", None, "√", None, "√", None],
    }
    row.update(values)
    return [
        row["seq"],
        row["level1"],
        row["level2"],
        row["content"],
        row["basis"],
        row["deadline"],
        row["subject"],
        row["channels"],
        *row["ticks"],
    ]


def build_workbook(
    rows,
    *,
    header1=HEADER1,
    header2=HEADER2,
    merges=HEADER_MERGES,
    data_merges=(),
    title="农安县社会救助领域基层政务公开标准目录",
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([title])
    sheet.append(list(header1))
    sheet.append(list(header2))
    for row in rows:
        sheet.append(list(row))
    for cell_range in [*merges, *data_merges]:
        sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes):
    return read_catalog_workbook(io.BytesIO(data))


def plan_for(catalog, data: bytes, actor=SYSTEM):
    return catalog_import_plan(
        actor=actor, region=catalog.region, standard=catalog.standard, table=read(data)
    )


def apply_to(catalog, data: bytes, actor=SYSTEM):
    return catalog_import_apply(
        actor=actor, region=catalog.region, standard=catalog.standard, table=read(data)
    )


def sheet_of(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


@pytest.fixture
def rich_catalog(catalogs, users):
    """农安县's social-assistance draft, localised, with an extra element and a 其他 channel."""
    catalog = localise(catalogs.nongan_social)
    first, second = catalog.items.order_by("seq")[:2]
    item_update(
        actor=users.county_editor,
        item=first,
        channels=["政府网站", "其他"],
        channel_other="村务公开栏",
        basis="=SUM(1,2) 不是公式",
    )
    item_set_extra_elements(
        actor=users.county_editor, item=second, extras=[("责任科室", "社会救助股")]
    )
    return catalog


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def test_export_has_the_official_layout(rich_catalog):
    data = catalog_export_workbook(rich_catalog)
    sheet = sheet_of(data)
    items = list(rich_catalog.items.order_by("seq"))
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert sheet["A1"].value == rich_catalog.title
    assert any(r.startswith("A1:") for r in merged)
    # subtitle in row 2, headers in rows 3 and 4
    assert [sheet.cell(3, c).value for c in (1, 2, 4, 8, 9, 11, 13)] == [
        "序号",
        "公开事项",
        "公开内容（要素）",
        "公开渠道和载体",
        "公开对象",
        "公开方式",
        "公开层级",
    ]
    assert [sheet.cell(4, c).value for c in range(2, 4)] == ["一级事项", "二级事项"]
    assert [sheet.cell(4, c).value for c in range(9, 15)] == [
        "全社会",
        "特定群体",
        "主动",
        "依申请",
        "县级",
        "乡级",
    ]
    assert {"A3:A4", "B3:C3", "I3:J3", "K3:L3", "M3:N3", "O3:O4"} <= merged
    assert sheet.cell(3, 15).value == "责任科室"
    # 一级事项 merged down over the rows that share it
    same_level1 = sum(1 for item in items if item.level1 == items[0].level1)
    assert same_level1 > 1
    assert f"B5:B{4 + same_level1}" in merged
    checklist = sheet.cell(5, 8).value.split("\n")
    assert len(checklist) == len(CHANNELS)
    assert "■政府网站" in checklist and "■其他(村务公开栏)" in checklist
    assert "□政府公报" in checklist
    assert sheet.cell(5, 9).value == "√" and sheet.cell(5, 10).value in (None, "")
    assert sheet.cell(6, 15).value == "社会救助股"
    assert sheet.freeze_panes == "A5"
    assert sheet.print_title_rows == "$3:$4"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"


def test_text_that_looks_like_a_formula_stays_text(rich_catalog):
    data = catalog_export_workbook(rich_catalog)
    cell = sheet_of(data).cell(5, 5)
    assert cell.value == "=SUM(1,2) 不是公式"
    assert cell.data_type == "s"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_export(rich_catalog, tmp_path):
    source = tmp_path / "catalog.xlsx"
    source.write_bytes(catalog_export_workbook(rich_catalog))
    subprocess.run(  # noqa: S603 - fixed arguments, our own temporary files
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (tmp_path / "catalog.csv").read_text(encoding="utf-8")
    assert rich_catalog.title in text
    assert "■其他(村务公开栏)" in text and "□政府公报" in text
    assert "社会救助股" in text


def test_writer_accepts_published_items_with_extra_elements_as_lists(published):
    publication = published.publication
    items = list(publication.items.all())
    items[0].extra_elements = [["责任科室", "低保股"]]
    sheet = sheet_of(write_catalog_workbook(title="已公开", items=items))
    assert sheet.cell(2, 15).value == "责任科室"
    assert sheet.cell(4, 15).value == "低保股"


# ---------------------------------------------------------------------------
# Round trip
# ---------------------------------------------------------------------------


def test_exported_file_imports_back_with_no_changes(rich_catalog):
    before = list(rich_catalog.items.order_by("seq").values())
    plan = plan_for(rich_catalog, catalog_export_workbook(rich_catalog))
    assert not plan.has_changes, plan.report_lines()
    assert len(plan.unchanged) == len(before) > 5
    assert not [w for w in plan.warnings if "要素不完整" in w]
    apply_to(rich_catalog, catalog_export_workbook(rich_catalog))
    assert list(rich_catalog.items.order_by("seq").values()) == before


def test_round_trip_of_an_unlocalised_draft_keeps_it_incomplete(catalogs):
    catalog = catalogs.town_social
    plan = plan_for(catalog, catalog_export_workbook(catalog))
    assert not plan.has_changes
    assert len(plan.unchanged) == catalog.items.count()


def test_round_trip_keeps_extra_elements_in_any_order(rich_catalog, users):
    items = list(rich_catalog.items.order_by("seq"))
    item_set_extra_elements(
        actor=users.county_editor, item=items[2], extras=[("备注", "甲"), ("责任科室", "乙")]
    )
    plan = plan_for(rich_catalog, catalog_export_workbook(rich_catalog))
    assert not plan.has_changes, plan.report_lines()


# ---------------------------------------------------------------------------
# Real-file variants
# ---------------------------------------------------------------------------


def test_level1_merged_down_applies_to_every_row():
    rows = [
        official_row(1, "最低生活保障", "政策法规文件"),
        official_row(2, None, "办事指南"),
        official_row(3, None, "审核信息"),
        official_row(4, "临时救助", "办事指南"),
    ]
    table = read(build_workbook(rows, data_merges=["B4:B6"]))
    assert [row.level1 for row in table.rows] == ["最低生活保障"] * 3 + ["临时救助"]
    assert [row.seq for row in table.rows] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("content", "elements"),
    [
        ("●办理条件\n●申请材料\n●办理流程", ["办理条件", "申请材料", "办理流程"]),
        ("1.办理条件\n2.申请材料\n3.办理流程", ["办理条件", "申请材料", "办理流程"]),
        ("1．办理条件；2．申请材料；3．办理流程", ["办理条件", "申请材料", "办理流程"]),
        ("● 办理条件 ● 申请材料", ["办理条件", "申请材料"]),
    ],
)
def test_elements_as_bullet_or_numbered_lists(content, elements):
    table = read(build_workbook([official_row(1, "最低生活保障", "办事指南", content=content)]))
    assert table.rows[0].content == "\n".join(f"●{element}" for element in elements)


@pytest.mark.parametrize(
    ("header", "column", "expected_field", "expected"),
    [
        ("特定群众", 9, "audience", ["特定群体"]),
        ("依申请公开", 11, "method", ["依申请"]),
        ("乡、村级", 13, "levels", ["乡级"]),
        ("镇级", 13, "levels", ["乡级"]),
        ("乡镇级", 13, "levels", ["乡级"]),
    ],
)
def test_sub_column_spelling_variants(header, column, expected_field, expected):
    header2 = list(HEADER2)
    header2[column] = header
    ticks = [None] * 6
    ticks[column - 8] = "√"
    for field_start, tick_index in (("audience", 0), ("method", 2), ("levels", 4)):
        if field_start != expected_field:
            ticks[tick_index] = "√"
    table = read(
        build_workbook([official_row(1, "临时救助", "办事指南", ticks=ticks)], header2=header2)
    )
    assert getattr(table.rows[0], expected_field) == expected


def test_full_width_punctuation_and_spaces_in_headers_and_text():
    header1 = list(HEADER1)
    header1[3] = "公开内容 (要素)"
    header1[7] = "公开渠道和载体 "
    header2 = list(HEADER2)
    header2[1] = "一级 事项"
    rows = [
        official_row(
            "１",
            "最低生活保障",
            "审核信息",
            content="１．申请人姓名（化名）；２．保障人数",
            channels="政府网站，公开查阅点；社区、企事业单位、村公示栏（电子屏）",
            ticks=["✓", "", "√", "", "√", "√"],
        )
    ]
    row = read(build_workbook(rows, header1=header1, header2=header2)).rows[0]
    assert row.seq == 1
    assert row.content == "●申请人姓名（化名）\n●保障人数"
    assert row.channels == ["政府网站", "公开查阅点", "社区/企事业单位/村公示栏(电子屏)"]
    assert row.levels == ["县级", "乡级"]


def test_plain_channel_lists_are_alias_mapped():
    assert parse_channels("政府网站、公开查阅点") == (["政府网站", "公开查阅点"], "", [])
    assert parse_channels("政府网站\n政府服务中心\n便民服务站")[0] == [
        "政府网站",
        "政务服务中心",
        "便民服务站",
    ]
    assert parse_channels("发布会/听证会、两微一端(微博、微信、客户端)")[0] == [
        "两微一端",
        "发布会/听证会",
    ]
    assert parse_channels("") == ([], "", [])


def test_checklists_read_ticked_lines_only():
    channels, other, unknown = parse_channels(CHECKLIST_WEBSITE_AND_HALL)
    assert (channels, other, unknown) == (["政府网站", "政务服务中心"], "", [])
    inline = parse_channels("■政府网站 □政府公报 ■政府服务中心 ■其他（微信群）")
    assert inline == (["政府网站", "政务服务中心", "其他"], "微信群", [])
    assert parse_channels("√政府网站\n政府公报\n√公开查阅点")[0] == ["政府网站", "公开查阅点"]


def test_elderly_care_spelling_of_the_service_centre():
    checklist = CHECKLIST_WEBSITE_AND_HALL.replace("政务服务中心", "政府服务中心")
    row = read(
        build_workbook([official_row(1, "养老服务业务办理", "老年人补贴", channels=checklist)])
    ).rows[0]
    assert row.channels == ["政府网站", "政务服务中心"]
    assert row.warnings == []


def test_third_level_and_city_level_columns():
    header1 = [*HEADER1[:3], None, *HEADER1[3:13], None, None, "备注"]
    header2 = [*HEADER2[:3], "三级事项", *HEADER2[3:], "市级", None]
    merges = ["A2:A3", "B2:D2", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "I2:I3"]
    merges += ["J2:K2", "L2:M2", "N2:P2", "Q2:Q3"]
    row = official_row(1, "临时救助", "审核审批信息")
    row = [*row[:3], "临时救助对象名单", *row[3:], "√", "按月更新"]
    table = read(build_workbook([row], header1=header1, header2=header2, merges=merges))
    parsed = table.rows[0]
    assert parsed.extras == {"三级事项": "临时救助对象名单", "备注": "按月更新"}
    assert parsed.levels == ["县级"]
    assert any(
        "第P列“公开层级·市级”" in warning and "已忽略" in warning for warning in table.warnings
    )


def test_city_level_column_after_the_table_is_ignored_with_a_warning():
    header1 = [*HEADER1, "市级"]
    header2 = [*HEADER2, None]
    table = read(
        build_workbook(
            [official_row(1, "临时救助", "办事指南") + ["√"]],
            header1=header1,
            header2=header2,
            merges=[*HEADER_MERGES, "O2:O3"],
        )
    )
    assert table.rows[0].extras == {}
    assert any("第O列“市级”" in warning for warning in table.warnings)


def test_single_text_columns_for_audience_method_and_level():
    header1 = [*HEADER1[:8], "公开对象", "公开方式", "公开层级"]
    header2 = [*HEADER2[:8], None, None, None]
    merges = [m for m in HEADER_MERGES if m[0] < "I"] + ["I2:I3", "J2:J3", "K2:K3"]
    row = official_row(1, "临时救助", "办事指南")[:8] + ["特定群众", "依申请公开", "县级、乡、村级"]
    parsed = read(build_workbook([row], header1=header1, header2=header2, merges=merges)).rows[0]
    assert (parsed.audience, parsed.method, parsed.levels) == (
        ["特定群体"],
        ["依申请"],
        ["县级", "乡级"],
    )


def test_title_rows_notes_and_blank_numbered_rows_are_skipped():
    rows = [
        official_row(1, "临时救助", "政策法规文件"),
        [2] + [None] * 13,
        ["注：本目录根据民办函〔2019〕52号编制。"] + [None] * 13,
    ]
    table = read(build_workbook(rows, data_merges=["A6:N6"]))
    assert len(table.rows) == 1
    assert any("说明文字" in warning for warning in table.warnings)


def test_repeated_seq_numbers_are_renumbered_with_a_warning():
    rows = [official_row(1, "临时救助", "政策法规文件"), official_row(1, "临时救助", "办事指南")]
    table = read(build_workbook(rows))
    assert [row.seq for row in table.rows] == [1, 2]
    assert any("重新编号" in warning for warning in table.warnings)


def test_headers_found_on_the_first_row_without_a_title():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (HEADER1, HEADER2, official_row(1, "临时救助", "办事指南")):
        sheet.append(row)
    for cell_range in HEADER_MERGES:  # the same merges, one row higher
        sheet.merge_cells(cell_range.replace("2", "1").replace("3", "2"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read(buffer.getvalue())
    assert table.header_row == 1
    assert [(row.row_number, row.level2) for row in table.rows] == [(3, "办事指南")]


# ---------------------------------------------------------------------------
# Incomplete rows and unknown channels are imported with warnings
# ---------------------------------------------------------------------------


def test_missing_elements_import_as_an_incomplete_item_with_a_warning(rich_catalog):
    rows = [official_row(1, "临时救助", "新增事项", basis=None, deadline="  ")]
    data = build_workbook(rows)
    plan = plan_for(rich_catalog, data)
    warning = next(w for w in plan.warnings if "新增事项" in w)
    assert "第4行" in warning and "未填写公开依据" in warning and "未填写公开时限" in warning
    apply_to(rich_catalog, data)
    item = rich_catalog.items.get(level2="新增事项")
    messages = [problem.message for problem in item_problems(item, rich_catalog.region)]
    assert "未填写公开依据" in messages and "未填写公开时限" in messages


def test_unknown_channel_is_kept_as_other_with_its_text(rich_catalog):
    rows = [official_row(1, "临时救助", "办事指南", channels="政府网站、村务微信群")]
    data = build_workbook(rows)
    table = read(data)
    assert any("第4行第H列" in w and "村务微信群" in w for w in table.warnings)
    apply_to(rich_catalog, data)
    item = rich_catalog.items.get()
    assert item.channels == ["政府网站", "其他"]
    assert item.channel_other == "村务微信群"
    assert item.channel_labels == ["政府网站", "其他(村务微信群)"]


# ---------------------------------------------------------------------------
# Refusals: row and column named, nothing written
# ---------------------------------------------------------------------------


def _drop_column(rows, index):
    return [row[:index] + row[index + 1 :] for row in rows]


def _refusal_unknown_header():
    header1 = list(HEADER1)
    header1[6] = "负责人"
    return build_workbook([official_row(1, "临时救助", "办事指南")], header1=header1)


def _refusal_missing_header():
    header1, header2 = _drop_column([HEADER1, HEADER2], 4)
    merges = ["A2:A3", "B2:C2", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:I2", "J2:K2", "L2:M2"]
    rows = _drop_column([official_row(1, "临时救助", "办事指南")], 4)
    return build_workbook(rows, header1=header1, header2=header2, merges=merges)


def _refusal_bad_tick():
    return build_workbook(
        [
            official_row(1, "临时救助", "政策法规文件"),
            official_row(2, "临时救助", "办事指南", ticks=["√", "maybe", "√", None, "√", None]),
        ]
    )


def _refusal_empty_level1():
    return build_workbook([official_row(1, None, "办事指南")])


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (_refusal_unknown_header, "第2行第G列：无法识别的表头“负责人”"),
        (_refusal_missing_header, "第2行：缺少表头“公开依据”"),
        (_refusal_bad_tick, "第5行第J列：无法识别的勾选标记“maybe”"),
        (_refusal_empty_level1, "第4行第B列：一级事项不能为空"),
        (lambda: b"\xd0\xcf\x11\xe0 an old .xls file", "这不是Excel工作簿（.xlsx）"),
        (lambda: "序号,一级事项\n1,临时救助\n".encode(), "这不是Excel工作簿（.xlsx）"),
        (lambda: build_workbook([], header1=["目录"], header2=[], merges=[]), "未找到表头"),
    ],
)
def test_unreadable_files_are_refused_and_nothing_is_written(rich_catalog, build, expected):
    before = list(Item.objects.order_by("pk").values())
    with pytest.raises(ExcelFormatError) as refusal:
        apply_to(rich_catalog, build())
    assert expected in str(refusal.value)
    assert list(Item.objects.order_by("pk").values()) == before


def test_every_bad_cell_is_reported_at_once():
    rows = [
        official_row(1, "临时救助", "政策法规文件", ticks=["x?", None, "√", None, "√", None]),
        official_row(2, "临时救助", "办事指南", ticks=["√", None, "√", None, "好", None]),
    ]
    with pytest.raises(ExcelFormatError) as refusal:
        read(build_workbook(rows))
    assert refusal.value.messages == [
        "第4行第I列：无法识别的勾选标记“x?”（应为“√”或留空）",
        "第5行第M列：无法识别的勾选标记“好”（应为“√”或留空）",
    ]


def test_duplicate_header_is_refused():
    header1 = [*HEADER1, "公开依据"]
    header2 = [*HEADER2, None]
    with pytest.raises(ExcelFormatError, match="第2行第O列：表头“公开依据”重复（第E列已有）"):
        read(
            build_workbook(
                [official_row(1, "临时救助", "办事指南")], header1=header1, header2=header2
            )
        )


def test_too_long_text_is_refused_with_its_cell():
    with pytest.raises(ExcelFormatError, match="第4行第B列：一级事项超过100字"):
        read(build_workbook([official_row(1, "长" * 101, "办事指南")]))


# ---------------------------------------------------------------------------
# Matching: updated, added, removed
# ---------------------------------------------------------------------------


def _edited_export(catalog, edit):
    workbook = openpyxl.load_workbook(io.BytesIO(catalog_export_workbook(catalog)))
    edit(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_import_updates_adds_and_removes_to_match_the_file(rich_catalog, users):
    items = list(rich_catalog.items.order_by("seq"))
    last_row = 4 + len(items)

    def edit(sheet):
        sheet.cell(6, 5).value = "《社会救助暂行办法》"  # basis of the second item
        sheet.cell(6, 10).value = "√"  # and 特定群体
        sheet.delete_rows(last_row)  # drop the last item
        sheet.append(
            official_row(99, "临时救助", "临时救助对象公示", ticks=["√", None, "√", None, "√", "√"])
        )

    data = _edited_export(rich_catalog, edit)
    plan = plan_for(rich_catalog, data, actor=users.county_editor)
    assert [u.item.pk for u in plan.updated] == [items[1].pk]
    changes = {c.label: (c.before, c.after) for c in plan.updated[0].changes}
    assert changes == {
        "公开依据": (items[1].basis, "《社会救助暂行办法》"),
        "公开对象": ("全社会", "全社会、特定群体"),
    }
    assert [r.row.level2 for r in plan.added] == ["临时救助对象公示"]
    assert plan.added[0].standard_item is None
    assert [i.pk for i in plan.removed] == [items[-1].pk]
    assert len(plan.unchanged) == len(items) - 2
    assert Item.objects.filter(catalog=rich_catalog).count() == len(items)  # the plan wrote nothing

    apply_to(rich_catalog, data, actor=users.county_editor)
    updated = Item.objects.get(pk=items[1].pk)
    assert updated.public_id == items[1].public_id
    assert updated.basis == "《社会救助暂行办法》"
    assert updated.audience == ["全社会", "特定群体"]
    assert not Item.objects.filter(pk=items[-1].pk).exists()
    new = rich_catalog.items.get(level2="临时救助对象公示")
    assert new.seq == 99 and new.standard_item is None
    assert updated.history.first().history_user == users.county_editor
    assert not plan_for(rich_catalog, data).has_changes


def test_a_different_list_style_of_the_same_elements_is_no_change(rich_catalog, users):
    item = rich_catalog.items.order_by("seq").first()
    item_update(actor=users.county_editor, item=item, content="1.政策文件\n2.配套文件")
    assert not plan_for(rich_catalog, catalog_export_workbook(rich_catalog)).has_changes

    def restyle(sheet):
        sheet.cell(5, 4).value = "●政策文件 ●配套文件"

    assert not plan_for(rich_catalog, _edited_export(rich_catalog, restyle)).has_changes


def test_row_is_matched_by_standard_item_even_after_a_local_rename(rich_catalog, users):
    item = rich_catalog.items.order_by("seq").first()
    export = catalog_export_workbook(rich_catalog)  # carries the standard name
    item_update(actor=users.county_editor, item=item, level2="本县政策文件")
    plan = plan_for(rich_catalog, export)
    assert [u.item.pk for u in plan.updated] == [item.pk]
    assert [(c.label, c.before, c.after) for c in plan.updated[0].changes] == [
        ("二级事项", "本县政策文件", item.standard_item.level2)
    ]
    assert not plan.added and not plan.removed


def test_local_item_is_matched_by_name(rich_catalog, users):
    local = item_create(
        actor=users.county_editor,
        catalog=rich_catalog,
        level1="临时救助",
        level2="急难型临时救助",
        content="●救助对象",
    )
    local_row = 4 + rich_catalog.items.count()

    def edit(sheet):
        sheet.cell(local_row, 3).value = " 急难型临时救助 "  # spacing differs, still the same name
        sheet.cell(local_row, 4).value = "1.救助对象\n2.救助金额"

    plan = plan_for(rich_catalog, _edited_export(rich_catalog, edit))
    assert [u.item.pk for u in plan.updated] == [local.pk]
    assert [(c.label, c.after) for c in plan.updated[0].changes] == [
        ("公开内容(要素)", "●救助对象\n●救助金额")
    ]
    assert not plan.added and not plan.removed


def test_new_row_with_a_standard_name_is_linked_to_the_standard_item(catalogs, standards):
    catalog = catalogs.town_social
    standard_item = standards.social.current_edition.items.get(seq=2)
    catalog.items.filter(standard_item=standard_item).delete()
    rows = [official_row(1, standard_item.level1, standard_item.level2)]
    plan = plan_for(catalog, build_workbook(rows))
    assert [a.standard_item for a in plan.added] == [standard_item]


def test_import_derives_the_catalog_when_the_region_has_none(regions, standards, users):
    region = regions.shuangyang
    rows = [official_row(1, "综合业务", "政策法规文件"), official_row(2, "临时救助", "本区事项")]
    table = read(build_workbook(rows))
    plan = catalog_import_plan(
        actor=users.admin, region=region, standard=standards.social, table=table
    )
    assert plan.creates_catalog and plan.catalog is None
    assert [a.row.level2 for a in plan.added] == ["本区事项"]
    assert [u.row.level2 for u in plan.updated] == ["政策法规文件"]
    assert plan.removed  # the other derived items are not in the file
    assert not Catalog.objects.filter(region=region).exists()

    catalog_import_apply(actor=users.admin, region=region, standard=standards.social, table=table)
    catalog = Catalog.objects.get(region=region, standard=standards.social)
    assert sorted(catalog.items.values_list("level2", flat=True)) == ["政策法规文件", "本区事项"]
    assert catalog.items.get(level2="政策法规文件").standard_item.seq == 1


def test_preview_of_a_new_catalog_is_what_derive_creates(regions, standards, users):
    """The preview and ``catalog_derive`` share one derivation: same items, same numbers."""
    region = regions.shuangyang
    table = read(build_workbook([official_row(1, "综合业务", "政策法规文件")]))
    plan = catalog_import_plan(
        actor=users.admin, region=region, standard=standards.social, table=table
    )
    previewed = [(u.item.seq, u.item.standard_item_id) for u in plan.updated]
    previewed += [(item.seq, item.standard_item_id) for item in plan.removed]

    catalog = catalog_derive(actor=SYSTEM, region=region, standard=standards.social)

    derived = list(catalog.items.order_by("seq").values_list("seq", "standard_item_id"))
    assert sorted(previewed) == derived
    assert len(derived) > 1


def test_preview_refuses_what_derive_refuses(regions, standards, users):
    table = read(build_workbook([official_row(1, "综合业务", "政策法规文件")]))
    for call in (
        lambda: catalog_import_plan(
            actor=users.admin, region=regions.changchun, standard=standards.social, table=table
        ),
        lambda: catalog_derive(
            actor=users.admin, region=regions.changchun, standard=standards.social
        ),
    ):
        with pytest.raises(ValidationError, match="只有县级和乡级区划编制目录，“长春市”是市级"):
            call()


def test_apply_refuses_terms_the_services_refuse_naming_the_row(rich_catalog, users):
    """Rows pass the same ``validate_item`` as ``item_create``; nothing is written."""
    table = read(catalog_export_workbook(rich_catalog))
    row = table.rows[1]
    row.channels = ["政府网站", "飞鸽传书"]
    row.level1 = "长" * 101
    before = list(rich_catalog.items.values_list("pk", "updated_at"))

    with pytest.raises(ValidationError) as refused:
        catalog_import_apply(
            actor=users.county_editor,
            region=rich_catalog.region,
            standard=rich_catalog.standard,
            table=table,
        )

    message = refused.value.messages[0]
    assert message.startswith(f"第{row.row_number}行“")
    assert "公开渠道和载体含有无效的选项：飞鸽传书" in message
    assert "100" in message  # the model's length check, in the same message
    assert list(rich_catalog.items.values_list("pk", "updated_at")) == before
    with pytest.raises(ValidationError, match="公开渠道和载体含有无效的选项：飞鸽传书"):
        item_create(actor=users.county_editor, catalog=rich_catalog, **row.element_values())


# ---------------------------------------------------------------------------
# Permissions and locked catalogs
# ---------------------------------------------------------------------------


def test_only_editors_of_the_region_may_import(rich_catalog, users):
    data = catalog_export_workbook(rich_catalog)
    for user in (
        users.other_county_editor,
        users.coordinator,
        users.township_editor,
        users.reviewer,
    ):
        with pytest.raises(PermissionDenied):
            plan_for(rich_catalog, data, actor=user)
        with pytest.raises(PermissionDenied):
            apply_to(rich_catalog, data, actor=user)
    assert not plan_for(rich_catalog, data, actor=users.county_editor).has_changes
    assert not plan_for(rich_catalog, data, actor=users.admin).has_changes


def test_locked_catalog_refuses_import(rich_catalog, users):
    Catalog.objects.filter(pk=rich_catalog.pk).update(status=CatalogStatus.ENTERED)
    rich_catalog.refresh_from_db()
    with pytest.raises(ValidationError, match="已锁定"):
        plan_for(rich_catalog, catalog_export_workbook(rich_catalog), actor=users.county_editor)


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def test_export_command_writes_a_file_that_imports_back_unchanged(rich_catalog, tmp_path):
    target = tmp_path / "nongan.xlsx"
    out = io.StringIO()
    call_command(
        "export_catalog",
        region="220122",
        standard="social-assistance",
        output=str(target),
        stdout=out,
    )
    assert "已导出" in out.getvalue()
    out = io.StringIO()
    call_command(
        "import_catalog",
        str(target),
        region="220122",
        standard="social-assistance",
        dry_run=True,
        stdout=out,
    )
    assert "新增0项，修改0项，删除0项" in out.getvalue()


def test_import_command_dry_run_lists_changes_and_writes_nothing(rich_catalog, tmp_path):
    items = list(rich_catalog.items.order_by("seq"))
    data = _edited_export(
        rich_catalog, lambda sheet: setattr(sheet.cell(5, 7), "value", "农安县民政局救助股")
    )
    path = tmp_path / "edited.xlsx"
    path.write_bytes(data)
    before = list(Item.objects.order_by("pk").values())
    out = io.StringIO()
    call_command(
        "import_catalog",
        str(path),
        "--region",
        "220122",
        "--standard",
        "social-assistance",
        "--dry-run",
        stdout=out,
    )
    text = out.getvalue()
    assert f"修改 第5行 1. {items[0].name}" in text
    assert "公开主体：农安县民政局 → 农安县民政局救助股" in text
    assert "未写入任何数据" in text
    assert list(Item.objects.order_by("pk").values()) == before

    out = io.StringIO()
    call_command(
        "import_catalog",
        str(path),
        "--region",
        "220122",
        "--standard",
        "social-assistance",
        stdout=out,
    )
    assert "导入完成：新增0项，修改1项，删除0项" in out.getvalue()
    assert Item.objects.get(pk=items[0].pk).subject == "农安县民政局救助股"


def test_import_command_refuses_bad_files_and_unknown_codes(rich_catalog, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_refusal_bad_tick())
    good = tmp_path / "good.xlsx"
    good.write_bytes(catalog_export_workbook(rich_catalog))
    before = list(Item.objects.order_by("pk").values())
    options = {"region": "220122", "standard": "social-assistance"}
    with pytest.raises(CommandError, match="第5行第J列"):
        call_command("import_catalog", str(bad), **options)
    with pytest.raises(CommandError, match="找不到区划代码"):
        call_command("import_catalog", str(good), region="999999", standard="social-assistance")
    with pytest.raises(CommandError, match="找不到标准目录"):
        call_command("import_catalog", str(good), region="220122", standard="health")
    with pytest.raises(CommandError, match="导入被拒绝：您无权修改“农安县”的目录"):
        call_command("import_catalog", str(good), user="yongji-editor", **options)
    with pytest.raises(CommandError, match="只有县级和乡级区划编制目录，“长春市”是市级"):
        call_command("import_catalog", str(good), region="2201", standard="social-assistance")
    assert list(Item.objects.order_by("pk").values()) == before


# ---------------------------------------------------------------------------
# Standard editions (dynamic adjustment)
# ---------------------------------------------------------------------------


def test_edition_import_creates_a_draft_edition_with_the_rows(standards, users):
    current = standards.elderly.current_edition
    old_items = list(current.items.order_by("seq"))
    data = _edition_file(old_items[:-1], extra=("养老服务业务办理", "养老机构评估信息"))
    table = read(data)
    plan = standard_edition_import_plan(actor=users.admin, edition=current, table=table)
    assert plan.creates_draft
    kinds = sorted((change.kind, change.name.split(". ", 1)[1]) for change in plan.changes)
    assert ("added", "养老服务业务办理 · 养老机构评估信息") in kinds
    assert ("removed", str(old_items[-1])) in [(c.kind, c.name) for c in plan.changes]
    assert StandardEdition.objects.filter(standard=standards.elderly).count() == 1

    draft = standard_edition_import_apply(
        actor=users.admin, edition=current, table=table, title="2024年调整"
    )
    assert draft.status == EditionStatus.DRAFT and draft.version == 2
    assert draft.title == "2024年调整"
    new_items = list(draft.items.order_by("seq"))
    assert [i.level2 for i in new_items] == [i.level2 for i in old_items[:-1]] + [
        "养老机构评估信息"
    ]
    assert [i.key for i in new_items[:-1]] == [i.key for i in old_items[:-1]]
    assert new_items[0].channels == old_items[0].channels
    assert new_items[0].levels == old_items[0].levels
    current.refresh_from_db()
    assert current.items.count() == len(old_items)  # the published edition is untouched


def test_edition_import_into_a_draft_replaces_its_rows(standards, users):
    current = standards.elderly.current_edition
    first = standard_edition_import_apply(
        actor=users.admin, edition=current, table=read(_edition_file(current.items.order_by("seq")))
    )
    second = standard_edition_import_apply(
        actor=users.admin,
        edition=first,
        table=read(_edition_file(current.items.order_by("seq")[:2])),
    )
    assert second.pk == first.pk
    assert second.items.count() == 2


def test_edition_import_is_for_the_province_admin_only(standards, users):
    current = standards.elderly.current_edition
    table = read(_edition_file(current.items.order_by("seq")))
    for user in (users.reviewer, users.county_editor):
        with pytest.raises(PermissionDenied):
            standard_edition_import_plan(actor=user, edition=current, table=table)
        with pytest.raises(PermissionDenied):
            standard_edition_import_apply(actor=user, edition=current, table=table)
    assert standards.elderly.editions.count() == 1


def test_edition_import_refuses_rows_without_level2(standards, users):
    rows = [official_row(1, "养老服务通用政策", None)]
    with pytest.raises(ExcelFormatError, match="第4行第C列：标准事项必须填写二级事项"):
        standard_edition_import_plan(
            actor=users.admin,
            edition=standards.elderly.current_edition,
            table=read(build_workbook(rows)),
        )


def _edition_file(items, extra=None):
    items = list(items)
    rows = [
        official_row(
            item.seq,
            item.level1,
            item.level2,
            content=item.content,
            basis=item.basis,
            deadline=item.deadline,
            subject=item.subject,
            channels="、".join(item.channels),
            ticks=[
                "√" if term in values else None
                for values, terms in (
                    (item.audience, ("全社会", "特定群体")),
                    (item.method, ("主动", "依申请")),
                    (item.levels, ("县级", "乡级")),
                )
                for term in terms
            ],
        )
        for item in items
    ]
    if extra:
        rows.append(official_row(len(rows) + 1, *extra))
    return build_workbook(rows)


# ---------------------------------------------------------------------------
# Cost
# ---------------------------------------------------------------------------


def test_export_of_a_large_catalog_takes_a_fixed_number_of_queries(
    rich_catalog, users, django_assert_max_num_queries
):
    for n in range(120):
        item = item_create(actor=SYSTEM, catalog=rich_catalog, level1="本地事项", level2=f"事项{n}")
        item_set_extra_elements(actor=SYSTEM, item=item, extras=[("责任科室", f"科室{n}")])
    catalog = Catalog.objects.select_related("region", "standard").get(pk=rich_catalog.pk)
    with django_assert_max_num_queries(4):
        data = catalog_export_workbook(catalog)
    assert len(read(data).rows) == catalog.items.count()
