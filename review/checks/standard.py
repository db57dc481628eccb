"""R25–R31: each item compared with the standard item it derives from.

The standard item is what the province promised citizens; a county may refine it (add
channels, elements, documents, name its own office) but not weaken it. Each rule reports
one result per item and element, listing every missing part in its message, so that a
catalog that dropped one channel from each of 13 items gets 13 results, not 39.

- R25 channels the standard item promises and the item does not
- R26 elements (●-separated parts) of the standard 公开内容 missing from the item's
- R27 公开对象 narrowed (全社会 → 特定群体 only)
- R28 公开方式 downgraded (主动 → 依申请 only)
- R29 standard documents (《…》) dropped from 公开依据; a local document may be added,
  never substituted
- R30 a township catalog's item ticks 乡级 while its 公开主体 names no township-level body
- R31 a local (unlinked) item whose name is close to a standard item the catalog lacks:
  the hint that explains an R01 result ("政策" written for 政策法规文件)

A looser 公开时限 is R11's (``deadlines``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from catalogs import vocabulary
from items.adoption import closest_standard_items
from review.checks.registry import WARNING, Hit, rule
from review.checks.runner import CatalogContext
from review.checks.subject import place_stem
from review.checks.text import as_list, item_label, name_key, standard_label, standard_name_keys

_TITLE = re.compile(r"《([^《》]+)》")
# A document number right after a title: 《…》(国发〔2012〕45号), so either cites it.
_TITLE_AND_NUMBER = re.compile(
    r"《([^《》]+)》\s*[(（]?\s*([^()（）《》、，,；;\s]*?〔\d{4}〕\d+号)?"
)
_DECREE = re.compile(r"令第?\d+号")
# Parts of a standard 公开内容 that stand for "whatever local documents there are".
_PLACEHOLDER_ELEMENT = re.compile(r"^(各地|地方|本地|其他|相关)")
# How a 公开主体 names a township-level body (not the county office).
TOWNSHIP_BODY_MARKERS = (
    "乡",
    "镇",
    "街道",
    "办事处",
    "苏木",
    "管委会",
    "管理委员会",
    "农场",
    "林场",
    "牧场",
    "渔场",
    "社区",
    "特殊乡镇",
)
_SUBJECT_PARTS = re.compile(r"[、,，;；/和及]")


def _norm(text: str) -> str:
    return vocabulary.normalize_text(text or "")


# ---------------------------------------------------------------------------
# R25 channels
# ---------------------------------------------------------------------------


@rule(
    "R25-channels-fewer",
    WARNING,
    "公开渠道不少于标准目录",
    "标准事项承诺的每个公开渠道和载体（“其他”除外），事项都应勾选；可以增加渠道，不能减少。",
)
def check_channels_fewer(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        standard_item = item.standard_item
        if standard_item is None:
            continue
        channels = set(as_list(item.channels))
        if not channels:
            continue  # R02
        missing = [
            channel
            for channel in as_list(standard_item.channels)
            if channel != vocabulary.OTHER_CHANNEL and channel not in channels
        ]
        if missing:
            yield Hit(
                f"{item_label(item)}：公开渠道和载体少于{standard_label(standard_item)}，"
                f"缺少“{'”“'.join(missing)}”；在承诺的渠道中均应能查阅到对应信息。",
                item,
                "channels",
                key="fewer",
            )


# ---------------------------------------------------------------------------
# R26 content
# ---------------------------------------------------------------------------


def _element_present(element: str, content_norm: str, item_elements: list[str]) -> bool:
    titles = _TITLE.findall(element)
    if titles:
        return all(_norm(title) in content_norm for title in titles)
    wanted = _norm(element).rstrip("。.")
    if wanted in content_norm:
        return True
    # A refined wording keeps the element's words: 办理时间、地点 → 办理时间和办理地点.
    from review.checks.text import name_coverage, normalize_name

    key = normalize_name(element)
    return any(name_coverage(key, normalize_name(mine)) >= 0.8 for mine in item_elements)


def missing_content_elements(standard_content: str, content: str) -> list[str]:
    """The standard 公开内容's elements the item's 公开内容 lacks (placeholders aside)."""
    content_norm = _norm(content)
    item_elements = vocabulary.split_elements(content)
    return [
        element
        for element in vocabulary.split_elements(standard_content)
        if not _PLACEHOLDER_ELEMENT.match(element)
        and not _element_present(element, content_norm, item_elements)
    ]


@rule(
    "R26-content-missing",
    WARNING,
    "公开内容要素不少于标准目录",
    "标准事项公开内容（要素）中的每一项（以●分隔），事项的公开内容都应包含；"
    "可以细化或增加，不能删减。“各地配套政策法规文件”等概括表述不检查。",
)
def check_content_missing(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        standard_item = item.standard_item
        if standard_item is None or not (item.content or "").strip():
            continue
        missing = missing_content_elements(standard_item.content, item.content)
        if missing:
            yield Hit(
                f"{item_label(item)}：公开内容缺少{standard_label(standard_item)}的要素"
                f"“{'”“'.join(missing)}”。",
                item,
                "content",
                key="missing",
            )


# ---------------------------------------------------------------------------
# R27 audience, R28 method
# ---------------------------------------------------------------------------


def _narrowed_hits(
    context: CatalogContext, field: str, wide: str, label: str, demand: str, key: str
) -> Iterator[Hit]:
    """Items whose ``field`` drops the value ``wide`` that their standard item has."""
    for item in context.items:
        standard_item = item.standard_item
        if standard_item is None:
            continue
        values = as_list(getattr(item, field))
        if values and wide in as_list(getattr(standard_item, field)) and wide not in values:
            yield Hit(
                f"{item_label(item)}：{label}为“{'、'.join(values)}”，"
                f"{standard_label(standard_item)}{demand}",
                item,
                field,
                key=key,
            )


@rule(
    "R27-audience-narrowed",
    WARNING,
    "公开对象不窄于标准目录",
    "标准事项向“全社会”公开的，事项不能只向“特定群体”公开。",
)
def check_audience_narrowed(context: CatalogContext) -> Iterator[Hit]:
    yield from _narrowed_hits(
        context,
        "audience",
        vocabulary.AUDIENCES[0],
        "公开对象",
        "规定向“全社会”公开，不能缩小公开对象。",
        "narrowed",
    )


@rule(
    "R28-method-downgraded",
    WARNING,
    "公开方式不低于标准目录",
    "标准事项要求“主动”公开的，事项不能改为只“依申请”公开。",
)
def check_method_downgraded(context: CatalogContext) -> Iterator[Hit]:
    yield from _narrowed_hits(
        context,
        "method",
        vocabulary.METHODS[0],
        "公开方式",
        "要求“主动”公开，不能改为依申请公开。",
        "downgraded",
    )


# ---------------------------------------------------------------------------
# R29 basis
# ---------------------------------------------------------------------------


def standard_documents(basis: str) -> list[tuple[str, str]]:
    """(title, document number or "") of every 《…》 document a 公开依据 cites."""
    text = vocabulary.normalize_text(basis or "").replace("(", "（").replace(")", "）")
    return [(title, number or "") for title, number in _TITLE_AND_NUMBER.findall(text)]


def dropped_documents(standard_basis: str, basis: str) -> list[str]:
    """Titles of the standard's documents that ``basis`` cites neither by title nor number."""
    cited = _norm(basis).replace("(", "（").replace(")", "）")
    dropped = []
    for title, number in standard_documents(standard_basis):
        if _norm(title) in cited or (number and _norm(number) in cited):
            continue
        dropped.append(title)
    return dropped


@rule(
    "R29-basis-dropped",
    WARNING,
    "公开依据保留标准目录的文件",
    "标准事项公开依据中以书名号《》列出的文件，事项的公开依据都应保留（写明名称或文号均可）；"
    "可以增加本地文件，不能用本地文件替代。",
)
def check_basis_dropped(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        standard_item = item.standard_item
        if standard_item is None or not (item.basis or "").strip():
            continue
        dropped = dropped_documents(standard_item.basis, item.basis)
        if not dropped:
            continue
        own = [title for title in _TITLE.findall(item.basis or "") if title not in dropped]
        how = f"以“《{'》《'.join(own)}》”替换" if own else "删去"
        yield Hit(
            f"{item_label(item)}：公开依据{how}了{standard_label(standard_item)}的"
            f"“《{'》《'.join(dropped)}》”；本地文件可以增加，不能替代标准目录的依据文件。",
            item,
            "basis",
            key="dropped",
        )


# ---------------------------------------------------------------------------
# R30 township subject
# ---------------------------------------------------------------------------


def _higher_place_names(region) -> list[str]:
    names = []
    parent = region.parent
    if parent is not None:
        names += [_norm(parent.name), place_stem(parent.name) + "县", place_stem(parent.name)]
    return sorted({name for name in names if name}, key=len, reverse=True)


def names_township_body(subject: str, region) -> bool:
    """Whether a 公开主体 names a township-level body: the township itself (its name or
    stem), or any 乡/镇/街道/办事处… once the county's and city's names are set aside."""
    normalized = _norm(subject)
    if _norm(region.name) in normalized:
        return True
    rest = normalized
    for name in _higher_place_names(region):
        rest = rest.replace(name, "|")
    # 农安镇's stem is 农安, as is 农安县's: only what is left once the county is set aside.
    markers = (*TOWNSHIP_BODY_MARKERS, place_stem(region.name))
    return any(marker in part for part in _SUBJECT_PARTS.split(rest) for marker in markers)


@rule(
    "R30-subject-township",
    WARNING,
    "乡级事项的公开主体含乡级单位",
    "乡级（乡镇、街道）目录中勾选了“乡级”的事项，公开主体应写明本乡镇（街道）的单位，"
    "如“农安镇人民政府”，不能只写县级部门。",
)
def check_subject_township(context: CatalogContext) -> Iterator[Hit]:
    region = context.region
    if region.catalog_level != vocabulary.TOWNSHIP_LEVEL:
        return
    for item in context.items:
        subject = (item.subject or "").strip()
        if not subject or vocabulary.TOWNSHIP_LEVEL not in as_list(item.levels):
            continue
        if not names_township_body(subject, region):
            yield Hit(
                f"{item_label(item)}：勾选了“乡级”，但公开主体“{subject}”未写明乡级单位，"
                f"应写明如“{region.name}人民政府”。",
                item,
                "subject",
                key="township",
            )


# ---------------------------------------------------------------------------
# R31 unlinked local items close to a missing standard item
# ---------------------------------------------------------------------------


def missing_standard_items(context: CatalogContext) -> list:
    """The standard items R01 reports missing: applicable, unlinked, no item of their name."""
    level = context.region.catalog_level
    if level is None:
        return []
    linked = {item.standard_item.key for item in context.items if item.standard_item_id}
    names = {name_key(item.level1, item.level2) for item in context.items}
    return [
        standard_item
        for standard_item in current_standard_items(context)
        if level in standard_item.levels
        and standard_item.key not in linked
        and not any(key in names for key in standard_name_keys(standard_item))
    ]


@rule(
    "R31-local-near-standard",
    WARNING,
    "本地事项与缺少的标准事项名称相近",
    "未关联标准事项的本地事项，名称与目录缺少的某个标准事项相近（如把“政策法规文件”简写为"
    "“政策”）时提示：如属同一事项，请改用标准名称或在管理后台一键关联该标准事项。",
)
def check_local_near_standard(context: CatalogContext) -> Iterator[Hit]:
    missing = missing_standard_items(context)
    if not missing:
        return
    local = [item for item in context.items if item.standard_item_id is None]
    for item, standard_item in closest_standard_items(local, missing):
        yield Hit(
            f"{item_label(item)}是本地事项，名称与目录缺少的{standard_label(standard_item)}相近"
            "（可能是简写或改写）；如属同一事项，请改用标准名称或关联该标准事项。",
            item,
            "name",
            key=f"near:{standard_item.key}",
        )


# ---------------------------------------------------------------------------
# R32 an outdated edition (and what R01 checks against)
# ---------------------------------------------------------------------------

CURRENT_EDITION = "current_edition"
CURRENT_STANDARD_ITEMS = "current_standard_items"
OWN_VERSION = "own_edition_version"


def load_current_editions(contexts: list[CatalogContext]) -> None:
    """Each context's standard's current edition and, when the catalog is on an older one,
    that edition's items (two queries whatever the number of catalogs)."""
    from catalogs.models import EditionStatus, StandardEdition, StandardItem

    if not contexts or CURRENT_EDITION in contexts[0].data:
        return
    newest, versions = {}, {}
    for edition in StandardEdition.objects.filter(
        standard_id__in={c.catalog.standard_id for c in contexts}, status=EditionStatus.PUBLISHED
    ).order_by("version"):
        newest[edition.standard_id] = edition
        versions[edition.pk] = edition.version

    def behind(context) -> bool:
        edition = newest.get(context.catalog.standard_id)
        own = versions.get(context.catalog.edition_id)
        return edition is not None and own is not None and edition.version > own

    outdated = {newest[c.catalog.standard_id].pk for c in contexts if behind(c)}
    items: dict[int, list] = {pk: [] for pk in outdated}
    for standard_item in StandardItem.objects.filter(edition_id__in=outdated).order_by("seq"):
        items[standard_item.edition_id].append(standard_item)
    for context in contexts:
        edition = newest.get(context.catalog.standard_id)
        context.data[CURRENT_EDITION] = edition
        context.data[OWN_VERSION] = versions.get(context.catalog.edition_id)
        context.data[CURRENT_STANDARD_ITEMS] = (
            items[edition.pk] if edition is not None and edition.pk in items else None
        )


def current_standard_items(context: CatalogContext) -> list:
    """The standard items a catalog owes: those of the current edition (R01)."""
    current = context.data.get(CURRENT_STANDARD_ITEMS)
    return context.standard_items if current is None else current


@rule(
    "R32-edition-outdated",
    WARNING,
    "目录依据最新的标准版本",
    "省级发布新版标准目录后，目录应在管理后台“采用新版”（或 derive_catalogs --adopt），"
    "依据最新版本编制。",
    prepare=load_current_editions,
)
def check_edition_outdated(context: CatalogContext) -> Iterator[Hit]:
    edition = context.data.get(CURRENT_EDITION)
    if edition is not None and context.data.get(CURRENT_STANDARD_ITEMS) is not None:
        own = context.data[OWN_VERSION]
        yield Hit(
            f"目录依据第{own}版标准目录，省级已发布第{edition.version}版，请在管理后台“采用新版”。",
            key=f"outdated:{edition.version}",
        )
