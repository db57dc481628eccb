"""What a complete service guide has: the parts a citizen needs to apply in one visit.

Shared by the check ``R20-guide-incomplete`` (review.checks.guides) and the admin's list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Missing:
    key: str  # stable, for findings
    label: str  # Chinese, for messages


# (key, label, how to tell it is there) over a guide (draft or published) plus counts.
TEXT_PARTS = (
    ("legal_basis", "设定依据"),
    ("conditions", "受理条件"),
    ("location", "办理地点"),
    ("office_hours", "办公时间"),
    ("phone", "咨询电话"),
    ("complaint_phone", "监督投诉电话"),
)


def missing_parts(guide, *, materials: int, steps: int) -> list[Missing]:
    """The parts ``guide`` lacks, in the order a guide reads."""
    missing = []
    for key, label in TEXT_PARTS[:2]:
        if not (getattr(guide, key) or "").strip():
            missing.append(Missing(key, label))
    if materials == 0:
        missing.append(Missing("materials", "申请材料"))
    if steps == 0:
        missing.append(Missing("steps", "办理流程"))
    if guide.legal_days is None:
        missing.append(Missing("legal_days", "法定时限"))
    if guide.promised_days is None:
        missing.append(Missing("promised_days", "承诺时限"))
    for key, label in TEXT_PARTS[2:]:
        if not (getattr(guide, key) or "").strip():
            missing.append(Missing(key, label))
    return missing
