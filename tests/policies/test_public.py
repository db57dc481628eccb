"""Public pages: documents on the item page, a region's list, a document's page."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalogs.permissions import SYSTEM
from items.models import PublishedItem
from policies.public import item_section, region_section
from policies.services import document_repeal, document_update
from tests.policies.conftest import make_document, make_interpretation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def published_item(public_id):
    return PublishedItem.objects.get(public_id=public_id, publication__is_current=True)


@pytest.fixture
def page_setup(published, policy, regions, standards):
    """The 低保 document (with a 图解) on the published 低保 items, plus a repealed one."""
    old = make_document(
        regions.nongan,
        standards.social,
        title="农安县城乡低保实施办法",
        number="农政发〔2019〕3号",
        issued_on=date(2019, 4, 1),
        items=policy.items,
    )
    document_repeal(actor=SYSTEM, document=old, replaced_by=policy.document)
    return policy, old


def test_item_page_lists_documents_with_status_and_interpretations(client, page_setup):
    policy, old = page_setup
    item = policy.items[0]
    html = client.get(reverse("site:item", args=[item.public_id])).content.decode()
    assert "相关政策文件及解读" in html
    detail = reverse("site:policies_detail", args=["220122", policy.document.pk])
    assert f'<a href="{detail}">《农安县最低生活保障审核确认办法》</a>' in html
    assert "文号：农政发〔2025〕12号" in html
    assert "图解解读" in html
    assert (
        '<a href="https://www.nongan.gov.cn/zcjd/dibao.html" rel="noopener noreferrer nofollow">'
        "一图读懂低保审核确认办法</a>"
    ) in html
    # The repealed one is marked and links to what replaced it; the valid one comes first.
    assert '<strong class="chip">已废止</strong>' in html
    assert (
        f'已由<a href="{detail}">《农安县最低生活保障审核确认办法》农政发〔2025〕12号</a>废止'
        in html
    )
    assert html.index("《农安县最低生活保障审核确认办法》") < html.index(
        "《农安县城乡低保实施办法》"
    )


def test_item_without_documents_shows_no_section(client, published, policy):
    other = published.catalog.items.exclude(
        public_id__in=[item.public_id for item in policy.items]
    ).first()
    html = client.get(reverse("site:item", args=[other.public_id])).content.decode()
    assert "相关政策文件及解读" not in html


def test_everything_is_escaped(client, published, policy, users):
    document_update(
        actor=users.county_editor,
        document=policy.document,
        expected_version=0,
        title='<script>alert("x")</script>办法',
        number="<b>号</b>",
    )
    make_interpretation(
        policy.document, title="<img src=x onerror=alert(1)>", url="", text="<i>t</i>"
    )
    urls = [
        reverse("site:item", args=[policy.items[0].public_id]),
        reverse("site:policies_region", args=["220122"]),
        reverse("site:policies_detail", args=["220122", policy.document.pk]),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "<b>号</b>" not in html, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;办法" in html, url


def test_a_change_shows_at_once_on_the_cached_item_page(client, published, policy, users):
    url = reverse("site:item", args=[policy.items[0].public_id])
    assert "新的标题" not in client.get(url).content.decode()
    document_update(
        actor=users.county_editor, document=policy.document, expected_version=0, title="新的标题"
    )
    assert "《新的标题》" in client.get(url).content.decode()


def test_item_section_queries(published, page_setup, django_assert_num_queries):
    policy, _ = page_setup
    item = published_item(policy.items[0].public_id)
    with django_assert_num_queries(2):  # documents with the link table; interpretations
        section = item_section(item, published.catalog)
    assert [d.title for d in section.context["documents"]] == [
        "农安县最低生活保障审核确认办法",
        "农安县城乡低保实施办法",
    ]
    bare = PublishedItem.objects.filter(publication=published.publication).exclude(
        public_id__in=[i.public_id for i in policy.items]
    )[0]
    with django_assert_num_queries(1):
        assert item_section(bare, published.catalog) is None


def test_region_section_links_counties_and_townships_only(regions, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert region_section(regions.nongan).context["policy_region"] == regions.nongan
        assert region_section(regions.nongan_town) is not None
        assert region_section(regions.changchun) is None


def test_region_list(client, page_setup, regions, standards, django_assert_max_num_queries):
    policy, old = page_setup
    make_document(regions.yongji, standards.social, title="永吉县的文件")
    make_document(regions.nongan, standards.elderly, title="转发的养老文件", relation="relayed")
    url = reverse("site:policies_region", args=["220122"])
    assert url == "/regions/220122/policies/"
    with django_assert_max_num_queries(4):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "农安县政策文件（共 3 件）" in html
    assert "永吉县的文件" not in html
    assert "转发" in html and "1 篇" in html and "暂无" in html
    assert '<strong class="chip">已废止</strong>' in html
    with django_assert_max_num_queries(0):  # cached until the next policies write
        assert client.get(url).status_code == 200


def test_region_list_refuses_bad_pages_and_regions(client, regions):
    assert client.get("/regions/220122/policies/?page=0").status_code == 404
    assert client.get("/regions/220122/policies/?page=abc").status_code == 404
    assert client.get("/regions/220122/policies/?page=2").status_code == 404
    assert client.get("/regions/2201/policies/").status_code == 404  # a city
    assert client.get("/regions/999999/policies/").status_code == 404
    assert client.get("/regions/220122/policies/").status_code == 200  # empty list
    assert client.post("/regions/220122/policies/").status_code == 405


def test_region_page_links_to_the_list(client, published):
    html = client.get(reverse("site:region", args=["220122"])).content.decode()
    assert 'href="/regions/220122/policies/"' in html


def test_document_page(client, page_setup, django_assert_max_num_queries):
    policy, old = page_setup
    url = reverse("site:policies_detail", args=["220122", old.pk])
    with django_assert_max_num_queries(6):
        html = client.get(url).content.decode()
    assert "<h1>《农安县城乡低保实施办法》</h1>" in html
    assert "<strong>本文件已废止</strong>，请以<a href=" in html
    assert "农政发〔2025〕12号</a>为准。" in html
    item_url = reverse("site:item", args=[policy.items[0].public_id])
    assert f'href="{item_url}"' in html
    current = client.get(
        reverse("site:policies_detail", args=["220122", policy.document.pk])
    ).content.decode()
    assert "修改或废止了" in current and "《农安县城乡低保实施办法》农政发〔2019〕3号" in current
    assert "一图读懂低保审核确认办法" in current


def test_document_page_of_another_region_is_404(client, policy):
    assert client.get(f"/regions/220221/policies/{policy.document.pk}/").status_code == 404
    assert client.get(f"/regions/220122/policies/{policy.document.pk + 99}/").status_code == 404
