"""The admin pages of channels and synonyms, and the demo 实施清单."""

import time
from datetime import date

import pytest
from django.urls import reverse

from matters import demo
from matters.models import ComplaintChannel, ItemMatterLink, SearchSynonym, ServiceMatter
from matters.selectors import complaint_channels_for, unlinked_matters


def test_county_editor_adds_a_channel_in_the_admin(login, users, regions):
    client = login(users.county_editor)
    response = client.post(
        reverse("admin:matters_complaintchannel_add"),
        {
            "region": regions.nongan.pk,
            "kind": "phone",
            "value": "0431-83221234",
            "note": "",
            "order": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ComplaintChannel.objects.get().region == regions.nongan


def test_the_admin_refuses_a_bad_value_in_chinese(login, users, regions):
    response = login(users.county_editor).post(
        reverse("admin:matters_complaintchannel_add"),
        {"region": regions.nongan.pk, "kind": "email", "value": "nobody", "note": "", "order": "0"},
    )
    assert response.status_code == 200
    assert "不是有效的电子邮箱地址" in response.content.decode()
    assert not ComplaintChannel.objects.exists()


def test_the_admin_offers_only_editable_regions_and_hides_others(login, users, regions):
    from catalogs.permissions import SYSTEM
    from matters.services import complaint_channel_create

    client = login(users.county_editor)
    response = client.post(
        reverse("admin:matters_complaintchannel_add"),
        {"region": regions.yongji.pk, "kind": "phone", "value": "12345", "note": "", "order": "0"},
    )
    assert response.status_code == 200 and not ComplaintChannel.objects.exists()
    other = complaint_channel_create(
        actor=SYSTEM, region=regions.yongji, kind="phone", value="12345"
    )
    assert (
        client.get(reverse("admin:matters_complaintchannel_change", args=[other.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("admin:matters_complaintchannel_delete", args=[other.pk]), {"post": "yes"}
        ).status_code
        == 404
    )
    assert ComplaintChannel.objects.filter(pk=other.pk).exists()


def test_synonyms_are_edited_by_the_province_only(login, users, db):
    group = SearchSynonym.objects.first()
    editor = login(users.county_editor)
    assert editor.get(reverse("admin:matters_searchsynonym_changelist")).status_code == 200
    assert editor.get(reverse("admin:matters_searchsynonym_add")).status_code == 403
    assert (
        editor.post(
            reverse("admin:matters_searchsynonym_change", args=[group.pk]), {"terms_text": "甲 乙"}
        ).status_code
        == 403
    )
    admin_client = login(users.admin)
    response = admin_client.post(
        reverse("admin:matters_searchsynonym_add"), {"terms_text": "救济金、临时救助", "note": ""}
    )
    assert response.status_code == 302
    assert SearchSynonym.objects.order_by("-pk").first().terms == ["救济金", "临时救助"]
    response = admin_client.post(
        reverse("admin:matters_searchsynonym_add"), {"terms_text": "孤词", "note": ""}
    )
    assert "同义词组至少要有两个词" in response.content.decode()


@pytest.mark.parametrize("role", ["county_editor", "coordinator", "admin"])
def test_the_matters_list_is_scoped(login, users, matters, role):
    html = (
        login(getattr(users, role))
        .get(reverse("admin:matters_servicematter_changelist"))
        .content.decode()
    )
    assert ("220221000720001000" in html) is (role == "admin")


def test_another_regions_entry_is_404_in_the_admin(login, users, matters):
    url = reverse("admin:matters_servicematter_change", args=[matters.yongji_dibao.pk])
    assert login(users.county_editor).get(url).status_code == 404


def test_demo_seed_is_fast_and_leaves_an_unlinked_entry(catalogs, regions):
    started = time.perf_counter()
    counts = demo.seed(date(2020, 6, 10))
    assert time.perf_counter() - started < 3
    assert counts["matters"] == ServiceMatter.objects.count() == 2 + 2 * 7  # 长春市, 农安县, 双阳区
    linked = set(
        ItemMatterLink.objects.filter(item__catalog=catalogs.nongan_social).values_list(
            "item__level1", "matter__name"
        )
    )
    assert linked == {
        ("最低生活保障", "最低生活保障对象认定"),
        ("特困人员救助供养", "特困人员认定"),
        ("临时救助", "临时救助对象认定"),
    }
    assert ItemMatterLink.objects.filter(item__catalog=catalogs.nongan_elderly).count() == 3
    assert [c.value for c in complaint_channels_for(regions.nongan_town)][0] == "0431-83221234"
    assert complaint_channels_for(regions.pinghu)[0].value == "12345"
    from catalogs.permissions import SYSTEM

    names = {m.name for m in unlinked_matters(SYSTEM, regions.nongan)}
    assert {"低收入家庭认定", "社会救助家庭经济状况核对"} <= names
