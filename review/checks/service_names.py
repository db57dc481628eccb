"""R21: names against the 政务服务事项库 (matters app).

The work plan asks that service items keep "与省、市、县三级政务服务事项库中的名称一致".
An item linked to an entry of the 库 (``matters.ItemMatterLink``) must name the same
service. The *allowed refinement*: after normalisation (``text.normalize_name``: full/half
width, punctuation, white space) and after dropping

- place and office qualifiers (the catalog's region and the regions above it, with and
  without their 县/市/区/镇/乡 suffix; 人民政府, 民政局, 街道办事处 …),
- the catalog row's kind words (办事指南, 审核信息, 政策法规文件, 业务办理 …) and
- the 库's action words (对象认定, 认定, 审核确认, 给付, 发放, 申请 …),

one name must contain the other: "最低生活保障 · 办事指南" and "最低生活保障对象认定" name
the same service (最低生活保障); "特困人员救助供养 · 办事指南" and "特困人员认定" too
(特困人员 ⊂ 特困人员救助供养); "最低生活保障 · 办事指南" linked to "临时救助对象认定"
does not.

``load_service_matters`` (the rule's ``prepare``) loads every context's links in one
query; R07 (``names``) uses the same data to accept
the linked entry's name as a valid refinement.
"""

from __future__ import annotations

from collections.abc import Iterator

from catalogs.models import Region
from matters.models import ItemMatterLink
from matters.selectors import names_agree, place_words
from review.checks.registry import WARNING, Hit, rule
from review.checks.runner import CatalogContext
from review.checks.text import item_label

DATA_KEY = "service_matters"
PLACES_KEY = "service_matter_places"


def load_service_matters(contexts: list[CatalogContext]) -> None:
    """Each context's links (item public_id -> ServiceMatter) and place names: 1 query."""
    if contexts and all(DATA_KEY in context.data for context in contexts):
        return
    links = ItemMatterLink.objects.filter(
        item__catalog_id__in=[context.catalog.pk for context in contexts]
    ).select_related("matter")
    by_public_id = {link.public_id: link.matter for link in links}
    for context in contexts:
        context.data[DATA_KEY] = {
            item.public_id: by_public_id[item.public_id]
            for item in context.items
            if item.public_id in by_public_id
        }
        context.data[PLACES_KEY] = place_words(_loaded_chain_names(context.region))


def _loaded_chain_names(region: Region) -> list[str]:
    """The region's name and those of the regions above that came loaded with it."""
    names, node = [region.name], region
    while node.parent_id is not None and Region.parent.is_cached(node):
        node = node.parent
        names.append(node.name)
    return names


def linked_matter(context: CatalogContext, item):
    return context.data.get(DATA_KEY, {}).get(item.public_id)


def linked_name_agrees(context: CatalogContext, item) -> bool:
    """The item is linked and its name is an allowed refinement of the entry's (for R07)."""
    matter = linked_matter(context, item)
    if matter is None:
        return False
    return names_agree(f"{item.level1}{item.level2 or ''}", matter.name, context.data[PLACES_KEY])


@rule(
    "R21-service-name",
    WARNING,
    "名称与政务服务事项库一致",
    "关联了政务服务事项库的事项，名称应与库中的事项名称一致（与省、市、县三级政务服务事项库中的"
    "名称一致）：去掉地名、机构名、“办事指南”等栏目词和“认定”“给付”等办理环节词后，"
    "一个名称应包含另一个。",
    prepare=load_service_matters,
)
def check_service_name(context: CatalogContext) -> Iterator[Hit]:
    places = context.data.get(PLACES_KEY, ())
    for item in context.items:
        matter = linked_matter(context, item)
        if matter is None:
            continue
        if names_agree(f"{item.level1}{item.level2 or ''}", matter.name, places):
            continue
        yield Hit(
            f"{item_label(item)}：名称与关联的政务服务事项“{matter.name}”（{matter.code}）"
            "不一致，请核对关联是否正确，或按事项库名称调整事项名称。",
            item,
            "name",
            key=f"matter:{matter.code}",
        )
