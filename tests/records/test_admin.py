"""The records admin through its URLs: allowed and denied users side by side."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from PIL import Image

from records.excel import HEADER
from records.models import DisclosureRecord, HolidayCalendar, RecordChannel, SpecialColumn
from tests.records.conftest import item_of

CHANGELIST = "admin:records_disclosurerecord_changelist"


def jpeg_upload(name="board.jpg") -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(output, format="JPEG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def record_data(item, *, version=None, channels=(), initial=0, **values) -> dict:
    data = {
        "item": str(item.public_id),
        "title": "关于调整最低生活保障标准的通知",
        "document_number": "农民发〔2026〕21号",
        "kind": "policy",
        "formed_on": "2026-09-25",
        "published_on": "2026-10-09",
        "notice_start": "",
        "notice_end": "",
        "channels-TOTAL_FORMS": str(len(channels)),
        "channels-INITIAL_FORMS": str(initial),
        "channels-MIN_NUM_FORMS": "0",
        "channels-MAX_NUM_FORMS": "1000",
    }
    if version is not None:
        data["seen_version"] = str(version)
        del data["item"]
    for index, channel in enumerate(channels):
        for name, value in channel.items():
            data[f"channels-{index}-{name}"] = value
    data.update(values)
    return data


WEBSITE = {"channel": "政府网站", "url": "https://www.nongan.gov.cn/zwgk/1.html", "location": ""}
DESK = {"channel": "公开查阅点", "url": "", "location": "农安县民政局一楼大厅"}


# ---------------------------------------------------------------------------
# Lists and pages: scoped by region
# ---------------------------------------------------------------------------


def test_the_changelist_is_scoped(login, users, make_record):
    record = make_record()
    url = reverse(CHANGELIST)
    for user, sees in (
        (users.county_editor, True),
        (users.reviewer, True),
        (users.coordinator, True),
        (users.other_county_editor, False),
        (users.township_editor, False),  # a township sees its own records, not the county's
    ):
        response = login(user).get(url)
        assert response.status_code == 200
        assert (record.title in response.content.decode()) is sees, user.username
    change = reverse("admin:records_disclosurerecord_change", args=[record.pk])
    assert login(users.other_county_editor).get(change).status_code == 404
    page = login(users.county_editor).get(change).content.decode()
    assert "公开期限" in page and "2026-10-15" in page and "按时公开" in page


def test_adding_starts_with_an_editable_catalog(login, users, county, catalogs):
    add = reverse("admin:records_disclosurerecord_add")
    chooser = login(users.county_editor).get(add).content.decode()
    assert "选择目录" in chooser and f'value="{county.pk}"' in chooser
    assert f'value="{catalogs.yongji_social.pk}"' not in chooser
    # Another county's catalog cannot be chosen by URL either.
    other = login(users.county_editor).get(f"{add}?catalog={catalogs.yongji_social.pk}")
    assert "无权为它录入" in other.content.decode()
    assert login(users.reviewer).get(add).status_code == 403


def test_adding_a_record_with_its_channels_goes_through_the_service(login, users, county, item):
    client = login(users.county_editor)
    add = f"{reverse('admin:records_disclosurerecord_add')}?catalog={county.pk}"
    form = client.get(add).content.decode()
    assert f"第{item.seq}项" in form
    response = client.post(add, record_data(item, channels=[WEBSITE, DESK]))
    assert response.status_code == 302, response.content.decode()[:2000]
    record = DisclosureRecord.objects.get()
    assert (record.item_id, record.catalog_id, record.due_on) == (
        item.public_id,
        county.pk,
        date(2026, 10, 15),
    )
    assert [(c.channel, c.url, c.location) for c in record.channels.all()] == [
        ("政府网站", WEBSITE["url"], ""),
        ("公开查阅点", "", DESK["location"]),
    ]
    assert record.history.latest().history_user == users.county_editor


def test_a_service_refusal_shows_in_chinese(login, users, county, item):
    client = login(users.county_editor)
    add = f"{reverse('admin:records_disclosurerecord_add')}?catalog={county.pk}"
    offline_url = {**DESK, "url": "https://example.gov.cn/x.html"}
    response = client.post(add, record_data(item, channels=[offline_url]))
    assert response.status_code == 200
    assert "是线下渠道，请填写查阅位置" in response.content.decode()
    response = client.post(add, record_data(item, published_on="2026-09-01"))
    assert "发布日期不能早于形成日期" in response.content.decode()
    assert not DisclosureRecord.objects.exists()


def test_a_stale_edit_is_refused_and_a_current_one_saved(login, users, item, make_record):
    record = make_record()
    website, desk = record.channels.order_by("order")
    change = reverse("admin:records_disclosurerecord_change", args=[record.pk])
    channels = [
        {**WEBSITE, "id": str(website.pk), "record": str(record.pk)},
        {**DESK, "id": str(desk.pk), "record": str(record.pk), "DELETE": "on"},
    ]
    client = login(users.county_editor)
    data = record_data(item, version=record.version, channels=channels, initial=2)
    data["title"] = "关于调整城乡低保标准的通知"
    assert client.post(change, data).status_code == 302
    record.refresh_from_db()
    assert record.title == "关于调整城乡低保标准的通知" and record.version == 2
    assert [c.channel for c in record.channels.all()] == ["政府网站"]
    # The same (now stale) page again: refused, naming the version.
    stale = client.post(change, {**data, "title": "又一次修改", "channels-TOTAL_FORMS": "1"})
    assert stale.status_code == 200
    assert "您的修改基于第1版" in stale.content.decode()
    record.refresh_from_db()
    assert record.title == "关于调整城乡低保标准的通知"
    # Another region's editor cannot post a change at all.
    other = login(users.other_county_editor).post(change, {**data, "seen_version": "2"})
    assert other.status_code == 404


def test_a_photo_is_sanitised_and_shown_only_through_the_photo_view(
    login, users, item, make_record
):
    record = make_record()
    website, desk = record.channels.order_by("order")
    change = reverse("admin:records_disclosurerecord_change", args=[record.pk])
    channels = [
        {**WEBSITE, "id": str(website.pk), "record": str(record.pk)},
        {
            **DESK,
            "id": str(desk.pk),
            "record": str(record.pk),
            "upload": jpeg_upload(),
            "photo_taken_on": "2026-10-09",
        },
    ]
    client = login(users.county_editor)
    response = client.post(change, record_data(item, version=1, channels=channels, initial=2))
    assert response.status_code == 302, response.content.decode()[:2000]
    desk.refresh_from_db()
    assert desk.photo and desk.photo_taken_on == date(2026, 10, 9) and not desk.photo_public
    assert "board" not in desk.photo.name  # never the uploader's file name
    page = client.get(change).content.decode()
    assert reverse("records:photo", args=[desk.pk]) in page
    assert desk.photo.url not in page  # no link into the storage
    assert "仅工作人员可见" in page


def test_deleting_is_for_editors_of_the_region(login, users, make_record):
    record = make_record()
    delete = reverse("admin:records_disclosurerecord_delete", args=[record.pk])
    assert login(users.reviewer).post(delete, {"post": "yes"}).status_code == 403
    assert login(users.other_county_editor).post(delete, {"post": "yes"}).status_code == 404
    assert login(users.county_editor).post(delete, {"post": "yes"}).status_code == 302
    assert not DisclosureRecord.objects.exists()


# ---------------------------------------------------------------------------
# The holiday table and the 专栏
# ---------------------------------------------------------------------------


def test_the_holiday_table_is_the_province_administrators(login, users, make_record):
    record = make_record(formed_on=date(2026, 11, 2), published_on=None)
    assert record.due_on == date(2026, 11, 16)
    url = reverse("admin:records_holidaycalendar_changelist")
    assert login(users.county_editor).get(url).status_code == 403
    assert login(users.reviewer).get(url).status_code == 403
    add = reverse("admin:records_holidaycalendar_add")
    response = login(users.admin).post(
        add, {"date": "2026-11-09", "kind": "rest", "name": "示例假日", "source": "测试通知"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.due_on == date(2026, 11, 17)  # the holiday moved the due date on
    refused = login(users.admin).post(
        add, {"date": "2026-11-11", "kind": "work", "name": "", "source": "测试通知"}
    )
    assert "本来就是工作日" in refused.content.decode()
    holiday = HolidayCalendar.objects.get(date=date(2026, 11, 9))
    delete = reverse("admin:records_holidaycalendar_delete", args=[holiday.pk])
    assert login(users.county_editor).post(delete, {"post": "yes"}).status_code == 403
    assert login(users.admin).post(delete, {"post": "yes"}).status_code == 302
    record.refresh_from_db()
    assert record.due_on == date(2026, 11, 16)


def test_special_columns_are_registered_for_ones_own_region(login, users, regions, standards):
    add = reverse("admin:records_specialcolumn_add")
    data = {"standard": str(standards.social.pk), "url": "https://www.nongan.gov.cn/zl/shjz/"}
    response = login(users.county_editor).post(add, {**data, "region": str(regions.nongan.pk)})
    assert response.status_code == 302
    column = SpecialColumn.objects.get()
    assert (column.region, column.updated_by) == (regions.nongan, users.county_editor)
    refused = login(users.county_editor).post(add, {**data, "region": str(regions.yongji.pk)})
    assert refused.status_code == 200 and SpecialColumn.objects.count() == 1
    assert (
        login(users.reviewer).post(add, {**data, "region": str(regions.nongan.pk)}).status_code
        == 403
    )
    change = reverse("admin:records_specialcolumn_change", args=[column.pk])
    assert login(users.other_county_editor).get(change).status_code == 404


# ---------------------------------------------------------------------------
# Excel import (preview, confirm) and export
# ---------------------------------------------------------------------------


def sheet(rows) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.append(list(HEADER))
    for row in rows:
        worksheet.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.fixture
def upload(county):
    item = item_of(county, 1)
    rows = [
        (
            1,
            item.level2,
            "导入的通知",
            "",
            "2026-09-25",
            "2026-10-09",
            "政府网站",
            WEBSITE["url"],
            None,
            None,
        ),
        (
            1,
            item.level2,
            "导入的通知",
            "",
            "2026-09-25",
            "2026-10-09",
            "公开查阅点",
            "民政局大厅",
            None,
            None,
        ),
    ]
    return sheet(rows)


def test_import_previews_then_applies_exactly_that_plan(login, users, county, upload):
    client = login(users.county_editor)
    url = reverse("admin:records_disclosurerecord_import")
    form = client.get(url).content.decode()
    assert f'value="{county.pk}"' in form
    preview = client.post(
        url, {"catalog": str(county.pk), "file": SimpleUploadedFile("records.xlsx", upload)}
    )
    page = preview.content.decode()
    assert "新增1条公开信息" in page and "导入的通知" in page and "确认导入" in page
    assert not DisclosureRecord.objects.exists()  # a preview writes nothing
    payload = preview.context["payload"]
    state = preview.context["state"]
    confirmed = client.post(url, {"confirm": "1", "payload": payload, "state": state})
    assert confirmed.status_code == 302
    record = DisclosureRecord.objects.get()
    assert record.channels.count() == 2 and record.created_by == users.county_editor
    # Confirming the same preview again: the records changed since, so it is refused.
    again = client.post(url, {"confirm": "1", "payload": payload, "state": state})
    assert "请重新预览" in again.content.decode()
    tampered = client.post(url, {"confirm": "1", "payload": payload + "x", "state": state})
    assert "已失效或被改动" in tampered.content.decode()


def test_import_is_scoped(login, users, catalogs, upload):
    url = reverse("admin:records_disclosurerecord_import")
    other = login(users.county_editor).post(
        url,
        {"catalog": str(catalogs.yongji_social.pk), "file": SimpleUploadedFile("r.xlsx", upload)},
    )
    assert other.status_code == 200 and "不是可选的选项" in other.content.decode()
    assert login(users.reviewer).get(url).status_code == 403
    bad = login(users.county_editor).post(
        url,
        {
            "catalog": str(catalogs.nongan_social.pk),
            "file": SimpleUploadedFile(
                "r.xlsx", sheet([(99, "不存在", "标题", "", "2026-09-25", "2026-10-09")])
            ),
        },
    )
    assert "第2行“序号”列（A列）：目录中没有第99项" in bad.content.decode()
    assert not DisclosureRecord.objects.exists()


def test_export_is_scoped_and_keeps_text_as_text(login, users, county, catalogs, make_record):
    make_record(title='=HYPERLINK("http://x")')
    url = reverse("admin:records_disclosurerecord_export")
    chooser = login(users.county_editor).get(url).content.decode()
    assert (
        f'value="{county.pk}"' in chooser and f'value="{catalogs.yongji_social.pk}"' not in chooser
    )
    response = login(users.county_editor).get(f"{url}?catalog={county.pk}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    worksheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in worksheet[1]] == list(HEADER)
    title = worksheet["C2"]
    assert title.value.startswith("=HYPERLINK") and title.data_type == "s"
    assert login(users.other_county_editor).get(f"{url}?catalog={county.pk}").status_code == 404
    assert RecordChannel.objects.count() == 2
