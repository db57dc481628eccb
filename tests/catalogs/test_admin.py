"""The staff admin: inline editing through services, Chinese messages, actions, panels."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogs.models import (
    Catalog,
    EditionStatus,
    Region,
    RegionLevel,
    StandardEdition,
    StandardItem,
)
from catalogs.permissions import SYSTEM
from catalogs.services import edition_create_draft, edition_publish, standard_item_save
from items.models import Item, ItemExtraElement, Publication
from items.services import catalog_derive, catalog_publish, item_update
from tests.catalogs.conftest import catalog_post_data, item_post_data
from tests.conftest import localise
from tests.factories import RegionFactory


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def first_item(catalog) -> Item:
    return catalog.items.order_by("seq", "pk").first()


# ---------------------------------------------------------------------------
# Editing items inline on the catalog's page
# ---------------------------------------------------------------------------


def test_inline_edit_saves_through_services_and_records_history(login, users, catalogs):
    catalog = catalogs.nongan_social
    item = first_item(catalog)
    before = catalog.draft_changed_at
    client = login(users.county_editor)
    data = catalog_post_data(
        catalog,
        {item.pk: {"subject": "农安县民政局", "channels": ["政务服务中心", "政府网站"]}},
    )
    response = client.post(reverse("admin:catalogs_catalog_change", args=[catalog.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.subject == "农安县民政局"
    assert item.channels == ["政府网站", "政务服务中心"]  # stored in the official order
    catalog.refresh_from_db()
    assert catalog.draft_changed_at > before  # the services touch the catalog
    record = item.history.order_by("-history_date").first()
    assert record.history_user.username == users.county_editor.username
    assert record.subject == "农安县民政局"

    history = client.get(reverse("admin:items_item_history", args=[item.pk]))
    assert history.status_code == 200
    page = history.content.decode()
    assert users.county_editor.username in page
    assert "公开主体" in page and "农安县民政局" in page


def test_inline_adds_and_deletes_items(login, users, catalogs):
    catalog = catalogs.nongan_social
    doomed = catalog.items.order_by("-seq").first()
    top = catalog.items.order_by("-seq").first().seq
    client = login(users.county_editor)
    data = catalog_post_data(
        catalog,
        new=[{"level1": "本地事项", "level2": "高龄津贴发放", "seq": "", "levels": ["县级"]}],
        delete=[doomed.pk],
    )
    response = client.post(reverse("admin:catalogs_catalog_change", args=[catalog.pk]), data)
    assert response.status_code == 302
    assert not Item.objects.filter(pk=doomed.pk).exists()
    added = catalog.items.get(level2="高龄津贴发放")
    assert added.seq == top  # numbered after the remaining items
    assert added.is_local
    assert added.history.first().history_user.username == users.county_editor.username


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"level1": ""}, "请填写“一级事项”。"),
        ({"seq": "第一"}, "“序号”应填写整数。"),
        ({"channels": ["政府网站", "微信群"]}, "“公开渠道和载体”中的“微信群”不是可选的选项。"),
        ({"method": ["公告"]}, "“公开方式”中的“公告”不是可选的选项。"),
        ({"deadline": "很长" * 120}, "“公开时限”最多200个字符"),
    ],
)
def test_invalid_inline_input_names_the_field_in_chinese(login, users, catalogs, changes, message):
    catalog = catalogs.nongan_social
    item, other = catalog.items.order_by("seq")[:2]
    client = login(users.county_editor)
    data = catalog_post_data(catalog, {item.pk: changes, other.pk: {"subject": "不应保存"}})
    response = client.post(reverse("admin:catalogs_catalog_change", args=[catalog.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    other.refresh_from_db()
    assert other.subject != "不应保存"  # nothing half-written


def test_inline_errors_are_summarised_with_the_item_name(login, users, catalogs):
    catalog = catalogs.nongan_social
    item = first_item(catalog)
    client = login(users.county_editor)
    data = catalog_post_data(catalog, {item.pk: {"level1": ""}})
    response = client.post(reverse("admin:catalogs_catalog_change", args=[catalog.pk]), data)
    summary = f"第{item.seq}项“{item.level1} · {item.level2}”：请填写“一级事项”。"
    assert summary in response.content.decode()


def test_saving_an_unchanged_page_changes_nothing(login, users, catalogs):
    """Browsers send CRLF in textareas; that alone is not a change (no history, no touch)."""
    catalog = catalogs.nongan_social
    catalog.refresh_from_db()
    touched = catalog.draft_changed_at
    history_rows = Item.history.filter(catalog=catalog).count()
    crlf = {
        item.pk: {"content": item.content.replace("\n", "\r\n"), "basis": item.basis}
        for item in catalog.items.all()
    }
    assert any("\r\n" in values["content"] for values in crlf.values())
    client = login(users.county_editor)
    data = catalog_post_data(catalog, crlf)
    response = client.post(reverse("admin:catalogs_catalog_change", args=[catalog.pk]), data)
    assert response.status_code == 302
    assert Item.history.filter(catalog=catalog).count() == history_rows
    catalog.refresh_from_db()
    assert catalog.draft_changed_at == touched
    assert not any("\r" in item.content for item in catalog.items.all())


def test_unknown_stored_terms_are_shown_and_must_be_unticked(login, users, catalogs):
    catalog = catalogs.nongan_social
    item = first_item(catalog)
    Item.objects.filter(pk=item.pk).update(channels=["政府网站", "村民微信群"])
    client = login(users.county_editor)
    page = client.get(reverse("admin:items_item_change", args=[item.pk])).content.decode()
    assert "村民微信群（非标准选项）" in page
    item.refresh_from_db()
    response = client.post(
        reverse("admin:items_item_change", args=[item.pk]),
        item_post_data(item, {"subject": "农安县民政局"}),
    )
    assert response.status_code == 200
    assert "“公开渠道和载体”含有非标准选项：村民微信群，请取消勾选。" in response.content.decode()
    item.refresh_from_db()
    assert item.subject != "农安县民政局"


def test_service_refusal_is_shown_in_chinese_and_rolls_back(login, users, catalogs):
    item = first_item(catalogs.nongan_social)
    client = login(users.county_editor)
    data = item_post_data(item, {"subject": "农安县民政局"}, extras=[("公开依据", "重复")])
    response = client.post(reverse("admin:items_item_change", args=[item.pk]), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any("“公开依据”是必备要素，不能作为本地增加要素" in error for error in errors)
    item.refresh_from_db()
    assert item.subject != "农安县民政局"  # the item's own change was rolled back too
    assert not item.extra_elements.exists()


def test_extra_elements_are_saved_through_the_service(login, users, catalogs):
    item = first_item(catalogs.nongan_social)
    client = login(users.county_editor)
    data = item_post_data(item, extras=[("咨询电话", "0431-83222222"), ("办理地点", "县政务大厅")])
    response = client.post(reverse("admin:items_item_change", args=[item.pk]), data)
    assert response.status_code == 302
    extras = list(item.extra_elements.order_by("order").values_list("name", "value"))
    assert extras == [("咨询电话", "0431-83222222"), ("办理地点", "县政务大厅")]
    extra = ItemExtraElement.objects.get(item=item, name="咨询电话")
    assert extra.history.first().history_user.username == users.county_editor.username


def test_locked_catalog_is_read_only_even_for_its_editor(login, users, catalogs):
    catalog = catalogs.nongan_social
    Catalog.objects.filter(pk=catalog.pk).update(status="entered")  # 已录入: locked for review
    client = login(users.county_editor)
    url = reverse("admin:catalogs_catalog_change", args=[catalog.pk])
    assert client.get(url).context["has_change_permission"] is False
    item = first_item(catalog)
    response = client.post(url, catalog_post_data(catalog, {item.pk: {"subject": "锁定后修改"}}))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.subject != "锁定后修改"


def test_history_cannot_be_reverted_from_the_admin(login, users, catalogs):
    item = first_item(catalogs.nongan_social)
    item_update(actor=users.county_editor, item=item, subject="第一次修改")
    record = item.history.order_by("-history_date").first()
    client = login(users.county_editor)
    url = reverse("admin:items_item_simple_history", args=[item.pk, record.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, item_post_data(item, {"subject": "恢复"})).status_code == 403


# ---------------------------------------------------------------------------
# The catalog's page: completeness, publications, comparisons
# ---------------------------------------------------------------------------


def test_completeness_panel_lists_incomplete_items_and_their_missing_elements(
    login, users, catalogs
):
    catalog = localise(catalogs.nongan_social)
    item = first_item(catalog)
    Item.objects.filter(pk=item.pk).update(basis="", channels=[])
    client = login(users.county_editor)
    response = client.get(reverse("admin:catalogs_catalog_change", args=[catalog.pk]))
    rows = response.context["incomplete_items"]
    assert [row["item"].pk for row in rows] == [item.pk]
    assert [problem.label for problem in rows[0]["problems"]] == ["公开依据", "公开渠道和载体"]
    page = response.content.decode()
    assert "要素不完整的事项（1/" in page
    assert "未填写公开依据" in page and "未填写公开渠道和载体" in page


def test_complete_catalog_says_so(login, users, catalogs):
    catalog = localise(catalogs.nongan_social)
    client = login(users.county_editor)
    response = client.get(reverse("admin:catalogs_catalog_change", args=[catalog.pk]))
    assert response.context["incomplete_items"] == []
    assert "九要素齐全" in response.content.decode()


def test_check_completeness_action_names_items_and_elements(login, users, catalogs):
    complete = localise(catalogs.nongan_social)
    incomplete = catalogs.town_social
    item = first_item(incomplete)
    Item.objects.filter(pk=item.pk).update(deadline="", audience=[])
    client = login(users.coordinator)  # reading is enough
    response = client.post(
        reverse("admin:catalogs_catalog_changelist"),
        {
            "action": "check_completeness",
            "_selected_action": [str(complete.pk), str(incomplete.pk)],
            "index": "0",
        },
        follow=True,
    )
    texts = messages_of(response)
    assert any(str(complete) in text and "九要素齐全" in text for text in texts)
    warning = next(text for text in texts if str(incomplete) in text)
    assert f"第{item.seq}项“{item.name}”" in warning
    assert "未填写公开时限" in warning and "未填写公开对象" in warning


def test_publish_action_publishes_complete_and_explains_incomplete(login, users, catalogs):
    complete = localise(catalogs.nongan_social)
    incomplete = catalogs.nongan_elderly
    item = first_item(incomplete)
    Item.objects.filter(pk=item.pk).update(subject="")
    client = login(users.county_editor)
    response = client.post(
        reverse("admin:catalogs_catalog_changelist"),
        {
            "action": "publish_catalogs",
            "_selected_action": [str(complete.pk), str(incomplete.pk)],
            "index": "0",
        },
        follow=True,
    )
    assert Publication.objects.filter(catalog=complete, is_current=True).count() == 1
    assert not Publication.objects.filter(catalog=incomplete).exists()
    texts = messages_of(response)
    assert any(f"已发布“{complete}”" in text for text in texts)
    refusal = next(text for text in texts if "未发布" in text)
    assert str(incomplete) in refusal and "未填写公开主体" in refusal


def test_publish_action_asks_before_sending_a_reviewed_catalog_back(login, users, catalogs):
    from catalogs.models import CatalogStatus
    from items.services import item_update
    from tests.factories import advance

    catalog = advance(localise(catalogs.nongan_social), CatalogStatus.REVIEWED)
    item_update(actor=users.county_editor, item=first_item(catalog), content="●复核后修改")
    client = login(users.county_editor)
    url = reverse("admin:catalogs_catalog_changelist")
    posted = {"action": "publish_catalogs", "_selected_action": [str(catalog.pk)], "index": "0"}
    asked = client.post(url, posted)
    assert asked.status_code == 200
    assert "须重新复核" in asked.content.decode()
    catalog.refresh_from_db()
    assert catalog.status == CatalogStatus.REVIEWED  # nothing happened yet
    client.post(url, {**posted, "apply": "1"})
    catalog.refresh_from_db()
    assert catalog.status == CatalogStatus.PUBLISHED


def test_publish_page_publishes_with_a_note(login, users, catalogs):
    catalog = localise(catalogs.nongan_social)
    client = login(users.county_editor)
    url = reverse("admin:catalogs_catalog_publish", args=[catalog.pk])
    assert "首次发布" in client.get(url).content.decode()
    response = client.post(url, {"note": "首次公开"}, follow=True)
    publication = Publication.objects.get(catalog=catalog)
    assert publication.note == "首次公开"
    assert publication.published_by.username == users.county_editor.username
    assert any("第1次公开" in text for text in messages_of(response))


def test_publish_page_refuses_an_incomplete_catalog_in_chinese(login, users, catalogs):
    catalog = catalogs.nongan_social
    item = first_item(catalog)
    Item.objects.filter(pk=item.pk).update(basis="")
    client = login(users.county_editor)
    url = reverse("admin:catalogs_catalog_publish", args=[catalog.pk])
    page = client.get(url).content.decode()
    assert "不能发布" in page and "未填写公开依据" in page
    response = client.post(url, {"note": "试图发布"})
    assert response.status_code == 200
    assert "以下事项要素不完整，不能发布" in response.content.decode()
    assert not Publication.objects.filter(catalog=catalog).exists()


def test_catalog_list_shows_counts_unpublished_changes_and_newer_editions(
    login, users, catalogs, published, standards
):
    item = first_item(published.catalog)
    item_update(actor=users.county_editor, item=item, basis="")
    draft = edition_create_draft(actor=users.admin, standard=standards.social)
    edition_publish(actor=users.admin, edition=draft)
    client = login(users.county_editor)
    response = client.get(reverse("admin:catalogs_catalog_changelist"))
    admin_obj = response.context["cl"].model_admin
    row = next(c for c in response.context["cl"].result_list if c.pk == published.catalog.pk)
    assert admin_obj.items_count(row) == published.catalog.items.count()
    assert "1" in admin_obj.incomplete_count(row)
    assert "有" in admin_obj.unpublished(row)
    assert "已有第2版" in admin_obj.edition_display(row)
    untouched = next(c for c in response.context["cl"].result_list if c.pk != row.pk)
    assert admin_obj.unpublished(untouched) == "尚未公开"


def test_compare_with_a_kept_publication(login, users, published):
    catalog = published.catalog
    item = first_item(catalog)
    item_update(actor=users.county_editor, item=item, subject="第二次发布的公开主体")
    second = catalog_publish(actor=users.county_editor, catalog=catalog, note="第二次")
    item_update(actor=users.county_editor, item=item, subject="草稿中的公开主体")
    client = login(users.county_editor)
    url = reverse("admin:catalogs_catalog_compare_publication", args=[catalog.pk])

    against_current = client.get(url).context["rows"]
    assert [row["name"] for row in against_current] == [str(item)]
    assert ("公开主体", "第二次发布的公开主体", "草稿中的公开主体") in against_current[0]["fields"]

    against_first = client.get(url, {"publication": published.publication.pk})
    fields = against_first.context["rows"][0]["fields"]
    assert ("公开主体", published.publication.items.get(item=item).subject, "草稿中的公开主体") in (
        fields
    )
    choices = against_first.context["choices"]
    assert [label for _, label, _ in choices] == ["第2次公开（当前）", "第1次公开"]
    assert second.number == 2

    listing = client.get(reverse("admin:catalogs_catalog_publications", args=[catalog.pk]))
    numbers = [row["publication"].number for row in listing.context["publications"]]
    assert numbers == [2, 1]  # every published version is kept


def test_compare_with_a_newer_standard_edition(login, users, catalogs, standards):
    catalog = catalogs.nongan_social
    draft = edition_create_draft(actor=users.admin, standard=standards.social)
    changed = draft.items.order_by("seq").first()
    changed.deadline = "信息形成之日起5个工作日内"
    standard_item_save(actor=users.admin, item=changed)
    edition_publish(actor=users.admin, edition=draft)
    client = login(users.county_editor)
    response = client.get(reverse("admin:catalogs_catalog_compare_edition", args=[catalog.pk]))
    rows = response.context["rows"]
    assert len(rows) == 1 and rows[0]["kind"] == "changed"
    assert rows[0]["fields"][0][0] == "公开时限"
    assert rows[0]["fields"][0][2] == "信息形成之日起5个工作日内"
    catalog.refresh_from_db()
    assert catalog.edition.version == 1  # the catalog keeps the edition it was made from
    change_page = client.get(reverse("admin:catalogs_catalog_change", args=[catalog.pk]))
    assert change_page.context["newer_edition"].version == 2


# ---------------------------------------------------------------------------
# Deriving catalogs from the region list
# ---------------------------------------------------------------------------


def test_derive_action_asks_for_the_standard_then_derives(login, users, regions, standards):
    client = login(users.county_editor)
    url = reverse("admin:catalogs_region_changelist")
    step = client.post(
        url, {"action": "derive_catalogs", "_selected_action": [str(regions.nongan.pk)], "index": 0}
    )
    assert step.status_code == 200
    assert "标准目录" in step.content.decode()
    assert not Catalog.objects.exists()

    response = client.post(
        url,
        {
            "action": "derive_catalogs",
            "_selected_action": [str(regions.nongan.pk)],
            "apply": "1",
            "standards": [str(standards.elderly.pk)],
            "include_below": "on",
        },
        follow=True,
    )
    derived = set(Catalog.objects.values_list("region__code", "standard__code"))
    assert derived == {
        ("220122", "elderly-care"),
        ("220122100", "elderly-care"),
        ("220122101", "elderly-care"),
    }
    assert any("已编制3个目录" in text for text in messages_of(response))


def test_derive_action_without_a_standard_explains(login, users, regions, standards):
    client = login(users.county_editor)
    response = client.post(
        reverse("admin:catalogs_region_changelist"),
        {"action": "derive_catalogs", "_selected_action": [str(regions.nongan.pk)], "apply": "1"},
    )
    assert response.status_code == 200
    assert "请填写“标准目录”。" in response.content.decode()
    assert not Catalog.objects.exists()


def test_derive_action_for_a_city_derives_every_county_and_township(
    login, users, regions, standards
):
    client = login(users.admin)
    client.post(
        reverse("admin:catalogs_region_changelist"),
        {
            "action": "derive_catalogs",
            "_selected_action": [str(regions.changchun.pk)],
            "apply": "1",
            "standards": [str(standards.social.pk)],
        },
    )
    derived = set(Catalog.objects.values_list("region__code", flat=True))
    assert derived == {"220122", "220122100", "220122101", "220112", "220112001"}


def test_derive_action_is_not_offered_to_readers(login, users, regions, standards):
    client = login(users.reviewer)
    response = client.get(reverse("admin:catalogs_region_changelist"))
    action_form = response.context["action_form"]
    assert action_form is None or "derive_catalogs" not in dict(
        action_form.fields["action"].choices
    )
    client.post(
        reverse("admin:catalogs_region_changelist"),
        {
            "action": "derive_catalogs",
            "_selected_action": [str(regions.nongan.pk)],
            "apply": "1",
            "standards": [str(standards.social.pk)],
        },
    )
    assert not Catalog.objects.exists()


# ---------------------------------------------------------------------------
# Standard catalogs: 待核对, dynamic adjustment
# ---------------------------------------------------------------------------


def test_unverified_standard_items_are_shown_prominently(login, users, standards):
    unverified = StandardItem.objects.filter(needs_verification=True)
    assert unverified.exists()
    client = login(users.admin)
    listing = client.get(reverse("admin:catalogs_standarditem_changelist"), {"unverified": "yes"})
    assert {i.pk for i in listing.context["cl"].result_list} == set(
        unverified.values_list("pk", flat=True)
    )
    item = unverified.first()
    page = client.get(reverse("admin:catalogs_standarditem_change", args=[item.pk]))
    banner = page.context["unverified"]
    assert [row["field"] for row in banner] == item.unverified_fields
    assert all(row["provenance"] == "未见原文，暂用推测值" for row in banner)
    assert "待核对：本事项有" in page.content.decode()
    edition_page = client.get(
        reverse("admin:catalogs_standardedition_change", args=[item.edition_id])
    )
    assert item in edition_page.context["unverified_items"]


def test_adjustment_and_publication_of_a_standard_edition(login, users, standards):
    client = login(users.admin)
    current = standards.social.current_edition
    url = reverse("admin:catalogs_standardedition_changelist")
    client.post(
        url,
        {
            "action": "create_adjustment",
            "_selected_action": [str(current.pk)],
            "apply": "1",
            "title": "社会救助领域基层政务公开标准目录（2025年调整）",
            "note": "依据新文件调整",
        },
    )
    draft = StandardEdition.objects.get(standard=standards.social, status=EditionStatus.DRAFT)
    assert draft.version == 2 and draft.note == "依据新文件调整"
    assert draft.items.count() == current.items.count()

    item = draft.items.get(seq=10)
    response = client.post(
        reverse("admin:catalogs_standarditem_change", args=[item.pk]),
        {
            "seq": 10,
            "level1": item.level1,
            "level2": item.level2,
            "content": "●特困人员名单",
            "basis": "《社会救助暂行办法》",
            "deadline": item.deadline,
            "subject": item.subject,
            "channels": ["政府网站"],
            "audience": ["全社会"],
            "method": ["主动"],
            "levels": ["县级", "乡级"],
            "unverified_fields": [],
            "_save": "保存",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.basis == "《社会救助暂行办法》"
    assert not item.needs_verification and item.unverified_fields == []
    assert item.history.first().history_user.username == users.admin.username

    client.post(
        url, {"action": "publish_editions", "_selected_action": [str(draft.pk)], "index": 0}
    )
    draft.refresh_from_db()
    assert draft.status == EditionStatus.PUBLISHED
    assert standards.social.current_edition == draft
    compare = client.get(reverse("admin:catalogs_standardedition_compare", args=[draft.pk]))
    assert any(row["name"].startswith("10.") for row in compare.context["rows"])


def test_published_standard_items_are_read_only(login, users, standards):
    item = standards.social.current_edition.items.first()
    client = login(users.admin)
    url = reverse("admin:catalogs_standarditem_change", args=[item.pk])
    page = client.get(url)
    assert page.context["has_change_permission"] is False
    assert "该事项所属版本已发布，不能再修改" in page.content.decode()
    assert client.post(url, {"basis": "改"}).status_code == 403


def test_editors_cannot_adjust_standard_editions(login, users, standards):
    client = login(users.county_editor)
    current = standards.social.current_edition
    client.post(
        reverse("admin:catalogs_standardedition_changelist"),
        {"action": "create_adjustment", "_selected_action": [str(current.pk)], "apply": "1"},
    )
    assert not StandardEdition.objects.filter(status=EditionStatus.DRAFT).exists()


# ---------------------------------------------------------------------------
# Users and roles
# ---------------------------------------------------------------------------


def test_staff_role_must_match_the_region_level(login, users, regions):
    client = login(users.admin)
    user = users.coordinator
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "last_login_0": "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "staff_profile-TOTAL_FORMS": "1",
        "staff_profile-INITIAL_FORMS": "1",
        "staff_profile-0-id": str(user.staff_profile.pk),
        "staff_profile-0-user": str(user.pk),
        "staff_profile-0-role": "county_editor",
        "staff_profile-0-region": str(regions.changchun.pk),
        "_save": "保存",
    }
    response = client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 200
    assert "县级编辑只能属于县级区划" in response.content.decode()
    user.staff_profile.refresh_from_db()
    assert user.staff_profile.role == "city_coordinator"


def test_province_admin_cannot_make_a_superuser(login, users):
    client = login(users.admin)
    page = client.get(reverse("admin:auth_user_change", args=[users.county_editor.pk]))
    fields = page.context["adminform"].form.fields
    assert "is_superuser" not in fields and "user_permissions" not in fields


def test_admin_index_explains_the_role_in_chinese(login, users):
    client = login(users.township_editor)
    page = client.get(reverse("admin:index")).content.decode()
    assert "使用说明" in page
    assert "乡级编辑" in page and "农安镇" in page
    assert "可以编制、修改和发布本乡镇（街道）的目录" in page


# ---------------------------------------------------------------------------
# Query budgets: list pages stay flat however many catalogs there are
# ---------------------------------------------------------------------------


def add_townships(regions, standards, count: int):
    for index in range(count):
        region = RegionFactory(
            code=f"2201221{50 + index:02d}",
            name=f"测试镇{index}",
            level=RegionLevel.TOWNSHIP,
            parent=regions.nongan,
        )
        catalog_derive(actor=SYSTEM, region=region, standard=standards.social)


def count_queries(client, url) -> int:
    client.get(url)  # warm per-process caches (content types) so that runs compare equal
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("role", ["admin", "county_editor", "coordinator"])
def test_catalog_changelist_query_count_is_flat(
    login, users, regions, standards, catalogs, django_assert_max_num_queries, role
):
    client = login(getattr(users, role))
    url = reverse("admin:catalogs_catalog_changelist")
    few = count_queries(client, url)
    add_townships(regions, standards, 30)
    assert Catalog.objects.count() > 30
    many = count_queries(client, url)
    assert many == few
    with django_assert_max_num_queries(12):
        client.get(url)


@pytest.mark.parametrize("role", ["admin", "county_editor"])
def test_item_changelist_query_count_is_flat(
    login, users, regions, standards, catalogs, django_assert_max_num_queries, role
):
    client = login(getattr(users, role))
    url = reverse("admin:items_item_changelist")
    few = count_queries(client, url)
    add_townships(regions, standards, 10)
    assert Item.objects.count() > 100
    many = count_queries(client, url)
    assert many == few
    with django_assert_max_num_queries(11):
        client.get(url)


def test_region_changelist_query_count_is_flat(
    login, users, regions, django_assert_max_num_queries
):
    client = login(users.admin)
    url = reverse("admin:catalogs_region_changelist")
    few = count_queries(client, url)
    for index in range(20):
        Region.objects.create(
            code=f"2201221{60 + index}", name=f"镇{index}", level="township", parent=regions.nongan
        )
    assert count_queries(client, url) == few
    with django_assert_max_num_queries(10):
        client.get(url)


def test_catalog_change_page_query_count_does_not_grow_with_items(
    login, users, catalogs, django_assert_max_num_queries
):
    catalog = catalogs.nongan_social
    client = login(users.county_editor)
    url = reverse("admin:catalogs_catalog_change", args=[catalog.pk])
    few = count_queries(client, url)
    Item.objects.bulk_create(
        Item(catalog=catalog, seq=100 + index, level1="本地事项", level2=f"事项{index}")
        for index in range(20)
    )
    assert count_queries(client, url) == few
    with django_assert_max_num_queries(20):
        client.get(url)
