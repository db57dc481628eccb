"""The citizen-facing pages: places, catalogs, items, search, downloads, sitemap, headers."""

import csv
import io
import json
import re
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogs.models import Region, RegionLevel
from catalogs.permissions import SYSTEM
from items.models import Item, PublishedItem
from items.services import (
    catalog_publish,
    item_create,
    item_delete,
    item_set_extra_elements,
    item_update,
)
from tests.conftest import localise

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def publish(catalog, note: str = ""):
    return catalog_publish(actor=SYSTEM, catalog=catalog, note=note)


def first_item(catalog) -> Item:
    return catalog.items.order_by("seq").first()


def current_published(item: Item) -> PublishedItem:
    return PublishedItem.objects.visible_to_public().get(public_id=item.public_id)


def text_of(response) -> str:
    return response.content.decode("utf-8")


def catalog_url(catalog) -> str:
    return reverse("site:catalog", args=[catalog.pk])


def item_url(item) -> str:
    return reverse("site:item", args=[item.public_id])


def download_url(catalog, fmt: str) -> str:
    return reverse("site:catalog_download", args=[catalog.pk, fmt])


def resize_catalog(catalog, count: int):
    """Give a derived catalog exactly ``count`` items, then localise and publish it."""
    items = list(catalog.items.order_by("seq"))
    for item in items[count:]:
        item_delete(actor=SYSTEM, item=item)
    template = items[0]
    for number in range(len(items), count):
        item_create(
            actor=SYSTEM,
            catalog=catalog,
            level1="本地事项",
            level2=f"本地新增事项{number}",
            content="●事项内容\n●办理流程",
            basis="信息公开规定",
            deadline="信息形成之日起10个工作日内",
            subject=template.subject or "农安县民政局",
            channels=["政府网站", "其他"],
            channel_other="乡镇广播",
            audience=["全社会"],
            method=["主动"],
            levels=["县级"],
        )
    localise(catalog)
    publish(catalog)
    return catalog


def sitemap_text(client) -> str:
    """The sitemap index and every file it lists, joined."""
    index = text_of(client.get(reverse("site:sitemap")))
    files = re.findall(r"<loc>http://testserver(/sitemap-\d+\.xml)</loc>", index)
    return "\n".join([index, *(text_of(client.get(path)) for path in files)])


def sitemap_urls(client) -> list[str]:
    return re.findall(r"<url><loc>([^<]+)</loc>", sitemap_text(client))


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.fixture
def edited_after_publication(published):
    """农安县's catalog published, then edited in the draft: a rename, a new item."""
    catalog = published.catalog
    item = first_item(catalog)
    old_name = item.level2
    item_update(actor=SYSTEM, item=item, level2="草稿中的新名称甲乙", content="●草稿中的新内容丙丁")
    added = item_create(
        actor=SYSTEM,
        catalog=catalog,
        level1="本地事项",
        level2="尚未公开的新事项戊己",
        content="●内容",
        basis="信息公开规定",
        deadline="10个工作日内",
        subject="农安县民政局",
        channels=["政府网站"],
        audience=["全社会"],
        method=["主动"],
        levels=["县级"],
    )
    return SimpleNamespace(catalog=catalog, item=item, old_name=old_name, added=added)


# ---------------------------------------------------------------------------
# Home: choose a place
# ---------------------------------------------------------------------------


def test_home_shows_province_wide_counts_and_the_cities(client, published):
    response = client.get("/")

    assert response.status_code == 200
    html = text_of(response)
    assert re.search(r'stat-number">1</span><span class="stat-label">个已公开目录', html)
    items = published.publication.item_count
    assert f'stat-number">{items}</span><span class="stat-label">项公开事项' in html
    for city in ("长春市", "吉林市", "长白山管委会"):
        assert city in html
    assert response.context["totals"] == {"catalogs": 1, "items": items, "regions": 1}


def test_home_chooser_lists_each_level_without_javascript(client, regions):
    html = text_of(client.get("/", {"city": "2201"}))
    assert '<option value="220122">农安县</option>' in html
    assert '<option value="220112">双阳区</option>' in html
    assert "永吉县" not in html  # another city's county

    html = text_of(client.get("/", {"city": "2201", "county": "220122"}))
    assert '<option value="220122" selected>农安县</option>' in html
    assert '<option value="220122100">农安镇</option>' in html
    assert '<option value="220122101">伏龙泉镇</option>' in html
    assert "平湖街道" not in html


def test_home_chooser_ignores_a_county_of_another_city(client, regions):
    response = client.get("/", {"city": "2201", "county": "220221"})

    assert response.context["choice"].county is None
    assert response.context["choice"].townships == []


@pytest.mark.parametrize(
    ("params", "target"),
    [
        ({"city": "2201"}, "2201"),
        ({"city": "2201", "county": "220122"}, "220122"),
        ({"city": "2201", "county": "220122", "township": "220122101"}, "220122101"),
        # A township not below the chosen county falls back to the county.
        ({"city": "2201", "county": "220122", "township": "220221100"}, "220122"),
    ],
)
def test_home_chooser_goes_to_the_deepest_chosen_region(client, regions, params, target):
    response = client.get("/", {**params, "go": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("site:region", args=[target])


def test_home_place_search_matches_a_chinese_substring_and_shows_the_path(client, regions):
    html = text_of(client.get("/", {"place": "岔路"}))

    assert 'href="/regions/220221100/">岔路河镇</a>' in html
    assert "吉林市 › 永吉县 › 岔路河镇" in html

    response = client.get("/", {"place": " 农安 "})
    found = [region.code for region, _ in response.context["place_matches"]]
    assert found == ["220122", "220122100"]


def test_home_place_search_says_when_nothing_matches(client, regions):
    html = text_of(client.get("/", {"place": "不存在的地方"}))

    assert "没有找到名称含“不存在的地方”的" in html


# ---------------------------------------------------------------------------
# Region pages
# ---------------------------------------------------------------------------


def test_county_page_lists_its_published_catalogs_and_its_townships(client, published, catalogs):
    response = client.get(reverse("site:region", args=["220122"]))

    html = text_of(response)
    assert response.status_code == 200
    assert f'href="{catalog_url(published.catalog)}"' in html
    # The elderly-care catalog is still a draft: not listed, not linked.
    assert catalog_url(catalogs.nongan_elderly) not in html
    assert "农安镇" in html and "伏龙泉镇" in html
    assert "农安县民政局" in html  # the responsible office


def test_city_page_counts_published_catalogs_below_each_county(client, published):
    response = client.get(reverse("site:region", args=["2201"]))

    counts = {child.region.code: child.catalogs for child in response.context["children"]}
    assert counts == {"220112": 0, "220122": 1}
    assert response.context["totals"].items == published.publication.item_count


def test_unknown_region_is_not_found_and_villages_have_pages(client, regions):
    village = Region.objects.create(
        code="220122100201", name="某村", level=RegionLevel.VILLAGE, parent=regions.nongan_town
    )
    assert client.get(reverse("site:region", args=["999999"])).status_code == 404
    # Issue 14: a village's page shows the catalog its township derived for it (or says
    # there is none yet); tests/villages covers it.
    assert client.get(reverse("site:region", args=[village.code])).status_code == 200


# ---------------------------------------------------------------------------
# Catalog page
# ---------------------------------------------------------------------------


def test_catalog_page_is_the_official_table_with_every_item(client, published):
    catalog = published.catalog
    response = client.get(catalog_url(catalog))

    html = text_of(response)
    assert response.status_code == 200
    assert f"<h1>{catalog.title}</h1>" in html
    for header in (
        "序号",
        "一级事项",
        "二级事项",
        "公开内容（要素）",
        "公开依据",
        "公开时限",
        "公开主体",
        "公开渠道和载体",
        "公开对象",
        "公开方式",
        "公开层级",
        "全社会",
        "特定群体",
        "主动",
        "依申请",
        "县级",
        "乡级",
    ):
        assert f">{header}</th>" in html, header
    for item in catalog.items.all():
        assert f'href="{item_url(item)}"' in html
    assert "社会救助领域基层政务公开标准目录（第1版）" in html
    assert "第1次公开" in html
    assert "历次版本均存档留存" in html
    for fmt in ("xlsx", "csv", "json"):
        assert f'href="{download_url(catalog, fmt)}"' in html


def test_catalog_page_shows_the_latest_publication_and_keeps_the_history(client, published):
    catalog = published.catalog
    item_update(actor=SYSTEM, item=first_item(catalog), deadline="5个工作日内")
    publish(catalog, note="修改时限")

    html = text_of(client.get(catalog_url(catalog)))

    assert "第2次公开" in html
    assert "第1次" in html  # the history lists every version


def test_a_catalog_never_published_is_not_found_anywhere(client, catalogs):
    catalog = catalogs.nongan_elderly
    item = first_item(catalog)

    assert client.get(catalog_url(catalog)).status_code == 404
    for fmt in ("xlsx", "csv", "json"):
        assert client.get(download_url(catalog, fmt)).status_code == 404
    assert client.get(item_url(item)).status_code == 404
    assert client.get(reverse("site:catalog", args=[999999])).status_code == 404


def test_local_extra_elements_and_other_channels_show_on_catalog_and_item(client, catalogs):
    catalog = catalogs.nongan_social
    localise(catalog)
    item = first_item(catalog)
    item_update(actor=SYSTEM, item=item, channels=["政府网站", "其他"], channel_other="乡镇广播站")
    item_set_extra_elements(actor=SYSTEM, item=item, extras=[("办理地点", "县政务大厅3号窗口")])
    publish(catalog)

    catalog_html = text_of(client.get(catalog_url(catalog)))
    item_html = text_of(client.get(item_url(item)))

    for html in (catalog_html, item_html):
        assert "本地增加要素" in html or "本地增加的要素" in html
        assert "办理地点" in html and "县政务大厅3号窗口" in html
        assert "其他(乡镇广播站)" in html


def test_catalog_page_is_rendered_once_per_publication(client, published):
    catalog = published.catalog
    url = catalog_url(catalog)
    first = client.get(url)

    with CaptureQueriesContext(connection) as context:
        again = client.get(url)
    assert len(context.captured_queries) == 1  # which publication is current; nothing else
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    item_update(actor=SYSTEM, item=first_item(catalog), deadline="草稿里改的时限")
    assert text_of(client.get(url)) == text_of(first)  # a draft is never shown (nor cached)
    publish(catalog)
    republished = text_of(client.get(url))
    assert "草稿里改的时限" in republished and "第2次公开" in republished


def test_a_cached_page_follows_the_region_it_shows(client, published):
    region = published.catalog.region
    item = first_item(published.catalog)
    for url in (catalog_url(published.catalog), item_url(item)):
        assert "0431-86001234" not in text_of(client.get(url))
    region.contact_phone = "0431-86001234"
    region.save()
    for url in (catalog_url(published.catalog), item_url(item)):
        assert "0431-86001234" in text_of(client.get(url)), url


def test_item_page_is_rendered_once_per_publication(client, published):
    url = item_url(first_item(published.catalog))
    first = client.get(url)
    with CaptureQueriesContext(connection) as context:
        again = client.get(url)
    assert len(context.captured_queries) == 1
    assert again.content == first.content
    # Pages carry absolute links: another host gets its own copy.
    other = text_of(client.get(url, HTTP_HOST="localhost"))
    assert "http://localhost/items/" in other and "http://testserver/" not in other


# ---------------------------------------------------------------------------
# Item page
# ---------------------------------------------------------------------------


def test_item_page_shows_every_element_the_standard_item_and_the_office(client, published):
    region = published.catalog.region
    region.contact_name = "张科长"
    region.contact_phone = "0431-83201234"
    region.address = "农安县黄龙路1号"
    region.save()
    item = first_item(published.catalog)
    shown = current_published(item)

    response = client.get(item_url(item))

    html = text_of(response)
    assert response.status_code == 200
    assert f"<h1>{shown.name}</h1>" in html
    for label in (
        "事项名称",
        "公开内容（要素）",
        "公开依据",
        "公开时限",
        "公开主体",
        "公开渠道和载体",
        "公开对象",
        "公开方式",
        "公开层级",
    ):
        assert f"<dt>{label}</dt>" in html, label
    for element in shown.elements:
        assert f"<li>{element}</li>" in html
    assert shown.basis in html and shown.deadline in html and shown.subject in html
    standard_item = item.standard_item
    assert f"第{standard_item.seq}项“{standard_item.level1} · {standard_item.level2}”" in html
    assert "农安县民政局" in html and "张科长" in html and "农安县黄龙路1号" in html
    assert 'href="tel:043183201234"' in html
    assert "长春市农安县" in html
    # Breadcrumbs: 首页 › 吉林省 › 长春市 › 农安县 › 目录.
    assert 'href="/regions/2201/">长春市</a>' in html
    assert f'href="{catalog_url(published.catalog)}"' in html


def test_a_local_item_says_so(client, catalogs):
    catalog = catalogs.nongan_social
    resize_catalog(catalog, 13)
    local = catalog.items.get(standard_item__isnull=True, level2="本地新增事项12")

    html = text_of(client.get(item_url(local)))

    assert "本地新增事项</strong>" in html


def test_item_url_is_stable_across_rename_and_republication(client, published):
    item = first_item(published.catalog)
    url = item_url(item)
    item_update(actor=SYSTEM, item=item, level2="改名后的事项名称")
    publish(published.catalog, note="改名")

    response = client.get(url)

    assert response.status_code == 200
    assert "改名后的事项名称" in text_of(response)
    assert response.context["publication"].number == 2


def test_an_item_removed_from_the_current_publication_is_not_found(client, published):
    item = first_item(published.catalog)
    url = item_url(item)
    assert client.get(url).status_code == 200

    item_delete(actor=SYSTEM, item=item)
    assert client.get(url).status_code == 200  # still published until republished
    publish(published.catalog, note="删除事项")

    assert client.get(url).status_code == 404


# ---------------------------------------------------------------------------
# Only what is published: pages, search, downloads, sitemap
# ---------------------------------------------------------------------------


def test_a_draft_edit_shows_nowhere_until_published_again(client, edited_after_publication):
    draft = edited_after_publication
    catalog = draft.catalog

    def everything() -> str:
        parts = [
            text_of(client.get(catalog_url(catalog))),
            text_of(client.get(item_url(draft.item))),
            text_of(client.get(reverse("site:search"), {"q": "甲乙"})),
            text_of(client.get(reverse("site:search"), {"q": draft.old_name})),
            text_of(client.get(download_url(catalog, "csv"))),
            text_of(client.get(download_url(catalog, "json"))),
            sitemap_text(client),
        ]
        workbook = openpyxl.load_workbook(
            io.BytesIO(client.get(download_url(catalog, "xlsx")).content)
        )
        parts += [str(cell.value) for row in workbook.active.iter_rows() for cell in row]
        return "\n".join(parts)

    before = everything()
    for draft_text in ("草稿中的新名称甲乙", "草稿中的新内容丙丁", "尚未公开的新事项戊己"):
        assert draft_text not in before
    assert draft.old_name in before
    assert item_url(draft.added) not in before
    assert client.get(item_url(draft.added)).status_code == 404

    publish(catalog, note="更新")
    after = everything()

    for draft_text in ("草稿中的新名称甲乙", "草稿中的新内容丙丁", "尚未公开的新事项戊己"):
        assert draft_text in after
    assert item_url(draft.added) in after
    assert client.get(item_url(draft.added)).status_code == 200


def test_search_page_finds_only_published_items(client, published, catalogs):
    # 农安镇's catalog is a derived draft; its items must not be found.
    localise(catalogs.town_social)
    response = client.get(reverse("site:search"), {"q": "低保"})

    items = list(response.context["page"])
    assert items, "the published county catalog has 低保 items"
    assert {item.publication.catalog_id for item in items} == {published.catalog.pk}


def test_sitemap_lists_only_published_catalogs_items_and_their_places(client, published, catalogs):
    response = client.get(reverse("site:sitemap"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert "<sitemapindex" in text_of(response)

    xml = sitemap_text(client)
    assert f"http://testserver{catalog_url(published.catalog)}</loc>" in xml
    for item in published.catalog.items.all():
        assert f"{item_url(item)}</loc>" in xml
    for draft in (catalogs.nongan_elderly, catalogs.town_social, catalogs.yongji_social):
        assert f"{catalog_url(draft)}</loc>" not in xml
        assert item_url(first_item(draft)) not in xml
    for code in ("22", "2201", "220122"):
        assert f"/regions/{code}/</loc>" in xml
    assert "/regions/220221/</loc>" not in xml  # 永吉县 has only a draft
    assert "<lastmod>" in xml


def test_sitemap_is_an_index_of_files_of_at_most_the_limit(client, catalogs, settings):
    resize_catalog(catalogs.nongan_social, 12)  # longer than a file: split across files
    localise(catalogs.town_social)
    publish(catalogs.town_social)
    whole = sitemap_urls(client)
    assert len(whole) == len(set(whole)) > 20

    settings.SITEMAP_MAX_URLS = 5
    index = text_of(client.get(reverse("site:sitemap")))
    files = re.findall(r"<loc>http://testserver(/sitemap-\d+\.xml)</loc>", index)
    assert files == [f"/sitemap-{n}.xml" for n in range(1, len(files) + 1)]
    per_file = [re.findall(r"<url><loc>([^<]+)</loc>", text_of(client.get(f))) for f in files]
    assert all(1 <= len(urls) <= 5 for urls in per_file)
    assert len(files) == -(-len(whole) // 5)  # packed: no file left half empty but the last
    assert sorted(url for urls in per_file for url in urls) == sorted(whole)
    assert client.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_sitemap_files_follow_a_new_publication(client, published, catalogs):
    assert f"{catalog_url(catalogs.town_social)}</loc>" not in sitemap_text(client)
    localise(catalogs.town_social)
    publish(catalogs.town_social)
    assert f"{catalog_url(catalogs.town_social)}</loc>" in sitemap_text(client)


def test_robots_txt_allows_all_but_staff_areas_and_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")

    body = text_of(response)
    assert response["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in body
    assert "Disallow: /admin/" in body and "Disallow: /review/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


# ---------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------


def test_xlsx_download_is_the_official_layout_of_the_published_items(client, published):
    catalog = published.catalog
    response = client.get(download_url(catalog, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
    assert catalog.title in cells
    for item in catalog.items.all():
        assert item.level2 in cells


def test_csv_download_opens_in_excel_and_holds_every_element(client, published):
    catalog = published.catalog
    response = client.get(download_url(catalog, "csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:11] == [
        "序号",
        "一级事项",
        "二级事项",
        "公开内容(要素)",
        "公开依据",
        "公开时限",
        "公开主体",
        "公开渠道和载体",
        "公开对象",
        "公开方式",
        "公开层级",
    ]
    published_items = list(published.publication.items.order_by("seq"))
    assert len(rows) == 1 + len(published_items)
    first = published_items[0]
    assert rows[1][:3] == [str(first.seq), first.level1, first.level2]
    assert rows[1][7] == "、".join(first.channel_labels)
    assert rows[1][-1] == f"http://testserver{item_url(first)}"


def test_csv_download_defuses_formulas(client, catalogs):
    catalog = catalogs.nongan_social
    localise(catalog)
    item_update(actor=SYSTEM, item=first_item(catalog), deadline="=HYPERLINK(1)")
    publish(catalog)

    rows = list(
        csv.reader(
            io.StringIO(client.get(download_url(catalog, "csv")).content.decode("utf-8-sig"))
        )
    )

    assert rows[1][5] == "'=HYPERLINK(1)"


def test_json_download_holds_the_catalog_and_every_item(client, published):
    catalog = published.catalog
    response = client.get(download_url(catalog, "json"))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    data = json.loads(response.content)
    assert data["title"] == catalog.title
    assert data["region"]["full_name"] == "长春市农安县"
    assert (data["region"]["code"], data["region"]["name"]) == ("220122", "农安县")
    assert data["publication"]["number"] == 1
    assert data["publication"]["published_at"].endswith("+08:00")
    assert data["contact"]["office_name"] == catalog.region.office_name
    assert len(data["items"]) == published.publication.item_count
    first = data["items"][0]
    assert set(first) >= {
        "public_id",
        "html_url",
        "level1",
        "level2",
        "content",
        "basis",
        "deadline",
        "subject",
        "channels",
        "audience",
        "method",
        "levels",
        "extra_elements",
        "standard_item",
    }
    assert "长春市农安县" in response.content.decode("utf-8")  # not \\u-escaped


def test_json_download_is_the_api_catalog(client, published):
    """One serializer: the download and /api/v1/catalogs/ID/ give the same object."""
    catalog = published.catalog
    download = json.loads(client.get(download_url(catalog, "json")).content)
    api = client.get(reverse("api:catalog", args=[catalog.pk])).json()
    assert download == api
    assert download["url"].endswith(f"/api/v1/catalogs/{catalog.pk}/")
    assert set(download["downloads"]) == {"xlsx", "csv", "json"}


def test_unknown_download_format_is_not_found(client, published):
    assert client.get(f"/catalogs/{published.catalog.pk}/download.pdf").status_code == 404


# ---------------------------------------------------------------------------
# Search page
# ---------------------------------------------------------------------------


@pytest.fixture
def county_and_town(catalogs):
    localise(catalogs.nongan_social)
    localise(catalogs.town_social)
    localise(catalogs.yongji_social)
    for catalog in (catalogs.nongan_social, catalogs.town_social, catalogs.yongji_social):
        publish(catalog)
    return catalogs


def test_search_page_shows_hit_count_results_and_keeps_the_query(client, county_and_town):
    response = client.get(reverse("site:search"), {"q": "低保"})

    html = text_of(response)
    count = response.context["page"].paginator.count
    assert count > 0
    assert f"找到 {count} 个公开事项" in html
    assert 'value="低保"' in html
    assert "<mark>低保</mark>" in html


def test_search_region_filter_includes_everything_below(client, county_and_town):
    response = client.get(reverse("site:search"), {"region": "220122"})

    regions = {item.publication.catalog.region.code for item in response.context["page"]}
    assert regions == {"220122", "220122100"}
    assert '<option value="220122" selected>农安县</option>' in text_of(response)


def test_search_a_township_filter_stays_selected(client, county_and_town):
    html = text_of(client.get(reverse("site:search"), {"region": "220122100"}))

    assert '<option value="220122100" selected>农安镇</option>' in html


def test_search_pagination_keeps_the_filters_in_the_url(client, county_and_town):
    response = client.get(reverse("site:search"), {"region": "22", "audience": "全社会"})

    page = response.context["page"]
    assert page.paginator.num_pages > 1
    html = text_of(response)
    assert 'href="?region=22&amp;audience=%E5%85%A8%E7%A4%BE%E4%BC%9A&amp;page=2"' in html

    second = client.get(reverse("site:search"), {"region": "22", "audience": "全社会", "page": 2})
    assert second.context["page"].number == 2
    assert 'aria-current="page">2</span>' in text_of(second)


def test_search_catalog_filter_shows_which_catalog(client, county_and_town):
    catalog = county_and_town.town_social
    response = client.get(reverse("site:search"), {"catalog": catalog.pk})

    assert {item.publication.catalog_id for item in response.context["page"]} == {catalog.pk}
    assert f"只在<strong>{catalog.title}</strong>中搜索" in text_of(response)


def test_search_bad_input_gets_a_chinese_message(client, county_and_town):
    response = client.get(reverse("site:search"), {"region": "999999", "audience": "所有人"})

    html = text_of(response)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "没有代码为“999999”的地区" in html
    assert "公开对象只能是全社会、特定群体之一" in html


def select_options(html: str, name: str) -> list[str]:
    """The option values of the select named ``name`` (disabled ones included)."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"', select)


def test_search_region_picker_without_javascript_lists_the_next_level(client, county_and_town):
    chose_city = client.get(reverse("site:search"), {"city": "2201", "county": "", "township": ""})
    html = text_of(chose_city)
    assert select_options(html, "city") == ["", "2201", "2202", "2299"]
    assert select_options(html, "county") == ["", "220112", "220122"]
    assert re.search(r'<select name="township"[^>]* disabled>', html)
    regions = {item.publication.catalog.region.code for item in chose_city.context["page"]}
    assert regions == {"220122", "220122100"}

    chose_county = text_of(
        client.get(reverse("site:search"), {"city": "2201", "county": "220122", "township": ""})
    )
    assert select_options(chose_county, "township") == ["", "220122100", "220122101"]
    assert '<option value="220122" selected>农安县</option>' in chose_county
    assert "已列出农安县的2个乡镇（街道）" in chose_county


def test_search_region_picker_drops_a_county_left_over_from_another_city(client, county_and_town):
    # Without JavaScript the county select still holds 农安县 when the city changes.
    response = client.get(
        reverse("site:search"), {"city": "2202", "county": "220122", "township": "220122100"}
    )
    regions = {item.publication.catalog.region.code for item in response.context["page"]}
    assert regions == {"220221"}  # 吉林市's 永吉县, not 农安县
    html = text_of(response)
    assert '<option value="2202" selected>吉林市</option>' in html
    assert select_options(html, "county") == ["", "220221"]


def test_search_region_picker_shows_the_chain_of_a_region_from_a_link(client, county_and_town):
    html = text_of(client.get(reverse("site:search"), {"region": "220122100"}))
    assert '<option value="2201" selected>长春市</option>' in html
    assert '<option value="220122" selected>农安县</option>' in html
    assert '<option value="220122100" selected>农安镇</option>' in html
    assert select_options(html, "county") == ["", "220112", "220122"]
    assert select_options(html, "township") == ["", "220122100", "220122101"]
    # Only the chosen city's counties and the chosen county's townships: 永吉县 is not listed.
    assert "220221" not in html


def test_search_by_province_keeps_it_as_a_removable_condition(client, county_and_town):
    html = text_of(client.get(reverse("site:search"), {"region": "22", "q": "救助"}))
    assert "地区：<strong>吉林省</strong>" in html
    assert '<input type="hidden" name="region" value="22"' in html
    assert 'href="?q=%E6%95%91%E5%8A%A9">取消此条件</a>' in html


def test_search_counts_stop_at_the_cap(client, county_and_town, monkeypatch):
    everything = client.get(reverse("site:search"), {"q": "救助"}).context["page"].paginator
    assert not everything.capped and everything.count > 5
    monkeypatch.setattr("portal.search.COUNT_CAP", 5)
    response = client.get(reverse("site:search"), {"q": "救助"})
    paginator = response.context["page"].paginator
    assert (paginator.capped, paginator.count, paginator.num_pages) == (True, 5, 1)
    html = text_of(response)
    assert "找到 5+ 个公开事项" in html
    assert "只列出前 5 个" in html
    listed = [item.pk for item in response.context["page"]]
    assert listed == [item.pk for item in list(everything.object_list)[:5]]


def test_search_pages_are_kept_until_the_next_publication(client, county_and_town):
    url = reverse("site:search") + "?q=%E6%95%91%E5%8A%A9"  # 救助
    first = client.get(url)
    before = first.context["page"].paginator.count
    assert queries_for(client, url) == 0  # the same for everyone until something is published
    assert client.get(url).content == first.content
    catalog = county_and_town.nongan_elderly
    localise(catalog)
    item_update(actor=SYSTEM, item=first_item(catalog), level2="养老机构救助说明")
    assert client.get(url).content == first.content  # a draft changes nothing
    publish(catalog)
    after = client.get(url)
    assert after.context["page"].paginator.count == before + 1
    assert "养老机构<mark>救助</mark>说明" in text_of(after)


def test_search_without_parameters_shows_only_the_form(client, db):
    response = client.get(reverse("site:search"))

    assert response.status_code == 200
    assert response.context["page"] is None
    assert "noindex" not in text_of(response)


# ---------------------------------------------------------------------------
# Every page: title, language, headers
# ---------------------------------------------------------------------------


def public_pages(published) -> dict[str, str]:
    item = first_item(published.catalog)
    return {
        "home": "/",
        "region": reverse("site:region", args=["220122"]),
        "city": reverse("site:region", args=["2201"]),
        "catalog": catalog_url(published.catalog),
        "item": item_url(item),
        "search": reverse("site:search") + "?q=低保",
        "accessibility": reverse("site:accessibility"),
        "about": reverse("site:about"),
    }


def test_every_page_has_lang_a_title_landmarks_and_the_skip_link(client, published):
    for name, url in public_pages(published).items():
        html = text_of(client.get(url))
        assert '<html lang="zh-CN"' in html, name
        title = re.search(r"<title>(.+?)</title>", html, re.S).group(1).strip()
        assert len(title) > 6, name
        assert '<a class="skip-link" href="#main">跳到主要内容</a>' in html, name
        assert '<main id="main"' in html and "<header" in html and "<footer" in html, name
        assert 'data-pref="elder"' in html, name
        assert html.count("<h1") == 1, name


def test_titles_name_the_page(client, published):
    item = current_published(first_item(published.catalog))

    def title(url):
        return re.search(r"<title>(.+?)</title>", text_of(client.get(url)), re.S).group(1)

    assert title(catalog_url(published.catalog)).startswith(published.catalog.title)
    assert title(item_url(item)).startswith(f"{item.name} - 长春市农安县")
    assert title(reverse("site:region", args=["220122"])).startswith("长春市农安县")


def test_the_not_found_page_is_chinese(client, db):
    response = client.get("/no-such-page/")

    html = text_of(response)
    assert response.status_code == 404
    assert '<html lang="zh-CN"' in html and "页面不存在" in html


def test_public_pages_send_cdn_cache_headers_and_no_cookies(client, published, settings):
    for name, url in public_pages(published).items():
        response = client.get(url)
        cache_control = response["Cache-Control"]
        assert "public" in cache_control, name
        assert f"max-age={settings.PUBLIC_CACHE_SECONDS}" in cache_control, name
        assert response.has_header("ETag"), name
        assert "Cookie" not in response.get("Vary", ""), name
        assert not response.cookies, name
        assert "script-src 'self'" in response["Content-Security-Policy"], name
    for fmt in ("xlsx", "csv", "json"):
        response = client.get(download_url(published.catalog, fmt))
        assert "public" in response["Cache-Control"]


def test_catalog_and_item_pages_answer_conditional_requests(client, published):
    url = catalog_url(published.catalog)
    first = client.get(url)
    assert first.has_header("Last-Modified")

    again = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    item = client.get(item_url(first_item(published.catalog)))
    assert item.has_header("Last-Modified")


def test_public_pages_accept_only_get_and_head(client, published):
    assert client.post(catalog_url(published.catalog)).status_code == 405
    assert client.head(catalog_url(published.catalog)).status_code == 200


# ---------------------------------------------------------------------------
# Query counts: fixed, whatever the number of items
# ---------------------------------------------------------------------------

PAGE_BUDGETS = {
    "home": 3,
    # + the sections of other apps: the 监督举报 channels (matters), a county's 公众参与目录
    # (participation); a fixed number whatever the region holds.
    "region": 7,
    "city": 6,
    "catalog": 4,
    "item": 5,  # + the policy documents and public answers of the item, on a cache miss
    "search": 6,
    "sitemap": 4,
    "sitemap-file": 4,
    "xlsx": 2,
    "csv": 2,
    "json": 3,
}


def budget_urls(catalog) -> dict[str, str]:
    item = first_item(catalog)
    return {
        "home": "/",
        "region": reverse("site:region", args=[catalog.region.code]),
        "city": reverse("site:region", args=["2201"]),
        "catalog": catalog_url(catalog),
        "item": item_url(item),
        "search": reverse("site:search")
        + f"?q=事项&region=2201&catalog={catalog.pk}&audience=全社会",
        "sitemap": reverse("site:sitemap"),
        "sitemap-file": reverse("site:sitemap_file", args=[1]),
        "xlsx": download_url(catalog, "xlsx"),
        "csv": download_url(catalog, "csv"),
        "json": download_url(catalog, "json"),
    }


@pytest.mark.parametrize("count", [5, 60])
def test_every_public_page_stays_within_its_query_budget(
    client, catalogs, django_assert_max_num_queries, count
):
    catalog = resize_catalog(catalogs.nongan_social, count)
    assert catalog.items.count() == count

    for name, url in budget_urls(catalog).items():
        with django_assert_max_num_queries(PAGE_BUDGETS[name]):
            assert client.get(url).status_code == 200, name


def test_query_counts_do_not_grow_with_the_number_of_items(client, catalogs, regions):
    small = resize_catalog(catalogs.nongan_social, 5)
    cache.clear()  # both rounds cold: some entries outlive a publication (the 一级事项 choices)
    small_counts = {name: queries_for(client, url) for name, url in budget_urls(small).items()}

    resize_catalog(catalogs.nongan_social, 60)
    localise(catalogs.town_social)
    publish(catalogs.town_social)  # more catalogs and items below 长春市 too
    cache.clear()
    large_counts = {name: queries_for(client, url) for name, url in budget_urls(small).items()}

    assert small_counts == large_counts


# ---------------------------------------------------------------------------
# Static files: compressed, long-lived
# ---------------------------------------------------------------------------


def test_static_files_are_served_compressed_with_a_long_cache_lifetime(settings, tmp_path, db):
    from django.core.management import call_command
    from django.templatetags.static import static
    from django.test import Client

    settings.STATIC_ROOT = tmp_path / "static"
    # Only the site's own files (static/): compressing the admin's too takes half a minute.
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", verbosity=0)
    url = static("portal/css/site.css")
    assert re.fullmatch(r"/static/portal/css/site\.[0-9a-f]{12}\.css", url)

    response = Client().get(
        url, headers={"Accept-Encoding": "br, gzip"}
    )  # WhiteNoise reads the new files

    assert response.status_code == 200
    assert response["Content-Encoding"] in {"br", "gzip"}
    assert "max-age=31536000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
