"""Apply a catalog import: re-plan under the catalog's lock, then write all of it or none."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from catalogs.excel import (
    ParsedRow,
    ParsedTable,
)
from catalogs.models import (
    Catalog,
    Region,
    StandardCatalog,
)
from catalogs.permissions import history_user, require_edit_region
from items.imports.plan import ImportPlan, _build_plan
from items.imports.stale import _stale_plan
from items.models import Item, ItemExtraElement
from items.services import (
    catalog_derive,
    item_delete,
    item_set_extra_elements,
)
from items.validation import validate_item


def _validated(item: Item, row: ParsedRow) -> Item:
    """``validate_item``, as ``item_create``/``item_update`` run it, named by the file's row.

    The unique check of ``public_id`` is left to the database: it is a fresh random UUID, and
    asking for it row by row would cost a query per item.
    """
    try:
        validate_item(item, validate_unique=False)
    except ValidationError as exc:
        raise ValidationError(
            f"第{row.row_number}行“{row.name}”：{'；'.join(exc.messages)}"
        ) from exc
    return item


@transaction.atomic
def catalog_import_apply(
    *,
    actor,
    region: Region,
    standard: StandardCatalog,
    table: ParsedTable,
    expected_fingerprint: str | None = None,
    previewed_at=None,
) -> ImportPlan:
    """Make the region's draft catalog match ``table``, all or nothing; returns what was done.

    With ``expected_fingerprint`` (the previewed plan's ``fingerprint()``), applies only that
    plan: if the draft changed since the preview, the plan differs and the import is refused
    (``StalePlan``, naming who changed what since ``previewed_at``, the preview's time).

    Removals go through ``item_delete``. Updates and additions are written in bulk (a 500-row
    file would otherwise cost thousands of queries) after the same checks as ``item_update``
    and ``item_create``, each with its history row naming the actor and a new item version.
    """
    require_edit_region(actor, region)
    catalog = (
        Catalog.objects.select_for_update()
        .select_related("region", "standard", "edition")
        .filter(region=region, standard=standard)
        .first()
    )
    created = catalog is None
    plan = None
    if expected_fingerprint is not None:
        plan = _build_plan(region=region, standard=standard, catalog=catalog, table=table)
        if plan.fingerprint() != expected_fingerprint:
            raise _stale_plan(catalog, previewed_at)
    if created:
        catalog = catalog_derive(actor=actor, region=region, standard=standard)
        plan = _build_plan(region=region, standard=standard, catalog=catalog, table=table)
    elif plan is None:
        plan = _build_plan(region=region, standard=standard, catalog=catalog, table=table)
    plan.creates_catalog = created
    user = history_user(actor)
    now = timezone.now()

    for item in plan.removed:
        item_delete(actor=actor, item=item)

    # Every item is written under the catalog's lock, which every item service takes too.
    changed_fields = {"updated_at", "version"}
    for updated in plan.updated:
        for name, value in updated.values.items():
            setattr(updated.item, name, value)
            changed_fields.add(name)
        updated.item.updated_at = now
        if updated.values:
            updated.item.version += 1
        _validated(updated.item, updated.row)
    changed_items = [updated.item for updated in plan.updated if updated.values]
    if changed_items:
        bulk_update_with_history(
            changed_items, Item, sorted(changed_fields), default_user=user, default_date=now
        )
    for updated in plan.updated:
        if updated.extras_changed:
            item_set_extra_elements(
                actor=actor, item=updated.item, extras=list(updated.row.extras.items())
            )

    new_items = [
        _validated(
            Item(catalog=catalog, standard_item=added.standard_item, **added.row.element_values()),
            added.row,
        )
        for added in plan.added
    ]
    if new_items:
        new_items = bulk_create_with_history(new_items, Item, default_user=user, default_date=now)
    extras = [
        ItemExtraElement(item=item, name=name, value=value.strip(), order=order)
        for item, added in zip(new_items, plan.added, strict=True)
        for order, (name, value) in enumerate(added.row.extras.items())
    ]
    if extras:
        bulk_create_with_history(extras, ItemExtraElement, default_user=user, default_date=now)
    if plan.has_changes:
        Catalog.objects.filter(pk=catalog.pk).update(draft_changed_at=now)
    return plan
