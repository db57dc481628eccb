"""R20: service guides (guides app) are complete — one hit per missing part.

A catalog's guide items are the items derived from the standard's 办事指南 rows and any
item the region has written a guide for (a local item becomes a guide item that way). The
guides are loaded by ``load_guides`` for every context in one query per source (drafts:
the guides with their numbers of materials and steps; publications: the published
copies, which hold their parts).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from catalogs.models import RegionLevel
from guides.completeness import missing_parts
from guides.models import GuideMaterial, GuideStep, PublishedGuide, ServiceGuide, is_guide_row
from review.checks.registry import WARNING, Hit, rule
from review.checks.runner import PUBLICATION, CatalogContext
from review.checks.text import item_label

DATA_KEY = "guides"


class _Loaded:
    """A guide as the rule reads it: its fields and how many materials and steps it has."""

    def __init__(self, guide, materials: int, steps: int):
        self.guide = guide
        self.materials = materials
        self.steps = steps


def _count(model):
    """How many rows of ``model`` a guide has, as a subquery (no join fan-out)."""
    rows = (
        model.objects.filter(guide_id=OuterRef("pk"))
        .order_by()
        .values("guide_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def load_guides(contexts: list[CatalogContext]) -> None:
    """Guides by item public id into ``context.data["guides"]``, for all contexts at once."""
    catalog_ids = [context.catalog.pk for context in contexts]
    by_catalog: dict[tuple[str, int], dict] = {}
    if any(context.source == PUBLICATION for context in contexts):
        for guide in PublishedGuide.objects.filter(
            publication__is_current=True, publication__catalog_id__in=catalog_ids
        ).annotate(catalog_id=F("publication__catalog_id")):
            by_catalog.setdefault(("p", guide.catalog_id), {})[guide.public_id] = _Loaded(
                guide, len(guide.materials or []), len(guide.steps or [])
            )
    if any(context.source != PUBLICATION for context in contexts):
        for guide in ServiceGuide.objects.filter(item__catalog_id__in=catalog_ids).annotate(
            catalog_id=F("item__catalog_id"),
            item_public_id=F("item__public_id"),
            material_count=_count(GuideMaterial),
            step_count=_count(GuideStep),
        ):
            by_catalog.setdefault(("d", guide.catalog_id), {})[guide.item_public_id] = _Loaded(
                guide, guide.material_count, guide.step_count
            )
    for context in contexts:
        prefix = "p" if context.source == PUBLICATION else "d"
        context.data[DATA_KEY] = by_catalog.get((prefix, context.catalog.pk), {})


def is_standard_guide(item) -> bool:
    standard = getattr(item, "standard_item", None) if item.standard_item_id else None
    if standard is not None:
        return is_guide_row(standard.level1, standard.level2)
    return False


@rule(
    "R20-guide-incomplete",
    WARNING,
    "办事指南完整",
    "标准目录“办事指南”事项的公开内容列明办理事项、办理条件、申请材料、办理流程、办理时间地点和"
    "联系方式，《工作方案》任务（五）还要求公开设定依据、办理时限、监督举报方式并实行一次告知。"
    "每个办事指南事项都应有结构化的办事指南，且设定依据、受理条件、申请材料、办理流程、法定时限、"
    "承诺时限、办理地点、办公时间、咨询电话、监督投诉电话齐全；缺少任何一项，群众就无法按指南"
    "一次办成（每缺一项提示一次）。结构化办事指南是本年度新增要求，已验收的目录不因此退回，"
    "故默认定为“警告”，省级可在规则设置中调高。村（居）目录的办事指南由乡镇、县级提供，不检查。"
    "收费缺省为“不收费”，网上办理链接和常见问题不强制。",
    prepare=load_guides,
)
def check_guides(context: CatalogContext) -> Iterator[Hit]:
    if context.catalog.region.level == RegionLevel.VILLAGE:
        return
    guides = context.data.get(DATA_KEY, {})
    for item in context.items:
        loaded = guides.get(item.public_id)
        if loaded is None:
            if is_standard_guide(item):
                yield Hit(
                    f"{item_label(item)}：是标准目录的办事指南事项，但尚未编写办事指南"
                    "（受理条件、申请材料、办理流程等）。",
                    item,
                    "content",
                    key="no-guide",
                )
            continue
        for part in missing_parts(loaded.guide, materials=loaded.materials, steps=loaded.steps):
            yield Hit(
                f"{item_label(item)}：办事指南缺少“{part.label}”。",
                item,
                "content",
                key=part.key,
            )
