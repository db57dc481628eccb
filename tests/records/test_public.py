"""Citizens see the information: item page, catalog page, API; constant queries; caching."""

import io
from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import parse_http_date
from PIL import Image

from catalogs.permissions import SYSTEM
from records.models import RecordChannel
from records.services import channel_photo_attach, channel_photo_set_public, record_update


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def png() -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 255)).save(output, format="PNG")
    return SimpleUploadedFile("x.png", output.getvalue())


def item_url(item) -> str:
    return reverse("site:item", args=[item.public_id])


def test_the_item_page_shows_published_records_newest_first(client, item, make_record):
    older = make_record(
        title="关于调整最低生活保障标准的通知", document_number="农民发〔2026〕21号"
    )
    make_record(
        title="2026年10月低保对象公示",
        published_on=date(2026, 10, 20),
        notice_start=date(2026, 10, 20),
        notice_end=date(2026, 10, 28),
    )
    make_record(title="尚未发布的信息", published_on=None)
    page = client.get(item_url(item)).content.decode()
    assert page.index("2026年10月低保对象公示") < page.index(older.title)
    assert "文号：农民发〔2026〕21号" in page and "2026年10月9日" in page
    assert "公示期：2026年10月20日至2026年10月28日" in page
    assert 'href="https://www.nongan.gov.cn/zwgk/1.html"' in page
    assert "农安县民政局一楼大厅" in page
    assert "尚未发布的信息" not in page


def test_photos_appear_only_once_made_public(client, users, item, make_record):
    record = make_record()
    desk = RecordChannel.objects.get(record=record, channel="公开查阅点")
    channel_photo_attach(actor=users.county_editor, channel=desk, upload=png())
    photo_url = reverse("records:photo", args=[desk.pk])
    # Even a staff member's view of the public page shows no private photo: the page is
    # the same for everyone (and cached).
    client.force_login(users.county_editor)
    assert photo_url not in client.get(item_url(item)).content.decode()
    client.logout()
    assert photo_url not in client.get(item_url(item)).content.decode()
    channel_photo_set_public(actor=users.county_editor, channel=desk, public=True)
    assert photo_url in client.get(item_url(item)).content.decode()


def test_record_changes_reach_the_cached_pages(client, item, county, make_record):
    record = make_record()
    first = client.get(item_url(item))
    catalog_page = client.get(reverse("site:catalog", args=[county.pk]))
    api = client.get(reverse("api:catalog", args=[county.pk]))
    record_update(
        actor=SYSTEM,
        record=record,
        version=record.version,
        title="标题已更正",
        published_on=date(2026, 10, 12),
    )
    second = client.get(item_url(item))
    assert "标题已更正" in second.content.decode()
    assert second["ETag"] != first["ETag"]
    # Last-Modified moves with the records, so a conditional GET is not answered 304.
    stamp = county.__class__.objects.get(pk=county.pk).records_stamp.changed_at
    assert parse_http_date(second["Last-Modified"]) == int(stamp.timestamp())
    conditional = client.get(item_url(item), HTTP_IF_NONE_MATCH=first["ETag"])
    assert conditional.status_code == 200
    catalog_again = client.get(reverse("site:catalog", args=[county.pk]))
    assert catalog_again["ETag"] != catalog_page["ETag"]
    assert "2026年10月12日" in catalog_again.content.decode()
    body = client.get(reverse("api:catalog", args=[county.pk])).json()
    assert body != api.json()
    titles = [r["title"] for i in body["items"] for r in i["records"]]
    assert titles == ["标题已更正"]


def test_the_catalog_page_shows_each_items_latest_publication(client, county, item, make_record):
    make_record(title="早", published_on=date(2026, 10, 9))
    make_record(title="晚", published_on=date(2026, 10, 20))
    page = client.get(reverse("site:catalog", args=[county.pk])).content.decode()
    assert page.count("最近公开：") == 1
    assert '最近公开：<time datetime="2026-10-20">2026年10月20日</time>' in page


def test_the_api_gives_each_item_its_records(client, county, item, make_record):
    make_record(published_on=date(2026, 10, 20), document_number="农民发〔2026〕21号")
    body = client.get(reverse("api:catalog", args=[county.pk])).json()
    by_seq = {entry["seq"]: entry for entry in body["items"]}
    (record,) = by_seq[item.seq]["records"]
    assert {
        "title",
        "document_number",
        "kind",
        "formed_on",
        "published_on",
        "due_on",
        "on_time",
        "channels",
    } <= set(record)
    assert (record["formed_on"], record["published_on"], record["due_on"]) == (
        "2026-09-25",
        "2026-10-20",
        "2026-10-15",
    )
    assert record["on_time"] is False and record["document_number"] == "农民发〔2026〕21号"
    assert record["channels"] == [
        {"channel": "政府网站", "url": "https://www.nongan.gov.cn/zwgk/1.html", "location": None},
        {"channel": "公开查阅点", "url": None, "location": "农安县民政局一楼大厅"},
    ]
    assert all(entry["records"] == [] for seq, entry in by_seq.items() if seq != item.seq)
    # The JSON download is the same object.
    download = client.get(reverse("site:catalog_download", kwargs={"pk": county.pk, "fmt": "json"}))
    assert b"\xe5\x86\x9c\xe6\xb0\x91\xe5\x8f\x91" in download.content  # 农民发


def _queries(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_pages_keep_a_constant_number_of_queries_with_50_records_per_item(
    client, county, item, make_record, django_assert_max_num_queries
):
    from tests.records.conftest import item_of

    second = item_of(county, 2)
    make_record(title="第0条")
    make_record(target=second, title="第二项第0条")
    urls = [
        item_url(item),
        reverse("site:catalog", args=[county.pk]),
        reverse("api:catalog", args=[county.pk]),
    ]
    before = [_queries(client, url) for url in urls]
    for number in range(1, 50):
        make_record(title=f"第{number}条", published_on=date(2026, 10, 1 + number % 28))
        make_record(target=second, title=f"第二项第{number}条")
    after = [_queries(client, url) for url in urls]
    assert after == before
    for url, budget in zip(urls, before, strict=True):
        cache.clear()
        with django_assert_max_num_queries(budget):
            page = client.get(url)
        assert "第49条" in page.content.decode() or url.endswith(f"/{county.pk}/")
