"""Fixtures for the assessment: 农安县's published catalog with a few records."""

from datetime import date

import pytest

from catalogs.permissions import SYSTEM
from items.models import Item
from records.channels import ONLINE_CHANNELS
from records.services import record_create
from review.services import ensure_default_campaign

TODAY = date(2026, 11, 29)
YEAR = 2020


def evidence(item, *, skip: int = 0) -> list[dict]:
    """Evidence on every promised channel of ``item`` but the last ``skip`` ones."""
    channels = [c for c in item.channels if c != "其他"]
    channels = channels[: len(channels) - skip] if skip else channels
    return [
        {"channel": c, "url": f"https://www.nongan.gov.cn/{item.seq}/{n}.html"}
        if c in ONLINE_CHANNELS
        else {"channel": c, "location": "农安县政务服务中心一楼"}
        for n, c in enumerate(channels)
    ]


def record(item, *, published_on=date(2026, 10, 9), skip: int = 0, title=None):
    return record_create(
        actor=SYSTEM,
        item=item,
        title=title or f"第{item.seq}项的公开信息",
        formed_on=date(2026, 9, 25),
        published_on=published_on,
        channels=evidence(item, skip=skip),
        today=TODAY,
    )


@pytest.fixture
def campaign(db):
    return ensure_default_campaign()


@pytest.fixture
def county(published, campaign):
    """农安县's published social-assistance catalog; item 1 promises a website and a place
    and has a 10-working-day deadline."""
    catalog = published.catalog
    item = Item.objects.get(catalog=catalog, seq=1)
    item.deadline = "制定或获取信息之日起10个工作日内"
    item.channels = ["政府网站", "公开查阅点"]
    item.save()
    return catalog


@pytest.fixture
def first_item(county):
    return Item.objects.get(catalog=county, seq=1)
