"""The report of 民政 entries no catalog item links to: staff only, scoped, downloadable."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from catalogs.permissions import SYSTEM
from matters import services
from matters.selectors import unlinked_matters

URL = reverse("matters:unlinked")


def codes(user, region=None) -> list[str]:
    return [matter.code for matter in unlinked_matters(user, region)]


def test_lists_unlinked_civil_affairs_entries_of_the_users_regions(users, catalogs, matters):
    item = catalogs.nongan_social.items.get(level1="最低生活保障", level2="办事指南")
    services.item_link_matter(actor=SYSTEM, item=item, matter=matters.dibao)
    assert codes(users.county_editor) == [
        "220122000720002000",
        "220122000720003000",
        "220122000720004000",
    ]  # 农安县's, not 长春市's above her nor 永吉县's, nor 人社's
    assert codes(users.other_county_editor) == ["220221000720001000"]
    assert "2201000720008000" in codes(users.admin)
    assert codes(users.coordinator) == ["2201000720008000", *codes(users.county_editor)]


def test_page_is_staff_only_and_scoped(client, login, users, matters):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    html = login(users.county_editor).get(URL).content.decode()
    assert "低收入家庭认定" in html and "220221000720001000" not in html
    assert login(users.county_editor).get(URL + "?region=220221").status_code == 404
    assert login(users.coordinator).get(URL + "?region=220122").status_code == 200


def test_downloads_are_scoped_and_formula_safe(login, users, matters):
    matters.low_income.name = "=cmd|' /C calc'!A0"
    matters.low_income.save()
    client = login(users.county_editor)
    response = client.get(URL + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "区划代码",
        "区划名称",
        "事项编码",
        "事项名称",
        "实施主体",
        "所属部门",
        "办理项",
    ]
    assert {row[2] for row in rows[1:]} == {
        "220122000720001000",
        "220122000720002000",
        "220122000720003000",
        "220122000720004000",
    }
    assert "'=cmd|' /C calc'!A0" in [row[3] for row in rows]
    response = client.get(URL + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [
        cell for row in sheet.iter_rows() for cell in row if cell.value == "=cmd|' /C calc'!A0"
    ]
    assert cells and all(cell.data_type == "s" for cell in cells)


@pytest.mark.parametrize("path", ["admin:matters_servicematter_changelist"])
def test_reachable_from_the_admin(login, users, matters, path):
    html = login(users.county_editor).get(reverse(path)).content.decode()
    assert URL in html and "未关联的民政事项" in html
