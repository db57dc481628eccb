"""Roles and scoping: every role reads and changes catalogs through every admin door.

The matrix below is the rule. For each role and each of four catalogs (农安县, its township
农安镇, the sibling township 伏龙泉镇, and 永吉县 in another city) it says whether the role
may edit the catalog, only read it, or must not learn that it exists. Each test walks one
door (list, change page, inline post, delete, item page, history, comparisons, publishing,
Excel import/export, actions, region contacts) for all 28 combinations, so the allowed and
the refused cases sit side by side.
"""

import pytest
from django.urls import reverse

from catalogs.models import Catalog, Region
from catalogs.permissions import can_edit_region, can_view_region
from items.models import Item, Publication
from tests.catalogs.conftest import catalog_post_data, item_post_data
from tests.conftest import localise

EDIT, READ, HIDDEN = "edit", "read", "hidden"

ACCESS = {
    "admin": {"nongan": EDIT, "town": EDIT, "fulongquan": EDIT, "yongji": EDIT},
    "reviewer": {"nongan": READ, "town": READ, "fulongquan": READ, "yongji": READ},
    "coordinator": {"nongan": READ, "town": READ, "fulongquan": READ, "yongji": HIDDEN},
    "county_editor": {"nongan": EDIT, "town": EDIT, "fulongquan": EDIT, "yongji": HIDDEN},
    "township_editor": {"nongan": HIDDEN, "town": EDIT, "fulongquan": HIDDEN, "yongji": HIDDEN},
    "other_county_editor": {
        "nongan": HIDDEN,
        "town": HIDDEN,
        "fulongquan": HIDDEN,
        "yongji": EDIT,
    },
    "other_coordinator": {"nongan": HIDDEN, "town": HIDDEN, "fulongquan": HIDDEN, "yongji": READ},
}
CASES = [
    pytest.param(role, key, access, id=f"{role}-{key}-{access}")
    for role, row in ACCESS.items()
    for key, access in row.items()
]
ROLES = list(ACCESS)


# What another region's object answers on each read-only page. django-simple-history's
# history view finds the object through its history rows and then refuses with 403, where
# every other door answers 404 as for an object that does not exist.
HIDDEN_STATUS = {
    "compare_publication": 404,
    "compare_edition": 404,
    "publications": 404,
    "history": 404,
}


def refused(response, access):
    """Another region's object is a 404; a visible one the role may not change is a 403."""
    return response.status_code == (404 if access == HIDDEN else 403)


# ---------------------------------------------------------------------------
# The scoping functions themselves
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "key", "access"), CASES)
def test_scoping_functions_follow_the_matrix(users, all_catalogs, role, key, access):
    user, catalog = getattr(users, role), getattr(all_catalogs, key)
    assert Catalog.objects.for_user(user).filter(pk=catalog.pk).exists() == (access != HIDDEN)
    assert Catalog.objects.editable_by(user).filter(pk=catalog.pk).exists() == (access == EDIT)
    assert Item.objects.for_user(user).filter(catalog=catalog).exists() == (access != HIDDEN)
    assert can_view_region(user, catalog.region) == (access != HIDDEN)
    assert can_edit_region(user, catalog.region) == (access == EDIT)


# ---------------------------------------------------------------------------
# Catalogs in the admin
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_catalog_changelist_lists_exactly_the_visible_catalogs(login, users, all_catalogs, role):
    client = login(getattr(users, role))
    response = client.get(reverse("admin:catalogs_catalog_changelist"))
    assert response.status_code == 200
    listed = {catalog.pk for catalog in response.context["cl"].result_list}
    for key, access in ACCESS[role].items():
        assert (getattr(all_catalogs, key).pk in listed) == (access != HIDDEN), key


@pytest.mark.parametrize("role", ROLES)
def test_item_changelist_lists_only_visible_items(login, users, all_catalogs, role):
    client = login(getattr(users, role))
    response = client.get(reverse("admin:items_item_changelist"), {"all": ""})
    assert response.status_code == 200
    catalogs = {item.catalog_id for item in response.context["cl"].queryset}
    for key, access in ACCESS[role].items():
        assert (getattr(all_catalogs, key).pk in catalogs) == (access != HIDDEN), key


@pytest.mark.parametrize(("role", "key", "access"), CASES)
def test_catalog_change_page_inline_post_and_delete(login, users, all_catalogs, role, key, access):
    client = login(getattr(users, role))
    catalog = getattr(all_catalogs, key)
    url = reverse("admin:catalogs_catalog_change", args=[catalog.pk])

    response = client.get(url)
    if access == HIDDEN:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert response.context["has_change_permission"] == (access == EDIT)
        inline = response.context["inline_admin_formsets"][0]
        assert inline.has_change_permission == (access == EDIT)

    item = catalog.items.order_by("seq").first()
    data = catalog_post_data(catalog, {item.pk: {"subject": "改动后的公开主体"}})
    response = client.post(url, data)
    item.refresh_from_db()
    if access == EDIT:
        assert response.status_code == 302
        assert item.subject == "改动后的公开主体"
    else:
        assert refused(response, access)
        assert item.subject != "改动后的公开主体"

    # Nobody deletes a catalog in the admin, not even the province administrator.
    delete_url = reverse("admin:catalogs_catalog_delete", args=[catalog.pk])
    expected = 404 if access == HIDDEN else 403
    assert client.get(delete_url).status_code == expected
    assert client.post(delete_url, {"post": "yes"}).status_code == expected
    assert Catalog.objects.filter(pk=catalog.pk).exists()


@pytest.mark.parametrize(("role", "key", "access"), CASES)
def test_catalog_comparison_history_and_publish_pages(
    login, users, all_catalogs, role, key, access
):
    client = login(getattr(users, role))
    catalog = getattr(all_catalogs, key)
    for name in ("compare_publication", "compare_edition", "publications", "history"):
        response = client.get(reverse(f"admin:catalogs_catalog_{name}", args=[catalog.pk]))
        assert response.status_code == (HIDDEN_STATUS[name] if access == HIDDEN else 200), name
    response = client.get(reverse("admin:catalogs_catalog_publish", args=[catalog.pk]))
    assert response.status_code == 200 if access == EDIT else refused(response, access)


@pytest.mark.parametrize(("role", "key", "access"), CASES)
def test_publishing_by_action_and_by_page(login, users, all_catalogs, role, key, access):
    catalog = localise(getattr(all_catalogs, key))
    client = login(getattr(users, role))
    client.post(
        reverse("admin:catalogs_catalog_changelist"),
        {"action": "publish_catalogs", "_selected_action": [str(catalog.pk)], "index": "0"},
    )
    assert Publication.objects.filter(catalog=catalog).count() == (1 if access == EDIT else 0)

    response = client.post(
        reverse("admin:catalogs_catalog_publish", args=[catalog.pk]), {"note": "再次发布"}
    )
    if access == EDIT:
        assert response.status_code == 302
        assert Publication.objects.filter(catalog=catalog).count() == 2
    else:
        assert refused(response, access)
        assert not Publication.objects.filter(catalog=catalog).exists()


# ---------------------------------------------------------------------------
# Items in the admin
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "key", "access"), CASES)
def test_item_pages(login, users, all_catalogs, role, key, access):
    client = login(getattr(users, role))
    catalog = getattr(all_catalogs, key)
    item = catalog.items.order_by("seq").first()
    url = reverse("admin:items_item_change", args=[item.pk])

    response = client.get(url)
    if access == HIDDEN:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert response.context["has_change_permission"] == (access == EDIT)

    response = client.post(url, item_post_data(item, {"deadline": "5个工作日内"}))
    item.refresh_from_db()
    if access == EDIT:
        assert response.status_code == 302
        assert item.deadline == "5个工作日内"
    else:
        assert refused(response, access)
        assert item.deadline != "5个工作日内"

    response = client.get(reverse("admin:items_item_history", args=[item.pk]))
    assert response.status_code == (HIDDEN_STATUS["history"] if access == HIDDEN else 200)

    # Adding an item: the catalog must be one the user may edit.
    data = {"catalog": str(catalog.pk), "level1": "本地事项", "level2": "本地新增", "_save": "保存"}
    data.update({"extra_elements-TOTAL_FORMS": "0", "extra_elements-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:items_item_add"), data)
    created = Item.objects.filter(catalog=catalog, level1="本地事项").exists()
    assert created == (access == EDIT)
    if not created:
        assert response.status_code == 403 or "catalog" in response.context["adminform"].form.errors

    response = client.post(reverse("admin:items_item_delete", args=[item.pk]), {"post": "yes"})
    exists = Item.objects.filter(pk=item.pk).exists()
    if access == EDIT:
        assert response.status_code == 302
        assert not exists
    else:
        assert refused(response, access)
        assert exists


# ---------------------------------------------------------------------------
# Excel import and export (the Excel helper's admin URLs)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "key", "access"), CASES)
def test_excel_export_and_import_urls(login, users, all_catalogs, role, key, access):
    client = login(getattr(users, role))
    catalog = getattr(all_catalogs, key)
    export = client.get(reverse("admin:catalogs_catalog_export", args=[catalog.pk]))
    if access == HIDDEN:
        assert export.status_code == 404
    else:
        assert export.status_code == 200
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    import_url = reverse("admin:catalogs_catalog_import", args=[catalog.pk])
    response = client.get(import_url)
    assert response.status_code == 200 if access == EDIT else refused(response, access)
    response = client.post(import_url, {"confirm": "1", "payload": "forged"})
    if access != EDIT:
        assert refused(response, access)


# ---------------------------------------------------------------------------
# Regions: contact details and deriving catalogs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "key", "access"), CASES)
def test_region_contact_details(login, users, all_catalogs, role, key, access):
    client = login(getattr(users, role))
    region = getattr(all_catalogs, key).region
    url = reverse("admin:catalogs_region_change", args=[region.pk])
    response = client.get(url)
    assert response.status_code == (404 if access == HIDDEN else 200)
    response = client.post(url, {"contact_name": "张三", "contact_phone": "0431-1234567"})
    region.refresh_from_db()
    if access == EDIT:
        assert response.status_code == 302
        assert region.contact_name == "张三"
    else:
        assert refused(response, access)
        assert region.contact_name != "张三"


@pytest.mark.parametrize("role", ROLES)
def test_derive_action_only_for_editable_regions(login, users, regions, standards, role):
    """Every role tries to derive 农安县 (with its townships) and 永吉县."""
    client = login(getattr(users, role))
    targets = {"nongan": regions.nongan, "yongji": regions.yongji}
    client.post(
        reverse("admin:catalogs_region_changelist"),
        {
            "action": "derive_catalogs",
            "_selected_action": [str(region.pk) for region in targets.values()],
            "apply": "1",
            "standards": [str(standards.social.pk)],
            "include_below": "on",
        },
    )
    for key, region in targets.items():
        derived = Catalog.objects.filter(region=region).exists()
        assert derived == (ACCESS[role][key] == EDIT), key
    township_derived = Catalog.objects.filter(region=regions.nongan_town).exists()
    assert township_derived == (ACCESS[role]["nongan"] == EDIT)


@pytest.mark.parametrize("role", ROLES)
def test_region_list_is_scoped(login, users, regions, role):
    client = login(getattr(users, role))
    response = client.get(reverse("admin:catalogs_region_changelist"), {"all": ""})
    listed = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert listed == set(Region.objects.for_user(getattr(users, role)).values_list("pk", flat=True))
    assert (regions.yongji.pk in listed) == (ACCESS[role]["yongji"] != HIDDEN)
    assert (regions.nongan.pk in listed) == (ACCESS[role]["nongan"] != HIDDEN)


# ---------------------------------------------------------------------------
# Province-wide data
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_province_admin_manages_users(login, users, role):
    client = login(getattr(users, role))
    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == (200 if role == "admin" else 403)
    response = client.get(reverse("admin:auth_user_change", args=[users.county_editor.pk]))
    assert response.status_code == (200 if role == "admin" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_province_admin_changes_standard_items(login, users, standards, role):
    from catalogs.permissions import SYSTEM
    from catalogs.services import edition_create_draft

    draft = edition_create_draft(actor=SYSTEM, standard=standards.social)
    item = draft.items.order_by("seq").first()
    client = login(getattr(users, role))
    url = reverse("admin:catalogs_standarditem_change", args=[item.pk])
    assert client.get(url).status_code == 200  # every staff member reads the standard
    data = {
        "seq": item.seq,
        "level1": item.level1,
        "level2": item.level2,
        "content": item.content,
        "basis": "新的公开依据",
        "deadline": item.deadline,
        "subject": item.subject,
        "channels": item.channels,
        "audience": item.audience,
        "method": item.method,
        "levels": item.levels,
        "_save": "保存",
    }
    response = client.post(url, data)
    item.refresh_from_db()
    if role == "admin":
        assert response.status_code == 302
        assert item.basis == "新的公开依据"
    else:
        assert response.status_code == 403
        assert item.basis != "新的公开依据"
