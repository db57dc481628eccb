"""R08 / R09: 公开依据 citations are well formed and name specific documents."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from catalogs import vocabulary
from review.checks.registry import INFO, WARNING, Hit, rule
from review.checks.runner import CatalogContext
from review.checks.text import item_label

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


@rule(
    "R08-basis-format",
    WARNING,
    "公开依据引用格式规范",
    "文件名称使用成对且非空的书名号《》；文号按“发文机关代字〔年份〕序号号”书写"
    "（如国发〔2016〕14号）：年份用六角括号〔〕、写全四位，序号不加“第”、不编虚位，末尾有“号”。",
)
def check_basis_format(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        for description, key in basis_citation_problems(item.basis):
            yield Hit(f"{item_label(item)}：公开依据{description}。", item, "basis", key=key)


@rule(
    "R09-basis-generic",
    INFO,
    "公开依据引用具体文件",
    "“信息公开规定”“相关政策规定”“《信息公开条例》及相关规定”等是标准目录的通用表述，允许使用；"
    "建议写明具体依据文件的名称和文号。",
)
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
            f"{item_label(item)}：公开依据“{basis}”{reason}，建议写明依据文件的名称和文号，"
            f"如{SUGGESTED_BASIS}。",
            item,
            "basis",
        )
