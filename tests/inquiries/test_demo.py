"""The demo set of inquiries in 长春市: what inquiries.demo.seed builds, through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalogs.models import Region
from catalogs.permissions import SYSTEM
from inquiries import demo
from inquiries.models import Inquiry, Status, Visibility
from inquiries.selectors import region_overview
from items.services import catalog_derive, catalog_publish
from tests.factories import localise

pytestmark = pytest.mark.django_db


@pytest.fixture
def changchun(items, regions, standards):
    catalog = catalog_derive(actor=SYSTEM, region=regions.shuangyang, standard=standards.social)
    localise(catalog)
    catalog_publish(actor=SYSTEM, catalog=catalog, note="首次发布")
    return regions


def test_seed_builds_each_case_once(changchun):
    today = timezone.localdate()
    summary = demo.seed(today)
    assert summary == {"inquiries": 6, "answered": 3, "overdue": 1, "held": 1}
    assert demo.seed(today) == {}  # once only
    rows = list(Inquiry.objects.order_by("received_at", "pk"))
    kinds = [(row.region.code, row.status, row.kind) for row in rows]
    assert kinds == [
        ("220122", Status.ANSWERED, "question"),
        ("220122", Status.ANSWERED, "correction"),
        ("220122", Status.OPEN, "question"),
        ("220112", Status.ANSWERED, "correction"),
        ("220122100", Status.HELD, "question"),
        ("220122100", Status.OPEN, "question"),
    ]
    on_time, late, overdue, private, held, _ = rows
    assert on_time.answered_on_time() is True and on_time.visibility == Visibility.PUBLIC
    assert late.answered_on_time() is False
    assert overdue.is_overdue(today)
    assert private.visibility == Visibility.PRIVATE
    assert "http://" in held.text and held.held_reason == "留言内容含有网址链接"
    city = Region.objects.get(code="2201")
    rows, total = region_overview(city, start=today - timedelta(days=60), end=today, today=today)
    by_name = {row.label: row.counts for row in rows}
    assert by_name["农安县"] == {
        "received": 5,
        "on_time": 1,
        "late": 1,
        "overdue": 1,
        "pending": 2,
        "held": 1,
        "rejected": 0,
    }
    assert by_name["双阳区"]["on_time"] == 1
