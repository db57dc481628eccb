"""One cell's value: text, tick marks, lists of terms and the 公开渠道和载体 cell."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from catalogs import vocabulary
from catalogs.excel.table import (
    FIELD_LABELS,
    TERM_FIELDS,
)
from catalogs.vocabulary import normalize_text

_TICK_YES = {"√", "✓", "✔", "☑", "■", "☒", "✅", "是", "有", "v", "V", "Y", "y", "1", "●"}
_TICK_NO = {"", "□", "☐", "否", "无", "-", "—", "–", "/", "×", "✗", "✘", "0", "○"}
_TICKED_MARKS = "■☑☒✓✔√✅"
# Emoji presentation selectors: ✔️ is ✔ followed by U+FE0F.
_VARIATION_SELECTORS = str.maketrans("", "", "\ufe0e\ufe0f")
_UNTICKED_MARKS = "□☐"
_CHECKLIST_SPLIT = re.compile(f"([{_TICKED_MARKS}{_UNTICKED_MARKS}])")
_CHANNEL_SEPARATORS = set("、,，;；/／\n\r\t ")
_OTHER_CHANNEL = re.compile(r"^其[他它]\s*[(（:：]?\s*(?P<text>.*?)\s*[)）]?$", re.S)


class _CellError(Exception):
    pass


@dataclass(frozen=True)
class _Formula:
    """A formula cell the file keeps no computed value for (written by a program, never
    opened in Excel): its value is unknown, which is not the same as empty."""

    text: str

    def __str__(self) -> str:
        return self.text


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, _Formula):
        return ""
    text = str(value).translate(_VARIATION_SELECTORS).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _parse_tick(value) -> bool:
    text = normalize_text(_text(value))
    if text in _TICK_YES:
        return True
    if text in _TICK_NO:
        return False
    raise _CellError(f"无法识别的勾选标记“{_text(value)}”（应为“√”或留空）")


def _parse_terms(text: str, field_name: str) -> list[str]:
    vocab, aliases = TERM_FIELDS[field_name]
    tokens, separators = _split_outside_brackets(text)
    terms, i = [], 0
    while i < len(tokens):
        if not tokens[i].strip():
            i += 1
            continue
        # A spelling may itself hold a separator ("乡、村级"): try the longest join first.
        for j in range(min(len(tokens), i + 3), i, -1):
            candidate = tokens[i] + "".join(separators[k] + tokens[k + 1] for k in range(i, j - 1))
            term = vocabulary.canonical_term(candidate, vocab, aliases)
            if term is not None:
                terms.append(term)
                i = j
                break
        else:
            raise _CellError(
                f"无法识别的{FIELD_LABELS[field_name]}“{tokens[i].strip()}”（可选：{'、'.join(vocab)}）"
            )
    return vocabulary.order_terms(terms, vocab)


def _split_outside_brackets(text: str) -> tuple[list[str], list[str]]:
    """Tokens and the separators between them, never splitting inside (…) or （…）."""
    tokens, separators, current, depth = [], [], [], 0
    for char in text:
        if char in "(（":
            depth += 1
        elif char in ")）":
            depth = max(depth - 1, 0)
        if depth == 0 and char in _CHANNEL_SEPARATORS:
            if current or not tokens:
                tokens.append("".join(current))
                separators.append(char)
            else:
                separators[-1] += char
            current = []
        else:
            current.append(char)
    tokens.append("".join(current))
    return tokens, separators


def _resolve_channel(label: str) -> tuple[str, str, bool]:
    """(channel, 其他 description, is_unknown) for one ticked label."""
    label = label.strip().strip("、,，;；。.")
    known = vocabulary.canonical_channel(label)
    if known is not None:
        return known, "", False
    match = _OTHER_CHANNEL.match(unicodedata.normalize("NFKC", label))
    if match:
        return vocabulary.OTHER_CHANNEL, match.group("text").strip(), False
    return vocabulary.OTHER_CHANNEL, label, True


def _checklist_labels(text: str) -> list[str]:
    parts = _CHECKLIST_SPLIT.split(text)
    # A label ends at the next mark or at the end of its line (unmarked lines are not ticked).
    return [
        label.strip().split("\n")[0].strip()
        for mark, label in zip(parts[1::2], parts[2::2], strict=True)
        if mark in _TICKED_MARKS and label.strip()
    ]


def _plain_list_labels(text: str) -> list[str]:
    tokens, separators = _split_outside_brackets(text)
    labels, i = [], 0
    while i < len(tokens):
        if not tokens[i].strip():
            i += 1
            continue
        # A channel's name may itself hold a separator ("发布会/听证会"): try the longest join.
        for j in range(min(len(tokens), i + 6), i, -1):
            candidate = tokens[i] + "".join(separators[k] + tokens[k + 1] for k in range(i, j - 1))
            if j == i + 1 or vocabulary.canonical_channel(candidate):
                labels.append(candidate)
                i = j
                break
    return labels


def parse_channels(text: str) -> tuple[list[str], str, list[str]]:
    """Read a 公开渠道和载体 cell: (ticked channels, 其他 description, unknown words)."""
    text = text or ""
    text = text.translate(_VARIATION_SELECTORS)
    checklist = any(mark in text for mark in "■□☑☐☒") or re.search(r"(?m)^\s*[√✓✔✅]", text)
    labels = _checklist_labels(text) if checklist else _plain_list_labels(text)
    channels, others, unknown = set(), [], []
    for label in labels:
        channel, other, is_unknown = _resolve_channel(label)
        channels.add(channel)
        if other:
            others.append(other)
        if is_unknown:
            unknown.append(other)
    other_text = "、".join(dict.fromkeys(others))
    return vocabulary.order_terms(channels, vocabulary.CHANNELS), other_text, unknown
