"""Every write to derived catalogs and their items: derive, edit, publish.

Each service checks the actor first, runs in one transaction, validates before saving
and leaves a history row (django-simple-history) naming the actor.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from catalogs import vocabulary
from catalogs.concurrency import FieldChange, save_versioned
from catalogs.lifecycle import catalog_transition
from catalogs.models import (
    Catalog,
    CatalogStatus,
    Region,
    RegionLevel,
    StandardCatalog,
    StandardEdition,
    StandardItem,
)
from catalogs.permissions import can_edit_region, history_user, require_edit_region
from catalogs.selectors import full_names
from items.models import Item, ItemExtraElement, Publication, PublishedItem
from items.publishing import (
    current_public_ids,
    is_structural,
    moves_to_published,
    published_copy,
)
from items.search import SUPERSEDED, publications_changed
from items.signals import catalogs_published
from items.validation import TERM_VOCABULARIES, describe_problems, item_problems, validate_item

ELEMENT_FIELDS = vocabulary.ITEM_ELEMENT_FIELDS
# The fields an edit conflict names, with their Chinese labels.
ITEM_LABELS = {
    **{name: vocabulary.FIELD_LABELS.get(name, name) for name in ELEMENT_FIELDS},
    "standard_item": "对应标准事项",
}
# What a derived item copies from its standard item (numbering is the catalog's own).
DERIVED_FIELDS = vocabulary.STANDARD_ROW_FIELDS


def catalog_title(
    region: Region, standard: StandardCatalog, *, full_name: str | None = None
) -> str:
    """区划全称 + 领域 + 基层政务公开标准目录; pass ``full_name`` when it is known already.

    A village's: 区划全称 + 村（居）务公开目录.
    """
    if full_name is None:
        full_name = region.full_name
    if standard.for_villages:
        return f"{full_name}村（居）务公开目录"
    return f"{full_name}{standard.field}领域基层政务公开标准目录"


def _require_editable(actor, catalog: Catalog) -> None:
    require_edit_region(actor, catalog.region)
    # Lock the catalog so that an edit cannot slip in while it is being moved to 已录入.
    catalog.status = (
        Catalog.objects.select_for_update().values_list("status", flat=True).get(pk=catalog.pk)
    )
    if not catalog.is_editable:
        raise ValidationError(
            f"“{catalog}”当前状态为{catalog.get_status_display()}，已锁定，不能修改。"
        )


def _touch(catalog: Catalog, now=None) -> None:
    catalog.draft_changed_at = now or timezone.now()
    Catalog.objects.filter(pk=catalog.pk).update(draft_changed_at=catalog.draft_changed_at)


# ---------------------------------------------------------------------------
# Derivation
# ---------------------------------------------------------------------------


def check_derivable(region: Region, standard: StandardCatalog, edition) -> None:
    """Refuse to derive a catalog for a region that compiles none, or without an edition.

    Villages derive the village standard only, counties and townships every other one.
    """
    if region.level not in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE):
        raise ValidationError(
            f"只有县级和乡级区划编制目录，“{region.name}”是{region.get_level_display()}。"
        )
    if standard.for_villages and region.level != RegionLevel.VILLAGE:
        raise ValidationError(
            f"“{standard.title}”只用于村（居）民委员会，“{region.name}”是"
            f"{region.get_level_display()}区划。"
        )
    if region.level == RegionLevel.VILLAGE and not standard.for_villages:
        raise ValidationError(
            f"村（居）民委员会只编制村（居）务公开目录，不编制“{standard.title}”。"
        )
    if not region.compiles_catalogs:
        reason = f"（{region.compile_note}）" if region.compile_note else ""
        raise ValidationError(f"“{region.name}”不单独编制目录{reason}。")
    if edition is None or not edition.is_published or edition.standard_id != standard.pk:
        raise ValidationError(f"“{standard.title}”没有可用的已发布版本。")


def derived_items(
    region: Region, standard_items: Iterable[StandardItem], *, catalog: Catalog | None = None
) -> list[Item]:
    """The unsaved items a region's new catalog starts with; no query.

    The standard items (in 序号 order) that apply to the region's level, numbered from 1.
    ``catalog_derive`` saves them; the Excel import previews them for a region that has no
    catalog yet.
    """
    applicable = [si for si in standard_items if si.applies_to(region)]
    return [
        Item(
            catalog=catalog,
            standard_item=standard_item,
            seq=seq,
            **{name: getattr(standard_item, name) for name in DERIVED_FIELDS},
        )
        for seq, standard_item in enumerate(applicable, start=1)
    ]


@transaction.atomic
def catalog_derive(
    *, actor, region: Region, standard: StandardCatalog, edition: StandardEdition | None = None
) -> Catalog:
    """A county's or township's own catalog, starting from the edition's applicable items."""
    require_edit_region(actor, region)
    edition = edition or standard.current_edition
    check_derivable(region, standard, edition)
    if Catalog.objects.filter(region=region, standard=standard).exists():
        raise ValidationError(f"“{region.name}”已有{standard.title}的目录。")
    catalog = Catalog(
        region=region, standard=standard, edition=edition, title=catalog_title(region, standard)
    )
    catalog.full_clean()
    catalog._history_user = history_user(actor)
    catalog.save()
    bulk_create_with_history(
        derived_items(region, edition.items.order_by("seq"), catalog=catalog),
        Item,
        default_user=history_user(actor),
        default_change_reason="由标准目录生成",
    )
    return catalog


@dataclass
class DeriveReport:
    created: list[Catalog] = field(default_factory=list)
    skipped: list[tuple[Region, StandardCatalog, str]] = field(default_factory=list)


@transaction.atomic
def catalogs_create_derived(
    catalogs: list[Catalog], standard_items, *, actor, reason: str
) -> list[Catalog]:
    """Insert unsaved catalog headers and the items derived for each, with their history
    rows, in bulk; the callers have checked who may derive what. Returns the catalogs."""
    created = bulk_create_with_history(
        catalogs, Catalog, batch_size=500, default_user=history_user(actor)
    )
    items = [
        item
        for catalog in created
        for item in derived_items(catalog.region, standard_items, catalog=catalog)
    ]
    bulk_create_with_history(
        items,
        Item,
        batch_size=1000,
        default_user=history_user(actor),
        default_change_reason=reason,
    )
    return created


def catalogs_derive_many(
    *, actor, root: Region, standards: Iterable[StandardCatalog], recursive: bool
) -> DeriveReport:
    """Derive missing catalogs for ``root`` (and, if recursive, every county and township below).

    The same checks as ``catalog_derive``, in bulk: a province-wide run is a few dozen queries.
    """
    regions = (
        Region.objects.descendants_of(root) if recursive else Region.objects.filter(pk=root.pk)
    )
    regions = list(regions.catalog_holders().order_by("code"))
    existing = set(
        Catalog.objects.filter(region__in=regions).values_list("region_id", "standard_id")
    )
    names = full_names(regions)
    report = DeriveReport()
    # The village standard is derived by townships for their villages (items.villages).
    for standard in [standard for standard in standards if not standard.for_villages]:
        edition = standard.current_edition
        standard_items = list(edition.items.order_by("seq")) if edition else []
        pending = []
        for region in regions:
            if (region.pk, standard.pk) in existing:
                report.skipped.append((region, standard, "已有目录"))
            elif not can_edit_region(actor, region):
                report.skipped.append((region, standard, "无权编制"))
            elif edition is None:
                report.skipped.append((region, standard, "没有已发布的标准版本"))
            else:
                title = catalog_title(region, standard, full_name=names[region.pk])
                pending.append(
                    Catalog(region=region, standard=standard, edition=edition, title=title)
                )
        created = catalogs_create_derived(
            pending, standard_items, actor=actor, reason="由标准目录生成"
        )
        report.created += created
    return report


# ---------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------


def _normalise_terms(item: Item) -> None:
    for name, vocab in TERM_VOCABULARIES.items():
        values = getattr(item, name) or []
        if isinstance(values, str):
            values = [values]
        setattr(
            item,
            name,
            list(vocabulary.order_terms(values, vocab)) + [v for v in values if v not in vocab],
        )


def _item_subject(item: Item) -> str:
    return f"第{item.seq}项“{item.name}”" if item.level1 else "该事项"


def _claim_item_version(item: Item, seen: int | None) -> None:
    """Move the stored item's version on, or refuse a save based on an older one."""

    def extras_changed_since(seen_at) -> list[FieldChange]:
        then = extras_as_of(item, seen_at)
        now = list(
            ItemExtraElement.objects.filter(item_id=item.pk)
            .order_by("order", "pk")
            .values_list("name", "value")
        )
        return [FieldChange("extras", "本地增加要素", then, now)] if then != now else []

    save_versioned(
        item,
        seen,
        subject=_item_subject,
        labels=ITEM_LABELS,
        related_changes=extras_changed_since,
    )


def _save_item(actor, item: Item, *, seen_version: int | None = None, reason: str = "") -> Item:
    _normalise_terms(item)
    validate_item(item)
    _claim_item_version(item, seen_version)
    item._history_user = history_user(actor)
    # Always set: an instance may still carry the reason of an earlier save.
    item._change_reason = reason or None
    item.save()
    _touch(item.catalog)
    return item


@transaction.atomic
def item_create(*, actor, catalog: Catalog, **values) -> Item:
    _require_editable(actor, catalog)
    if "seq" not in values:
        values["seq"] = (catalog.items.aggregate(top=Max("seq"))["top"] or 0) + 1
    item = Item(catalog=catalog, **values)
    return _save_item(actor, item)


@transaction.atomic
def item_update(
    *, actor, item: Item, expected_version: int | None = None, reason: str = "", **values
) -> Item:
    """Change the item's elements; refused if it changed since ``expected_version``.

    ``expected_version`` is the version the editor's form showed (``None``: not checked).
    """
    _require_editable(actor, item.catalog)
    unknown = set(values) - set(ELEMENT_FIELDS) - {"standard_item"}
    if unknown:
        raise ValueError(f"not element fields: {sorted(unknown)}")
    # Compare with the stored row, not the instance: a bound admin form has already
    # written its values onto the instance.
    stored = Item.objects.filter(pk=item.pk).values(*values).first() or {}
    if all(stored.get(name) == value for name, value in values.items()):
        # Saving a form without edits must not count as an unpublished change.
        return item
    for name, value in values.items():
        setattr(item, name, value)
    return _save_item(actor, item, seen_version=expected_version, reason=reason)


@transaction.atomic
def item_delete(*, actor, item: Item) -> None:
    _require_editable(actor, item.catalog)
    item._history_user = history_user(actor)
    catalog = item.catalog
    item.delete()
    _touch(catalog)


@transaction.atomic
def item_set_extra_elements(
    *,
    actor,
    item: Item,
    extras: list[tuple[str, str]],
    expected_version: int | None = None,
    reason: str = "",
) -> list[ItemExtraElement]:
    """Replace an item's local extra elements with ``extras`` (name, value) in that order.

    The extras are part of the item: a change moves the item's version on (refused if it
    changed since ``expected_version``) and leaves an item history row saying so.
    """
    _require_editable(actor, item.catalog)
    names = [name.strip() for name, _ in extras]
    if any(not name for name in names):
        raise ValidationError("本地增加要素的名称不能为空。")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValidationError(f"本地增加要素名称重复：{'、'.join(duplicates)}")
    reserved = set(vocabulary.ELEMENT_LABELS.values()) & set(names)
    if reserved:
        raise ValidationError(f"“{'、'.join(sorted(reserved))}”是必备要素，不能作为本地增加要素。")
    current = list(item.extra_elements.all())
    if [(extra.name, extra.value) for extra in current] == [
        (name.strip(), value.strip()) for name, value in extras
    ]:
        return current
    _claim_item_version(item, expected_version)
    existing = {extra.name: extra for extra in current}
    kept = []
    for order, (name, value) in enumerate(extras):
        extra = existing.pop(name.strip(), None) or ItemExtraElement(item=item, name=name.strip())
        extra.value, extra.order = value.strip(), order
        extra.full_clean()
        extra._history_user = history_user(actor)
        extra.save()
        kept.append(extra)
    for extra in existing.values():
        extra._history_user = history_user(actor)
        extra.delete()
    # The item's own history row for this version (its elements as stored, not as a
    # caller's instance may hold them).
    item.refresh_from_db()
    item._history_user = history_user(actor)
    item._change_reason = reason or "修改本地增加要素"
    item.save(update_fields=["updated_at"])
    _touch(item.catalog)
    return kept


@transaction.atomic
def item_restore(*, actor, item: Item, record, expected_version: int | None = None) -> Item:
    """Put an item back as it was in one of its history rows (恢复到…).

    The nine elements, the link to the standard item (if it still exists) and the local
    extra elements of that moment; the same checks as ``item_update``, a new version, and
    a history row saying which version was restored.
    """
    _require_editable(actor, item.catalog)
    if record.id != item.pk or record.history_type == "-":
        raise ValidationError("该历史记录不属于此事项，不能恢复。")
    when = f"{timezone.localtime(record.history_date):%Y-%m-%d %H:%M:%S}"
    reason = f"恢复到{when}的版本（第{record.version}版）"
    values = {name: getattr(record, name) for name in ELEMENT_FIELDS}
    if record.standard_item_id and StandardItem.objects.filter(pk=record.standard_item_id).exists():
        values["standard_item"] = StandardItem.objects.get(pk=record.standard_item_id)
    elif record.standard_item_id is None:
        values["standard_item"] = None
    before = item.version
    item_update(actor=actor, item=item, expected_version=expected_version, reason=reason, **values)
    if item.version != before:
        # The elements were written under a new version; the extras follow it.
        expected_version = item.version
    extras = extras_as_of(item, record.history_date)
    item_set_extra_elements(
        actor=actor, item=item, extras=extras, expected_version=expected_version, reason=reason
    )
    if item.version == before:
        raise ValidationError(f"{_item_subject(item)}与所选版本相同，无需恢复。")
    return item


def extras_as_of(item: Item, when) -> list[tuple[str, str]]:
    """The item's local extra elements (name, value) as they were at ``when``."""
    latest = {}
    for row in ItemExtraElement.history.filter(item_id=item.pk, history_date__lte=when).order_by(
        "history_date", "history_id"
    ):
        latest[row.id] = row
    alive = [row for row in latest.values() if row.history_type != "-"]
    alive.sort(key=lambda row: (row.order, row.id))
    return [(row.name, row.value) for row in alive]


# ---------------------------------------------------------------------------
# Publication
# ---------------------------------------------------------------------------


@transaction.atomic
def catalog_publish(*, actor, catalog: Catalog, note: str = "", now=None) -> Publication:
    """Make the catalog's current draft the version citizens see; earlier versions are kept."""
    catalog = (
        Catalog.objects.select_for_update().select_related("region", "standard").get(pk=catalog.pk)
    )
    if not can_edit_region(actor, catalog.region):
        raise PermissionDenied(f"您无权发布“{catalog}”。")
    _require_editable(actor, catalog)
    items = list(catalog.items.prefetch_related("extra_elements").order_by("seq", "pk"))
    if not items:
        raise ValidationError(f"“{catalog}”没有任何事项，不能发布。")
    incomplete = [(item, item_problems(item, catalog.region)) for item in items]
    incomplete = [(item, problems) for item, problems in incomplete if problems]
    if incomplete:
        lines = [
            f"第{item.seq}项“{item.name}”：{describe_problems(problems)}"
            for item, problems in incomplete[:10]
        ]
        more = f"等共{len(incomplete)}项" if len(incomplete) > 10 else ""
        raise ValidationError(f"以下事项要素不完整，不能发布{more}：" + "；".join(lines))
    # Changed content after 复核, or items added or removed after 验收, go back to review.
    structural = is_structural(current_public_ids([catalog.pk]).get(catalog.pk, set()), items)
    now = now or timezone.now()
    if moves_to_published(catalog, structural=structural):
        catalog_transition(
            actor=actor,
            catalog=catalog,
            to_status=CatalogStatus.PUBLISHED,
            note=note or "发布目录",
            at=now,
        )
    number = (catalog.publications.aggregate(top=Max("number"))["top"] or 0) + 1
    PublishedItem.objects.filter(publication__catalog=catalog, publication__is_current=True).update(
        **SUPERSEDED
    )
    catalog.publications.filter(is_current=True).update(is_current=False)
    publication = Publication.objects.create(
        catalog=catalog,
        number=number,
        is_current=True,
        published_at=now,
        published_by=history_user(actor),
        note=note,
        item_count=len(items),
    )
    PublishedItem.objects.bulk_create(
        published_copy(publication, catalog, item, item.extra_elements.all()) for item in items
    )
    # The draft is now identical to what is published.
    Catalog.objects.filter(pk=catalog.pk).update(last_published_at=now, draft_changed_at=now)
    catalogs_published.send(sender=Publication, publications=[publication])
    publications_changed()
    return publication
