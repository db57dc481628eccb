"""The village standard catalog (村（居）务公开标准目录), 吉民发〔2020〕13号 (八).

The province publishes one standard for villages and residents' committees; townships
derive their villages' catalogs from it (``items.villages``). Its first edition is made
from the two field standards' current editions: every item whose 公开层级 reaches villages
(ticked 乡级, printed “乡、村级” in the older wording, or 村级; see
``vocabulary.reaches_villages``).

Both fields go into one catalog: a village has one 公示栏 and one list of what it posts.
Each item keeps its source item's key (``social-assistance-5``), so a village item and the
township item it mirrors are matched exactly (rule R24), and its 备注 names the source field
and row; level1/level2 and the nine elements are copied as written, with 村级 added to the
公开层级 ticks.
"""

from django.db import transaction
from django.utils import timezone

from catalogs import vocabulary
from catalogs.models import EditionStatus, StandardCatalog, StandardEdition, StandardItem
from catalogs.permissions import history_user, require_province_admin

VILLAGE_STANDARD_CODE = "village"
VILLAGE_STANDARD_TITLE = "村（居）务公开标准目录"
VILLAGE_STANDARD_FIELD = "村（居）务"
VILLAGE_BASIS = "吉民发〔2020〕13号（八）；民办函〔2019〕52号"
# Copied as written from the source item.
COPIED_FIELDS = (
    "level1",
    "level2",
    "content",
    "basis",
    "deadline",
    "subject",
    "channels",
    "audience",
    "method",
    "provenance",
    "provenance_note",
    "style_a_variant",
    "needs_verification",
    "unverified_fields",
)


def village_source_items() -> list[StandardItem]:
    """The items of the field standards' current editions that villages publish, in order.

    Field standards in their order, items by 序号; two queries.
    """
    editions = {}
    for edition in (
        StandardEdition.objects.published()
        .filter(standard__for_villages=False)
        .select_related("standard")
        .order_by("standard__order", "standard__code", "-version")
    ):
        editions.setdefault(edition.standard_id, edition)
    by_edition = {edition.pk: edition for edition in editions.values()}
    items = (
        StandardItem.objects.filter(edition__in=list(by_edition))
        .select_related("edition__standard")
        .order_by("edition__standard__order", "edition__standard__code", "seq")
    )
    return [item for item in items if vocabulary.reaches_villages(item.levels)]


def village_item_values(source: StandardItem) -> dict:
    values = {name: getattr(source, name) for name in COPIED_FIELDS}
    values["levels"] = vocabulary.order_terms(
        [*source.levels, vocabulary.VILLAGE_LEVEL], vocabulary.ITEM_LEVELS
    )
    values["notes"] = (
        f"来源：{source.edition.standard.field}领域标准目录第{source.edition.version}版"
        f"第{source.seq}项"
    )
    return values


@transaction.atomic
def village_standard_publish_initial(*, actor, now=None) -> StandardEdition | None:
    """Create and publish the village standard's first edition; None if it exists already.

    Idempotent: a second call (or a call after the province published later editions)
    changes nothing.
    """
    require_province_admin(actor)
    standard, _ = StandardCatalog.objects.get_or_create(
        code=VILLAGE_STANDARD_CODE,
        defaults={
            "title": VILLAGE_STANDARD_TITLE,
            "field": VILLAGE_STANDARD_FIELD,
            "order": 90,
            "for_villages": True,
        },
    )
    # Lock the standard: two concurrent first runs must not both create version 1.
    standard = StandardCatalog.objects.select_for_update().get(pk=standard.pk)
    if standard.editions.exists():
        return None
    sources = village_source_items()
    edition = StandardEdition.objects.create(
        standard=standard,
        version=1,
        title=f"{VILLAGE_STANDARD_TITLE}（第1版）",
        basis_document=VILLAGE_BASIS,
        note="由社会救助、养老服务两个领域标准目录中公开层级含乡级（乡、村级）或村级的事项生成。",
        source="社会救助、养老服务领域标准目录的乡、村级事项",
        status=EditionStatus.PUBLISHED,
        published_at=now or timezone.now(),
        published_by=history_user(actor),
    )
    StandardItem.objects.bulk_create(
        StandardItem(edition=edition, key=source.key, seq=seq, **village_item_values(source))
        for seq, source in enumerate(sources, start=1)
    )
    return edition


def village_standard() -> StandardCatalog | None:
    return StandardCatalog.objects.for_villages_only().order_by("order", "code").first()
