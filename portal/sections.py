"""Sections that other apps add to the public item, catalog and region pages.

Each app listed in ``PROVIDERS`` has a ``public`` module with:

- ``STATE``: the kind it names in ``catalogs.states`` (its writers call
  ``catalogs.states.changed(STATE)``); the cached pages put every provider's state into
  their keys, so a change shows at once;
- any of ``item_section(item, catalog)``, ``catalog_section(catalog, items)`` and
  ``region_section(region)``, each returning a ``catalogs.sections.Section`` or ``None``. ``items`` is the
  list of the publication's ``PublishedItem`` rows: a provider loads what it shows for all
  of them in a fixed number of queries.

A section is rendered with ``{% include section.template %}`` and sees the page's context
plus ``section`` (the Section itself, its ``context`` dict as ``section.context``). Its
``slot`` says where: ``"main"`` after the item's elements / the catalog's table,
``"aside"`` beside the contact card (complaint channels, the 一次告知 link).
"""

from __future__ import annotations

from importlib import import_module

from catalogs import states
from catalogs.sections import Section

PROVIDERS = (
    "matters.public",
    "guides.public",
    "policies.public",
    "inquiries.public",
    "participation.public",
)


def _modules():
    return [import_module(name) for name in PROVIDERS]


def stamp() -> tuple[int, ...]:
    """Part of every cached public page's key: moves on when any provider's data changes."""
    return states.states([module.STATE for module in _modules()])


def _collect(function_name: str, *args) -> dict[str, list[Section]]:
    by_slot: dict[str, list[Section]] = {}
    for module in _modules():
        provider = getattr(module, function_name, None)
        section = provider(*args) if provider else None
        if section is not None:
            by_slot.setdefault(section.slot, []).append(section)
    for sections in by_slot.values():
        sections.sort(key=lambda section: section.order)
    return by_slot


def item_sections(item, catalog) -> dict[str, list[Section]]:
    return _collect("item_section", item, catalog)


def catalog_sections(catalog, items) -> dict[str, list[Section]]:
    return _collect("catalog_section", catalog, items)


def region_sections(region) -> dict[str, list[Section]]:
    return _collect("region_section", region)
