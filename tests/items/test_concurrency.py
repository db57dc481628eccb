"""No lost edits: every edit path carries the version it showed (issue 11, point 3).

Two people open the same page; the first saves; the second's save, based on the older
version, is refused with a Chinese message naming the other person, the fields and their
values, and nothing is overwritten. Pages are posted as a browser would post them: the
form's own values (hidden version included) with the user's edits on top.
"""

import io

import openpyxl
import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from catalogs.concurrency import EditConflict
from catalogs.models import (
    Catalog,
    CatalogStatus,
    EditionStatus,
    Region,
    Role,
    StandardItem,
)
from catalogs.permissions import SYSTEM
from catalogs.services import edition_create_draft, region_update_contact, standard_item_save
from items.imports import (
    StalePlan,
    catalog_export_workbook,
    catalog_import_apply,
    catalog_import_plan,
)
from items.models import Item
from items.services import item_restore, item_set_extra_elements, item_update
from tests.conftest import log_in
from tests.factories import localise, staff_user

# ---------------------------------------------------------------------------
# Posting a page as a browser does
# ---------------------------------------------------------------------------


def _post_value(bound):
    value = bound.value()
    if isinstance(bound.field.widget, forms.CheckboxInput):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(part) for part in value]
    return "" if value is None else str(value)


def form_values(form) -> dict:
    data = {}
    for name in form.fields:
        value = _post_value(form[name])
        if value is not None and value != []:
            data[form.add_prefix(name)] = value
    return data


def page_data(response) -> dict:
    """What the browser sends when the user saves the change page without editing."""
    data = form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_values(formset.management_form))
        for form in formset.forms:
            data.update(form_values(form))
    data["_save"] = "保存"
    return data


def inline_key(response, item, name) -> str:
    """The POST key of ``name`` in ``item``'s form on the catalog page."""
    formset = response.context["inline_admin_formsets"][0].formset
    form = next(form for form in formset.initial_forms if form.instance.pk == item.pk)
    return form.add_prefix(name)


def error_text(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(error) for error in form.non_field_errors())


def item_url(item):
    return reverse("admin:items_item_change", args=[item.pk])


def catalog_url(catalog):
    return reverse("admin:catalogs_catalog_change", args=[catalog.pk])


@pytest.fixture
def colleague(regions):
    """A second editor of 农安县, with a name, to be named in conflict messages."""
    user = staff_user(Role.COUNTY_EDITOR, regions.nongan, "nongan-editor-2")
    user.first_name = "王丽"  # staff accounts keep the whole name in first_name
    user.save()
    return user


@pytest.fixture
def editor_client(users):
    return log_in(Client(), users.county_editor)


@pytest.fixture
def colleague_client(colleague):
    return log_in(Client(), colleague)


def first_item(catalog) -> Item:
    return catalog.items.order_by("seq", "pk").first()


# ---------------------------------------------------------------------------
# The item form
# ---------------------------------------------------------------------------


def test_second_save_of_the_item_form_is_refused_and_the_first_change_stays(
    catalogs, users, colleague, editor_client, colleague_client
):
    item = first_item(catalogs.nongan_social)
    old_subject, old_basis = item.subject, item.basis
    mine = page_data(editor_client.get(item_url(item)))
    theirs = page_data(colleague_client.get(item_url(item)))
    assert mine["seen_version"] == theirs["seen_version"] == "0"

    first = colleague_client.post(item_url(item), {**theirs, "subject": "农安县民政局社会救助科"})
    assert first.status_code == 302
    item.refresh_from_db()
    assert item.subject == "农安县民政局社会救助科" and item.version == 1

    # The second editor never touched 公开主体; the stale page still holds the old value.
    second = editor_client.post(item_url(item), {**mine, "basis": "《社会救助暂行办法》第十条"})
    assert second.status_code == 200
    message = error_text(second)
    assert "保存未成功" in message
    assert "王丽（nongan-editor-2）" in message
    assert "“公开主体”" in message and "农安县民政局社会救助科" in message
    assert "第0版 → 第1版" in message
    item.refresh_from_db()
    assert item.subject == "农安县民政局社会救助科"  # the first change is intact
    assert item.basis == old_basis  # and nothing of the second save was written
    assert item.version == 1
    assert old_subject != item.subject

    # The form keeps the user's input, shows the other person's value where the user left
    # the field alone, and now carries the current version: saving again is accepted.
    form = second.context["adminform"].form
    assert form["basis"].value() == "《社会救助暂行办法》第十条"
    assert form["subject"].value() == "农安县民政局社会救助科"
    assert form["seen_version"].value() == "1"
    again = editor_client.post(item_url(item), page_data(second))
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.subject == "农安县民政局社会救助科"
    assert item.basis == "《社会救助暂行办法》第十条"
    assert item.version == 2


def test_both_changing_the_same_field_keeps_the_users_input_and_says_so(
    catalogs, colleague, editor_client, colleague_client
):
    item = first_item(catalogs.nongan_social)
    mine = page_data(editor_client.get(item_url(item)))
    theirs = page_data(colleague_client.get(item_url(item)))
    colleague_client.post(item_url(item), {**theirs, "deadline": "5个工作日内"})
    response = editor_client.post(item_url(item), {**mine, "deadline": "10个工作日内"})
    assert response.status_code == 200
    message = error_text(response)
    assert "“公开时限”由" in message and "改为“5个工作日内”" in message
    assert "“公开时限”您和王丽（nongan-editor-2）都修改了，表单中保留的是您的输入" in message
    assert response.context["adminform"].form["deadline"].value() == "10个工作日内"
    item.refresh_from_db()
    assert item.deadline == "5个工作日内"


def test_extra_elements_are_checked_against_the_items_version(
    catalogs, users, colleague, editor_client
):
    item = first_item(catalogs.nongan_social)
    page = editor_client.get(item_url(item))
    mine = page_data(page)
    mine.update(
        {
            "extra_elements-TOTAL_FORMS": "1",
            "extra_elements-INITIAL_FORMS": "0",
            "extra_elements-MIN_NUM_FORMS": "0",
            "extra_elements-MAX_NUM_FORMS": "1000",
            "extra_elements-0-item": str(item.pk),
            "extra_elements-0-name": "咨询电话",
            "extra_elements-0-value": "0431-1",
            "extra_elements-0-order": "0",
        }
    )
    item_set_extra_elements(
        actor=colleague, item=item, extras=[("办理地点", "县政务大厅")], expected_version=0
    )
    response = editor_client.post(item_url(item), mine)
    assert response.status_code == 200
    message = error_text(response)
    assert "“本地增加要素”由“（空）”改为“办理地点：县政务大厅”" in message
    assert "王丽（nongan-editor-2）" in message
    assert list(item.extra_elements.values_list("name", flat=True)) == ["办理地点"]


def test_the_item_service_refuses_a_stale_version(catalogs, users, colleague):
    item = first_item(catalogs.nongan_social)
    item_update(actor=colleague, item=item, expected_version=0, subject="甲")
    stale = Item.objects.get(pk=item.pk)
    with pytest.raises(EditConflict, match="王丽（nongan-editor-2）于.*“公开主体”由.*改为“甲”"):
        item_update(actor=users.county_editor, item=stale, expected_version=0, subject="乙")
    assert Item.objects.get(pk=item.pk).subject == "甲"
    # an unchanged save based on an old version writes nothing and is not a conflict
    item_update(actor=users.county_editor, item=stale, expected_version=0, subject="甲")
    assert Item.objects.get(pk=item.pk).version == 1


# ---------------------------------------------------------------------------
# The catalog page's inline items
# ---------------------------------------------------------------------------


def test_inline_save_writes_only_the_items_the_user_changed(
    catalogs, colleague, editor_client, colleague_client
):
    catalog = catalogs.nongan_social
    first, second = catalog.items.order_by("seq", "pk")[:2]
    page = editor_client.get(catalog_url(catalog))
    data = page_data(page)
    before = {item.pk: item.version for item in catalog.items.all()}

    # Meanwhile a colleague changes the first item on its own page.
    theirs = page_data(colleague_client.get(item_url(first)))
    colleague_client.post(item_url(first), {**theirs, "subject": "农安县民政局（同事修改）"})

    # The user changes only the second item; the page still shows the first one's old values.
    data[inline_key(page, second, "subject")] = "农安县民政局（我的修改）"
    response = editor_client.post(catalog_url(catalog), data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.subject == "农安县民政局（同事修改）"  # not reverted
    assert second.subject == "农安县民政局（我的修改）"
    after = {item.pk: item.version for item in catalog.items.all()}
    assert {pk for pk in after if after[pk] != before[pk]} == {first.pk, second.pk}
    assert first.history.first().history_user.username == "nongan-editor-2"


def test_inline_edit_of_an_item_changed_since_is_refused(
    catalogs, colleague, editor_client, colleague_client
):
    catalog = catalogs.nongan_social
    first, second = catalog.items.order_by("seq", "pk")[:2]
    page = editor_client.get(catalog_url(catalog))
    data = page_data(page)
    item_update(actor=colleague, item=first, expected_version=0, deadline="即时公开")

    data[inline_key(page, first, "basis")] = "我的依据"
    data[inline_key(page, second, "basis")] = "第二项的依据"
    response = editor_client.post(catalog_url(catalog), data)
    assert response.status_code == 200
    message = error_text(response)
    assert f"第{first.seq}项“{first.name}”" in message
    assert "王丽（nongan-editor-2）" in message and "“公开时限”" in message
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.deadline == "即时公开" and first.basis != "我的依据"
    assert second.basis != "第二项的依据"  # all or nothing: the page is saved again
    # The re-shown page takes the colleague's value and the new version for that item.
    formset = response.context["inline_admin_formsets"][0].formset
    form = next(form for form in formset.initial_forms if form.instance.pk == first.pk)
    assert form["deadline"].value() == "即时公开"
    assert form["basis"].value() == "我的依据"
    assert form["seen_version"].value() == "1"


def test_inline_delete_of_an_item_changed_since_is_refused(catalogs, colleague, editor_client):
    catalog = catalogs.nongan_social
    item = first_item(catalog)
    page = editor_client.get(catalog_url(catalog))
    data = page_data(page)
    item_update(actor=colleague, item=item, expected_version=0, subject="同事刚改过")
    data[inline_key(page, item, "DELETE")] = "on"
    response = editor_client.post(catalog_url(catalog), data)
    assert response.status_code == 200
    assert "王丽（nongan-editor-2）" in error_text(response)
    assert Item.objects.filter(pk=item.pk).exists()


def test_inline_save_after_another_user_deleted_an_item_names_it(
    catalogs, colleague, editor_client
):
    from items.services import item_delete

    catalog = catalogs.nongan_social
    item = first_item(catalog)
    page = editor_client.get(catalog_url(catalog))
    data = page_data(page)
    item_delete(actor=colleague, item=item)
    response = editor_client.post(catalog_url(catalog), data)
    assert response.status_code == 200
    assert f"第{item.seq}项已被他人删除" in response.content.decode()


# ---------------------------------------------------------------------------
# Region contacts and standard items
# ---------------------------------------------------------------------------


def test_region_contact_second_save_is_refused_with_the_other_change(
    regions, users, colleague, editor_client, colleague_client
):
    url = reverse("admin:catalogs_region_change", args=[regions.nongan.pk])
    mine = page_data(editor_client.get(url))
    theirs = page_data(colleague_client.get(url))
    assert colleague_client.post(url, {**theirs, "contact_phone": "0431-8888"}).status_code == 302
    response = editor_client.post(url, {**mine, "contact_name": "李四"})
    assert response.status_code == 200
    message = error_text(response)
    assert "“联系电话”由“（空）”改为“0431-8888”" in message
    assert "王丽（nongan-editor-2）" in message
    region = Region.objects.get(pk=regions.nongan.pk)
    assert region.contact_phone == "0431-8888" and region.contact_name == ""
    form = response.context["adminform"].form
    assert form["contact_phone"].value() == "0431-8888"  # taken over, the user left it
    again = editor_client.post(url, page_data(response))
    assert again.status_code == 302
    region.refresh_from_db()
    assert (region.contact_phone, region.contact_name) == ("0431-8888", "李四")
    # The history keeps old and new values, who and when.
    history = editor_client.get(reverse("admin:catalogs_region_history", args=[region.pk]))
    page = history.content.decode()
    assert "0431-8888" in page and "李四" in page and "nongan-editor-2" in page


def test_region_contact_service_refuses_a_stale_version(regions, users, colleague):
    region_update_contact(actor=colleague, region=regions.nongan, contact_name="甲")
    with pytest.raises(EditConflict, match="“联系人”由“（空）”改为“甲”"):
        region_update_contact(
            actor=users.county_editor,
            region=Region.objects.get(pk=regions.nongan.pk),
            expected_version=0,
            contact_name="乙",
        )
    assert Region.objects.get(pk=regions.nongan.pk).contact_name == "甲"


def test_standard_item_in_a_draft_edition_refuses_a_stale_save(users, standards, regions):
    draft = edition_create_draft(actor=users.admin, standard=standards.elderly)
    item = draft.items.order_by("seq").first()
    other_admin = staff_user(Role.PROVINCE_ADMIN, regions.province, "province-admin-2")
    admin_client = log_in(Client(), users.admin)
    other_client = log_in(Client(), other_admin)
    url = reverse("admin:catalogs_standarditem_change", args=[item.pk])
    mine = page_data(admin_client.get(url))
    theirs = page_data(other_client.get(url))
    assert other_client.post(url, {**theirs, "deadline": "即时"}).status_code == 302
    response = admin_client.post(url, {**mine, "notes": "我的备注"})
    assert response.status_code == 200
    message = error_text(response)
    assert "province-admin-2" in message and "“公开时限”" in message and "即时" in message
    item.refresh_from_db()
    assert item.deadline == "即时" and item.notes != "我的备注"
    stale = StandardItem.objects.get(pk=item.pk)
    stale.notes = "直接调用"
    with pytest.raises(EditConflict):
        standard_item_save(actor=users.admin, item=stale, expected_version=0)
    assert draft.status == EditionStatus.DRAFT


# ---------------------------------------------------------------------------
# Excel import: the confirm applies exactly the previewed plan
# ---------------------------------------------------------------------------


def _edited_file(catalog, row: int, column: int, value: str) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(catalog_export_workbook(catalog)))
    workbook.active.cell(row, column).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(data: bytes):
    file = io.BytesIO(data)
    file.name = "农安县.xlsx"
    return file


def test_import_confirm_is_refused_when_the_catalog_changed_since_the_preview(
    catalogs, users, colleague, editor_client
):
    catalog = localise(catalogs.nongan_social)
    items = list(catalog.items.order_by("seq", "pk"))
    url = reverse("admin:catalogs_catalog_import", args=[catalog.pk])
    preview = editor_client.post(url, {"file": _upload(_edited_file(catalog, 5, 6, "当日"))})
    assert [u.item.pk for u in preview.context["plan"].updated] == [items[0].pk]

    # A colleague edits another item (one the plan leaves unchanged) before the confirm.
    item_update(actor=colleague, item=items[3], expected_version=items[3].version, basis="新依据")
    before = list(Item.objects.order_by("pk").values())
    response = editor_client.post(
        url,
        {
            "confirm": "1",
            "payload": preview.context["payload"],
            "plan": preview.context["plan_token"],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "导入未执行：预览之后" in page
    assert "nongan-editor-2于" in page and f"修改了第{items[3].seq}项" in page
    assert list(Item.objects.order_by("pk").values()) == before  # nothing applied

    # Previewed again, the same file is confirmed, and bumps the item's version.
    preview = editor_client.post(url, {"file": _upload(_edited_file(catalog, 5, 6, "当日"))})
    confirm = editor_client.post(
        url,
        {
            "confirm": "1",
            "payload": preview.context["payload"],
            "plan": preview.context["plan_token"],
        },
    )
    assert confirm.status_code == 302
    changed = Item.objects.get(pk=items[0].pk)
    assert changed.deadline == "当日" and changed.version == items[0].version + 1
    assert Item.objects.get(pk=items[3].pk).basis == "新依据"


def test_import_apply_refuses_a_plan_other_than_the_previewed_one(catalogs, users):
    from catalogs.excel import read_catalog_workbook

    catalog = localise(catalogs.nongan_social)
    table = read_catalog_workbook(io.BytesIO(_edited_file(catalog, 5, 6, "当日")))
    plan = catalog_import_plan(
        actor=users.county_editor, region=catalog.region, standard=catalog.standard, table=table
    )
    fingerprint = plan.fingerprint()
    assert (
        fingerprint
        == catalog_import_plan(
            actor=users.county_editor, region=catalog.region, standard=catalog.standard, table=table
        ).fingerprint()
    )
    item_set_extra_elements(
        actor=users.county_editor, item=first_item(catalog), extras=[("备注", "新增")]
    )
    with pytest.raises(StalePlan, match="导入未执行"):
        catalog_import_apply(
            actor=users.county_editor,
            region=catalog.region,
            standard=catalog.standard,
            table=table,
            expected_fingerprint=fingerprint,
        )
    assert first_item(catalog).deadline != "当日"


def test_import_confirm_for_a_catalog_created_since_the_preview_is_refused(
    regions, standards, users
):
    from catalogs.excel import read_catalog_workbook
    from items.services import catalog_derive

    source = catalog_derive(actor=SYSTEM, region=regions.fulongquan, standard=standards.social)
    table = read_catalog_workbook(io.BytesIO(catalog_export_workbook(source)))
    region = regions.nongan_town
    plan = catalog_import_plan(
        actor=users.county_editor, region=region, standard=standards.social, table=table
    )
    assert plan.creates_catalog
    catalog_derive(actor=users.county_editor, region=region, standard=standards.social)
    with pytest.raises(StalePlan):
        catalog_import_apply(
            actor=users.county_editor,
            region=region,
            standard=standards.social,
            table=table,
            expected_fingerprint=plan.fingerprint(),
        )


def test_edition_import_confirm_is_refused_when_the_draft_changed(users, standards):
    from items.imports import edition_export_workbook

    admin_client = log_in(Client(), users.admin)
    draft = edition_create_draft(actor=users.admin, standard=standards.elderly)
    workbook = openpyxl.load_workbook(io.BytesIO(edition_export_workbook(draft)))
    workbook.active.cell(5, 5).value = "《养老机构管理办法》"
    buffer = io.BytesIO()
    workbook.save(buffer)
    url = reverse("admin:catalogs_standardedition_import", args=[draft.pk])
    file = io.BytesIO(buffer.getvalue())
    file.name = "养老.xlsx"
    preview = admin_client.post(url, {"file": file})
    item = draft.items.order_by("seq").last()
    item.notes = "预览之后的修改"
    standard_item_save(actor=users.admin, item=item, expected_version=item.version)
    response = admin_client.post(
        url,
        {
            "confirm": "1",
            "payload": preview.context["payload"],
            "plan": preview.context["plan_token"],
        },
    )
    assert response.status_code == 200
    assert "导入未执行：预览之后" in response.content.decode()
    assert draft.items.order_by("seq").first().basis != "《养老机构管理办法》"


# ---------------------------------------------------------------------------
# Restoring an earlier version from the item's history
# ---------------------------------------------------------------------------


def restore_url(item, record):
    return reverse("admin:items_item_restore", args=[item.pk, record.history_id])


@pytest.fixture
def edited_item(catalogs, users):
    """An item edited twice by its county editor (versions 1 and 2)."""
    item = first_item(catalogs.nongan_social)
    item_update(actor=users.county_editor, item=item, expected_version=0, subject="第一次")
    item_set_extra_elements(
        actor=users.county_editor, item=item, extras=[("咨询电话", "1")], expected_version=1
    )
    item_update(actor=users.county_editor, item=item, expected_version=2, subject="第二次")
    item.refresh_from_db()
    assert item.version == 3
    return item


def test_restore_from_the_history_page(edited_item, users, editor_client):
    item = edited_item
    record = item.history.get(version=1)  # subject 第一次, no extras yet
    history = editor_client.get(reverse("admin:items_item_history", args=[item.pk]))
    page = history.content.decode()
    assert restore_url(item, record) in page and "恢复到此版本" in page
    assert "修改本地增加要素" in page  # the change reason is shown

    confirm_page = editor_client.get(restore_url(item, record))
    assert confirm_page.status_code == 200
    text = confirm_page.content.decode()
    assert "第二次" in text and "第一次" in text and "确认恢复" in text
    assert Item.objects.get(pk=item.pk).subject == "第二次"  # the GET wrote nothing

    response = editor_client.post(restore_url(item, record), {"seen_version": "3"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.subject == "第一次"
    assert not item.extra_elements.exists()
    assert item.version == 5  # elements, then extras: two new versions
    newest = item.history.order_by("-history_date", "-history_id").first()
    assert newest.history_change_reason.startswith("恢复到")
    assert "第1版" in newest.history_change_reason
    assert newest.history_user.username == users.county_editor.username


def test_restore_refuses_a_stale_confirmation(edited_item, colleague, editor_client):
    item = edited_item
    record = item.history.get(version=1)
    item_update(actor=colleague, item=item, expected_version=3, deadline="同事改的")
    response = editor_client.post(restore_url(item, record), {"seen_version": "3"})
    assert response.status_code == 200
    assert "王丽（nongan-editor-2）" in response.content.decode()
    assert Item.objects.get(pk=item.pk).subject == "第二次"


@pytest.mark.parametrize(("user", "status"), [("other_county_editor", 404), ("coordinator", 403)])
def test_restore_is_refused_to_those_who_may_not_edit_the_item(
    edited_item, users, client, user, status
):
    item = edited_item
    record = item.history.get(version=1)
    log_in(client, getattr(users, user))
    assert client.get(restore_url(item, record)).status_code == status
    assert client.post(restore_url(item, record), {"seen_version": "3"}).status_code == status
    assert Item.objects.get(pk=item.pk).subject == "第二次"


def test_restore_is_refused_when_the_catalog_is_locked(edited_item, users, editor_client):
    item = edited_item
    record = item.history.get(version=1)
    Catalog.objects.filter(pk=item.catalog_id).update(status=CatalogStatus.ENTERED)
    assert editor_client.get(restore_url(item, record)).status_code == 403
    assert editor_client.post(restore_url(item, record), {"seen_version": "3"}).status_code == 403
    history = editor_client.get(reverse("admin:items_item_history", args=[item.pk]))
    assert "恢复到此版本" not in history.content.decode()
    # and the service refuses too
    with pytest.raises(Exception, match="已锁定"):
        item_restore(actor=users.county_editor, item=item, record=record, expected_version=3)
    assert Item.objects.get(pk=item.pk).subject == "第二次"


# ---------------------------------------------------------------------------
# Findings: answer and verify carry the newest event their page showed
# ---------------------------------------------------------------------------


@pytest.fixture
def finding(catalogs, users):
    from review.services import finding_create

    catalog = catalogs.nongan_social
    return finding_create(
        actor=users.reviewer,
        catalog=catalog,
        item=first_item(catalog),
        element="subject",
        severity="error",
        description="公开主体未写明具体单位",
    )


def finding_url(finding, action=""):
    name = f"review:finding_{action}" if action else "review:finding"
    return reverse(name, args=[finding.pk])


def test_a_second_answer_from_a_stale_page_is_refused_and_keeps_the_first(
    finding, users, colleague, editor_client, colleague_client
):
    mine = editor_client.get(finding_url(finding)).context["answer_form"]
    theirs = colleague_client.get(finding_url(finding)).context["answer_form"]
    seen = str(mine.initial["seen_event"])
    assert str(theirs.initial["seen_event"]) == seen
    assert 'name="seen_event"' in editor_client.get(finding_url(finding)).content.decode()

    first = colleague_client.post(
        finding_url(finding, "answer"), {"answer": "已改为农安县民政局", "seen_event": seen}
    )
    assert first.status_code == 302
    second = editor_client.post(
        finding_url(finding, "answer"), {"answer": "我也改好了", "seen_event": seen}
    )
    assert second.status_code == 200
    text = " ".join(str(message) for message in second.context["messages"])
    assert "王丽（nongan-editor-2）" in text
    assert "“状态”由“待整改”改为“已答复待核验”" in text
    assert "已改为农安县民政局" in text  # the other person's answer is shown
    assert "我也改好了" in text  # and the user's input is kept
    finding.refresh_from_db()
    assert finding.state == "answered"
    assert list(finding.events.values_list("note", flat=True)) == [
        "公开主体未写明具体单位",
        "已改为农安县民政局",
    ]


def test_verifying_from_a_page_that_missed_a_reopen_is_refused(finding, users, regions):
    from review.services import finding_answer, finding_reopen, finding_verify, latest_event_id

    finding_answer(actor=users.county_editor, finding=finding, answer="已改")
    seen = latest_event_id(finding)
    other_reviewer = staff_user(Role.PROVINCE_REVIEWER, regions.province, "province-reviewer-2")
    finding_reopen(actor=other_reviewer, finding=finding, note="仍未写明单位", seen_event=seen)
    with pytest.raises(EditConflict, match="province-reviewer-2.*仍未写明单位"):
        finding_verify(actor=users.reviewer, finding=finding, note="同意", seen_event=seen)
    finding.refresh_from_db()
    assert finding.state == "reopened"
    # from a fresh page the move is accepted
    finding_answer(
        actor=users.county_editor,
        finding=finding,
        answer="已写明",
        seen_event=latest_event_id(finding),
    )
    finding_verify(
        actor=users.reviewer, finding=finding, note="同意", seen_event=latest_event_id(finding)
    )
    finding.refresh_from_db()
    assert finding.state == "verified"


def test_verify_page_keeps_the_reviewers_note_after_a_conflict(finding, users, regions, client):
    from review.services import finding_answer, finding_reopen, latest_event_id

    finding_answer(actor=users.county_editor, finding=finding, answer="已改")
    log_in(client, users.reviewer)
    page = client.get(finding_url(finding))
    seen = str(page.context["verify_form"].initial["seen_event"])
    # a second reviewer reopens the finding while the first one's page is open
    other_reviewer = staff_user(Role.PROVINCE_REVIEWER, regions.province, "province-reviewer-2")
    finding_reopen(
        actor=other_reviewer, finding=finding, note="再查", seen_event=latest_event_id(finding)
    )
    response = client.post(
        finding_url(finding, "verify"), {"note": "我的核销意见", "seen_event": seen}
    )
    assert response.status_code == 200
    text = " ".join(str(message) for message in response.context["messages"])
    assert "province-reviewer-2" in text and "再查" in text and "我的核销意见" in text
    finding.refresh_from_db()
    assert finding.state == "reopened"
