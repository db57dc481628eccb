"""Small display helpers for the public site's templates."""

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

_NOT_DIALABLE = re.compile(r"[^0-9+]")
TICKED = mark_safe('<span aria-hidden="true">✓</span><span class="vh">是</span>')
UNTICKED = mark_safe('<span class="vh">否</span>')


@register.filter
def join_terms(values) -> str:
    """Terms joined the way the official documents list them: 全社会、特定群体."""
    return "、".join(str(value) for value in values or [])


@register.filter
def tel_href(phone: str) -> str:
    """A tel: link for the first number in a contact field such as '0431-8888 1234（工作日）'."""
    first = re.split(r"[,，;；/、]", phone or "")[0]
    digits = _NOT_DIALABLE.sub("", first)
    return f"tel:{digits}" if digits else ""


@register.filter
def highlight(text, query) -> str:
    """``text`` escaped, with every whitespace-separated term of ``query`` in <mark>."""
    text = str(text or "")
    terms = sorted({term for term in str(query or "").split() if term}, key=len, reverse=True)
    if not terms:
        return conditional_escape(text)
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(conditional_escape(text[last : match.start()]))
        parts.append(format_html("<mark>{}</mark>", match.group(0)))
        last = match.end()
    parts.append(conditional_escape(text[last:]))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - every part escaped


@register.simple_tag
def tick(values, term):
    """A tick-column cell of the official table: ✓ with words for screen readers."""
    return TICKED if term in (values or []) else UNTICKED


@register.filter
def get_slot(sections, slot: str) -> list:
    """The sections (``portal.sections``) of one slot of a page, in order; none if absent."""
    return (sections or {}).get(slot, [])
