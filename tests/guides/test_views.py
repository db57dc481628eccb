"""The public guide page and print view, the sections on item and catalog pages, the API."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from catalogs.permissions import SYSTEM
from guides.models import PublishedGuide
from guides.services import guide_save
from items.models import PublishedItem
from items.services import catalog_publish
from tests.factories import localise
from tests.guides.conftest import full_input, guide_item


@pytest.fixture
def live(catalogs):
    catalog = localise(catalogs.nongan_social)
    item = guide_item(catalog)
    guide_save(
        actor=SYSTEM,
        item=item,
        data=full_input(conditions="家庭人均收入低于标准<script>alert(1)</script>"),
    )
    publication = catalog_publish(actor=SYSTEM, catalog=catalog)
    return SimpleNamespace(catalog=catalog, item=item, publication=publication)


def page(client, item):
    response = client.get(reverse("site:guides_detail", args=[item.public_id]))
    assert response.status_code == 200
    return response


def test_the_page_shows_every_part_escaped(client, live):
    html = page(client, live.item).content.decode()
    assert '<h1>最低生活保障办事指南<span class="print-only"> 一次性告知单</span></h1>' in html
    for text in (
        "《社会救助暂行办法》（国务院令第649号）",
        "法定时限：30个工作日",
        "承诺时限：20个工作日",
        "不收费",
        "最低生活保障申请书",
        "原件和复印件 2份",
        "可通过数据共享获取的，免于提交",
        "乡镇人民政府（街道办事处）",
        "农安县政务服务中心一楼民政窗口",
        "工作日 8:30-11:30，13:00-17:00",
        "0431-83221234",
        "0431-83225678",
        "https://www.jlzwfw.gov.cn/progress",
        "外出务工的家庭成员算不算？",
    ):
        assert text in html, text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    file_url = reverse("site:guides_file", args=[live.item.public_id, 1])
    assert f'href="{file_url}" download>下载表格或样表：申请书.pdf' in html


def test_the_print_view_is_a_one_page_notice_with_a_qr_code(client, live):
    response = page(client, live.item)
    html = response.content.decode()
    assert "guides/css/guide.css" in html
    assert (
        '<button type="button" class="button js-only" data-print>打印一次性告知单</button>' in html
    )
    svg = re.search(r'<svg[^>]*class="guide-qr-code"[^>]*>.*?</svg>', html, re.S)
    assert svg is not None
    assert "<title>扫码查看本办事指南</title>" in svg.group(0)
    assert svg.group(0).startswith('<svg role="img" aria-label="扫码查看本办事指南"')
    # No inline script or style: the public CSP allows neither.
    assert "style=" not in html
    assert re.search(r"<script>(?!</script>)", html) is None
    assert "script-src 'self'" in response["Content-Security-Policy"]
    css = (
        __import__("pathlib").Path(__file__).parents[2] / "static/guides/css/guide.css"
    ).read_text()
    assert "@page { size: A4 portrait;" in css
    assert "@media print" in css


def test_the_qr_code_encodes_the_page_address(live):
    from guides.public_views import qr_svg

    url = f"http://testserver/items/{live.item.public_id}/guide/"
    assert qr_svg(url) == qr_svg(url)
    assert qr_svg(url) != qr_svg(url + "x")


def test_the_page_is_cached_and_its_queries_are_pinned(
    client, live, django_assert_num_queries, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.clear()
    # The guide with its catalog and regions; its linked 政务服务事项库 entry; the region's
    # complaint channels. A cached page: the guide only.
    with django_assert_max_num_queries(3):
        first = page(client, live.item)
    with django_assert_num_queries(1):
        second = page(client, live.item)
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]


def test_the_region_complaint_channels_show(client, live, monkeypatch):
    channel = SimpleNamespace(
        kind="phone", label="投诉举报电话", value="12345", url="tel:12345", note="工作日"
    )
    monkeypatch.setattr("matters.selectors.complaint_channels_for", lambda region: [channel])
    html = page(client, live.item).content.decode()
    assert '<span class="channel-label">投诉举报电话：</span><a href="tel:12345"' in html


def test_unknown_or_unpublished_guides_are_404(client, catalogs, live):
    other = guide_item(catalogs.yongji_social)
    assert client.get(reverse("site:guides_detail", args=[other.public_id])).status_code == 404
    writes = client.post(reverse("site:guides_detail", args=[live.item.public_id]))
    assert writes.status_code == 405


def test_the_item_page_links_its_guide(client, live):
    html = client.get(reverse("site:item", args=[live.item.public_id])).content.decode()
    assert "办事指南：最低生活保障" in html
    assert reverse("site:guides_detail", args=[live.item.public_id]) in html
    assert "一次性告知单" in html
    plain = PublishedItem.objects.filter(publication=live.publication, seq=1).get()
    html = client.get(reverse("site:item", args=[plain.public_id])).content.decode()
    assert "guide-summary" not in html


def test_a_township_catalog_page_lists_its_guides(client, catalogs):
    catalog = localise(catalogs.town_social)
    items = list(catalog.items.filter(level2__contains="办事指南").order_by("seq"))
    assert len(items) == 3
    for item in items:
        guide_save(actor=SYSTEM, item=item, data=full_input())
    catalog_publish(actor=SYSTEM, catalog=catalog)
    html = client.get(reverse("site:catalog", args=[catalog.pk])).content.decode()
    assert "办事指南（3 项）" in html
    links = re.findall(r'href="/items/([0-9a-f-]+)/guide/">([^<]+)</a>', html)
    assert [name for _id, name in links] == [
        "最低生活保障办事指南",
        "特困人员救助供养办事指南",
        "临时救助办事指南",
    ]


def test_the_api_gives_each_guide_item_its_guide(client, live, django_assert_max_num_queries):
    url = f"/api/v1/catalogs/{live.catalog.pk}/"
    data = client.get(url).json()
    guides = [item for item in data["items"] if "guide" in item]
    assert [item["public_id"] for item in guides] == [str(live.item.public_id)]
    guide = guides[0]["guide"]
    assert guide["name"] == "最低生活保障"
    assert guide["matter"] is None
    assert guide["html_url"] == f"http://testserver/items/{live.item.public_id}/guide/"
    assert (guide["legal_days"], guide["promised_days"], guide["fee"]) == (30, 20, "不收费")
    assert guide["materials"][0]["file"] == {
        "name": "申请书.pdf",
        "content_type": "application/pdf",
        "size": guide["materials"][0]["file"]["size"],
        "url": f"http://testserver/items/{live.item.public_id}/guide/files/1/",
    }
    assert guide["materials"][1] == {
        "name": "居民身份证",
        "form": "both",
        "form_label": "原件和复印件",
        "copies": 2,
        "exempt_when_shared": True,
        "note": "",
        "file": None,
    }
    assert [step["name"] for step in guide["steps"]] == ["申请", "审核", "审批"]
    assert guide["questions"][0]["answer"] == "算共同生活的家庭成员。"
    for key in ("legal_basis", "conditions", "location", "office_hours", "phone"):
        assert guide[key]
    assert guide["complaint_phone"] == "0431-83225678"
    assert guide["online_url"] == "https://www.jlzwfw.gov.cn/"
    assert guide["progress_url"] == "https://www.jlzwfw.gov.cn/progress"
    # Other items have no guide key at all.
    assert sum(1 for item in data["items"] if "guide" not in item) == len(data["items"]) - 1


def test_api_queries_do_not_grow_with_the_number_of_guides(
    client, catalogs, django_assert_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    catalog = localise(catalogs.nongan_social)
    items = list(catalog.items.filter(level2__contains="办事指南"))
    guide_save(actor=SYSTEM, item=items[0], data=full_input())
    catalog_publish(actor=SYSTEM, catalog=catalog)
    cache.clear()
    with CaptureQueriesContext(connection) as one:
        client.get(f"/api/v1/catalogs/{catalog.pk}/")
    for item in items[1:]:
        guide_save(actor=SYSTEM, item=item, data=full_input())
    catalog_publish(actor=SYSTEM, catalog=catalog)
    assert PublishedGuide.objects.filter(publication__is_current=True).count() == 3
    cache.clear()
    with django_assert_num_queries(len(one)):
        data = client.get(f"/api/v1/catalogs/{catalog.pk}/").json()
    assert sum(1 for item in data["items"] if "guide" in item) == 3


def test_the_current_link_to_the_matter_names_the_guide(client, live, monkeypatch):
    matter = SimpleNamespace(code="220122000720001000", name="最低生活保障对象认定")
    monkeypatch.setattr(
        "matters.selectors.matters_for_public_ids",
        lambda ids: dict.fromkeys(ids, matter),
    )
    html = page(client, live.item).content.decode()
    assert "<h1>最低生活保障对象认定办事指南" in html
    assert "事项编码 220122000720001000" in html
    data = client.get(f"/api/v1/catalogs/{live.catalog.pk}/").json()
    (guide,) = [item["guide"] for item in data["items"] if "guide" in item]
    assert guide["matter"] == {"code": "220122000720001000", "name": "最低生活保障对象认定"}
    assert guide["name"] == "最低生活保障对象认定"
    # The published copy itself is never changed.
    assert PublishedGuide.objects.get().matter_name == ""


def test_the_guide_index_is_one_query_per_publication(live, django_assert_num_queries):
    from guides.selectors import guide_index

    with django_assert_num_queries(1):
        index = guide_index(live.publication.pk)
    with django_assert_num_queries(0):
        assert guide_index(live.publication.pk) == index
    assert list(index) == [live.item.public_id]
    assert index[live.item.public_id]["material_count"] == 2
