"""Publishing in bulk: the same publication rows and events as ``catalog_publish``, per batch.

``catalog_publish`` publishes one catalog and is what editors use. A province (or the whole
country) publishes thousands at once from ``manage.py publish_catalogs``: one catalog at a
time costs about 25 ms, a batch of 500 costs a few queries per table. Each batch is its own
transaction, so an interrupted run keeps what it finished and a rerun publishes only the
catalogs that still have unpublished changes.

Per batch, the drafts are read as plain rows (``DraftRow``: no model instances, each
distinct JSON text parsed once) and, on PostgreSQL, the published copies go to the table
with ``COPY`` as rows (``published_rows``), their JSON elements written back as they were
read; publications and events are written the same way (``items.bulk``). Elsewhere (SQLite)
the copies are ``published_copy`` instances and ``bulk_create``. Both paths write the same
rows as ``catalog_publish`` (tests/items/test_bulk_publish_copy.py compares every column).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from django.db import transaction
from django.db.models import Max, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from catalogs import vocabulary
from catalogs.models import Catalog, CatalogEvent, CatalogStatus
from catalogs.permissions import can_edit_region, history_user
from items.bulk import copy_rows, insert_objects, uses_copy
from items.models import Item, ItemExtraElement, Publication, PublishedItem
from items.search import (
    SUPERSEDED,
    index_fields,
    item_bigram_text,
    publications_changed,
    search_key,
)
from items.signals import catalogs_published
from items.validation import item_problems

ELEMENT_FIELDS = vocabulary.ITEM_ELEMENT_FIELDS
PUBLISH_NOTE = "发布目录"


@dataclass
class BulkPublishReport:
    published: int = 0
    unchanged: int = 0
    incomplete: list[tuple[Catalog, int]] = field(default_factory=list)  # (catalog, items)
    refused: list[tuple[Catalog, str]] = field(default_factory=list)
    empty: int = 0

    def merge(self, other: BulkPublishReport) -> None:
        self.published += other.published
        self.unchanged += other.unchanged
        self.incomplete += other.incomplete
        self.refused += other.refused
        self.empty += other.empty


def moves_to_published(catalog: Catalog, *, structural: bool) -> bool:
    """Whether publishing moves the catalog to 已发布 (and so to be reviewed again).

    A first publication, or one after 退回整改, does. So does changed content after 复核.
    After 已验收 a county publishes content updates without a reopening: the catalog stays
    已验收 unless the change is structural (items added or removed), which goes back to
    review. One rule for ``catalog_publish`` and the bulk path.
    """
    if catalog.status in (CatalogStatus.DRAFTING, CatalogStatus.RETURNED):
        return True
    if catalog.status == CatalogStatus.REVIEWED:
        return catalog.has_unpublished_changes
    return catalog.status == CatalogStatus.ACCEPTED and structural


def published_copy(publication, catalog, item, extras) -> PublishedItem:
    """The unsaved published copy of a draft item: its elements, extras and search index."""
    return PublishedItem(
        publication=publication,
        item_id=item.pk,
        public_id=item.public_id,
        standard_item_id=item.standard_item_id,
        extra_elements=[[extra.name, extra.value] for extra in extras],
        **{name: getattr(item, name) for name in ELEMENT_FIELDS},
        **index_fields(catalog, item),
    )


# The element columns read as JSON text: parsed once per distinct text (the same few lists
# recur in thousands of items) and, on PostgreSQL, written back to the published copy as
# they were read.
JSON_ELEMENTS = ("channels", "audience", "method", "levels")
PLAIN_ELEMENTS = tuple(name for name in ELEMENT_FIELDS if name not in JSON_ELEMENTS)
DRAFT_COLUMNS = ("pk", "catalog_id", "standard_item_id", "public_id", *PLAIN_ELEMENTS)
_parsed: dict[str, list] = {}


def _parse(text: str | None) -> list:
    if text is None:
        return []
    value = _parsed.get(text)
    if value is None:
        if len(_parsed) > 10_000:
            _parsed.clear()
        value = _parsed[text] = json.loads(text)
    return value


class DraftRow:
    """A draft item as publishing reads it: elements, ids and extra elements, no model
    instance (a bulk publication reads tens of thousands). Read only: the lists parsed
    from JSON are shared between items."""

    __slots__ = (*DRAFT_COLUMNS, *JSON_ELEMENTS, "json_texts", "extras")

    def __init__(self, values: tuple, texts: tuple):
        for name, value in zip(DRAFT_COLUMNS, values, strict=True):
            setattr(self, name, value)
        for name, text in zip(JSON_ELEMENTS, texts, strict=True):
            setattr(self, name, _parse(text))
        self.json_texts = texts
        self.extras = []


class ExtraValue(NamedTuple):
    name: str
    value: str


def draft_rows(catalog_ids) -> dict[int, list[DraftRow]]:
    """The catalogs' draft items in table order, each with its extra elements: two queries
    filtered on the catalog ids (a prefetch would send every item id back to the server)."""
    items_of: dict[int, list[DraftRow]] = defaultdict(list)
    by_item: dict[int, DraftRow] = {}
    texts = {f"{name}_text": Cast(name, TextField()) for name in JSON_ELEMENTS}
    rows = (
        Item.objects.filter(catalog_id__in=catalog_ids)
        .annotate(**texts)
        .order_by("seq", "pk")
        .values_list(*DRAFT_COLUMNS, *texts)
    )
    width = len(DRAFT_COLUMNS)
    for values in rows:
        item = DraftRow(values[:width], values[width:])
        items_of[item.catalog_id].append(item)
        by_item[item.pk] = item
    extras = (
        ItemExtraElement.objects.filter(item__catalog_id__in=catalog_ids)
        .order_by("pk")
        .values_list("item_id", "name", "value")
    )
    for item_id, name, value in extras:
        by_item[item_id].extras.append(ExtraValue(name, value))
    return items_of


# PublishedItem's columns as ``published_rows`` writes them (the id comes from the table).
PUBLISHED_COLUMNS = (
    *PLAIN_ELEMENTS,
    *JSON_ELEMENTS,
    "publication_id",
    "item_id",
    "public_id",
    "standard_item_id",
    "extra_elements",
    "search_key",
    "search_bigrams",
)


def _rows_match_model() -> bool:
    """Whether PublishedItem has exactly the columns ``published_rows`` writes (plus its id);
    a field added later sends publishing down the model path until it is taught here."""
    fields = [f.attname for f in PublishedItem._meta.concrete_fields if not f.primary_key]
    return sorted(fields) == sorted(PUBLISHED_COLUMNS)


_plain_values = attrgetter(*PLAIN_ELEMENTS)


def published_rows(publication_id: int, catalog, items: list[DraftRow]) -> Iterator[tuple]:
    """``published_copy`` of each item as a row of PUBLISHED_COLUMNS, in database form."""
    path, order, code = catalog.region.path, catalog.standard.order, catalog.standard.code
    for item in items:
        extras = item.extras
        yield (
            *_plain_values(item),
            *(text or "[]" for text in item.json_texts),
            publication_id,
            item.pk,
            item.public_id,
            item.standard_item_id,
            json.dumps([[extra.name, extra.value] for extra in extras], ensure_ascii=False)
            if extras
            else "[]",
            search_key(path, order, code, item.seq),
            item_bigram_text(item),
        )


def current_public_ids(catalog_ids) -> dict[int, set]:
    """The public ids of each catalog's current publication, in one query."""
    found: dict[int, set] = defaultdict(set)
    rows = PublishedItem.objects.filter(
        publication__catalog_id__in=catalog_ids, publication__is_current=True
    ).values_list("publication__catalog_id", "public_id")
    for catalog_id, public_id in rows:
        found[catalog_id].add(public_id)
    return found


def is_structural(published: set, items) -> bool:
    """Items added or removed since the current publication (a first one is structural)."""
    return published != {item.public_id for item in items}


@transaction.atomic
def _publish_batch(*, actor, catalog_ids: list[int], note: str, now) -> BulkPublishReport:
    report = BulkPublishReport()
    catalogs = list(
        Catalog.objects.select_for_update(of=("self",))
        .select_related("region", "standard")
        .filter(pk__in=catalog_ids)
        .order_by("pk")
    )
    items_of = draft_rows(catalog_ids)
    to_publish: list[tuple[Catalog, list[DraftRow]]] = []
    for catalog in catalogs:
        if not catalog.has_unpublished_changes:
            report.unchanged += 1
            continue
        if not can_edit_region(actor, catalog.region):
            report.refused.append((catalog, f"您无权发布“{catalog}”。"))
            continue
        if not catalog.is_editable:
            report.refused.append(
                (catalog, f"“{catalog}”当前状态为{catalog.get_status_display()}，已锁定。")
            )
            continue
        items = items_of.get(catalog.pk, [])
        if not items:
            report.empty += 1
            continue
        problems = sum(1 for item in items if item_problems(item, catalog.region))
        if problems:
            report.incomplete.append((catalog, problems))
            continue
        to_publish.append((catalog, items))
    if not to_publish:
        return report

    user = history_user(actor)
    ids = [catalog.pk for catalog, _ in to_publish]
    numbers = dict(
        Publication.objects.filter(catalog_id__in=ids)
        .values("catalog_id")
        .annotate(top=Max("number"))
        .values_list("catalog_id", "top")
    )
    events, moved = [], []
    published_ids = current_public_ids(ids)
    for catalog, items in to_publish:
        structural = is_structural(published_ids.get(catalog.pk, set()), items)
        if moves_to_published(catalog, structural=structural):
            # The move catalog_transition makes (editor: 编制中/退回整改/已复核 → 已发布).
            events.append(
                CatalogEvent(
                    catalog=catalog,
                    actor=user,
                    from_status=catalog.status,
                    to_status=CatalogStatus.PUBLISHED,
                    at=now,
                    note=note or PUBLISH_NOTE,
                )
            )
            catalog.status = CatalogStatus.PUBLISHED
            catalog.status_changed_at = now
            moved.append(catalog)
    if moved:
        Catalog.objects.filter(pk__in=[catalog.pk for catalog in moved]).update(
            status=CatalogStatus.PUBLISHED, status_changed_at=now
        )
        Catalog.history.bulk_history_create(moved, update=True, default_user=user)
        insert_objects(CatalogEvent, events)
    if republished := [pk for pk in ids if pk in numbers]:
        # The items they replace leave the search index (items.search).
        PublishedItem.objects.filter(
            publication__catalog_id__in=republished, publication__is_current=True
        ).update(**SUPERSEDED)
        Publication.objects.filter(catalog_id__in=republished, is_current=True).update(
            is_current=False
        )
    publications = insert_objects(
        Publication,
        [
            Publication(
                catalog=catalog,
                number=(numbers.get(catalog.pk) or 0) + 1,
                is_current=True,
                published_at=now,
                published_by=user,
                note=note,
                item_count=len(items),
            )
            for catalog, items in to_publish
        ],
        batch_size=500,
    )
    pairs = list(zip(publications, to_publish, strict=True))
    if uses_copy(PublishedItem) and _rows_match_model():
        # PostgreSQL: the rows straight to COPY, no model instance on the way.
        copy_rows(
            PublishedItem,
            PUBLISHED_COLUMNS,
            (
                row
                for publication, (catalog, items) in pairs
                for row in published_rows(publication.pk, catalog, items)
            ),
        )
    else:
        insert_objects(
            PublishedItem,
            [
                published_copy(publication, catalog, item, item.extras)
                for publication, (catalog, items) in pairs
                for item in items
            ],
        )
    Catalog.objects.filter(pk__in=ids).update(last_published_at=now, draft_changed_at=now)
    catalogs_published.send(sender=Publication, publications=publications)
    publications_changed()
    report.published = len(to_publish)
    return report


def catalogs_publish_many(
    *,
    actor,
    catalogs: Iterable[int] | None = None,
    queryset=None,
    note: str = "",
    now=None,
    batch_size: int = 500,
    progress: Callable[[int, int, BulkPublishReport], None] | None = None,
) -> BulkPublishReport:
    """Publish every complete catalog among ``catalogs`` (ids) or ``queryset`` that has changes.

    Incomplete catalogs (an item missing an element) and empty ones are skipped and
    counted, never half-published; the caller decides whether that is an error.
    """
    if queryset is not None:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(catalogs or ()))
    now = now or timezone.now()
    report = BulkPublishReport()
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        report.merge(_publish_batch(actor=actor, catalog_ids=batch, note=note, now=now))
        if progress is not None:
            progress(min(start + batch_size, len(ids)), len(ids), report)
    return report


def incomplete_summary(report: BulkPublishReport, limit: int = 10) -> list[str]:
    """Chinese lines naming the skipped catalogs, for a command's output."""
    by_reason: dict[str, list[str]] = defaultdict(list)
    for catalog, count in report.incomplete[:limit]:
        by_reason["要素不完整"].append(f"{catalog}（{count}项）")
    for catalog, reason in report.refused[:limit]:
        by_reason["不能发布"].append(f"{catalog}：{reason}")
    return [f"{reason}：" + "；".join(names) for reason, names in by_reason.items()]
