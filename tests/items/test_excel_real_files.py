"""Layouts of real county and township files the reader used to mishandle.

Each file is built with openpyxl (not our writer) and saved in tmp_path, then read from disk:
footer and section-heading rows, 镇、村级 and 村级 tick columns, a three-level layout, a
catalog on another sheet than the first, ✔️ with its emoji selector, and formula cells that
were never computed.
"""

import openpyxl
import pytest

from catalogs.excel import ExcelFormatError, parse_channels, read_catalog_workbook
from catalogs.permissions import SYSTEM
from items.imports import catalog_import_plan
from items.validation import item_problems
from tests.items.test_excel import HEADER1, HEADER2, HEADER_MERGES, official_row


def save(tmp_path, rows, *, header1=HEADER1, header2=HEADER2, merges=HEADER_MERGES, before=()):
    """The official layout on one sheet, after the sheets ``before`` (title, rows) if any."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    sheets = []
    for title, sheet_rows in before:
        sheet = first if not sheets else workbook.create_sheet()
        sheet.title = title
        for row in sheet_rows:
            sheet.append(list(row))
        sheets.append(sheet)
    sheet = workbook.create_sheet() if sheets else first
    sheet.title = "目录"
    sheet.append(["永吉县社会救助领域基层政务公开标准目录"])
    sheet.append(list(header1))
    sheet.append(list(header2))
    for row in rows:
        sheet.append(list(row))
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    path = tmp_path / "catalog.xlsx"
    workbook.save(path)
    return path


def read(path):
    with open(path, "rb") as handle:
        return read_catalog_workbook(handle)


def test_total_and_section_heading_rows_are_not_items(tmp_path):
    rows = [
        ["一", "最低生活保障", None, None, None, None, None, None, *[None] * 6],
        official_row(1, "最低生活保障", "政策法规文件"),
        official_row(2, "最低生活保障", "办事指南"),
        [None, "特困人员救助供养", *[None] * 12],
        official_row(3, "特困人员救助供养", "办事指南"),
        ["合计", None, "3项", *[None] * 11],
        [None, "小计：3项", *[None] * 12],
    ]
    table = read(save(tmp_path, rows))
    assert [row.name for row in table.rows] == [
        "最低生活保障 · 政策法规文件",
        "最低生活保障 · 办事指南",
        "特困人员救助供养 · 办事指南",
    ]
    assert [row.seq for row in table.rows] == [1, 2, 3]
    assert any("第4行只填写了一级事项“最低生活保障”" in w for w in table.warnings)
    assert any("第7行只填写了一级事项“特困人员救助供养”" in w for w in table.warnings)
    assert any("第9行是“合计”行" in w for w in table.warnings)
    assert any("第10行是“小计：3项”行" in w for w in table.warnings)


def test_township_and_village_tick_columns(tmp_path):
    header2 = [*HEADER2[:12], "县级", "镇、村级", "村级"]
    header1 = [*HEADER1, None]
    merges = [*[m for m in HEADER_MERGES if m != "M2:N2"], "M2:O2"]
    rows = [
        official_row(1, "临时救助", "办事指南", ticks=["√", None, "√", None, None, "√", None]),
        official_row(2, "临时救助", "审核审批信息", ticks=["√", None, "√", None, None, None, "√"]),
    ]
    table = read(save(tmp_path, rows, header1=header1, header2=header2, merges=merges))
    assert [row.levels for row in table.rows] == [["乡级"], ["村级"]]
    assert not any("已忽略" in w for w in table.warnings)


def test_village_level_is_kept_but_a_township_still_needs_its_own(regions):
    class Row:
        level1, level2, content, basis, deadline, subject = (
            "临时救助",
            "办事指南",
            "●a",
            "b",
            "c",
            "d",
        )
        channels, channel_other, audience, method = ["政府网站"], "", ["全社会"], ["主动"]

    village_only = Row()
    village_only.levels = ["村级"]
    both = Row()
    both.levels = ["乡级", "村级"]
    assert item_problems(both, regions.nongan_town) == []
    problems = item_problems(village_only, regions.nongan_town)
    assert [p.message for p in problems] == ["公开层级应包含“乡级”（农安镇是乡级区划）"]


def test_three_level_layout_maps_the_third_level_to_level2(tmp_path):
    header1 = ["序号", "一级目录", "二级", "三级事项", *HEADER1[3:]]
    header2 = [None, None, None, None, *HEADER2[3:]]
    merges = ["A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "I2:I3"]
    merges += ["J2:K2", "L2:M2", "N2:O2"]
    row = official_row(1, "最低生活保障", "政策法规文件")
    rows = [
        [1, "社会救助", "最低生活保障", "政策法规文件", *row[3:]],
        [2, "社会救助", "最低生活保障", "办事指南", *row[3:]],
    ]
    table = read(save(tmp_path, rows, header1=header1, header2=header2, merges=merges))
    assert [(r.level1, r.level2) for r in table.rows] == [
        ("最低生活保障", "政策法规文件"),
        ("最低生活保障", "办事指南"),
    ]
    assert all(r.extras == {} for r in table.rows)
    assert any("第B列“一级目录”是上一级目录" in w for w in table.warnings)


def test_three_level_layout_under_a_grouped_header(tmp_path):
    header1 = ["序号", "公开事项", None, None, *HEADER1[3:]]
    header2 = [None, "一级目录", "二级目录", "三级事项", *HEADER2[3:]]
    merges = ["A2:A3", "B2:D2", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "I2:I3"]
    merges += ["J2:K2", "L2:M2", "N2:O2"]
    row = official_row(1, "临时救助", "办事指南")
    table = read(
        save(
            tmp_path,
            [[1, "社会救助", "临时救助", "办事指南", *row[3:]]],
            header1=header1,
            header2=header2,
            merges=merges,
        )
    )
    assert (table.rows[0].level1, table.rows[0].level2) == ("临时救助", "办事指南")


def test_catalog_on_a_later_sheet_is_found_and_messages_name_it(tmp_path):
    notes = ("填报说明", [["填报说明"], ["1. 请按官方格式填写。"], ["2. 勾选用√。"]])
    table = read(save(tmp_path, [official_row(1, "临时救助", "办事指南")], before=[notes]))
    assert table.sheet_title == "目录" and len(table.rows) == 1
    assert table.warnings[0] == "第一个工作表不是公开事项目录，已读取工作表“目录”"
    bad = official_row(1, "临时救助", "办事指南", ticks=["也许", None, "√", None, "√", None])
    with pytest.raises(ExcelFormatError, match="工作表“目录”第4行第I列：无法识别的勾选标记“也许”"):
        read(save(tmp_path, [bad], before=[notes]))


def test_a_first_sheet_with_a_header_but_not_the_table_is_passed_over(tmp_path):
    # A summary sheet with 序号 but none of the official columns.
    summary = ("汇总", [["序号", "乡镇", "事项数"], [1, "岔路河镇", 13]])
    table = read(save(tmp_path, [official_row(1, "临时救助", "办事指南")], before=[summary]))
    assert table.sheet_title == "目录"


def test_no_sheet_with_a_header_names_every_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.create_sheet("附件").append(["无关内容"])
    path = tmp_path / "none.xlsx"
    workbook.save(path)
    with pytest.raises(ExcelFormatError, match="未找到表头：工作表“说明”“附件”的前15行"):
        read(path)


def test_tick_with_the_emoji_selector(tmp_path):
    tick = "\u2714\ufe0f"  # ✔️
    row = official_row(
        1,
        "临时救助",
        "办事指南",
        ticks=[tick, None, tick, None, tick, "✔"],
        channels=f"{tick}政府网站\n□政府公报\n{tick}政务服务中心",
    )
    parsed = read(save(tmp_path, [row])).rows[0]
    assert parsed.audience == ["全社会"] and parsed.method == ["主动"]
    assert parsed.levels == ["县级", "乡级"]
    assert parsed.channels == ["政府网站", "政务服务中心"] and parsed.channel_other == ""
    assert parse_channels("政府网站、政务服务中心\ufe0f")[0] == ["政府网站", "政务服务中心"]


def test_uncomputed_formula_is_reported_as_a_formula(tmp_path):
    row = official_row(1, "临时救助", "办事指南", deadline='=CONCATENATE("10","个工作日内")')
    row[0] = "=ROW()-3"
    with pytest.raises(ExcelFormatError) as refused:
        read(save(tmp_path, [row]))
    message = refused.value.messages[0]
    assert message.startswith("第4行第F列：公开时限是公式“=CONCATENATE(")
    assert "没有保存计算结果" in message
    assert "不能为空" not in str(refused.value)


def test_formula_with_a_saved_value_is_read_as_its_value(tmp_path):
    path = save(tmp_path, [official_row(1, "临时救助", "办事指南")])
    # Give F4 a formula with a cached value, as Excel saves it.
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/sheet"))
    xml = parts[sheet].decode()
    start = xml.index('<c r="F4"')
    end = xml.index("</c>", start) + len("</c>")
    parts[sheet] = (
        xml[:start] + '<c r="F4" t="str"><f>"10个工作日内"</f><v>10个工作日内</v></c>' + xml[end:]
    ).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert read(path).rows[0].deadline == "10个工作日内"


def test_import_preview_hints_at_the_standard_item_an_abbreviation_stands_for(tmp_path, catalogs):
    rows = [
        official_row(1, "综合业务", "政策"),
        official_row(2, "综合业务", "监督"),
        official_row(3, "最低生活保障", "办事指南"),
    ]
    table = read(save(tmp_path, rows))
    catalog = catalogs.yongji_social
    plan = catalog_import_plan(
        actor=SYSTEM, region=catalog.region, standard=catalog.standard, table=table
    )
    near = {added.row.level2: added.near for added in plan.added}
    assert near["政策"].level2 == "政策法规文件" and near["监督"].level2 == "监督检查"
    assert any(
        "第4行“综合业务 · 政策”将作为本地事项导入" in w and "政策法规文件" in w
        for w in plan.warnings
    )
    assert any("与标准事项“综合业务 · 监督检查”名称相近" in line for line in plan.report_lines())
