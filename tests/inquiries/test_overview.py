"""The overview per region (收到 / 按时答复 / 逾期答复 / 逾期未答复) for the province and the
cities: exact counts, scoping, downloads, and a query count that does not grow with regions."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalogs.models import Region, RegionLevel
from inquiries import services
from inquiries.models import Inquiry, Status
from tests.inquiries.conftest import at

pytestmark = pytest.mark.django_db
URL = reverse("inquiries:overview")


@pytest.fixture
def history(items, ask, users):
    """农安县: 1 on time, 1 late, 1 overdue, 1 pending; 农安镇: 1 held (pending), 1 rejected
    spam (not received), 1 on time; 永吉县 (吉林市): 1 overdue. Everything received within the last 40 days."""
    today = timezone.localdate()

    def answered(item, days_ago, answer_offset):
        inquiry = ask(item, when=at(today - timedelta(days=days_ago)))
        services.inquiry_answer(
            actor=users.admin,
            inquiry=inquiry,
            answer="答复",
            visibility="public",
            seen_version=inquiry.version,
            now=at(inquiry.due_date + timedelta(days=answer_offset)),
        )
        return inquiry

    answered(items.county, 30, -1)
    answered(items.county, 30, 2)
    ask(items.county, when=at(today - timedelta(days=30)))
    ask(items.county, when=at(today))
    ask(items.town, "广告 www.x.example.com", when=at(today))
    services.inquiry_reject(
        actor=users.admin, inquiry=ask(items.town, "广告 www.y.example.com", when=at(today))
    )
    answered(items.town, 20, 0)
    ask(items.other, when=at(today - timedelta(days=25)))
    # Received before the period: never counted.
    ask(items.county, when=at(today.replace(year=today.year - 2)))
    return today


def rows_of(response):
    return {row.label: dict(row.counts) for row in response.context["rows"]}


def counts(received, on_time, late, overdue, pending, held, rejected):
    return {
        "received": received,
        "on_time": on_time,
        "late": late,
        "overdue": overdue,
        "pending": pending,
        "held": held,
        "rejected": rejected,
    }


def period(today):
    return {"start": (today - timedelta(days=60)).isoformat(), "end": today.isoformat()}


def test_province_sees_each_city(login, users, history):
    response = login(users.reviewer).get(URL, period(history))
    assert response.status_code == 200
    assert rows_of(response) == {
        "长春市": counts(6, 2, 1, 1, 2, 1, 1),
        "吉林市": counts(1, 0, 0, 1, 0, 0, 0),
        "长白山管委会": counts(0, 0, 0, 0, 0, 0, 0),
    }
    assert response.context["total"].counts == counts(7, 2, 1, 2, 2, 1, 1)
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert f'value="{period(history)["start"]}"' in html  # the period used is shown


def test_drill_down_to_a_county_and_its_townships(login, users, history):
    client = login(users.reviewer)
    city = rows_of(client.get(URL, {**period(history), "region": "2201"}))
    assert city == {
        "农安县": counts(6, 2, 1, 1, 2, 1, 1),
        "双阳区": counts(0, 0, 0, 0, 0, 0, 0),
    }
    county = rows_of(client.get(URL, {**period(history), "region": "220122"}))
    assert county == {
        "农安县本级": counts(4, 1, 1, 1, 1, 0, 0),
        "农安镇": counts(2, 1, 0, 0, 1, 1, 1),
        "伏龙泉镇": counts(0, 0, 0, 0, 0, 0, 0),
    }


def test_city_coordinator_sees_its_counties_only(login, users, history):
    client = login(users.coordinator)
    response = client.get(URL, period(history))
    assert response.context["scope"].code == "2201"
    assert set(rows_of(response)) == {"农安县", "双阳区"}
    assert client.get(URL, {"region": "2202"}).status_code == 404
    assert client.get(URL, {"region": "220221"}).status_code == 404
    assert login(users.other_coordinator).get(URL, {"region": "220122"}).status_code == 404


@pytest.mark.parametrize("role", ["county_editor", "township_editor", "other_county_editor"])
def test_editors_are_refused(login, users, role):
    assert login(getattr(users, role)).get(URL).status_code == 403


def test_anonymous_goes_to_login(client, regions):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_csv_and_xlsx_downloads(login, users, history):
    client = login(users.reviewer)
    response = client.get(URL, {**period(history), "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[1][:9] == [
        "区划代码",
        "区划",
        "收到留言",
        "按时答复",
        "逾期答复",
        "逾期未答复",
        "未到期待答复",
        "其中待审核",
        "驳回（垃圾信息）",
    ]
    assert lines[2] == ["2201", "长春市", "6", "2", "1", "1", "2", "1", "1", "67%"]
    assert lines[-1] == ["", "合计", "7", "2", "1", "2", "2", "1", "1", "67%"]
    response = client.get(URL, {**period(history), "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:4] == ("2201", "长春市", 6, 2)


def test_query_count_does_not_grow_with_regions(login, users, history, django_assert_num_queries):
    client = login(users.reviewer)
    client.get(URL)  # sessions, profile caches
    with django_assert_num_queries(6) as before:
        client.get(URL, period(history))
    province = Region.objects.get(code="22")
    some = Inquiry.objects.first()
    for number in range(20):
        city = Region.objects.create(
            code=f"23{number:02d}", name=f"新市{number}", level=RegionLevel.CITY, parent=province
        )
        Inquiry.objects.create(
            reference=f"TESTREF{number:05d}",
            kind="question",
            item_public_id=some.item_public_id,
            item_name="x",
            region=city,
            text="t",
            status=Status.OPEN,
            received_at=some.received_at,
            received_on=history,
            due_date=history,
        )
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(URL, period(history))
    assert len(response.context["rows"]) == 23
    assert response.context["total"].counts["received"] == 27
