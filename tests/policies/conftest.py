"""Fixtures of the policies tests: 农安县 documents linked to its catalog items."""

from datetime import date
from types import SimpleNamespace

import pytest

from catalogs.permissions import SYSTEM
from items.models import Item
from policies.services import document_create, interpretation_create

# Today in the tests, unless a test says otherwise (documents are dated 2025-03-03, a Monday).
TODAY = date(2025, 6, 30)


def items_named(catalog, word):
    return [
        item for item in Item.objects.filter(catalog=catalog).order_by("seq") if word in item.name
    ]


def make_document(region, standard, *, actor=SYSTEM, **values):
    values = {
        "title": "农安县最低生活保障审核确认办法",
        "number": "农政发〔2025〕12号",
        "issuer": "农安县人民政府",
        "issued_on": date(2025, 3, 3),
        "url": "https://www.nongan.gov.cn/zcwj/dibao.html",
        **values,
    }
    today = values.pop("today", TODAY)
    return document_create(actor=actor, region=region, standard=standard, today=today, **values)


def make_interpretation(document, *, actor=SYSTEM, **values):
    values = {
        "title": "一图读懂低保审核确认办法",
        "form": "graphic",
        "published_on": date(2025, 3, 4),
        "url": "https://www.nongan.gov.cn/zcjd/dibao.html",
        **values,
    }
    today = values.pop("today", TODAY)
    return interpretation_create(actor=actor, document=document, today=today, **values)


@pytest.fixture
def policy(catalogs, standards, regions):
    """A 农安县 社会救助 document linked to its 低保 items, with a timely 解读."""
    dibao = items_named(catalogs.nongan_social, "最低生活保障")
    document = make_document(regions.nongan, standards.social, items=dibao)
    interpretation = make_interpretation(document)
    return SimpleNamespace(document=document, interpretation=interpretation, items=dibao)
