"""监督举报 channels: the services, the fallback, every public page of the region, the API."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from catalogs.permissions import SYSTEM
from items.services import catalog_publish
from matters import services
from matters.models import ChannelKind, ComplaintChannel
from matters.selectors import complaint_channels_for
from tests.factories import localise


def add(region, kind=ChannelKind.PHONE, value="0431-83221234", actor=SYSTEM, **extra):
    return services.complaint_channel_create(
        actor=actor, region=region, kind=kind, value=value, **extra
    )


@pytest.fixture
def both_published(catalogs):
    localise(catalogs.nongan_social)
    localise(catalogs.town_social)
    catalog_publish(actor=SYSTEM, catalog=catalogs.nongan_social)
    catalog_publish(actor=SYSTEM, catalog=catalogs.town_social)
    return catalogs


# ---------------------------------------------------------------------------
# The services: allowed and denied side by side
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "region"),
    [
        ("admin", "changchun"),
        ("admin", "yongji"),
        ("county_editor", "nongan"),
        ("county_editor", "nongan_town"),
        ("township_editor", "nongan_town"),
    ],
)
def test_region_staff_and_the_province_may_add_channels(users, regions, role, region):
    channel = add(getattr(regions, region), actor=getattr(users, role))
    assert ComplaintChannel.objects.get().pk == channel.pk


@pytest.mark.parametrize(
    ("role", "region"),
    [
        ("other_county_editor", "nongan"),
        ("county_editor", "changchun"),
        ("county_editor", "yongji"),
        ("coordinator", "changchun"),
        ("reviewer", "nongan"),
        ("township_editor", "nongan"),
    ],
)
def test_others_may_not_add_channels(users, regions, role, region):
    with pytest.raises(PermissionDenied):
        add(getattr(regions, region), actor=getattr(users, role))
    assert not ComplaintChannel.objects.exists()


def test_update_and_delete_are_checked_and_versioned(users, regions):
    channel = add(regions.nongan, actor=users.county_editor)
    with pytest.raises(PermissionDenied):
        services.complaint_channel_update(
            actor=users.other_county_editor, channel=channel, value="12345"
        )
    updated = services.complaint_channel_update(
        actor=users.county_editor, channel=channel, value="12345", expected_version=0
    )
    assert (updated.value, updated.version) == ("12345", 1)
    with pytest.raises(ValidationError) as stale:
        services.complaint_channel_update(
            actor=users.county_editor, channel=channel, value="12346", expected_version=0
        )
    assert "已被他人修改" in str(stale.value)
    with pytest.raises(PermissionDenied):
        services.complaint_channel_delete(actor=users.other_county_editor, channel=channel)
    services.complaint_channel_delete(actor=users.county_editor, channel=channel)
    assert not ComplaintChannel.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (ChannelKind.PHONE, "请拨打", "不是有效的电话号码"),
        (ChannelKind.EMAIL, "not-an-email", "不是有效的电子邮箱地址"),
        (ChannelKind.ONLINE, "javascript:alert(1)", "不是有效的网址"),
        (ChannelKind.ADDRESS, "   ", "请填写号码、地址或链接"),
        (ChannelKind.ADDRESS, "长春\x00市", "含有不可见的控制字符"),
        (ChannelKind.ADDRESS, "长" * 301, "最多300个字符"),
        ("fax", "0431", "未知的监督举报方式"),
    ],
)
def test_bad_values_are_refused_in_chinese(regions, kind, value, message):
    with pytest.raises(ValidationError) as refused:
        add(regions.nongan, kind=kind, value=value)
    assert message in str(refused.value)


def test_links_citizens_can_follow(regions):
    assert add(regions.nongan, value="0431-8322 1234").url == "tel:0431-83221234"
    assert add(regions.nongan, kind=ChannelKind.EMAIL, value="a@b.cn").url == "mailto:a@b.cn"
    assert add(regions.nongan, kind=ChannelKind.ADDRESS, value="长春市人民大街").url == ""


# ---------------------------------------------------------------------------
# The fallback: the nearest region above with channels
# ---------------------------------------------------------------------------


def test_a_region_without_channels_shows_the_nearest_region_above(
    regions, django_assert_num_queries
):
    city = add(regions.changchun, value="12345")
    assert complaint_channels_for(regions.nongan_town) == [city]
    county = add(regions.nongan)
    with django_assert_num_queries(1):
        assert complaint_channels_for(regions.nongan_town) == [county]
    with django_assert_num_queries(0):  # kept until a channel changes
        assert complaint_channels_for(regions.nongan_town) == [county]
    assert complaint_channels_for(regions.pinghu) == [city]
    assert complaint_channels_for(regions.yongji) == []


# ---------------------------------------------------------------------------
# Every public page of the region, and the API
# ---------------------------------------------------------------------------


def test_region_catalog_and_item_pages_show_the_channels(client, regions, both_published):
    add(regions.nongan, value="0431-83221234", note="工作日 8:30—16:30")
    catalog = both_published.town_social
    item = catalog.items.get(level1="临时救助", level2="办事指南")
    pages = [
        reverse("site:region", args=[regions.nongan_town.code]),
        reverse("site:catalog", args=[catalog.pk]),
        reverse("site:item", args=[item.public_id]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "监督举报方式" in html, url
        assert '<a href="tel:0431-83221234">0431-83221234</a>' in html, url
        assert "由农安县统一受理" in html, url


def test_a_channel_edit_shows_at_once_on_cached_pages(client, regions, both_published):
    channel = add(regions.nongan, value="0431-83221234")
    item = both_published.nongan_social.items.get(seq=1)
    url = reverse("site:item", args=[item.public_id])
    assert "0431-83221234" in client.get(url).content.decode()
    services.complaint_channel_update(actor=SYSTEM, channel=channel, value="0431-80000000")
    html = client.get(url).content.decode()
    assert "0431-80000000" in html and "0431-83221234" not in html


def test_the_supervision_item_shows_the_channels_first(client, regions, both_published):
    add(regions.nongan, value="0431-83221234")
    item = both_published.nongan_social.items.get(level1="综合业务", level2="监督检查")
    html = client.get(reverse("site:item", args=[item.public_id])).content.decode()
    channels = html.index('class="panel complaint-channels prominent"')
    assert "可通过以下方式投诉举报" in html
    assert channels < html.index("负责单位和联系方式")


def test_channel_values_are_escaped(client, regions, both_published):
    add(regions.nongan, kind=ChannelKind.ADDRESS, value="<script>alert(1)</script>长春")
    html = client.get(reverse("site:region", args=["220122"])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_api_region_and_catalog_carry_the_channels(client, regions, both_published):
    add(regions.changchun, value="12345", note="热线")
    region = client.get(reverse("api:region", args=["220122100"])).json()
    expected = [
        {
            "kind": "phone",
            "label": "投诉举报电话",
            "value": "12345",
            "url": "tel:12345",
            "note": "热线",
            "region": "2201",
        }
    ]
    assert region["complaint_channels"] == expected
    url = reverse("api:catalog", args=[both_published.nongan_social.pk])
    assert client.get(url).json()["complaint_channels"] == expected
    services.complaint_channel_update(
        actor=SYSTEM, channel=ComplaintChannel.objects.get(), value="12319"
    )
    assert client.get(url).json()["complaint_channels"][0]["value"] == "12319"


def test_item_page_query_count_with_channels(
    client, regions, both_published, django_assert_max_num_queries
):
    add(regions.nongan)
    item = both_published.nongan_social.items.get(seq=2)
    url = reverse("site:item", args=[item.public_id])
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(1):  # cached until something changes
        assert client.get(url).status_code == 200
