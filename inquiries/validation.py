"""Rules for what citizens type: bounded, no control characters, phone numbers that are phone
numbers, and the signs of spam (links). Forms and services both ask these functions, so a
caller that skips the form is refused the same way, in Chinese, naming the field."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

from inquiries.models import ANSWER_MAX, NAME_MAX, TEXT_MAX

LABELS = {
    "kind": "留言类型",
    "text": "留言内容",
    "name": "姓名",
    "phone": "联系电话",
    "answer": "答复内容",
    "note": "说明",
    "reference": "查询码",
}
LIMITS = {"text": TEXT_MAX, "name": NAME_MAX, "phone": 20, "answer": ANSWER_MAX, "note": 200}

# Control characters other than tab and line breaks (NUL among them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A mainland mobile number, or a landline with area code and optional extension.
_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 12


def clean_citizen_text(field: str, value, *, required: bool = False) -> str:
    """``value`` as stored text, or a ValidationError naming the field in Chinese."""
    label = LABELS[field]
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: f"“{label}”格式不正确。"})
    # Bounded before anything else looks at it.
    limit = LIMITS[field]
    if len(value) > limit * 4:
        raise ValidationError({field: f"“{label}”不能超过{limit}字。"})
    if "\x00" in value:
        raise ValidationError({field: f"“{label}”含有不允许的空字符（NUL），请删除后重新提交。"})
    if _CONTROL.search(value):
        raise ValidationError({field: f"“{label}”含有不允许的控制字符，请删除后重新提交。"})
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if field in ("name", "phone"):
        value = " ".join(value.split())
    if required and not value:
        raise ValidationError({field: f"请填写“{label}”。"})
    if len(value) > limit:
        raise ValidationError({field: f"“{label}”不能超过{limit}字（现有{len(value)}字）。"})
    return value


def clean_phone(value) -> str:
    value = clean_citizen_text("phone", value)
    if not value:
        return ""
    digits = unicodedata.normalize("NFKC", value).replace(" ", "").replace("－", "-")
    if not _PHONE.match(digits):
        raise ValidationError(
            {
                "phone": "“联系电话”格式不正确：请填写11位手机号码或带区号的固定电话（如0431-88888888）。"
            }
        )
    return digits


def normalize_reference(value) -> str:
    """A reference as typed (lower case, spaces, dashes, full-width) in its stored form."""
    if not isinstance(value, str):
        return ""
    value = unicodedata.normalize("NFKC", value[:40]).upper()
    return "".join(ch for ch in value if ch.isalnum())
