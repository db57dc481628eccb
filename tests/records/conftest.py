"""Fixtures for disclosure records: a published county catalog and helpers."""

from datetime import date

import pytest

from catalogs.permissions import SYSTEM
from items.models import Item
from records.services import record_create

# 2026: 国庆 10/1–10/7 and 中秋 9/25–9/27 off; Sunday 9/20 and Saturday 10/10 are make-up days.
TODAY = date(2026, 11, 29)


def item_of(catalog, seq: int) -> Item:
    return Item.objects.get(catalog=catalog, seq=seq)


@pytest.fixture
def county(published):
    return published.catalog


@pytest.fixture
def item(county):
    item = item_of(county, 1)
    item.deadline = "制定或获取信息之日起10个工作日内"
    item.channels = ["政府网站", "公开查阅点"]
    item.save()
    return item


@pytest.fixture
def make_record(item):
    def make(actor=SYSTEM, target=None, **values):
        values.setdefault("title", "关于调整最低生活保障标准的通知")
        values.setdefault("formed_on", date(2026, 9, 25))
        values.setdefault("published_on", date(2026, 10, 9))
        values.setdefault(
            "channels",
            [
                {"channel": "政府网站", "url": "https://www.nongan.gov.cn/zwgk/1.html"},
                {"channel": "公开查阅点", "location": "农安县民政局一楼大厅"},
            ],
        )
        values.setdefault("today", TODAY)
        return record_create(actor=actor, item=target or item, **values)

    return make
