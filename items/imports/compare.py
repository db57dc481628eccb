"""How a file's row and an item are compared, and how values are shown in a plan."""

from __future__ import annotations

from catalogs import vocabulary

COMPARED = vocabulary.FIELD_LABELS
EMPTY = "（空）"


def _name_key(level1: str, level2: str) -> tuple[str, str]:
    return vocabulary.normalize_text(level1), vocabulary.normalize_text(level2)


def _display(value) -> str:
    if isinstance(value, list | tuple):
        return "、".join(value) or EMPTY
    if isinstance(value, dict):
        return "；".join(f"{name}：{text}" for name, text in value.items()) or EMPTY
    text = "" if value is None else str(value)
    return text or EMPTY


def _same(name: str, before, after) -> bool:
    if name == "content":
        return vocabulary.split_elements(before) == vocabulary.split_elements(after)
    if isinstance(before, str) or isinstance(after, str):
        return _clean(before) == _clean(after)
    if isinstance(after, list | tuple):
        return list(before or []) == list(after)
    return before == after


def _clean(text) -> str:
    return (text or "").replace("\r\n", "\n").strip()
