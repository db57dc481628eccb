"""The city roll-up workbook (联系人和事项清单) the province asks for."""

from io import BytesIO

from openpyxl import load_workbook

from catalogs.permissions import SYSTEM
from catalogs.services import region_update_contact
from review.exports import city_rollup_workbook


def test_rollup_lists_every_region_and_item_of_the_city(all_published, regions):
    region_update_contact(
        actor=SYSTEM,
        region=regions.nongan,
        office_name="农安县民政局",
        contact_name="张三",
        contact_phone="0431-83222222",
        contact_email="nongan@example.cn",
    )
    workbook = load_workbook(BytesIO(city_rollup_workbook(regions.changchun)))
    assert workbook.sheetnames == ["联系人", "事项清单"]

    contacts = workbook["联系人"]
    header = [cell.value for cell in contacts[1]]
    assert header[:9] == [
        "序号",
        "区划代码",
        "区划名称",
        "层级",
        "所属县(市、区)",
        "民政部门(单位)名称",
        "联系人",
        "联系电话",
        "电子邮箱",
    ]
    rows = {row[1]: row for row in contacts.iter_rows(min_row=2, values_only=True)}
    # Every county and township of 长春市, with or without a catalog; nothing of 吉林市.
    assert set(rows) == {"220122", "220122100", "220122101", "220112", "220112001"}
    assert rows["220122"][5:9] == ("农安县民政局", "张三", "0431-83222222", "nongan@example.cn")
    assert rows["220122100"][4] == "农安县"
    assert contacts.column_dimensions["F"].width >= 20
    assert contacts.freeze_panes == "A2"

    items = workbook["事项清单"]
    assert [cell.value for cell in items[1]][:6] == [
        "区划代码",
        "区划名称",
        "层级",
        "领域",
        "目录状态",
        "序号",
    ]
    item_rows = list(items.iter_rows(min_row=2, values_only=True))
    expected = sum(
        c.items.count()
        for c in (
            all_published.nongan_social,
            all_published.nongan_elderly,
            all_published.town_social,
        )
    )
    assert len(item_rows) == expected
    assert {row[0] for row in item_rows} == {"220122", "220122100"}
    assert {row[3] for row in item_rows} == {"社会救助", "养老服务"}
    assert {row[9] for row in item_rows} == {"是"}


def test_rollup_marks_unpublished_items(catalogs, regions):
    workbook = load_workbook(BytesIO(city_rollup_workbook(regions.changchun)))
    rows = list(workbook["事项清单"].iter_rows(min_row=2, values_only=True))
    assert rows and {row[9] for row in rows} == {"否（尚未发布）"}
    assert {row[4] for row in rows} == {"编制中"}
