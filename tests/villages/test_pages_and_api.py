"""Public pages and the API down to the village, and the 公示栏 poster."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalogs.models import Catalog, Region, RegionLevel
from catalogs.permissions import SYSTEM
from items.services import catalog_publish
from items.villages import township_village_catalogs_derive
from tests.factories import localise


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published_villages(regions, villages, village_edition, catalogs):
    township_village_catalogs_derive(actor=SYSTEM, township=regions.nongan_town)
    east = Catalog.objects.get(region=villages.east)
    localise(east)
    catalog_publish(actor=SYSTEM, catalog=east, note="首次公开")
    return east


def _text(response):
    return response.content.decode("utf-8")


def _more_villages(township, count):
    Region.objects.bulk_create(
        Region(
            code=f"{township.code}{300 + n:03d}",
            name=f"新增{n}村",
            level=RegionLevel.VILLAGE,
            parent=township,
            path=f"{township.path}{township.code}{300 + n:03d}/",
        )
        for n in range(count)
    )


def test_township_page_lists_its_villages_with_counts(client, regions, published_villages):
    response = client.get(reverse("site:region", args=["220122100"]))
    assert response.status_code == 200
    text = _text(response)
    assert "下辖村（居）民委员会（3 个）" in text
    assert re.search(r"东村村民委员会</span>\s*<span class=\"tile-count\">已公开目录 1 个", text)
    assert re.search(r"西村村民委员会</span>\s*<span class=\"tile-count\">暂未公开", text)


def test_village_page_shows_its_catalog_and_poster_link(client, villages, published_villages):
    response = client.get(reverse("site:region", args=[villages.east.code]))
    assert response.status_code == 200
    text = _text(response)
    assert published_villages.title in text
    assert "村（居）务公开 · 公开事项 14 项" in text
    assert reverse("site:catalog_poster", args=[published_villages.pk]) in text
    # Breadcrumbs: 吉林省 › 长春市 › 农安县 › 农安镇 › 东村.
    assert re.search(r"农安县</a></li>\s*<li><a href=\"/regions/220122100/\">农安镇</a>", text)
    # The township answers for it.
    assert "农安镇" in text


def test_unpublished_village_page_says_so(client, villages, published_villages):
    text = _text(client.get(reverse("site:region", args=[villages.west.code])))
    assert "西村村民委员会尚未公开村（居）务公开目录" in text


def test_region_page_queries_do_not_grow_with_villages(
    client, regions, published_villages, django_assert_num_queries, django_assert_max_num_queries
):
    url = reverse("site:region", args=["220122100"])
    with django_assert_max_num_queries(6) as first:
        client.get(url)
    _more_villages(regions.nongan_town, 30)
    cache.clear()
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert "下辖村（居）民委员会（33 个）" in _text(response)


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_village_catalog_and_item_pages(client, published_villages, catalogs):
    url = reverse("site:catalog", args=[published_villages.pk])
    response = client.get(url)
    text = _text(response)
    assert response.status_code == 200
    assert '<th scope="col" class="col-tick">村级</th>' in text
    assert '<th scope="colgroup" colspan="3">公开层级</th>' in text
    assert ">农安镇</a>" in text  # breadcrumb through the township
    item = published_villages.items.order_by("seq").first()
    item_response = client.get(reverse("site:item", args=[item.public_id]))
    assert item_response.status_code == 200
    assert ">农安镇</a>" in _text(item_response)
    # As many queries as a township's pages, plus one: the village's ancestors beyond the
    # loaded chain (village, township, county, city; the province comes by query).
    localise(catalogs.town_social)
    catalog_publish(actor=SYSTEM, catalog=catalogs.town_social)
    town_item = catalogs.town_social.items.order_by("seq").first()
    assert (
        _queries(client, url)
        == _queries(client, reverse("site:catalog", args=[catalogs.town_social.pk])) + 1
    )
    assert (
        _queries(client, reverse("site:item", args=[item.public_id]))
        == _queries(client, reverse("site:item", args=[town_item.public_id])) + 1
    )


def test_poster_has_qr_svg_names_and_call(client, villages, published_villages):
    response = client.get(reverse("site:catalog_poster", args=[published_villages.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert "<svg" in text and 'class="segno"' in text
    assert "扫码查看本村公开事项" in text
    assert '<h1 class="poster-village">东村村民委员会</h1>' in text
    assert published_villages.title in text
    catalog_url = f"http://testserver/catalogs/{published_villages.pk}/"
    assert catalog_url in text
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_poster_qr_encodes_the_catalog_url(client, published_villages):
    from portal.views.regions import qr_svg

    text = _text(client.get(reverse("site:catalog_poster", args=[published_villages.pk])))
    catalog_url = f"http://testserver/catalogs/{published_villages.pk}/"
    assert qr_svg(catalog_url) in text
    assert qr_svg(catalog_url + "x") not in text
    assert "viewBox" in qr_svg(catalog_url) and "width=" not in qr_svg(catalog_url)


def test_poster_refuses_unpublished_and_non_village_catalogs(
    client, villages, published_villages, catalogs
):
    west = Catalog.objects.get(region=villages.west)
    assert client.get(reverse("site:catalog_poster", args=[west.pk])).status_code == 404
    localise(catalogs.town_social)
    catalog_publish(actor=SYSTEM, catalog=catalogs.town_social)
    town = reverse("site:catalog_poster", args=[catalogs.town_social.pk])
    assert client.get(town).status_code == 404
    assert client.get("/catalogs/999999/poster/").status_code == 404


def test_api_goes_down_to_the_village(
    client, regions, published_villages, django_assert_num_queries
):
    response = client.get(reverse("api:regions") + "?parent=220122100")
    data = response.json()
    codes = [row["code"] for row in data["results"]]
    assert codes == ["220122100001", "220122100201", "220122100202"]
    east = next(row for row in data["results"] if row["code"] == "220122100201")
    assert east["published_catalog_count"] == 1
    assert east["published_item_count"] == 14
    detail = client.get(reverse("api:region", args=["220122100201"])).json()
    assert [a["code"] for a in detail["ancestors"]] == ["22", "2201", "220122", "220122100"]
    catalogs = client.get(reverse("api:region_catalogs", args=["220122100201"])).json()
    assert [c["id"] for c in catalogs["results"]] == [published_villages.pk]


def test_api_region_list_queries_do_not_grow_with_villages(
    client, regions, published_villages, django_assert_num_queries, django_assert_max_num_queries
):
    url = reverse("api:regions") + "?parent=220122100"
    cache.clear()
    with django_assert_max_num_queries(5) as first:
        client.get(url)
    _more_villages(regions.nongan_town, 30)
    cache.clear()
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.json()["count"] == 33


def test_api_search_filters_down_to_the_village(client, villages, published_villages, catalogs):
    localise(catalogs.town_social)
    catalog_publish(actor=SYSTEM, catalog=catalogs.town_social)
    url = reverse("api:search")
    in_village = client.get(url + f"?region={villages.east.code}").json()
    assert in_village["count"] == 14
    assert {row["catalog"]["id"] for row in in_village["results"]} == {published_villages.pk}
    village_level = client.get(url + "?level=村级&page_size=100").json()
    assert village_level["count"] == 14
    refused = client.get(url + "?level=组级")
    assert refused.status_code == 400
    assert "公开层级只能是县级、乡级、村级之一。" in refused.content.decode()


def test_poster_query_budget_and_escaping(
    client, villages, published_villages, django_assert_num_queries
):
    url = reverse("site:catalog_poster", args=[published_villages.pk])
    with django_assert_num_queries(2):  # the publication with its regions; the province
        assert client.get(url).status_code == 200
    with django_assert_num_queries(1):  # cached: only the publication
        assert client.get(url).status_code == 200
    Region.objects.filter(pk=villages.east.pk).update(name="<script>x</script>村")
    text = _text(client.get(url))
    assert "<script>x</script>" not in text
    assert "&lt;script&gt;x&lt;/script&gt;村" in text
    region_page = _text(client.get(reverse("site:region", args=[villages.east.code])))
    assert "<script>x</script>" not in region_page


def test_village_catalog_excel_download_keeps_the_village_tick(client, published_villages):
    from catalogs.excel import read_catalog_workbook

    response = client.get(reverse("site:catalog_download", args=[published_villages.pk, "xlsx"]))
    assert response.status_code == 200
    table = read_catalog_workbook(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert len(table.rows) == 14
    assert all(row.levels[-1] == "村级" for row in table.rows)
    assert table.rows[0].levels == ["县级", "乡级", "村级"]
