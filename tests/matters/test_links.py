"""Linking items to 政务服务事项库 entries: suggestions, the service, the admin page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from matters import selectors, services
from matters.models import ItemMatterLink


def guide(catalog, level1="最低生活保障"):
    return catalog.items.get(level1=level1, level2="办事指南")


# ---------------------------------------------------------------------------
# Suggestions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_name", "matter_name", "score"),
    [
        ("最低生活保障办事指南", "最低生活保障对象认定", 1.0),
        ("特困人员救助供养办事指南", "特困人员认定", 1.0),
        ("养老服务业务办理老年人补贴", "老年人补贴发放", 1.0),
        ("最低生活保障办事指南", "临时救助对象认定", 0.0),
    ],
)
def test_name_similarity(item_name, matter_name, score):
    assert selectors.name_similarity(item_name, matter_name) == score


def test_suggestions_pick_the_best_entry_of_the_region_and_above(
    catalogs, matters, django_assert_num_queries
):
    with django_assert_num_queries(3):
        rows = selectors.suggestions_for_catalog(catalogs.nongan_social)
    by_name = {row.item.name: row for row in rows}
    assert by_name["最低生活保障 · 办事指南"].suggested == matters.dibao
    assert by_name["最低生活保障 · 办事指南"].score == 1.0
    assert by_name["特困人员救助供养 · 办事指南"].suggested == matters.tekun
    assert by_name["临时救助 · 办事指南"].suggested == matters.linjiu
    suggested = {row.suggested.pk for row in rows if row.suggested}
    assert matters.yongji_dibao.pk not in suggested  # another county's entry is never offered


def test_a_township_gets_its_countys_entries(catalogs, matters):
    rows = selectors.suggestions_for_catalog(catalogs.town_social)
    assert {row.suggested for row in rows if row.suggested} >= {matters.dibao}


# ---------------------------------------------------------------------------
# The service: allowed and denied side by side
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "county_editor"])
def test_linking_is_allowed_to_the_region_editor_and_the_province(users, catalogs, matters, role):
    item = guide(catalogs.nongan_social)
    link = services.item_link_matter(actor=getattr(users, role), item=item, matter=matters.dibao)
    assert (link.item_id, link.public_id, link.matter_id) == (
        item.pk,
        item.public_id,
        matters.dibao.pk,
    )
    assert selectors.matters_for_items([item.pk]) == {item.pk: matters.dibao}
    assert selectors.matters_for_public_ids([item.public_id]) == {item.public_id: matters.dibao}


@pytest.mark.parametrize(
    "role", ["other_county_editor", "coordinator", "reviewer", "township_editor"]
)
def test_linking_is_denied_to_others(users, catalogs, matters, role):
    item = guide(catalogs.nongan_social)
    with pytest.raises(PermissionDenied):
        services.item_link_matter(actor=getattr(users, role), item=item, matter=matters.dibao)
    assert not ItemMatterLink.objects.exists()


def test_an_entry_of_another_region_cannot_be_linked(users, catalogs, matters):
    with pytest.raises(ValidationError) as refused:
        services.item_link_matter(
            actor=users.admin, item=guide(catalogs.nongan_social), matter=matters.yongji_dibao
        )
    assert "只能选择本地区或上级地区的事项" in str(refused.value)


def test_relinking_replaces_and_unlinking_removes(users, catalogs, matters):
    item = guide(catalogs.nongan_social)
    services.item_link_matter(actor=users.county_editor, item=item, matter=matters.tekun)
    services.item_link_matter(actor=users.county_editor, item=item, matter=matters.dibao)
    assert ItemMatterLink.objects.get().matter == matters.dibao
    with pytest.raises(PermissionDenied):
        services.item_unlink_matter(actor=users.other_county_editor, item=item)
    assert services.item_unlink_matter(actor=users.county_editor, item=item) is True
    assert not ItemMatterLink.objects.exists()


# ---------------------------------------------------------------------------
# The admin page
# ---------------------------------------------------------------------------


def link_url(catalog):
    return reverse("admin:matters_servicematter_link", args=[catalog.pk])


def test_link_page_lists_items_with_suggestions_and_scores(login, users, catalogs, matters):
    response = login(users.county_editor).get(link_url(catalogs.nongan_social))
    assert response.status_code == 200
    html = response.content.decode()
    assert "最低生活保障对象认定" in html and "1.00" in html
    assert "为未关联的办事指南和业务办理事项采纳建议" in html


def test_link_page_confirms_a_choice_and_unlinks(login, users, catalogs, matters):
    client = login(users.county_editor)
    item = guide(catalogs.nongan_social)
    response = client.post(
        link_url(catalogs.nongan_social),
        {"action": "link", "item": item.pk, "matter": matters.dibao.pk},
    )
    assert response.status_code == 302
    assert ItemMatterLink.objects.get().score == 1.0
    from django.contrib.admin.models import LogEntry

    entry = LogEntry.objects.get(object_id=str(item.pk))
    assert entry.change_message == "关联政务服务事项“最低生活保障对象认定”（220122000720001000）。"
    client.post(link_url(catalogs.nongan_social), {"action": "unlink", "item": item.pk})
    assert not ItemMatterLink.objects.exists()


def test_accept_all_links_every_suggestion(login, users, catalogs, matters):
    login(users.county_editor).post(link_url(catalogs.nongan_social), {"action": "accept_all"})
    linked = dict(ItemMatterLink.objects.values_list("item__level1", "matter__name"))
    assert linked == {
        "最低生活保障": "最低生活保障对象认定",
        "特困人员救助供养": "特困人员认定",
        "临时救助": "临时救助对象认定",
    }


def test_link_page_of_another_region_is_404_and_a_reader_may_not_post(
    login, users, catalogs, matters
):
    client = login(users.other_county_editor)
    assert client.get(link_url(catalogs.nongan_social)).status_code == 404
    assert (
        client.post(link_url(catalogs.nongan_social), {"action": "accept_all"}).status_code == 404
    )
    reader = login(users.coordinator)
    assert reader.get(link_url(catalogs.nongan_social)).status_code == 200
    assert (
        reader.post(link_url(catalogs.nongan_social), {"action": "accept_all"}).status_code == 403
    )
    assert not ItemMatterLink.objects.exists()


def test_an_item_of_another_catalog_is_404(login, users, catalogs, matters):
    other = guide(catalogs.yongji_social)
    response = login(users.county_editor).post(
        link_url(catalogs.nongan_social),
        {"action": "link", "item": other.pk, "matter": matters.dibao.pk},
    )
    assert response.status_code == 404


def test_posting_without_a_choice_says_what_is_missing(login, users, catalogs, matters):
    client = login(users.county_editor)
    item = catalogs.nongan_social.items.get(seq=1)
    response = client.post(
        link_url(catalogs.nongan_social),
        {"action": "link", "item": item.pk, "matter": ""},
        follow=True,
    )
    assert "第1项：请选择要关联的政务服务事项。" in response.content.decode()
    assert not ItemMatterLink.objects.exists()
