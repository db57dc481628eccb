import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from PIL import Image

from records.models import ChannelCheck, RecordChannel
from records.selectors import records_by_item, visible_photo_ids
from records.services import channel_photo_attach, channel_photo_set_public


def jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 128, 0)).save(output, format="JPEG")
    return output.getvalue()


@pytest.fixture
def photo_channel(make_record, users):
    record = make_record()
    channel = RecordChannel.objects.get(record=record, channel="公开查阅点")
    return channel_photo_attach(
        actor=users.county_editor,
        channel=channel,
        upload=SimpleUploadedFile("a.jpg", jpeg()),
        taken_on=date(2026, 10, 9),
    )


def test_photos_are_for_staff_of_the_region_until_made_public(client, users, photo_channel):
    url = f"/records/photos/{photo_channel.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(users.other_county_editor)
    assert client.get(url).status_code == 404
    client.force_login(users.county_editor)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    client.logout()
    channel_photo_set_public(actor=users.county_editor, channel=photo_channel, public=True)
    response = client.get(url)
    assert response.status_code == 200 and "public" in response["Cache-Control"]


def test_visible_photo_ids(users, photo_channel, django_assert_max_num_queries):
    records = records_by_item([photo_channel.record.item_id])[photo_channel.record.item_id]
    with django_assert_max_num_queries(1):
        assert visible_photo_ids(records, users.county_editor) == {photo_channel.pk}
    assert visible_photo_ids(records, users.other_county_editor) == set()
    assert visible_photo_ids(records, None) == set()


def test_the_item_partial_shows_records_newest_first(make_record, photo_channel):
    make_record(
        title="2026年10月低保对象公示",
        published_on=date(2026, 10, 20),
        notice_start=date(2026, 10, 20),
        notice_end=date(2026, 10, 28),
    )
    item_id = photo_channel.record.item_id
    records = records_by_item([item_id])[item_id]
    html = render_to_string(
        "records/_item_records.html", {"records": records, "visible_photos": set()}
    )
    assert html.index("2026年10月低保对象公示") < html.index("关于调整最低生活保障标准的通知")
    assert "公示期：2026年10月20日至2026年10月28日" in html
    assert 'href="https://www.nongan.gov.cn/zwgk/1.html"' in html
    assert "农安县民政局一楼大厅" in html and "现场照片" not in html
    html = render_to_string(
        "records/_item_records.html", {"records": records, "visible_photos": {photo_channel.pk}}
    )
    assert f"/records/photos/{photo_channel.pk}/" in html and "2026年10月9日拍摄" in html


def test_the_evidence_screen(client, users, county, make_record, django_assert_max_num_queries):
    record = make_record()
    website = record.channels.get(channel="政府网站")
    from django.utils import timezone

    ChannelCheck.objects.create(
        channel=website,
        url=website.url,
        status=404,
        ok=False,
        broken=True,
        checked_at=timezone.now(),
        error="HTTP 404",
    )
    url = f"/records/catalogs/{county.pk}/evidence/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(users.other_county_editor)
    assert client.get(url).status_code == 404
    client.force_login(users.reviewer)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "公开佐证" in html and "失效" in html and "HTTP 404" in html and "缺失" in html
