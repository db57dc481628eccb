"""The open-data JSON API under /api/v1/: shapes, filters, only-published, caching, errors."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from catalogs.models import RegionLevel
from catalogs.permissions import SYSTEM
from items.models import Item, ItemExtraElement, PublishedItem
from items.services import catalog_publish, item_delete, item_set_extra_elements, item_update
from tests.conftest import localise
from tests.factories import RegionFactory

JSON = "application/json; charset=utf-8"
LATER = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)


def publish(catalog, **kwargs):
    return catalog_publish(actor=SYSTEM, catalog=catalog, **kwargs)


def edit(catalog, seq: int, **values) -> Item:
    return item_update(actor=SYSTEM, item=catalog.items.get(seq=seq), **values)


def get_json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == JSON
    return response.json()


def assert_error(client, url, status, code, *fragments, method="get"):
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert response["Content-Type"] == JSON
    assert response["Cache-Control"] == "no-store"
    error = response.json()["error"]
    assert error["status"] == status
    assert error["code"] == code
    for fragment in fragments:
        assert fragment in error["message"]
    return error


def add_local_items(catalog, count: int) -> list[Item]:
    """Append complete local items, each with one extra element, to a catalog's draft."""
    top = catalog.items.aggregate(top=Max("seq"))["top"] or 0
    items = Item.objects.bulk_create(
        Item(
            catalog=catalog,
            seq=top + n,
            level1="本地增加事项",
            level2=f"本地救助事项{n}",
            content="●办理流程\n●救助结果信息",
            basis="本地实施办法",
            deadline="信息形成之日起20个工作日内",
            subject=f"{catalog.region.name}人民政府",
            channels=["政府网站", "其他"],
            channel_other="村务微信群",
            audience=["全社会"],
            method=["主动"],
            levels=[catalog.region.catalog_level],
        )
        for n in range(1, count + 1)
    )
    ItemExtraElement.objects.bulk_create(
        ItemExtraElement(item=item, name="咨询电话", value="0431-1234567") for item in items
    )
    return items


@pytest.fixture
def county_and_town(catalogs):
    """农安县 and its township 农安镇 published; 永吉县 (吉林市) stays a draft."""
    localise(catalogs.nongan_social)
    localise(catalogs.town_social)
    publish(catalogs.nongan_social)
    publish(catalogs.town_social)
    return catalogs


def walk(client, url) -> list[dict]:
    """Every result of a paginated list, following ``next``."""
    results = []
    while url:
        page = get_json(client, url)
        results += page["results"]
        url = page["next"]
    return results


# ---------------------------------------------------------------------------
# Format, headers, methods
# ---------------------------------------------------------------------------


def test_index_lists_the_endpoints(client, db):
    data = get_json(client, "/api/v1/")
    assert data["regions"] == "http://testserver/api/v1/regions/"
    assert data["search"] == "http://testserver/api/v1/search/"


def test_json_is_utf8_not_escaped_and_open_to_any_origin(client, published, settings):
    settings.PUBLIC_CACHE_SECONDS = 123
    response = client.get("/api/v1/regions/")
    assert response["Content-Type"] == JSON
    assert "吉林省".encode() in response.content
    assert b"\\u" not in response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=123"
    assert "ETag" in response["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused_with_json(client, published, method):
    error = assert_error(
        client, "/api/v1/regions/", 405, "method_not_allowed", "只读", method=method
    )
    assert method.upper() in error["message"]
    assert client.generic(method.upper(), "/api/v1/regions/")["Allow"] == "GET, HEAD, OPTIONS"


def test_head_has_the_get_headers_and_no_body(client, published):
    get = client.get("/api/v1/regions/220122/")
    head = client.head("/api/v1/regions/220122/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Length"] == str(len(get.content))


def test_cors_preflight(client, db):
    response = client.options("/api/v1/search/")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/items/",
        "/api/v1/items",
        "/api/v1/regions/22/x",
        "/api/v1/regions/abc/",
        "/api/v1/catalogs/abc/",
        "/api/v1/catalogs/1/download.json",
    ],
)
def test_unknown_paths_answer_in_json(client, db, path):
    assert_error(client, path, 404, "not_found", "没有这个接口")
    assert_error(client, path, 405, "method_not_allowed", "只读", method="post")
    head = client.head(path)
    assert (head.status_code, head.content, head["Content-Type"]) == (404, b"", JSON)


def test_a_missing_slash_still_redirects_to_the_endpoint(client, db):
    response = client.get("/api/v1/regions?parent=22&page=1")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/regions/?parent=22&page=1"
    assert client.get("/api/v1/regions/22").headers["Location"] == "/api/v1/regions/22/"
    assert client.get("/api/v1/catalogs/7").headers["Location"] == "/api/v1/catalogs/7/"


@pytest.mark.parametrize(
    ("url", "status", "message", "method"),
    [
        (
            "/api/v1/regions/?page_size=201",
            400,
            "参数 page_size（每页条数）有误：不能超过200。",
            "get",
        ),
        ("/api/v1/search/?audience=x", 400, "参数 audience（公开对象）有误", "get"),
        ("/api/v1/regions/?parent=99", 400, "没有代码为“99”的地区", "get"),
        ("/api/v1/regions/220199/", 404, "没有代码为“220199”的地区", "get"),
        ("/api/v1/catalogs/999999/", 404, "目录不存在或尚未公开", "get"),
        ("/api/v1/regions/?page=9", 404, "第9页不存在，共1页。", "get"),
        ("/api/v1/nowhere/", 404, "没有这个接口", "get"),
        ("/api/v1/search/", 405, "开放数据接口只读，不支持 PUT 请求。", "put"),
    ],
)
def test_every_error_is_json_with_its_status_and_a_chinese_message(
    client, published, url, status, message, method
):
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert message in body["error"]["message"]
    assert message.encode() in response.content  # Chinese as is, not \u escapes


# ---------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------


def test_top_level_regions_are_the_provinces_present(client, county_and_town):
    RegionFactory(code="23", name="黑龙江省", level=RegionLevel.PROVINCE)
    data = get_json(client, "/api/v1/regions/")
    assert data["parent"] is None
    assert [(r["code"], r["name"]) for r in data["results"]] == [
        ("22", "吉林省"),
        ("23", "黑龙江省"),
    ]
    jilin = data["results"][0]
    assert jilin["level"] == "province"
    assert jilin["level_label"] == "省级"
    assert jilin["url"] == "http://testserver/api/v1/regions/22/"
    assert jilin["children_url"] == "http://testserver/api/v1/regions/?parent=22"
    assert jilin["catalogs_url"] == "http://testserver/api/v1/regions/22/catalogs/"
    assert jilin["html_url"] == "http://testserver/regions/22/"
    assert jilin["published_catalog_count"] == 2
    county = county_and_town.nongan_social.publications.get()
    town = county_and_town.town_social.publications.get()
    assert jilin["published_item_count"] == county.item_count + town.item_count
    assert data["results"][1]["published_catalog_count"] == 0


def test_children_of_a_region_with_counts_of_published_catalogs_below(client, county_and_town):
    data = get_json(client, "/api/v1/regions/?parent=22")
    assert data["parent"]["code"] == "22"
    counts = {r["code"]: r["published_catalog_count"] for r in data["results"]}
    # 长春市 holds 农安县 and 农安镇; 吉林市's 永吉县 catalog is only a draft.
    assert counts == {"2201": 2, "2202": 0, "2299": 0}
    data = get_json(client, "/api/v1/regions/?parent=220122")
    counts = {r["code"]: r["published_catalog_count"] for r in data["results"]}
    assert counts == {"220122100": 1, "220122101": 0}


def test_unknown_parent_is_a_bad_parameter(client, db):
    error = assert_error(client, "/api/v1/regions/?parent=99", 400, "invalid_parameter", "99")
    assert error["parameter"] == "parent"
    assert "上级地区" in error["message"]


def test_region_detail_has_its_chain_children_and_contact(client, county_and_town):
    data = get_json(client, "/api/v1/regions/220122/")
    assert data["code"] == "220122"
    assert data["name"] == "农安县"
    assert data["full_name"] == "长春市农安县"
    assert data["level_label"] == "县级"
    assert data["contact"]["office_name"] == "农安县民政局"
    assert [a["code"] for a in data["ancestors"]] == ["22", "2201"]
    assert [(c["code"], c["published_catalog_count"]) for c in data["children"]] == [
        ("220122100", 1),
        ("220122101", 0),
    ]
    assert data["published_catalog_count"] == 2
    town = get_json(client, "/api/v1/regions/220122100/")
    assert town["full_name"] == "长春市农安县农安镇"
    assert [a["name"] for a in town["ancestors"]] == ["吉林省", "长春市", "农安县"]
    assert town["children"] == []


def test_unknown_region_is_404_json(client, db):
    assert_error(client, "/api/v1/regions/220199/", 404, "not_found", "220199")
    assert_error(client, "/api/v1/regions/220199/catalogs/", 404, "not_found", "220199")


# ---------------------------------------------------------------------------
# Catalogs of a region
# ---------------------------------------------------------------------------


def test_region_catalogs_lists_its_own_published_catalogs(client, county_and_town):
    data = get_json(client, "/api/v1/regions/220122/catalogs/")
    assert data["descendants"] is False
    assert [c["id"] for c in data["results"]] == [county_and_town.nongan_social.pk]
    catalog = data["results"][0]
    pk = county_and_town.nongan_social.pk
    assert catalog["title"] == "长春市农安县社会救助领域基层政务公开标准目录"
    assert catalog["url"] == f"http://testserver/api/v1/catalogs/{pk}/"
    assert catalog["html_url"] == f"http://testserver/catalogs/{pk}/"
    assert catalog["downloads"]["xlsx"] == f"http://testserver/catalogs/{pk}/download.xlsx"
    assert catalog["region"]["full_name"] == "长春市农安县"
    assert catalog["standard"] == {
        "code": "social-assistance",
        "title": "社会救助领域基层政务公开标准目录",
        "field": "社会救助",
    }
    assert catalog["edition"]["version"] == 1
    assert catalog["publication"]["number"] == 1
    assert catalog["publication"]["item_count"] == county_and_town.nongan_social.items.count()


def test_region_catalogs_with_descendants(client, county_and_town):
    own = county_and_town.nongan_social.pk
    town = county_and_town.town_social.pk
    data = get_json(client, "/api/v1/regions/2201/catalogs/?descendants=1")
    assert data["descendants"] is True
    assert [c["id"] for c in data["results"]] == [own, town]
    assert get_json(client, "/api/v1/regions/2201/catalogs/")["results"] == []
    assert get_json(client, "/api/v1/regions/2202/catalogs/?descendants=1")["results"] == []
    error = assert_error(
        client, "/api/v1/regions/2201/catalogs/?descendants=maybe", 400, "invalid_parameter"
    )
    assert error["parameter"] == "descendants"


# ---------------------------------------------------------------------------
# One catalog
# ---------------------------------------------------------------------------


def test_catalog_detail_has_every_element_of_every_item(client, published):
    catalog = published.catalog
    item = edit(
        catalog,
        1,
        channels=["政府网站", "其他"],
        channel_other="村务微信群",
        audience=["全社会", "特定群体"],
        method=["主动", "依申请"],
    )
    item_set_extra_elements(actor=SYSTEM, item=item, extras=[("咨询电话", "0431-83221234")])
    (local,) = add_local_items(catalog, 1)
    publication = publish(catalog, note="第二次发布", now=LATER)
    data = get_json(client, f"/api/v1/catalogs/{catalog.pk}/")
    assert data["id"] == catalog.pk
    assert data["publication"] == {
        "number": 2,
        "published_at": "2031-05-06T15:08:09+08:00",
        "note": "第二次发布",
        "item_count": publication.item_count,
    }
    assert data["contact"]["office_name"] == "农安县民政局"
    assert len(data["items"]) == publication.item_count == catalog.items.count()
    assert [i["seq"] for i in data["items"]] == sorted(i["seq"] for i in data["items"])
    first = data["items"][0]
    standard_item = item.standard_item
    assert first == {
        "public_id": str(item.public_id),
        "html_url": f"http://testserver/items/{item.public_id}/",
        "seq": 1,
        "name": item.name,
        "level1": item.level1,
        "level2": item.level2,
        "content": item.content,
        "content_elements": item.elements,
        "basis": item.basis,
        "deadline": item.deadline,
        "subject": item.subject,
        "channels": ["政府网站", "其他"],
        "channel_other": "村务微信群",
        "channel_labels": ["政府网站", "其他(村务微信群)"],
        "audience": ["全社会", "特定群体"],
        "method": ["主动", "依申请"],
        "levels": item.levels,
        "extra_elements": [{"name": "咨询电话", "value": "0431-83221234"}],
        "is_local": False,
        "standard_item": {"key": standard_item.key, "seq": standard_item.seq},
        "records": [],  # the information published under the item (records app)
    }
    assert first["content_elements"]
    last = data["items"][-1]
    assert last["public_id"] == str(local.public_id)
    assert last["is_local"] is True
    assert last["standard_item"] is None


def test_unpublished_or_missing_catalog_is_404_json(client, published, catalogs):
    error = assert_error(client, f"/api/v1/catalogs/{catalogs.yongji_social.pk}/", 404, "not_found")
    assert error == {"status": 404, "code": "not_found", "message": "目录不存在或尚未公开"}
    assert_error(client, "/api/v1/catalogs/999999/", 404, "not_found", "目录不存在或尚未公开")


def test_catalog_shows_the_publication_not_the_draft(client, published):
    catalog = published.catalog
    url = f"/api/v1/catalogs/{catalog.pk}/"
    item = edit(catalog, 1, basis="第二版依据")
    doomed = catalog.items.get(seq=2)
    item_delete(actor=SYSTEM, item=doomed)
    data = get_json(client, url)
    assert "第二版依据" not in str(data)
    assert str(doomed.public_id) in {i["public_id"] for i in data["items"]}
    publish(catalog)
    data = get_json(client, url)
    assert data["publication"]["number"] == 2
    by_id = {i["public_id"]: i for i in data["items"]}
    assert by_id[str(item.public_id)]["basis"] == "第二版依据"
    assert str(doomed.public_id) not in by_id


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------


def test_search_finds_chinese_substrings_with_catalog_context(client, county_and_town):
    data = get_json(client, "/api/v1/search/?q=临时救助 办事指南&region=220122100")
    assert data["query"]["q"] == "临时救助 办事指南"
    assert data["query"]["region"] == "220122100"
    assert data["count"] == 1
    (result,) = data["results"]
    assert (result["level1"], result["level2"]) == ("临时救助", "办事指南")
    assert result["catalog"]["id"] == county_and_town.town_social.pk
    assert result["catalog"]["region"]["full_name"] == "长春市农安县农安镇"
    assert result["catalog"]["standard"]["code"] == "social-assistance"
    assert result["published_at"]
    assert result["html_url"] == f"http://testserver/items/{result['public_id']}/"


def test_search_counts_stop_at_the_cap(client, county_and_town, monkeypatch):
    data = get_json(client, "/api/v1/search/?q=救助&page_size=10")
    assert data["count"] > 12 and data["count_capped"] is False
    monkeypatch.setattr("portal.search.COUNT_CAP", 12)
    capped = get_json(client, "/api/v1/search/?q=救助&page_size=10")
    assert (capped["count"], capped["count_capped"], capped["num_pages"]) == (12, True, 2)
    assert capped["results"] == data["results"]
    last = get_json(client, "/api/v1/search/?q=救助&page_size=10&page=2")
    assert len(last["results"]) == 2 and last["next"] is None


def test_search_filters_match_the_page(client, county_and_town):
    catalog = county_and_town.nongan_social
    special = edit(catalog, 2, audience=["特定群体"], method=["依申请"], levels=["县级"])
    publish(catalog)

    def ids(query):
        return {r["public_id"] for r in walk(client, f"/api/v1/search/?{query}")}

    everything = ids("")
    town = {
        str(i.public_id)
        for i in PublishedItem.objects.filter(publication__catalog=county_and_town.town_social)
    }
    assert everything == {str(i.public_id) for i in PublishedItem.objects.visible_to_public()}
    assert ids("region=2201") == everything
    assert ids("region=220122100") == town
    assert ids(f"catalog={county_and_town.town_social.pk}") == town
    assert ids("audience=特定群体") == ids("method=依申请") == {str(special.public_id)}
    assert str(special.public_id) not in ids("level=乡级")
    level1 = ids("level1=临时救助")
    assert level1 and all(
        r["level1"] == "临时救助" for r in walk(client, "/api/v1/search/?level1=临时救助")
    )


@pytest.mark.parametrize(
    ("query", "parameter", "fragment"),
    [
        ("audience=所有人", "audience", "公开对象只能是全社会、特定群体之一"),
        ("method=x", "method", "公开方式"),
        ("level=市级", "level", "公开层级"),
        ("region=2209", "region", "没有代码为“2209”的地区"),
        ("catalog=abc", "catalog", "目录编号必须是正整数"),
        ("level1=不存在", "level1", "一级事项"),
        ("q=" + "字" * 101, "q", "关键词不能超过100个字"),
        ("page=abc", "page", "页码"),
        ("page_size=0", "page_size", "每页条数"),
        ("page_size=201", "page_size", "不能超过200"),
        ("page_size=%C2%B2", "page_size", "每页条数"),  # "²" is a digit to str.isdigit
        ("catalog=99999999999999999999999", "catalog", "目录编号过大"),
    ],
)
def test_bad_search_parameters_are_400_json_naming_the_parameter(
    client, published, query, parameter, fragment
):
    error = assert_error(client, f"/api/v1/search/?{query}", 400, "invalid_parameter", fragment)
    assert error["parameter"] == parameter
    assert f"参数 {parameter}" in error["message"]


def test_search_of_an_unpublished_catalog_is_refused(client, published, catalogs):
    error = assert_error(
        client,
        f"/api/v1/search/?catalog={catalogs.yongji_social.pk}",
        400,
        "invalid_parameter",
        "不存在或尚未公开",
    )
    assert error["parameter"] == "catalog"


# ---------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------


def test_pagination_envelope_and_links(client, published):
    total = PublishedItem.objects.visible_to_public().count()
    assert total > 5
    first = get_json(client, "/api/v1/search/?q=救助&page_size=3")
    matching = first["count"]
    assert first["page"] == 1
    assert first["page_size"] == 3
    assert first["num_pages"] == -(-matching // 3)
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/search/?")
    assert "page=2" in first["next"]
    assert "page_size=3" in first["next"]
    assert "q=%E6%95%91%E5%8A%A9" in first["next"]
    assert len(first["results"]) == 3
    second = get_json(client, first["next"])
    assert second["previous"] is not None
    results = walk(client, "/api/v1/search/?q=救助&page_size=3")
    assert len(results) == len({r["public_id"] for r in results}) == matching


def test_page_past_the_end_is_404_json(client, published):
    error = assert_error(client, "/api/v1/search/?page=99", 404, "page_not_found", "第99页不存在")
    assert error["parameter"] == "page"


def test_empty_result_is_one_empty_page(client, published):
    data = get_json(client, "/api/v1/search/?q=没有这样的事项")
    assert (data["count"], data["num_pages"], data["results"]) == (0, 1, [])


# ---------------------------------------------------------------------------
# Only what is published, on every endpoint
# ---------------------------------------------------------------------------


def test_drafts_never_show_on_any_endpoint(client, published, catalogs):
    draft = catalogs.yongji_social
    edit(draft, 1, basis="永吉县草稿独有的依据")
    assert get_json(client, "/api/v1/regions/?parent=22")["results"][1]["code"] == "2202"
    assert (
        get_json(client, "/api/v1/regions/?parent=22")["results"][1]["published_catalog_count"] == 0
    )
    assert get_json(client, "/api/v1/regions/220221/")["published_catalog_count"] == 0
    assert get_json(client, "/api/v1/regions/220221/catalogs/")["results"] == []
    listed = get_json(client, "/api/v1/regions/22/catalogs/?descendants=1")["results"]
    assert [c["id"] for c in listed] == [published.catalog.pk]
    assert_error(client, f"/api/v1/catalogs/{draft.pk}/", 404, "not_found")
    assert get_json(client, "/api/v1/search/?q=永吉县草稿独有的依据")["count"] == 0
    assert get_json(client, "/api/v1/search/?region=220221")["count"] == 0


def test_unpublished_edits_and_old_publications_never_show(client, published):
    catalog = published.catalog
    edit(catalog, 1, subject="第一次发布后的修改")
    assert get_json(client, "/api/v1/search/?q=第一次发布后的修改")["count"] == 0
    assert "第一次发布后的修改" not in str(get_json(client, f"/api/v1/catalogs/{catalog.pk}/"))
    publish(catalog)
    assert get_json(client, "/api/v1/search/?q=第一次发布后的修改")["count"] == 1
    edit(catalog, 1, subject="第二次发布后的修改")
    publish(catalog)
    assert get_json(client, "/api/v1/search/?q=第一次发布后的修改")["count"] == 0
    detail = get_json(client, f"/api/v1/catalogs/{catalog.pk}/")
    assert "第一次发布后的修改" not in str(detail)
    assert detail["publication"]["number"] == 3
    listed = get_json(client, "/api/v1/regions/220122/catalogs/")["results"]
    assert [c["publication"]["number"] for c in listed] == [3]


def test_a_harvester_gets_everything_published_and_nothing_else(client, county_and_town):
    localise(county_and_town.nongan_elderly)
    publish(county_and_town.nongan_elderly)
    add_local_items(county_and_town.town_social, 7)
    edit(county_and_town.nongan_social, 1, basis="未发布的修改")
    catalogs = walk(client, "/api/v1/regions/22/catalogs/?descendants=1&page_size=2")
    harvested = set()
    for catalog in catalogs:
        detail = get_json(client, catalog["url"])
        harvested |= {item["public_id"] for item in detail["items"]}
    published = {str(i.public_id) for i in PublishedItem.objects.visible_to_public()}
    assert len(catalogs) == 3
    assert harvested == published
    assert {r["public_id"] for r in walk(client, "/api/v1/search/?page_size=200")} == published


# ---------------------------------------------------------------------------
# Conditional requests
# ---------------------------------------------------------------------------

ENDPOINTS = [
    "/api/v1/regions/",
    "/api/v1/regions/?parent=2201",
    "/api/v1/regions/220122/",
    "/api/v1/regions/220122/catalogs/",
    "/api/v1/regions/22/catalogs/?descendants=1",
    "/api/v1/catalogs/{pk}/",
    "/api/v1/search/?q=救助&region=220122",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_repeat_requests_get_304(client, published, url):
    catalog = published.catalog
    publish(catalog, now=LATER)
    url = url.format(pk=catalog.pk)
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert first["Last-Modified"] == "Tue, 06 May 2031 07:08:09 GMT"
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_a_new_publication_changes_etag_and_last_modified(client, published):
    catalog = published.catalog
    url = f"/api/v1/catalogs/{catalog.pk}/"
    publish(catalog, now=LATER)
    first = client.get(url)
    edit(catalog, 1, basis="新的依据")
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    publish(catalog, now=LATER + timedelta(days=1))
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert second["Last-Modified"] == "Wed, 07 May 2031 07:08:09 GMT"
    modified = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert modified.status_code == 200


def test_errors_are_not_cached(client, db):
    response = client.get("/api/v1/catalogs/1/")
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response


# ---------------------------------------------------------------------------
# Query counts: fixed whatever the number of catalogs and items
# ---------------------------------------------------------------------------

# Queries per request: lookups of the region/catalog/first-level item named in the URL,
# COUNT and page for lists, one for full region names, one for Last-Modified or totals.
BUDGETS = {
    "/api/v1/regions/": 3,
    "/api/v1/regions/?parent=2201": 4,
    "/api/v1/regions/220122/": 5,  # + its 监督举报 channels (matters)
    "/api/v1/regions/2201/catalogs/?descendants=1&page_size=200": 5,
    "/api/v1/catalogs/{pk}/": 4,  # + the guides of the publication
    "/api/v1/search/?page_size=200": 4,
    "/api/v1/search/?q=救助 信息&region=2201&level=县级&audience=全社会&page_size=200": 5,
    "/api/v1/search/?catalog={pk}&level1=本地增加事项&method=主动&page_size=200": 6,
}


def _query_counts(client, pk) -> dict[str, tuple[int, int]]:
    # Cold: some entries outlive a publication (the 一级事项 choices of the search).
    cache.clear()
    counts = {}
    for url in BUDGETS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url.format(pk=pk))
        assert response.status_code == 200, (url, response.content.decode())
        body = response.json()
        size = len(body.get("results", body.get("items", [])))
        counts[url] = (len(queries), size)
    return counts


def test_query_counts_do_not_grow_with_items(
    client, county_and_town, django_assert_max_num_queries
):
    catalog = county_and_town.nongan_social
    add_local_items(catalog, 1)
    publish(catalog)
    small = _query_counts(client, catalog.pk)

    add_local_items(catalog, 60)
    publish(catalog)
    for region in (county_and_town.nongan_elderly, county_and_town.yongji_social):
        localise(region)
        publish(region)
    localise(county_and_town.town_social)
    add_local_items(county_and_town.town_social, 30)
    publish(county_and_town.town_social)
    large = _query_counts(client, catalog.pk)

    for url, budget in BUDGETS.items():
        (small_queries, small_size), (large_queries, large_size) = small[url], large[url]
        # Some share a cached value (totals, the latest publication) with an earlier URL.
        assert small_queries == large_queries <= budget, (url, small_queries, large_queries)
        if "regions/" not in url or "catalogs" in url:
            assert large_size > small_size, url  # the larger set really was larger
        with django_assert_max_num_queries(budget):
            client.get(url.format(pk=catalog.pk))


@pytest.mark.parametrize("url", ["/api/v1/regions/?page=%E2%91%A0", "/api/v1/regions/?page=%C2%B2"])
def test_unicode_digits_in_the_page_number_are_a_400(client, published, url):
    assert_error(client, url, 400, "invalid_parameter", "页码")


def test_an_id_beyond_64_bits_is_a_404_not_a_crash(client, published):
    response = client.get("/api/v1/catalogs/99999999999999999999999/")
    assert (response.status_code, response["Content-Type"]) == (404, JSON)
    assert response.json()["error"]["status"] == 404
    assert client.get("/catalogs/99999999999999999999999/").status_code == 404
