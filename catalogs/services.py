"""Writes to regions and to the standard catalogs. Every function checks its actor first."""

import json
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from catalogs import vocabulary
from catalogs.concurrency import save_versioned
from catalogs.models import (
    EditionStatus,
    Region,
    StandardCatalog,
    StandardEdition,
    StandardItem,
)
from catalogs.permissions import can_edit_region, history_user, require_province_admin

STANDARD_CATALOGS_FILE = Path(settings.BASE_DIR) / "fixtures" / "standard-catalogs.json"
STANDARD_FIELDS = {"social-assistance": "社会救助", "elderly-care": "养老服务"}
ITEM_FIELDS = vocabulary.STANDARD_ROW_FIELDS

# The JSON's guesses carry an English note in brackets, e.g. "(guess by analogy ... — not seen)".
_ENGLISH_NOTE = re.compile(r"\s*\([^()]*[A-Za-z]{4,}[^()]*\)")


def _clean_suggestion(value):
    if isinstance(value, str):
        return _ENGLISH_NOTE.sub("", value).strip()
    return value


def standard_item_values_from_json(row: dict) -> dict:
    """One row of standard-catalogs.json as StandardItem fields, filling gaps from 'suggested'."""
    provenance = row.get("provenance", {})
    suggested = row.get("suggested", {})
    values = {field: row.get(field) for field in ITEM_FIELDS}
    unverified = []
    for field in ITEM_FIELDS:
        if provenance.get(field) == "missing":
            unverified.append(field)
            if field in suggested:
                values[field] = _clean_suggestion(suggested[field])
    for field, vocab in (
        ("channels", vocabulary.CHANNELS),
        ("audience", vocabulary.AUDIENCES),
        ("method", vocabulary.METHODS),
        # 村级 is kept (it was dropped before the village standard existed).
        ("levels", vocabulary.ITEM_LEVELS),
    ):
        values[field] = vocabulary.order_terms(values[field] or [], vocab)
    for field in ("level1", "level2", "content", "basis", "deadline", "subject"):
        values[field] = values[field] or ""
    return {
        **values,
        "seq": row["seq"],
        "provenance": provenance,
        "style_a_variant": row.get("style_a_variant", {}),
        "needs_verification": bool(unverified),
        "unverified_fields": unverified,
        # The fixture's research notes are provenance, not a 备注 for staff.
        "provenance_note": row.get("notes", ""),
    }


@transaction.atomic
def standard_catalogs_load_initial(*, path: Path = STANDARD_CATALOGS_FILE) -> list[StandardEdition]:
    """Create the two standard catalogs and their first edition; a no-op once they exist.

    Run by set-up commands, not by a person, so there is no actor to check.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    editions = []
    for order, catalog_data in enumerate(data["catalogs"]):
        standard, _ = StandardCatalog.objects.get_or_create(
            code=catalog_data["code"],
            defaults={
                "title": catalog_data["title"],
                "field": STANDARD_FIELDS.get(catalog_data["code"], ""),
                "order": order,
            },
        )
        if standard.editions.exists():
            continue
        edition = StandardEdition.objects.create(
            standard=standard,
            version=1,
            title=f"{standard.title}（民办函〔2019〕52号）",
            basis_document="民办函〔2019〕52号；吉民发〔2020〕13号",
            source="fixtures/standard-catalogs.json",
            status=EditionStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        StandardItem.objects.bulk_create(
            StandardItem(
                edition=edition,
                key=f"{standard.code}-{row['seq']}",
                **standard_item_values_from_json(row),
            )
            for row in catalog_data["items"]
        )
        editions.append(edition)
    return editions


@transaction.atomic
def edition_create_draft(
    *, actor, standard: StandardCatalog, title: str = "", note: str = ""
) -> StandardEdition:
    """Start a dynamic adjustment: a draft copy of the current edition that admins then edit."""
    require_province_admin(actor)
    if standard.editions.filter(status=EditionStatus.DRAFT).exists():
        raise ValidationError(f"“{standard.title}”已有一个未发布的草稿版本，请先发布或删除它。")
    current = standard.current_edition
    version = (
        standard.editions.order_by("-version").values_list("version", flat=True).first() or 0
    ) + 1
    edition = StandardEdition(
        standard=standard,
        version=version,
        title=title or f"{standard.title} 第{version}版",
        note=note,
        source=f"由第{current.version}版调整" if current else "新建",
    )
    edition.full_clean()
    edition.save()
    if current is not None:
        copies = []
        for item in current.items.all():
            item.pk = None
            item.edition = edition
            item.version = 0
            item._state.adding = True
            copies.append(item)
        # With history rows: an edit conflict in the draft shows what changed since.
        bulk_create_with_history(
            copies,
            StandardItem,
            default_user=history_user(actor),
            default_change_reason=f"复制自第{current.version}版",
        )
    return edition


def _require_draft(edition: StandardEdition) -> None:
    if edition.status != EditionStatus.DRAFT:
        raise ValidationError(f"“{edition}”已发布，不能再修改；请新建一个版本进行调整。")


STANDARD_ITEM_LABELS = {
    "seq": "序号",
    **{name: vocabulary.FIELD_LABELS[name] for name in ITEM_FIELDS},
    "unverified_fields": "待核对字段",
    "needs_verification": "待核对",
    "notes": "备注",
}


@transaction.atomic
def standard_item_save(
    *, actor, item: StandardItem, expected_version: int | None = None
) -> StandardItem:
    """Save a draft edition's item; refused if it changed since ``expected_version``."""
    require_province_admin(actor)
    _require_draft(StandardEdition.objects.select_for_update().get(pk=item.edition_id))
    for field, vocab in (
        ("channels", vocabulary.CHANNELS),
        ("audience", vocabulary.AUDIENCES),
        ("method", vocabulary.METHODS),
        ("levels", vocabulary.ITEM_LEVELS),
    ):
        unknown = [value for value in getattr(item, field) if value not in vocab]
        if unknown:
            raise ValidationError({field: f"无效的选项：{'、'.join(unknown)}"})
        setattr(item, field, vocabulary.order_terms(getattr(item, field), vocab))
    if not item.key:
        item.key = f"{item.edition.standard.code}-v{item.edition.version}-{item.seq}"
    item.full_clean()
    save_versioned(
        item,
        expected_version,
        subject=lambda stored: f"标准事项“{stored.level1} · {stored.level2}”",
        labels=STANDARD_ITEM_LABELS,
    )
    item._history_user = history_user(actor)
    item.save()
    return item


@transaction.atomic
def standard_item_delete(*, actor, item: StandardItem) -> None:
    require_province_admin(actor)
    _require_draft(StandardEdition.objects.select_for_update().get(pk=item.edition_id))
    item._history_user = history_user(actor)
    item.delete()


@transaction.atomic
def edition_replace_items(*, actor, edition: StandardEdition, rows: list[dict]) -> StandardEdition:
    """Make a draft edition's items exactly ``rows`` (from an imported official Excel file).

    Rows keep the identity (key) of the previous edition's item with the same name, so
    comparisons across editions stay meaningful.
    """
    require_province_admin(actor)
    _require_draft(StandardEdition.objects.select_for_update().get(pk=edition.pk))
    previous = (
        edition.standard.editions.published()
        .filter(version__lt=edition.version)
        .order_by("-version")
        .first()
    )
    keys = {}
    if previous is not None:
        keys = {
            (
                vocabulary.normalize_text(item.level1),
                vocabulary.normalize_text(item.level2),
            ): item.key
            for item in previous.items.all()
        }
    edition.items.all().delete()
    items = []
    for row in rows:
        name = (vocabulary.normalize_text(row["level1"]), vocabulary.normalize_text(row["level2"]))
        items.append(
            StandardItem(
                edition=edition,
                key=keys.get(name) or f"{edition.standard.code}-v{edition.version}-{row['seq']}",
                **{field: row[field] for field in ("seq", *ITEM_FIELDS)},
            )
        )
    bulk_create_with_history(
        items, StandardItem, default_user=history_user(actor), default_change_reason="由Excel导入"
    )
    return edition


@transaction.atomic
def edition_publish(*, actor, edition: StandardEdition) -> StandardEdition:
    require_province_admin(actor)
    edition = StandardEdition.objects.select_for_update().get(pk=edition.pk)
    _require_draft(edition)
    if not edition.items.exists():
        raise ValidationError(f"“{edition}”没有任何事项，不能发布。")
    edition.status = EditionStatus.PUBLISHED
    edition.published_at = timezone.now()
    edition.published_by = history_user(actor)
    edition.full_clean()
    edition.save()
    return edition


CONTACT_LABELS = {
    "office_name": "民政部门名称",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "contact_email": "电子邮箱",
    "address": "办公地址",
}


@transaction.atomic
def region_update_contact(
    *, actor, region: Region, expected_version: int | None = None, **fields
) -> Region:
    """Change who answers for a region's disclosure work (office, contact person, phone).

    Refused if the contact details changed since ``expected_version`` (the version the
    editor's form showed); the history keeps old and new values, who and when.
    """
    if not can_edit_region(actor, region):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(f"您无权修改“{region.name}”的联系信息。")
    unknown = set(fields) - set(CONTACT_LABELS)
    if unknown:
        raise ValueError(f"unknown contact fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(region, name, value)
    region.full_clean()
    save_versioned(
        region, expected_version, subject=f"“{region.name}”的联系信息", labels=CONTACT_LABELS
    )
    region._history_user = history_user(actor)
    region.save()
    return region
