"""The admin's Excel pages, through the real admin site: scoping, preview, confirm, refusals."""

import io
import zipfile
from urllib.parse import unquote

import openpyxl
import pytest
from django.contrib import admin as django_admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogs.excel import read_catalog_workbook
from catalogs.models import Catalog, CatalogStatus, EditionStatus, StandardEdition
from catalogs.permissions import SYSTEM
from items.admin.excel import CatalogExcelAdminMixin, StandardEditionExcelAdminMixin
from items.imports import catalog_export_workbook, edition_export_workbook
from items.models import Item
from items.services import item_create, item_set_extra_elements
from tests.conftest import localise
from tests.conftest import log_in as login
from tests.items.test_excel import build_workbook, official_row


@pytest.fixture
def catalog(catalogs):
    return localise(catalogs.nongan_social)


def import_url(catalog):
    return reverse("admin:catalogs_catalog_import", args=[catalog.pk])


def export_url(catalog):
    return reverse("admin:catalogs_catalog_export", args=[catalog.pk])


def upload(name: str, data: bytes):
    file = io.BytesIO(data)
    file.name = name
    return file


def edited_export(catalog, edit) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(catalog_export_workbook(catalog)))
    edit(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def snapshot():
    return list(Item.objects.order_by("pk").values())


def confirm_data(preview) -> dict:
    """The confirm form of a preview page: the signed file and the signed plan."""
    return {
        "confirm": "1",
        "payload": preview.context["payload"],
        "plan": preview.context["plan_token"],
    }


def test_the_real_admin_mixes_in_the_excel_views():
    assert isinstance(django_admin.site._registry[Catalog], CatalogExcelAdminMixin)
    assert isinstance(django_admin.site._registry[StandardEdition], StandardEditionExcelAdminMixin)


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def test_export_sends_the_official_table_with_a_chinese_file_name(client, catalog, users):
    login(client, users.county_editor)
    response = client.get(export_url(catalog))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == "农安县-社会救助-公开事项目录.xlsx"
    table = read_catalog_workbook(io.BytesIO(response.content))
    assert [row.level2 for row in table.rows] == list(
        catalog.items.order_by("seq").values_list("level2", flat=True)
    )


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("county_editor", 200),
        ("coordinator", 200),
        ("reviewer", 200),
        ("other_county_editor", 404),
        ("other_coordinator", 404),
        ("township_editor", 404),
    ],
)
def test_export_is_scoped_to_what_the_user_may_see(client, catalog, users, user, status):
    login(client, getattr(users, user))
    assert client.get(export_url(catalog)).status_code == status


def test_export_needs_a_login(client, catalog):
    response = client.get(export_url(catalog))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_export_view_query_count_does_not_grow_with_items(client, catalog, users):
    login(client, users.county_editor)
    client.get(export_url(catalog))  # warm the session
    with CaptureQueriesContext(connection) as small:
        client.get(export_url(catalog))
    for n in range(60):
        item = item_create(actor=SYSTEM, catalog=catalog, level1="本地事项", level2=f"事项{n}")
        item_set_extra_elements(actor=SYSTEM, item=item, extras=[("责任科室", f"科室{n}")])
    with CaptureQueriesContext(connection) as large:
        response = client.get(export_url(catalog))
    assert len(read_catalog_workbook(io.BytesIO(response.content)).rows) > 60
    assert len(large) == len(small)


def test_export_selected_catalogs_returns_a_zip_of_visible_catalogs(client, catalogs, users):
    login(client, users.county_editor)
    selected = [catalogs.nongan_social, catalogs.town_social, catalogs.yongji_social]
    response = client.post(
        reverse("admin:catalogs_catalog_changelist"),
        {"action": "export_selected_catalogs", "_selected_action": [c.pk for c in selected]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names == [
        "220122-农安县-社会救助-公开事项目录.xlsx",
        "220122100-农安镇-社会救助-公开事项目录.xlsx",
    ]


def test_change_page_links_to_import_only_for_editors(client, catalog, users):
    change = reverse("admin:catalogs_catalog_change", args=[catalog.pk])
    login(client, users.county_editor)
    page = client.get(change).content.decode()
    assert import_url(catalog) in page and export_url(catalog) in page
    login(client, users.coordinator)
    page = client.get(change).content.decode()
    assert export_url(catalog) in page and import_url(catalog) not in page


# ---------------------------------------------------------------------------
# Import: upload → preview → confirm
# ---------------------------------------------------------------------------


def test_preview_lists_changes_and_confirm_applies_them(client, catalog, users):
    items = list(catalog.items.order_by("seq"))
    data = edited_export(catalog, lambda sheet: setattr(sheet.cell(5, 6), "value", "5个工作日内"))
    login(client, users.county_editor)
    assert client.get(import_url(catalog)).status_code == 200
    before = snapshot()

    preview = client.post(import_url(catalog), {"file": upload("农安县.xlsx", data)})
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert [u.item.pk for u in plan.updated] == [items[0].pk]
    page = preview.content.decode()
    assert "5个工作日内" in page and "确认导入" in page
    assert snapshot() == before  # the preview wrote nothing

    confirm = client.post(import_url(catalog), confirm_data(preview))
    assert confirm.status_code == 302
    assert confirm["Location"] == reverse("admin:catalogs_catalog_change", args=[catalog.pk])
    assert Item.objects.get(pk=items[0].pk).deadline == "5个工作日内"


def test_preview_of_an_unchanged_file_offers_no_confirm(client, catalog, users):
    login(client, users.county_editor)
    preview = client.post(
        import_url(catalog), {"file": upload("a.xlsx", catalog_export_workbook(catalog))}
    )
    assert not preview.context["plan"].has_changes
    assert "无需导入" in preview.content.decode()
    assert 'name="confirm"' not in preview.content.decode()


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("other_county_editor", 404),
        ("township_editor", 404),
        ("coordinator", 403),
        ("reviewer", 403),
    ],
)
def test_import_is_refused_to_users_who_may_not_edit_the_region(
    client, catalog, users, user, status
):
    login(client, getattr(users, user))
    before = snapshot()
    assert client.get(import_url(catalog)).status_code == status
    response = client.post(
        import_url(catalog), {"file": upload("a.xlsx", catalog_export_workbook(catalog))}
    )
    assert response.status_code == status
    assert snapshot() == before


def test_bad_file_is_refused_with_row_and_column_and_nothing_is_written(client, catalog, users):
    login(client, users.county_editor)
    before = snapshot()
    bad = build_workbook(
        [official_row(1, "临时救助", "办事指南", ticks=["√", "maybe", "√", None, "√", None])]
    )
    response = client.post(import_url(catalog), {"file": upload("bad.xlsx", bad)})
    assert response.status_code == 200
    assert "第4行第J列：无法识别的勾选标记“maybe”" in response.content.decode()
    response = client.post(import_url(catalog), {"file": upload("table.csv", b"a,b\n")})
    assert "请上传 .xlsx 格式的Excel文件" in response.content.decode()
    response = client.post(import_url(catalog), {"file": upload("old.xls", b"\xd0\xcf\x11\xe0")})
    assert "不支持旧版 .xls 格式" in response.content.decode()
    response = client.post(import_url(catalog), {"file": upload("fake.xlsx", b"not a zip")})
    assert "这不是Excel工作簿（.xlsx）" in response.content.decode()
    assert snapshot() == before


def test_confirm_with_a_tampered_or_foreign_payload_writes_nothing(
    client, catalogs, catalog, users
):
    login(client, users.county_editor)
    data = edited_export(catalog, lambda sheet: setattr(sheet.cell(5, 6), "value", "当日"))
    preview = client.post(import_url(catalog), {"file": upload("a.xlsx", data)})
    payload = preview.context["payload"]
    before = snapshot()
    tampered = client.post(
        import_url(catalog), {**confirm_data(preview), "payload": payload[:-3] + "abc"}
    )
    assert "导入数据已失效或被改动" in tampered.content.decode()
    # a payload signed for 农安县's catalog cannot be replayed into 农安镇's
    foreign = client.post(import_url(catalogs.town_social), confirm_data(preview))
    assert "导入数据已失效或被改动" in foreign.content.decode()
    # nor can the file be confirmed without the plan its preview showed
    planless = client.post(import_url(catalog), {**confirm_data(preview), "plan": ""})
    assert "导入数据已失效或被改动" in planless.content.decode()
    assert snapshot() == before


def test_locked_catalog_cannot_be_imported(client, catalog, users):
    Catalog.objects.filter(pk=catalog.pk).update(status=CatalogStatus.ENTERED)
    login(client, users.county_editor)
    data = edited_export(catalog, lambda sheet: setattr(sheet.cell(5, 6), "value", "当日"))
    page = client.get(import_url(catalog)).content.decode()
    assert "已锁定，不能导入" in page
    before = snapshot()
    client.post(import_url(catalog), {"file": upload("a.xlsx", data)})
    assert snapshot() == before


# ---------------------------------------------------------------------------
# Standard editions
# ---------------------------------------------------------------------------


def edition_import_url(edition):
    return reverse("admin:catalogs_standardedition_import", args=[edition.pk])


def test_edition_import_creates_a_draft_after_preview(client, standards, users):
    current = standards.elderly.current_edition
    workbook = openpyxl.load_workbook(io.BytesIO(edition_export_workbook(current)))
    workbook.active.cell(5, 5).value = "《养老机构管理办法》"
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, users.admin)
    preview = client.post(
        edition_import_url(current),
        {
            "file": upload("养老.xlsx", buffer.getvalue()),
            "title": "2024年动态调整",
            "note": "依据新文件",
        },
    )
    assert preview.status_code == 200
    assert [change.kind for change in preview.context["plan"].changes] == ["changed"]
    assert "《养老机构管理办法》" in preview.content.decode()
    assert standards.elderly.editions.count() == 1

    confirm = client.post(
        edition_import_url(current),
        {**confirm_data(preview), "title": "2024年动态调整", "note": "依据新文件"},
    )
    draft = standards.elderly.editions.get(status=EditionStatus.DRAFT)
    assert confirm.status_code == 302
    assert confirm["Location"] == reverse("admin:catalogs_standardedition_change", args=[draft.pk])
    assert draft.title == "2024年动态调整" and draft.note == "依据新文件"
    assert draft.items.get(seq=1).basis == "《养老机构管理办法》"
    assert draft.items.count() == current.items.count()


@pytest.mark.parametrize("user", ["reviewer", "county_editor", "coordinator"])
def test_edition_import_is_for_the_province_admin_only(client, standards, users, user):
    current = standards.elderly.current_edition
    login(client, getattr(users, user))
    assert client.get(edition_import_url(current)).status_code == 403
    response = client.post(
        edition_import_url(current), {"file": upload("a.xlsx", edition_export_workbook(current))}
    )
    assert response.status_code == 403
    assert standards.elderly.editions.count() == 1


def test_edition_export(client, standards, users):
    current = standards.social.current_edition
    login(client, users.county_editor)
    response = client.get(reverse("admin:catalogs_standardedition_export", args=[current.pk]))
    assert response.status_code == 200
    assert len(read_catalog_workbook(io.BytesIO(response.content)).rows) == current.items.count()


def test_the_signed_upload_stays_within_the_form_size_limit():
    """The confirm form carries the file back; it must fit whatever the upload form accepts."""
    import os

    from django.conf import settings

    from items.admin.excel import _sign_upload, _unsign_upload, max_upload_bytes

    data = os.urandom(max_upload_bytes())
    payload = _sign_upload(data, "salt")
    assert len(payload) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert _unsign_upload(payload, "salt") == data
