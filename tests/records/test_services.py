import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalogs.models import CatalogStatus
from catalogs.permissions import SYSTEM
from items.services import catalog_publish, item_update
from records.models import DisclosureRecord, RecordChannel, RecordKind
from records.services import (
    channel_photo_attach,
    channel_photo_remove,
    channel_photo_set_public,
    record_create,
    record_delete,
    record_update,
    special_column_remove,
    special_column_set,
)
from tests.conftest import localise
from tests.records.conftest import TODAY, item_of

# ---------------------------------------------------------------------------
# Who may record
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("county_editor", True),
        ("township_editor", False),  # a township may not record for its county
        ("coordinator", False),
        ("reviewer", False),
        ("other_county_editor", False),  # another region's editor
    ],
)
def test_recording_for_a_county_item(users, make_record, role, allowed):
    actor = getattr(users, role)
    if allowed:
        record = make_record(actor=actor)
        assert record.pk and record.created_by == actor
    else:
        with pytest.raises(PermissionDenied, match="农安县"):
            make_record(actor=actor)
        assert not DisclosureRecord.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("township_editor", True), ("county_editor", True), ("other_county_editor", False)],
)
def test_the_county_above_a_township_may_record_for_it(users, catalogs, make_record, role, allowed):
    town_item = item_of(catalogs.town_social, 1)
    actor = getattr(users, role)
    if allowed:
        assert make_record(actor=actor, target=town_item).catalog == catalogs.town_social
    else:
        with pytest.raises(PermissionDenied):
            make_record(actor=actor, target=town_item)


@pytest.mark.parametrize("status", [CatalogStatus.ENTERED, CatalogStatus.ACCEPTING])
def test_records_are_facts_allowed_whatever_the_review_status(county, users, make_record, status):
    county.status = status
    county.save()
    assert not county.is_editable
    assert make_record(actor=users.county_editor).pk


# ---------------------------------------------------------------------------
# Values, due dates and identity
# ---------------------------------------------------------------------------


def test_due_date_follows_the_item_deadline_across_the_national_day(make_record):
    record = make_record(formed_on=date(2026, 9, 25), published_on=date(2026, 10, 20))
    # 9/28, 9/29, 9/30, 10/8, 10/9, 10/10 (make-up Saturday), 10/12, 10/13, 10/14, 10/15.
    assert record.due_on == date(2026, 10, 15) and record.due_estimated is False
    assert record.deadline_text == "制定或获取信息之日起10个工作日内"


def test_a_year_without_holiday_data_gives_an_estimated_due_date(make_record, item):
    from records.models import HolidayCalendar

    HolidayCalendar.objects.filter(date__year=2026).delete()
    record = make_record(formed_on=date(2026, 9, 25), published_on=None)
    # Monday to Friday: 9/28 … 10/9 are ten weekdays.
    assert record.due_on == date(2026, 10, 9) and record.due_estimated is True


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"title": "  "}, "请填写信息标题"),
        ({"formed_on": date(2026, 12, 1)}, "形成日期不能晚于今天"),
        ({"published_on": date(2026, 9, 1)}, "发布日期不能早于形成日期"),
        ({"published_on": date(2026, 12, 30)}, "发布日期不能晚于今天"),
        (
            {"kind": RecordKind.POLICY, "notice_start": date(2026, 10, 9)},
            "只有公示类信息填写公示",
        ),
        (
            {"notice_start": date(2026, 10, 9), "notice_end": date(2026, 10, 1)},
            "公示结束日期不能早于开始日期",
        ),
        ({"channels": [{"channel": "飞鸽传书"}]}, "不是公开渠道"),
        (
            {"channels": [{"channel": "公开查阅点", "url": "https://example.cn/"}]},
            "线下渠道",
        ),
        ({"channels": [{"channel": "政府网站", "url": "ftp://example.cn/"}]}, "网址.*无效"),
        ({"channels": ["政府网站", "政府网站"]}, "重复"),
    ],
)
def test_bad_values_are_refused_in_chinese(make_record, values, message):
    with pytest.raises(ValidationError, match=message):
        make_record(**values)
    assert not DisclosureRecord.objects.exists()


def test_same_title_same_day_is_one_record(make_record):
    make_record()
    with pytest.raises(ValidationError, match="同一天发布的同名公开信息"):
        make_record()


def test_notice_dates_make_a_notice(make_record):
    record = make_record(
        title="2026年10月低保对象公示",
        notice_start=date(2026, 10, 9),
        notice_end=date(2026, 10, 15),
    )
    assert record.kind == RecordKind.NOTICE


def test_records_follow_the_item_through_renames_and_republication(county, make_record, item):
    record = make_record()
    item_update(actor=SYSTEM, item=item, level2="政策文件（更名）")
    catalog_publish(actor=SYSTEM, catalog=localise(county), note="再次发布")
    assert list(DisclosureRecord.objects.for_item(item)) == [record]
    published_item = county.publications.get(is_current=True).items.get(public_id=item.public_id)
    assert list(DisclosureRecord.objects.for_item(published_item)) == [record]


def test_changing_the_item_deadline_recomputes_due_dates(make_record, item):
    record = make_record()
    assert record.due_on == date(2026, 10, 15)
    item_update(actor=SYSTEM, item=item, deadline="制定或获取信息之日起20个工作日内")
    record.refresh_from_db()
    # Ten more working days after 10/15: 10/16, 10/19–23, 10/26–29.
    assert record.due_on == date(2026, 10, 29)
    assert record.deadline_text == "制定或获取信息之日起20个工作日内"


def test_deleting_an_item_keeps_its_records(make_record, item):
    from items.services import item_delete

    record = make_record()
    item_delete(actor=SYSTEM, item=item)
    assert DisclosureRecord.objects.filter(pk=record.pk).exists()


# ---------------------------------------------------------------------------
# Updates carry a version
# ---------------------------------------------------------------------------


def test_update_with_the_current_version(users, make_record):
    record = make_record()
    updated = record_update(
        actor=users.county_editor,
        record=record,
        version=1,
        document_number="农民发〔2026〕12号",
        channels=[{"channel": "政府网站", "url": "https://www.nongan.gov.cn/zwgk/2.html"}],
        today=TODAY,
    )
    assert updated.version == 2 and updated.document_number == "农民发〔2026〕12号"
    assert list(updated.channels.values_list("channel", "url")) == [
        ("政府网站", "https://www.nongan.gov.cn/zwgk/2.html")
    ]
    assert updated.history.count() == 2


def test_a_stale_version_is_refused_with_the_other_change_named(users, make_record):
    record = make_record(actor=users.county_editor)
    record_update(actor=users.admin, record=record, version=1, title="新标题", today=TODAY)
    with pytest.raises(ValidationError, match="第2版.*基于第1版"):
        record_update(
            actor=users.county_editor, record=record, version=1, title="另一个", today=TODAY
        )


def test_other_regions_may_not_update_or_delete(users, make_record):
    record = make_record()
    with pytest.raises(PermissionDenied):
        record_update(actor=users.other_county_editor, record=record, version=1, title="x")
    with pytest.raises(PermissionDenied):
        record_delete(actor=users.other_county_editor, record=record)
    record_delete(actor=users.county_editor, record=record)
    assert not DisclosureRecord.objects.exists()


# ---------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------


def _image_bytes(fmt: str, size=(64, 48), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    output = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x8825] = {2: (43.0, 52.0, 0.0)}  # GPS latitude
        image.save(output, format=fmt, exif=data)
    else:
        image.save(output, format=fmt)
    return output.getvalue()


@pytest.fixture
def board(make_record):
    record = make_record()
    return RecordChannel.objects.get(record=record, channel="公开查阅点")


def test_a_jpeg_photo_is_stored_without_exif(users, board):
    upload = SimpleUploadedFile("张三-身份证.jpg", _image_bytes("JPEG", exif=True))
    assert Image.open(io.BytesIO(upload.read())).getexif()  # it had EXIF
    channel = channel_photo_attach(
        actor=users.county_editor, channel=board, upload=upload, taken_on=date(2026, 10, 9)
    )
    assert channel.photo.name.startswith("records/photos/") and "张三" not in channel.photo.name
    with channel.photo.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.format == "JPEG" and not stored.getexif()
    assert channel.photo_public is False and channel.photo_taken_on == date(2026, 10, 9)


def test_a_png_photo_is_accepted(users, board):
    upload = SimpleUploadedFile("board.png", _image_bytes("PNG"))
    channel = channel_photo_attach(actor=users.county_editor, channel=board, upload=upload)
    assert channel.photo.name.endswith(".png")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_image_bytes("GIF"), "只能是JPEG或PNG"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "无法识别照片|照片已损坏"),
        (b"x" * (5 * 1024 * 1024 + 1), "不能超过5MB"),
    ],
)
def test_bad_photos_are_refused(users, board, content, message):
    with pytest.raises(ValidationError, match=message):
        channel_photo_attach(
            actor=users.county_editor, channel=board, upload=SimpleUploadedFile("a.jpg", content)
        )
    board.refresh_from_db()
    assert not board.photo


def test_photo_rights_and_visibility(users, board):
    upload = SimpleUploadedFile("a.jpg", _image_bytes("JPEG"))
    with pytest.raises(PermissionDenied):
        channel_photo_attach(actor=users.other_county_editor, channel=board, upload=upload)
    channel = channel_photo_attach(actor=users.county_editor, channel=board, upload=upload)
    from records.selectors import photo_visible_to

    assert photo_visible_to(channel, None) is False
    assert photo_visible_to(channel, users.county_editor) is True
    assert photo_visible_to(channel, users.other_county_editor) is False
    channel = channel_photo_set_public(actor=users.county_editor, channel=channel, public=True)
    assert photo_visible_to(channel, None) is True
    name = channel.photo.name
    storage = channel.photo.storage
    channel = channel_photo_remove(actor=users.county_editor, channel=channel)
    assert not channel.photo and channel.photo_public is False
    assert storage.exists(name)  # deleted only after commit


# ---------------------------------------------------------------------------
# 专栏
# ---------------------------------------------------------------------------


def test_special_columns_one_per_field(users, regions, standards):
    column = special_column_set(
        actor=users.county_editor,
        region=regions.nongan,
        standard=standards.social,
        url="https://www.nongan.gov.cn/jcgk/shjz/",
    )
    again = special_column_set(
        actor=users.county_editor,
        region=regions.nongan,
        standard=standards.social,
        url="https://www.nongan.gov.cn/jcgk/shjz2/",
    )
    assert again.pk == column.pk and again.url.endswith("shjz2/")
    with pytest.raises(PermissionDenied):
        special_column_set(
            actor=users.other_county_editor,
            region=regions.nongan,
            standard=standards.elderly,
            url="https://a.cn/",
        )
    with pytest.raises(ValidationError, match="无效"):
        special_column_set(
            actor=users.county_editor,
            region=regions.nongan,
            standard=standards.elderly,
            url="javascript:alert(1)",
        )
    with pytest.raises(ValidationError, match="只有县级和乡级"):
        special_column_set(
            actor=users.admin,
            region=regions.changchun,
            standard=standards.social,
            url="https://a.cn/",
        )
    special_column_remove(actor=users.county_editor, column=again)


def test_record_create_is_atomic_when_a_channel_is_bad(make_record):
    with pytest.raises(ValidationError):
        make_record(channels=[{"channel": "政府网站", "url": "https://a.cn/"}, {"channel": "?"}])
    assert not DisclosureRecord.objects.exists() and not RecordChannel.objects.exists()


def test_history_names_the_actor(users, make_record):
    record = make_record(actor=users.county_editor)
    assert record.history.first().history_user == users.county_editor
    assert record_create  # the service is the way in
