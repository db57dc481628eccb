"""Loading what the rules look at, and running them.

Two sources: ``PUBLICATION`` (what citizens see: the items of each catalog's current
publication; catalogs never published are left out) and ``DRAFT`` (the items staff edit).
``run_checks`` loads what the rules need in four queries whatever the number of catalogs:
the catalogs with their regions; the items (published items carry their extra elements;
draft items come joined to theirs); the standard items; the province's rule settings
(unless the caller passes them). It writes nothing: the review services turn the results
into findings.

Findings are anchored to draft items (``Finding.item``): a published item is anchored to
the draft item it was copied from (``PublishedItem.item``), so a finding keeps its identity
across publications and the editor is led to the row to correct.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import F, Q, QuerySet, TextField
from django.db.models.base import ModelState
from django.db.models.functions import Cast

from catalogs.models import Catalog, Region, StandardItem
from items.models import ElementFields, Item, PublishedItem
from review.checks.registry import CheckResult, Rule, registry

PUBLICATION = "publication"
DRAFT = "draft"
SOURCES = (PUBLICATION, DRAFT)


class ExtraElement(NamedTuple):
    """A local extra element as the rules read it (a published item keeps them as JSON)."""

    name: str
    value: str


@dataclass
class CatalogContext:
    """Everything a rule may look at for one catalog, loaded in advance."""

    catalog: Catalog
    # In table order, standard_item loaded: draft Items, or the current publication's
    # PublishedItems (which carry the same nine elements).
    items: list[ElementFields]
    extras: Mapping[int, list]  # by item pk: ItemExtraElement or ExtraElement (name, value)
    standard_items: list[StandardItem]  # of the catalog's edition, in seq order
    source: str = DRAFT
    # What rules load for themselves in Rule.prepare, under a key of their own.
    data: dict = field(default_factory=dict)

    @property
    def region(self) -> Region:
        return self.catalog.region

    def anchor_id(self, item: ElementFields) -> int | None:
        """The draft item a result on ``item`` is anchored to (None: the draft is gone)."""
        return item.item_id if self.source == PUBLICATION else item.pk


def _catalog_source(catalogs):
    if isinstance(catalogs, QuerySet):
        return catalogs
    return Catalog.objects.filter(pk__in=[catalog.pk for catalog in catalogs])


def _standard_items(editions: set[int], linked) -> dict[int, StandardItem]:
    """The editions' items, and items of older editions that checked items still point to."""
    return {
        standard_item.pk: standard_item
        for standard_item in StandardItem.objects.filter(
            Q(edition_id__in=editions) | Q(pk__in=linked)
        ).order_by("edition_id", "seq")
    }


def load_contexts(catalogs, *, source: str = DRAFT) -> list[CatalogContext]:
    """The catalogs' contexts in region code order, in a fixed number of queries.

    A QuerySet is used as a subquery (no long IN lists); any other iterable of catalogs
    is reloaded by primary key so the regions come in the same query. The standard items
    (a few dozen, shared by thousands of items) are loaded once and attached to the items,
    which is several times faster than joining them to every item row.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    scope_catalogs = _catalog_source(catalogs)
    catalog_list = list(scope_catalogs.select_related("region__parent"))
    if source == PUBLICATION:
        # Only what citizens can see: a catalog never published has nothing to judge.
        catalog_list = [catalog for catalog in catalog_list if catalog.last_published_at]
    if not catalog_list:
        return []
    catalog_list.sort(key=lambda catalog: (catalog.region.code, catalog.pk))
    scope = scope_catalogs.values("pk")
    extras: dict[int, list] = defaultdict(list)
    items_by_catalog: dict[int, list[ElementFields]] = defaultdict(list)
    if source == PUBLICATION:
        published = PublishedItem.objects.filter(
            publication__is_current=True, publication__catalog__in=scope
        )
        items = _published_items(published)
        for item in items:
            extras[item.pk] = [
                ExtraElement(str(name), str(value or ""))
                for name, value in (item.extra_elements or [])
            ]
        linked = published.values("standard_item_id")
    else:
        items = _draft_items(scope, extras)
        linked = Item.objects.filter(catalog__in=scope).values("standard_item_id")
    standard_items = _standard_items({catalog.edition_id for catalog in catalog_list}, linked)
    standard_by_edition: dict[int, list[StandardItem]] = defaultdict(list)
    for standard_item in standard_items.values():
        standard_by_edition[standard_item.edition_id].append(standard_item)
    for item in items:
        if item.standard_item_id is not None:
            item.standard_item = standard_items[item.standard_item_id]
        catalog_id = item.catalog_pk if source == PUBLICATION else item.catalog_id
        items_by_catalog[catalog_id].append(item)
    return [
        CatalogContext(
            catalog=catalog,
            items=items_by_catalog.get(catalog.pk, []),
            extras=extras,
            standard_items=standard_by_edition.get(catalog.edition_id, []),
            source=source,
        )
        for catalog in catalog_list
    ]


# What rules read of a published item: every column but the search index's two.
_PUBLISHED_SKIPPED = ("search_key", "search_bigrams")
_parsed_json: dict[str, object] = {}


def _json_value(text: str | None):
    """A JSON column's value from its text; the same few lists recur in thousands of items,
    so each distinct text is parsed once (and every item gets its own copy)."""
    if text is None:
        return None
    value = _parsed_json.get(text)
    if value is None:
        if len(_parsed_json) > 10_000:
            _parsed_json.clear()
        value = _parsed_json[text] = json.loads(text)
    if isinstance(value, list):
        return [list(entry) if isinstance(entry, list) else entry for entry in value]
    return value


def _published_items(published) -> list[PublishedItem]:
    """The published items in table order with ``catalog_pk``, built straight from rows.

    The ORM would build each through ``Model.__init__`` and decode every JSON column; at
    national scale that was most of the loading. The search columns are left deferred.
    """
    fields = [
        field
        for field in PublishedItem._meta.concrete_fields
        if field.attname not in _PUBLISHED_SKIPPED
    ]
    json_names = [field.attname for field in fields if field.get_internal_type() == "JSONField"]
    plain = [field.attname for field in fields if field.attname not in json_names]
    texts = {f"{name}__text": Cast(name, TextField()) for name in json_names}
    rows = (
        published.annotate(catalog_pk=F("publication__catalog_id"), **texts)
        .order_by("publication_id", "seq", "pk")
        .values_list(*plain, "catalog_pk", *texts)
    )
    alias = rows.db
    width = len(plain) + 1
    items = []
    new = PublishedItem.__new__
    for row in rows:
        item = new(PublishedItem)
        values = item.__dict__
        values.update(zip(plain, row, strict=False))
        values["catalog_pk"] = row[width - 1]
        for name, text in zip(json_names, row[width:], strict=True):
            values[name] = _json_value(text)
        state = ModelState()
        state.adding, state.db = False, alias
        values["_state"] = state
        items.append(item)
    return items


# What rules read of a draft item (no rule reads its time stamps; the record rules find an
# item's disclosure records by its public id).
_DRAFT_FIELDS = None


def _draft_fields() -> list[str]:
    global _DRAFT_FIELDS
    if _DRAFT_FIELDS is None:
        skipped = {"created_at", "updated_at"}
        _DRAFT_FIELDS = [f.attname for f in Item._meta.concrete_fields if f.attname not in skipped]
    return _DRAFT_FIELDS


def _draft_items(scope, extras: dict[int, list]) -> list[Item]:
    """The draft items with their extra elements in one query (a LEFT JOIN: an item with
    three extras comes three times), in table order; fills ``extras`` by item pk."""
    fields = _draft_fields()
    rows = (
        Item.objects.filter(catalog__in=scope)
        .order_by("catalog_id", "seq", "pk", "extra_elements__order", "extra_elements__pk")
        .values_list(*fields, "extra_elements__name", "extra_elements__value")
    )
    items: list[Item] = []
    width, id_index = len(fields), fields.index("id")
    for row in rows:
        pk = row[id_index]
        if not items or items[-1].pk != pk:
            items.append(Item(**dict(zip(fields, row[:width], strict=True))))
        name, value = row[width], row[width + 1]
        if name is not None:
            extras[pk].append(ExtraElement(name, value or ""))
    return items


def rule_overrides() -> dict:
    """The province's rule settings by rule code (one query)."""
    from review.models import RuleSetting

    return {setting.rule_code: setting for setting in RuleSetting.objects.all()}


def effective_rules(
    rules: Iterable[Rule | str] | None = None, overrides: Mapping | None = None
) -> list[tuple[Rule, str]]:
    """(rule, severity) for every selected rule the province has not switched off."""
    overrides = rule_overrides() if overrides is None else overrides
    selected = []
    for rule in registry.resolve(rules):
        setting = overrides.get(rule.code)
        if setting is not None and not setting.enabled:
            continue
        severity = (setting.severity if setting is not None else "") or rule.severity
        selected.append((rule, severity))
    return selected


def run_checks(
    catalogs,
    *,
    rules: Iterable[Rule | str] | None = None,
    source: str = DRAFT,
    overrides: Mapping | None = None,
) -> list[CheckResult]:
    """Check ``catalogs`` (a QuerySet or iterable of Catalog) as ``source`` reads them.

    ``rules`` picks rules by object or code (default: every registered rule); the
    province's settings (``overrides``, loaded when not given) switch rules off and change
    their severity. Reads only; a fixed number of queries however many catalogs (see the
    module docstring, plus what each selected rule's ``prepare`` loads). Results come
    catalog by catalog (region code order), in rule order within a catalog.
    """
    registry.resolve(rules)  # an unknown code fails before anything is loaded
    contexts = load_contexts(catalogs, source=source)
    if not contexts:
        return []
    selected = effective_rules(rules, overrides)
    for rule, _ in selected:
        if rule.prepare is not None:
            rule.prepare(contexts)
    results: list[CheckResult] = []
    for context in contexts:
        for rule, severity in selected:
            results.extend(rule.run(context, severity=severity))
    return results
