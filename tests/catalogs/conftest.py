"""Helpers for the admin and permission tests: admin form posts and a fourth catalog."""

from types import SimpleNamespace

import pytest

from catalogs.permissions import SYSTEM
from items.services import ELEMENT_FIELDS, catalog_derive


def element_values(item) -> dict:
    return {name: getattr(item, name) for name in ELEMENT_FIELDS}


def management_form(prefix: str, total: int, initial: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _flatten(data: dict) -> dict:
    """The test client posts lists as repeated keys; drop empty lists and None."""
    return {
        key: value
        for key, value in data.items()
        if value is not None and not (isinstance(value, list) and not value)
    }


def catalog_post_data(catalog, changes=None, *, new=(), delete=()) -> dict:
    """A POST of the catalog's change page: its items inline, with ``changes`` per item pk."""
    changes = changes or {}
    items = list(catalog.items.order_by("seq", "pk"))
    data = management_form("items", len(items) + len(new), len(items))
    for index, item in enumerate(items):
        values = {**element_values(item), **changes.get(item.pk, {})}
        data[f"items-{index}-id"] = str(item.pk)
        data[f"items-{index}-catalog"] = str(catalog.pk)
        if item.pk in delete:
            data[f"items-{index}-DELETE"] = "on"
        for name, value in values.items():
            data[f"items-{index}-{name}"] = value
    for offset, values in enumerate(new, start=len(items)):
        data[f"items-{offset}-catalog"] = str(catalog.pk)
        for name, value in values.items():
            data[f"items-{offset}-{name}"] = value
    data["_save"] = "保存"
    return _flatten(data)


def item_post_data(item, changes=None, *, extras=()) -> dict:
    """A POST of an item's own change page, with its extra elements inline."""
    data = {**element_values(item), **(changes or {})}
    existing = list(item.extra_elements.all())
    data.update(management_form("extra_elements", len(existing) + len(extras), len(existing)))
    for index, extra in enumerate(existing):
        data.update(
            {
                f"extra_elements-{index}-id": str(extra.pk),
                f"extra_elements-{index}-item": str(item.pk),
                f"extra_elements-{index}-name": extra.name,
                f"extra_elements-{index}-value": extra.value,
                f"extra_elements-{index}-order": str(extra.order),
            }
        )
    for index, (name, value) in enumerate(extras, start=len(existing)):
        data.update(
            {
                f"extra_elements-{index}-item": str(item.pk),
                f"extra_elements-{index}-name": name,
                f"extra_elements-{index}-value": value,
                f"extra_elements-{index}-order": str(index),
            }
        )
    data["_save"] = "保存"
    return _flatten(data)


@pytest.fixture
def all_catalogs(catalogs, regions, standards):
    """The conftest catalogs plus 伏龙泉镇 (a sibling township of 农安镇 in 农安县)."""
    return SimpleNamespace(
        nongan=catalogs.nongan_social,
        town=catalogs.town_social,
        fulongquan=catalog_derive(
            actor=SYSTEM, region=regions.fulongquan, standard=standards.social
        ),
        yongji=catalogs.yongji_social,
    )
