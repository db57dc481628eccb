"""A confirm whose preview no longer matches the draft: refused, naming who changed what."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from catalogs.models import Catalog
from items.models import Item


class StalePlan(ValidationError):
    """The catalog changed between the preview and the confirm; nothing was written."""


def _stale_plan(catalog: Catalog | None, since) -> StalePlan:
    """Who changed the draft since the preview (``since``: the preview's time), and what."""
    lines = []
    if catalog is not None and since is not None:
        rows = (
            Item.history.filter(catalog_id=catalog.pk, history_date__gt=since)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        for row in rows[:10]:
            who = row.history_user.get_username() if row.history_user else "系统"
            action = {"+": "新增", "-": "删除"}.get(row.history_type, "修改")
            name = f"{row.level1} · {row.level2}" if row.level2 else row.level1
            when = timezone.localtime(row.history_date)
            lines.append(f"{who}于{when:%Y-%m-%d %H:%M:%S}{action}了第{row.seq}项“{name}”")
    detail = ("：" + "；".join(lines)) if lines else ""
    subject = f"“{catalog}”" if catalog is not None else "该目录"
    return StalePlan(
        f"导入未执行：预览之后{subject}已被修改{detail}。确认导入只能执行预览所示的修改，"
        "请重新上传文件，核对新的预览后再确认。"
    )
