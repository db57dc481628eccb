"""Publishing in bulk: the same publication rows and events as ``catalog_publish``, per batch.

``catalog_publish`` publishes one catalog and is what editors use. A province (or the whole
country) publishes thousands at once from ``manage.py publish_catalogs``: one catalog at a
time costs about 25 ms, a batch of 500 costs a few queries per table. Each batch is its own
transaction, so an interrupted run keeps what it finished and a rerun publishes only the
catalogs that still have unpublished changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalogs import vocabulary
from catalogs.models import Catalog, CatalogEvent, CatalogStatus
from catalogs.permissions import can_edit_region, history_user
from items.models import Item, ItemExtraElement, Publication, PublishedItem
from items.search import SUPERSEDED, index_fields, publications_changed
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
        item=item,
        public_id=item.public_id,
        standard_item_id=item.standard_item_id,
        extra_elements=[[extra.name, extra.value] for extra in extras],
        **{name: getattr(item, name) for name in ELEMENT_FIELDS},
        **index_fields(catalog, item),
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
    # Items and their extra elements by catalog id: two queries filtered on the batch's
    # catalog ids (a prefetch would send every item id back to the server).
    items_of: dict[int, list[Item]] = defaultdict(list)
    for item in Item.objects.filter(catalog_id__in=catalog_ids).order_by("seq", "pk"):
        item.extras = []
        items_of[item.catalog_id].append(item)
    by_item = {item.pk: item for items in items_of.values() for item in items}
    for extra in ItemExtraElement.objects.filter(item__catalog_id__in=catalog_ids).order_by("pk"):
        by_item[extra.item_id].extras.append(extra)
    to_publish: list[tuple[Catalog, list[Item]]] = []
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
        CatalogEvent.objects.bulk_create(events, batch_size=500)
    if republished := [pk for pk in ids if pk in numbers]:
        # The items they replace leave the search index (items.search).
        PublishedItem.objects.filter(
            publication__catalog_id__in=republished, publication__is_current=True
        ).update(**SUPERSEDED)
        Publication.objects.filter(catalog_id__in=republished, is_current=True).update(
            is_current=False
        )
    publications = Publication.objects.bulk_create(
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
    PublishedItem.objects.bulk_create(
        (
            published_copy(publication, catalog, item, item.extras)
            for publication, (catalog, items) in zip(publications, to_publish, strict=True)
            for item in items
        ),
        batch_size=2000,
    )
    Catalog.objects.filter(pk__in=ids).update(last_published_at=now, draft_changed_at=now)
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
