"""Automated checks of derived catalogs (自动检查): a rule set run over the draft items.

Every rule has a stable code, one severity, a Chinese title and a description, and yields
results for one catalog at a time. ``run_checks`` loads what the rules need in a fixed
number of queries (catalogs with their regions; draft items; their extra elements; the
standard items of the editions and of the items' links), whatever the number of catalogs,
and writes nothing: the review app turns the results into findings.

Severities: ``error`` — the catalog breaks the standard or cannot be published as it is
(a missing standard item, a missing element, a wrong level, a duplicate); ``warning`` —
probably wrong and worth a person's look (template wording left in, a renamed item,
a malformed citation, an unreadable or looser deadline); ``info`` — allowed, but could be
better (a basis that cites no specific document, as the national template itself does).

Strings are compared after NFKC folding with white space removed (catalogs.vocabulary.
normalize_text); names are also stripped of punctuation, because real copies write the
same name with full-width, half-width or no brackets at all.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from django.db.models import Q, QuerySet

from catalogs import vocabulary
from catalogs.models import Catalog, Region, RegionLevel, StandardItem
from items.deadlines import PERIODIC, STANDING, WITHIN, DeadlineRule, Period, parse_deadline
from items.models import Item, ItemExtraElement
from items.validation import item_problems

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)

# A refined name must keep at least this share of its standard item's name, in order
# (difflib matching blocks). "低保审核信息" keeps 60% of "最低生活保障审核信息".
NAME_DRIFT_MIN_COVERAGE = 0.6


@dataclass(frozen=True)
class CheckResult:
    rule_code: str
    severity: str
    message: str  # Chinese; names the item (第N项“名称”) and the element
    catalog_id: int
    item_id: int | None = None
    element: str | None = None  # a key of vocabulary.ELEMENT_LABELS
    # Tells apart results of one rule on the same item and element (the missing standard
    # item's key, the malformed document number); stable across runs, unlike the message.
    key: str = ""

    @property
    def fingerprint(self) -> str:
        """Identity of the result across runs, at most 120 characters."""
        value = "|".join([self.rule_code, str(self.item_id or ""), self.element or "", self.key])
        if len(value) <= 120:
            return value
        digest = hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()
        return f"{value[:79]}#{digest}"


@dataclass(frozen=True)
class Hit:
    """What a rule's check yields; Rule.run adds the rule's code and severity."""

    message: str
    item: Item | None = None
    element: str | None = None
    key: str = ""


@dataclass
class CatalogContext:
    """Everything a rule may look at for one catalog, loaded in advance."""

    catalog: Catalog
    items: list[Item]  # draft items in table order, standard_item loaded
    extras: dict[int, list[ItemExtraElement]]  # by item id
    standard_items: list[StandardItem]  # of the catalog's edition, in seq order

    @property
    def region(self) -> Region:
        return self.catalog.region


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str
    description: str
    check: Callable[[CatalogContext], Iterable[Hit]] = field(repr=False, compare=False)

    def run(self, context: CatalogContext) -> Iterator[CheckResult]:
        """The rule's results on one catalog, each fingerprint once (a channel listed twice
        is one problem)."""
        seen: set[str] = set()
        for hit in self.check(context):
            result = CheckResult(
                rule_code=self.code,
                severity=self.severity,
                message=hit.message,
                catalog_id=context.catalog.pk,
                item_id=hit.item.pk if hit.item is not None else None,
                element=hit.element,
                key=hit.key,
            )
            if result.fingerprint not in seen:
                seen.add(result.fingerprint)
                yield result


# ---------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> str:
    """NFKC, no white space, no punctuation or symbols: “审核信息（农安县）” → 审核信息农安县."""
    folded = vocabulary.normalize_text(text)
    return "".join(char for char in folded if unicodedata.category(char)[0] not in "PS")


def name_key(level1: str, level2: str) -> str:
    return normalize_name(f"{level1 or ''}{level2 or ''}")


def standard_name_parts(standard_item: StandardItem) -> list[tuple[str, str]]:
    """(level1, level2) in the national wording and, where known, in Style A."""
    variant = standard_item.style_a_variant or {}
    parts = [(standard_item.level1, standard_item.level2)]
    if variant.get("level1") or variant.get("level2"):
        parts.append(
            (
                variant.get("level1") or standard_item.level1,
                variant.get("level2") or standard_item.level2,
            )
        )
    return parts


def standard_name_keys(standard_item: StandardItem) -> tuple[str, ...]:
    """The standard item's normalised names (national wording, Style A)."""
    keys = (name_key(level1, level2) for level1, level2 in standard_name_parts(standard_item))
    return tuple(dict.fromkeys(key for key in keys if key))


def name_coverage(standard: str, refined: str) -> float:
    """Share of ``standard``'s characters found, in order, in ``refined`` (0..1)."""
    if not standard:
        return 1.0
    matcher = SequenceMatcher(None, standard, refined, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(standard)


def _label(item: Item) -> str:
    return f"第{item.seq}项“{item.name}”"


def _standard_label(standard_item: StandardItem) -> str:
    name = f"{standard_item.level1} · {standard_item.level2}"
    return f"标准目录第{standard_item.seq}项“{name}”"


def _as_list(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(term) for term in value]


# ---------------------------------------------------------------------------
# R01 coverage: 应公开尽公开
# ---------------------------------------------------------------------------


def check_coverage(context: CatalogContext) -> Iterator[Hit]:
    level = context.region.catalog_level
    if level is None:
        return
    linked = {item.standard_item.key for item in context.items if item.standard_item_id}
    names = {name_key(item.level1, item.level2) for item in context.items}
    for standard_item in context.standard_items:
        if level not in standard_item.levels or standard_item.key in linked:
            continue
        if any(key in names for key in standard_name_keys(standard_item)):
            continue
        yield Hit(
            f"缺少{_standard_label(standard_item)}：该事项的公开层级包含“{level}”，"
            f"{context.region.name}应当公开（应公开尽公开）。",
            key=standard_item.key,
        )


# ---------------------------------------------------------------------------
# R02 elements: the nine elements filled and valid
# ---------------------------------------------------------------------------


def check_elements(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        # Without a region: the level-vs-region test is R05's. Channel vocabulary is R03's.
        for problem in item_problems(item):
            if problem.element == "channels" and _as_list(item.channels):
                continue
            yield Hit(f"{_label(item)}：{problem.message}。", item, problem.element)


# ---------------------------------------------------------------------------
# R03 / R04 channels
# ---------------------------------------------------------------------------

_CHANNEL_OTHER_PARTS = re.compile(r"[、,;，；]+")


def check_channels(context: CatalogContext) -> Iterator[Hit]:
    label = vocabulary.ELEMENT_LABELS["channels"]
    for item in context.items:
        channels = _as_list(item.channels)
        for channel in channels:
            if channel in vocabulary.CHANNELS:
                continue
            canonical = vocabulary.canonical_channel(channel)
            advice = (
                f"应写作标准渠道“{canonical}”"
                if canonical
                else "不是标准渠道；如确属其他渠道，请勾选“其他”并写明具体渠道"
            )
            yield Hit(
                f"{_label(item)}：{label}“{channel}”{advice}。", item, "channels", key=channel
            )
        if vocabulary.OTHER_CHANNEL in channels and not (item.channel_other or "").strip():
            yield Hit(
                f"{_label(item)}：{label}勾选了“其他”，但未写明具体渠道。",
                item,
                "channels",
                key=vocabulary.OTHER_CHANNEL,
            )


def check_channel_other(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        other = (item.channel_other or "").strip()
        if not other:
            continue
        if vocabulary.OTHER_CHANNEL not in _as_list(item.channels):
            yield Hit(
                f"{_label(item)}：写有其他渠道说明“{other}”，但公开渠道和载体未勾选“其他”。",
                item,
                "channels",
                key="unticked",
            )
            continue
        for part in _CHANNEL_OTHER_PARTS.split(other):
            canonical = vocabulary.canonical_channel(part)
            if canonical and canonical != vocabulary.OTHER_CHANNEL:
                yield Hit(
                    f"{_label(item)}：“其他”渠道说明中的“{part}”即标准渠道“{canonical}”，"
                    "应直接勾选该渠道。",
                    item,
                    "channels",
                    key=canonical,
                )


# ---------------------------------------------------------------------------
# R05 level consistent with the region
# ---------------------------------------------------------------------------


def check_level(context: CatalogContext) -> Iterator[Hit]:
    region = context.region
    level = region.catalog_level
    if level is None:
        yield Hit(
            f"“{region.name}”是{region.get_level_display()}区划，只有县级和乡级区划编制目录。",
            key=region.level,
        )
        return
    for item in context.items:
        levels = _as_list(item.levels)
        if levels and level not in levels:
            yield Hit(
                f"{_label(item)}：公开层级为“{'、'.join(levels)}”，应包含“{level}”"
                f"（{region.name}是{region.get_level_display()}区划）。",
                item,
                "levels",
            )


# ---------------------------------------------------------------------------
# R06 subject names the real office
# ---------------------------------------------------------------------------

# The templates' placeholders. Only phrases that no real office name contains: "县民政局"
# or "街道办事处" would also match "农安县民政局" and "平湖街道办事处".
GENERIC_SUBJECTS = (
    "县级人民政府民政部门、乡镇人民政府(街道办事处)",
    "县级政府民政部门、乡镇政府(街道办事处)",
    "县级人民政府民政部门",
    "县级政府民政部门",
    "县级民政部门",
    "县级人民政府",
    "县级政府",
    "乡镇人民政府(街道办事处)",
    "乡镇政府(街道办事处)",
    "乡镇人民政府",
    "乡镇政府",
    "乡(镇)人民政府",
    "县(市、区)民政局",
    "县(市、区)民政部门",
    "县(市、区)人民政府",
)
_SUBJECT_PARTS = re.compile(r"[、,;/]")
_PARENTHETICAL = re.compile(r"\([^()]*\)")
_TRAILING_PARENTHETICAL = re.compile(r"\([^()]*\)$")
# Longest first: 长白朝鲜族自治县 → 长白, 平湖街道 → 平湖.
_PLACE_SUFFIXES = (
    "朝鲜族自治县",
    "满族自治县",
    "蒙古族自治县",
    "朝鲜族自治州",
    "街道办事处",
    "管理委员会",
    "自治县",
    "自治州",
    "管委会",
    "街道",
    "地区",
    "县",
    "区",
    "市",
    "镇",
    "乡",
    "旗",
)


@lru_cache(maxsize=4096)
def _top_level_parts(text: str) -> list[str]:
    """Split at 、,;/ outside brackets: 县(市、区)民政局 stays whole."""
    parts, current, depth = [], [], 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth <= 0 and _SUBJECT_PARTS.fullmatch(char):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


@lru_cache(maxsize=4096)
def _generic_phrases(*texts: str) -> tuple[str, ...]:
    phrases = set()
    for text in (*GENERIC_SUBJECTS, *texts):
        normalized = vocabulary.normalize_text(text)
        if not normalized:
            continue
        phrases.add(normalized)
        for part in _top_level_parts(normalized):
            # 乡镇人民政府(街道办事处) also appears as 乡镇人民政府; but 乡(镇)人民政府 must
            # not become 乡人民政府, which every real 乡 government's name contains.
            for phrase in (part, _TRAILING_PARENTHETICAL.sub("", part)):
                if len(phrase) >= 4:
                    phrases.add(phrase)
    return tuple(sorted(phrases, key=len, reverse=True))


def subject_generic_phrases(standard_item: StandardItem | None) -> tuple[str, ...]:
    """Template wordings of 公开主体, normalised: the standard item's and Style A's."""
    if standard_item is None:
        return _generic_phrases()
    variant = standard_item.style_a_variant or {}
    return _generic_phrases(standard_item.subject or "", variant.get("subject") or "")


@lru_cache(maxsize=4096)
def place_stem(name: str) -> str:
    """农安县 → 农安, 平湖街道 → 平湖; the name itself when the stem would be one character."""
    normalized = vocabulary.normalize_text(name)
    for suffix in _PLACE_SUFFIXES:
        if normalized.endswith(suffix) and len(normalized) - len(suffix) >= 2:
            return normalized[: -len(suffix)]
    return normalized


def _place_names(region: Region) -> tuple[str, ...]:
    """The region's and its parent's names, longest first."""
    names = {vocabulary.normalize_text(place.name) for place in (region, region.parent) if place}
    return tuple(sorted(names, key=len, reverse=True))


def _place_markers(region: Region) -> set[str]:
    """Strings of which a subject naming this region (or the one above) contains one."""
    markers = set()
    for place in (region, region.parent):
        if place is None or place.level == RegionLevel.PROVINCE:
            continue
        stem = place_stem(place.name)
        # Long names go by their first two characters too: 前郭尔罗斯蒙古族自治县 → 前郭县.
        markers.update({stem, stem[:2]})
    return markers


def suggested_subject(region: Region) -> str:
    if region.office_name:
        return region.office_name
    if region.level == RegionLevel.TOWNSHIP:
        return (
            f"{region.name}人民政府" if not region.name.endswith("街道") else f"{region.name}办事处"
        )
    return f"{region.name}民政局"


def check_subject(context: CatalogContext) -> Iterator[Hit]:
    region = context.region
    markers = _place_markers(region)
    place_names = _place_names(region)
    example = suggested_subject(region)
    for item in context.items:
        subject = (item.subject or "").strip()
        normalized = vocabulary.normalize_text(subject)
        if not normalized:
            continue  # R02
        # Real names may contain template words: 永吉经济开发区特殊乡镇 + 人民政府.
        unplaced = normalized
        for name in place_names:
            unplaced = unplaced.replace(name, "|")
        generic = next(
            (p for p in subject_generic_phrases(item.standard_item) if p in unplaced), None
        )
        if generic is not None:
            yield Hit(
                f"{_label(item)}：公开主体“{subject}”沿用了标准目录的通用表述，"
                f"应写明具体单位，如“{example}”。",
                item,
                "subject",
                key="generic",
            )
        elif markers and not any(marker in normalized for marker in markers):
            yield Hit(
                f"{_label(item)}：公开主体“{subject}”未写明所属地区，应写明具体单位，如“{example}”。",
                item,
                "subject",
                key="placeless",
            )


# ---------------------------------------------------------------------------
# R07 refined name still matches its standard item
# ---------------------------------------------------------------------------


def _refinement_coverage(level1: str, level2: str, refined: str) -> float:
    """How much of a standard name a refined name keeps: of the whole name, and of level2
    alone, because level2 is what tells items of one level1 apart (审核信息 vs 资金发放)."""
    return min(
        name_coverage(name_key(level1, level2), refined),
        name_coverage(normalize_name(level2), refined),
    )


def check_name_drift(context: CatalogContext) -> Iterator[Hit]:
    others = [(si, standard_name_keys(si)) for si in context.standard_items]
    for item in context.items:
        standard_item = item.standard_item
        refined = name_key(item.level1, item.level2)
        if standard_item is None or not refined:
            continue
        candidates = standard_name_keys(standard_item)
        if any(candidate in refined for candidate in candidates):
            continue  # kept whole, perhaps with a qualifier: 审核信息（农安县）
        other = next(
            (
                si
                for si, keys in others
                if si.key != standard_item.key and any(key in refined for key in keys)
            ),
            None,
        )
        if other is not None:
            yield Hit(
                f"{_label(item)}：名称与{_standard_label(other)}相同，"
                f"却对应{_standard_label(standard_item)}，请核对对应关系。",
                item,
                "name",
                key=f"other:{other.key}",
            )
            continue
        coverage = max(
            _refinement_coverage(level1, level2, refined)
            for level1, level2 in standard_name_parts(standard_item)
        )
        if coverage < NAME_DRIFT_MIN_COVERAGE:
            yield Hit(
                f"{_label(item)}：名称与对应的{_standard_label(standard_item)}差异较大"
                f"（保留了标准名称的{coverage:.0%}），细化名称应保留标准事项名称的核心内容。",
                item,
                "name",
                key="drift",
            )


# ---------------------------------------------------------------------------
# R08 / R09 basis: citations well formed, specific documents cited
# ---------------------------------------------------------------------------

_OPENING_MARKS = "〔[(【（［〖{｛"
_CLOSING_MARKS = "〕])】）］〗}｝"
_DIGIT = "[0-9０-９]"
# A year in brackets, then what follows it in a document number: 国发〔2016〕14号.
_DOCUMENT_NUMBER = re.compile(
    rf"(?P<open>[{re.escape(_OPENING_MARKS)}])\s*(?P<year>{_DIGIT}{{2,4}})\s*"
    rf"(?P<close>[{re.escape(_CLOSING_MARKS)}])\s*(?P<ordinal>第?)\s*(?P<number>{_DIGIT}*)\s*(?P<hao>号?)"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_AGENCY_CODE = re.compile(r"[\u4e00-\u9fff]{0,8}$")
_WRONG_TITLE_MARKS = re.compile(r"<<?[^<>]+>>?|＜＜?[^＜＞]+＞＞?")
# Abbreviations that name no findable document.
_VAGUE_TITLES = frozenset({"信息公开条例", "条例", "办法", "通知", "意见"})
_TITLE = re.compile(r"《([^《》]*)》")
_DECREE = re.compile(rf"令\s*第?\s*{_DIGIT}+\s*号")
GENERIC_BASIS = (
    "信息公开规定",
    "相关政策规定",
    "《信息公开条例》及相关规定",
    "相关规定",
    "有关规定",
    "相关法律法规",
    "各地相关政策法规文件",
)
_GENERIC_BASIS = frozenset(vocabulary.normalize_text(text) for text in GENERIC_BASIS)
SUGGESTED_BASIS = "《中华人民共和国政府信息公开条例》（国务院令第711号）"


def _title_mark_problems(text: str) -> list[tuple[str, str]]:
    problems = []
    depth = 0
    for char in text:
        if char == "《":
            depth += 1
        elif char == "》":
            if depth == 0:
                problems.append(("多出一个“》”，书名号不成对", "unbalanced"))
                depth = -1
                break
            depth -= 1
    if depth > 0:
        problems.append(("缺少“》”，书名号不成对", "unbalanced"))
    if re.search(r"《\s*》", text):
        problems.append(("中的书名号“《》”内没有文件名称", "empty-title"))
    for match in _WRONG_TITLE_MARKS.finditer(text):
        problems.append((f"中的“{match.group()}”应使用书名号《》", f"marks:{match.group()}"))
    return problems


def _document_number_problems(text: str) -> list[tuple[str, str]]:
    problems = []
    for match in _DOCUMENT_NUMBER.finditer(text):
        in_hexagonal = match["open"] == "〔" and match["close"] == "〕"
        if not in_hexagonal and not (match["number"] or match["hao"]):
            continue  # (2016) in a title, not a document number
        before = text[: match.start()].rstrip()
        snippet = _AGENCY_CODE.search(before).group() + match.group().strip()
        issues = []
        if not in_hexagonal:
            issues.append("年份应使用六角括号〔〕")
        if len(match["year"]) != 4:
            issues.append("年份应写全称（四位数）")
        if not before or not _CJK.match(before[-1]):
            issues.append("缺少发文机关代字")
        if match["ordinal"]:
            issues.append("发文顺序号前不加“第”")
        if not match["number"]:
            issues.append("缺少发文顺序号")
        elif unicodedata.normalize("NFKC", match["number"]).startswith("0"):
            issues.append("发文顺序号不编虚位（如1不编为01）")
        if not match["hao"]:
            issues.append("缺少“号”")
        if issues:
            problems.append(
                (f"中的文号“{snippet}”{'，'.join(issues)}", f"number:{match.group().strip()}")
            )
    return problems


def basis_citation_problems(text: str) -> list[tuple[str, str]]:
    """(Chinese description, stable key) for each malformed citation in a 公开依据 text."""
    return _title_mark_problems(text or "") + _document_number_problems(text or "")


def cites_specific_document(text: str) -> bool:
    """Names a document one could look up: a full title, a document or decree number."""
    normalized = vocabulary.normalize_text(text)
    titles = [title for title in _TITLE.findall(normalized) if title]
    if any(title not in _VAGUE_TITLES for title in titles):
        return True
    return bool(_DECREE.search(normalized)) or any(
        match["number"] and match["hao"] for match in _DOCUMENT_NUMBER.finditer(normalized)
    )


def check_basis_format(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        for description, key in basis_citation_problems(item.basis):
            yield Hit(f"{_label(item)}：公开依据{description}。", item, "basis", key=key)


def check_basis_generic(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        basis = (item.basis or "").strip()
        if not basis:
            continue  # R02
        normalized = vocabulary.normalize_text(basis)
        if normalized in _GENERIC_BASIS:
            reason = "是标准目录的通用表述，未引用具体文件"
        elif not cites_specific_document(basis):
            reason = "未引用具体文件"
        else:
            continue
        yield Hit(
            f"{_label(item)}：公开依据“{basis}”{reason}，建议写明依据文件的名称和文号，"
            f"如{SUGGESTED_BASIS}。",
            item,
            "basis",
        )


# ---------------------------------------------------------------------------
# R10 / R11 deadlines
# ---------------------------------------------------------------------------


def check_deadline_readable(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        deadline = (item.deadline or "").strip()
        if deadline and parse_deadline(deadline) is None:
            yield Hit(
                f"{_label(item)}：公开时限“{deadline}”无法识别为明确的时限规则，"
                "请写成如“制定或获取信息之日起10个工作日内”“每季度结束后10日内”“实时更新”。",
                item,
                "deadline",
            )


def _publicity(rule: DeadlineRule) -> dict[str, Period]:
    return {period.label: period for period in rule.extra_periods if "公示" in period.label}


def check_deadline_standard(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        standard_item = item.standard_item
        if standard_item is None:
            continue
        rule = parse_deadline((item.deadline or "").strip())
        standard = parse_deadline((standard_item.deadline or "").strip())
        if rule is None or standard is None or standard.kind != WITHIN:
            continue
        wording = f"标准目录规定的“{standard.text}”"
        if rule.kind == WITHIN and rule.period.approx_days > standard.period.approx_days:
            yield Hit(
                f"{_label(item)}：公开时限“{rule.text}”长于{wording}。",
                item,
                "deadline",
                key="longer",
            )
        elif rule.kind in (PERIODIC, STANDING):
            yield Hit(
                f"{_label(item)}：公开时限“{rule.text}”不能保证在{wording}内公开。",
                item,
                "deadline",
                key="no-limit",
            )
        required, written = _publicity(standard), _publicity(rule)
        for label, period in required.items():
            actual = written.get(label) or next(iter(written.values()), None)
            if actual is None:
                message = f"未写明{label}期，{wording}要求{period}"
            elif actual.approx_days < period.approx_days:
                message = f"{actual}短于{wording}要求的{period}"
            else:
                continue
            yield Hit(
                f"{_label(item)}：公开时限{message}。", item, "deadline", key=f"publicity:{label}"
            )


# ---------------------------------------------------------------------------
# R12 duplicates
# ---------------------------------------------------------------------------


def check_duplicates(context: CatalogContext) -> Iterator[Hit]:
    reported: set[tuple[int, int]] = set()
    first_by_standard: dict[str, Item] = {}
    first_by_name: dict[str, Item] = {}
    for item in context.items:
        if item.standard_item_id:
            key = item.standard_item.key
            first = first_by_standard.setdefault(key, item)
            if first is not item:
                reported.add((first.pk, item.pk))
                yield Hit(
                    f"{_label(item)}与{_label(first)}对应同一个"
                    f"{_standard_label(item.standard_item)}，事项重复。",
                    item,
                    "name",
                    key=f"standard:{key}",
                )
        name = name_key(item.level1, item.level2)
        if not name:
            continue
        first = first_by_name.setdefault(name, item)
        if first is not item and (first.pk, item.pk) not in reported:
            yield Hit(
                f"{_label(item)}与{_label(first)}名称相同，事项重复。", item, "name", key="name"
            )


# ---------------------------------------------------------------------------
# R13 local extra elements
# ---------------------------------------------------------------------------

_ELEMENT_NAME_ALIASES = {
    "事项名称": "name",
    "公开事项": "name",
    "一级事项": "name",
    "二级事项": "name",
    "公开内容": "content",
    "公开要素": "content",
    "公开依据": "basis",
    "公开时限": "deadline",
    "公开主体": "subject",
    "公开渠道": "channels",
    "公开载体": "channels",
    "公开渠道和载体": "channels",
    "公开对象": "audience",
    "公开方式": "method",
    "公开层级": "levels",
}
_ELEMENT_BY_NAME = {
    normalize_name(name): element
    for name, element in (
        *((label, key) for key, label in vocabulary.ELEMENT_LABELS.items()),
        *_ELEMENT_NAME_ALIASES.items(),
    )
}


def check_extra_elements(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        seen: set[str] = set()
        for extra in context.extras.get(item.pk, []):
            name = normalize_name(extra.name)
            # 公开时限（天） is still the deadline element.
            bare = normalize_name(_PARENTHETICAL.sub("", vocabulary.normalize_text(extra.name)))
            element = _ELEMENT_BY_NAME.get(name) or _ELEMENT_BY_NAME.get(bare)
            if element is not None:
                yield Hit(
                    f"{_label(item)}：本地增加要素“{extra.name}”与必备要素"
                    f"“{vocabulary.ELEMENT_LABELS[element]}”重复，应填入该要素。",
                    item,
                    element,
                    key=f"element:{extra.name}",
                )
            elif name in seen:
                yield Hit(
                    f"{_label(item)}：本地增加要素“{extra.name}”重复。",
                    item,
                    key=f"duplicate:{extra.name}",
                )
            if not (extra.value or "").strip():
                yield Hit(
                    f"{_label(item)}：本地增加要素“{extra.name}”未填写内容。",
                    item,
                    key=f"empty:{extra.name}",
                )
            seen.add(name)


# ---------------------------------------------------------------------------
# The rule set
# ---------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule(
        "R01-coverage",
        ERROR,
        "标准事项全部纳入（应公开尽公开）",
        "标准目录中公开层级包含本级（县级或乡级）的每个事项，目录中都应有对应事项："
        "关联该标准事项，或名称（规范化后）与之相同。",
        check_coverage,
    ),
    Rule(
        "R02-elements",
        ERROR,
        "九要素齐全有效",
        "每个事项的名称、内容、依据、时限、主体、渠道、对象、方式、层级都应填写，"
        "公开对象、方式、层级只能取规定的选项。每个缺失或无效的要素各报一条。",
        check_elements,
    ),
    Rule(
        "R03-channels",
        ERROR,
        "公开渠道属于规定渠道",
        "公开渠道和载体只能取标准目录的13个渠道；勾选“其他”时须写明具体渠道。",
        check_channels,
    ),
    Rule(
        "R04-channel-other",
        WARNING,
        "“其他”渠道说明一致",
        "写有其他渠道说明却未勾选“其他”，或说明中写的其实是标准渠道（应直接勾选）。",
        check_channel_other,
    ),
    Rule(
        "R05-level",
        ERROR,
        "公开层级与区划一致",
        "县级目录的事项公开层级应包含“县级”，乡级（乡镇、街道）目录的事项应包含“乡级”。",
        check_level,
    ),
    Rule(
        "R06-subject",
        WARNING,
        "公开主体写明具体单位",
        "公开主体不应沿用标准目录的通用表述（如“县级人民政府民政部门、乡镇人民政府(街道办事处)”），"
        "应写明本地具体单位并带有地名，如“农安县民政局”“农安镇人民政府”。",
        check_subject,
    ),
    Rule(
        "R07-name-drift",
        WARNING,
        "细化名称与标准事项一致",
        "允许细化事项名称，但规范化（全半角、标点、空白）后应包含标准事项名称，"
        f"或至少保留其名称及二级事项名称各{NAME_DRIFT_MIN_COVERAGE:.0%}的内容；"
        "名称与另一个标准事项相同时提示核对对应关系。",
        check_name_drift,
    ),
    Rule(
        "R08-basis-format",
        WARNING,
        "公开依据引用格式规范",
        "文件名称使用成对且非空的书名号《》；文号按“发文机关代字〔年份〕序号号”书写"
        "（如国发〔2016〕14号）：年份用六角括号〔〕、写全四位，序号不加“第”、不编虚位，末尾有“号”。",
        check_basis_format,
    ),
    Rule(
        "R09-basis-generic",
        INFO,
        "公开依据引用具体文件",
        "“信息公开规定”“相关政策规定”“《信息公开条例》及相关规定”等是标准目录的通用表述，允许使用；"
        "建议写明具体依据文件的名称和文号。",
        check_basis_generic,
    ),
    Rule(
        "R10-deadline-format",
        WARNING,
        "公开时限可识别",
        "公开时限应能读成明确的规则，如“制定或获取信息之日起10个工作日内”“…之日起20日内”"
        "“每季度结束后10日内”“每年3月31日前”“实时更新”“长期公开”。",
        check_deadline_readable,
    ),
    Rule(
        "R11-deadline-looser",
        WARNING,
        "公开时限不宽于标准目录",
        "事项的公开时限不应长于所对应标准事项的时限（工作日按每周5个折算比较），"
        "标准事项要求公示期的，也应写明不短于它的公示期。",
        check_deadline_standard,
    ),
    Rule(
        "R12-duplicates",
        ERROR,
        "事项不重复",
        "同一目录中不应有名称（规范化后）相同的两个事项，也不应有两个事项对应同一个标准事项。",
        check_duplicates,
    ),
    Rule(
        "R13-extra-elements",
        WARNING,
        "本地增加要素规范",
        "本地增加的要素应有内容、名称不重复，且不应与九个必备要素重名（应填入必备要素本身）。",
        check_extra_elements,
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------


def _resolve_rules(rules) -> list[Rule]:
    if rules is None:
        return list(RULES)
    resolved = []
    for rule in rules:
        if isinstance(rule, str):
            if rule not in RULES_BY_CODE:
                raise ValueError(f"unknown rule code {rule!r}; known: {sorted(RULES_BY_CODE)}")
            rule = RULES_BY_CODE[rule]
        resolved.append(rule)
    return resolved


def load_contexts(catalogs) -> list[CatalogContext]:
    """Four queries: catalogs, their draft items, the items' extra elements, standard items.

    A QuerySet is used as a subquery (no long IN lists); any other iterable of catalogs
    is reloaded by primary key so the regions come in the same query. The standard items
    (a few dozen, shared by thousands of items) are loaded once and attached to the items,
    which is several times faster than joining them to every item row.
    """
    if isinstance(catalogs, QuerySet):
        source = catalogs
    else:
        source = Catalog.objects.filter(pk__in=[catalog.pk for catalog in catalogs])
    catalog_list = list(source.select_related("region__parent"))
    if not catalog_list:
        return []
    catalog_list.sort(key=lambda catalog: (catalog.region.code, catalog.pk))
    scope = source.values("pk")
    items = list(
        Item.objects.filter(catalog__in=scope)
        .defer("public_id", "created_at", "updated_at")  # no rule reads them
        .order_by("catalog_id", "seq", "pk")
    )
    extras: dict[int, list[ItemExtraElement]] = defaultdict(list)
    for extra in ItemExtraElement.objects.filter(item__catalog__in=scope).order_by(
        "item_id", "order", "pk"
    ):
        extras[extra.item_id].append(extra)
    # The editions' items, and items of older editions that draft items still point to.
    standard_items = {
        standard_item.pk: standard_item
        for standard_item in StandardItem.objects.filter(
            Q(edition_id__in={catalog.edition_id for catalog in catalog_list})
            | Q(pk__in=Item.objects.filter(catalog__in=scope).values("standard_item_id"))
        ).order_by("edition_id", "seq")
    }
    standard_by_edition: dict[int, list[StandardItem]] = defaultdict(list)
    for standard_item in standard_items.values():
        standard_by_edition[standard_item.edition_id].append(standard_item)
    items_by_catalog: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        if item.standard_item_id is not None:
            item.standard_item = standard_items[item.standard_item_id]
        items_by_catalog[item.catalog_id].append(item)
    return [
        CatalogContext(
            catalog=catalog,
            items=items_by_catalog.get(catalog.pk, []),
            extras=extras,
            standard_items=standard_by_edition.get(catalog.edition_id, []),
        )
        for catalog in catalog_list
    ]


def run_checks(catalogs, *, rules: Iterable[Rule | str] | None = None) -> list[CheckResult]:
    """Check the draft items of ``catalogs`` (a QuerySet or iterable of Catalog).

    Reads only; a fixed number of queries however many catalogs. Results come catalog by
    catalog (region code order), in rule order within a catalog.
    """
    selected = _resolve_rules(rules)
    results: list[CheckResult] = []
    for context in load_contexts(catalogs):
        for rule in selected:
            results.extend(rule.run(context))
    return results
