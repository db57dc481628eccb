"""Optimistic concurrency: every edit carries the version it was based on.

A versioned model has ``version = PositiveIntegerField(default=0)``; the service that saves
a row moves it on by one with a guarded ``UPDATE … SET version = version + 1 WHERE pk = …
AND version = seen`` (``claim_version``), so that of two saves based on the same version
exactly one wins, on PostgreSQL and SQLite alike. The loser gets an ``EditConflict``: a
``ValidationError`` whose Chinese message shows the other person's change — which fields,
their current values, who and when (from django-simple-history) — and that carries the
details a form needs to keep the user's input and offer the other person's values for the
fields the user did not touch.

``seen=None`` means "not told": the version still moves on, nothing is compared. Forms and
imports always send what they showed; commands and data loads that edit without a form
pass nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone


@dataclass(frozen=True)
class FieldChange:
    """A field another person changed since the user's version: what the user saw, what is."""

    name: str
    label: str
    seen: Any
    current: Any


@dataclass(frozen=True)
class Editor:
    """Who made a change and when."""

    name: str
    at: Any  # an aware datetime, or None when unknown


def show(value) -> str:
    """A stored value as one line of Chinese text (lists joined with 、)."""
    if isinstance(value, list | tuple):
        parts = [
            "：".join(map(str, part)) if isinstance(part, list | tuple) else str(part)
            for part in value
        ]
        return "、".join(parts) or "（空）"
    if value is None or value == "":
        return "（空）"
    if isinstance(value, models.Model):
        return str(value)
    text = str(value).replace("\r\n", "\n").replace("\n", " ")
    return text if len(text) <= 80 else text[:79] + "…"


def user_label(user) -> str:
    if user is None:
        return "系统"
    full_name = (user.get_full_name() or "").strip()
    username = user.get_username()
    return f"{full_name}（{username}）" if full_name and full_name != username else username


def local_time(at) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M:%S}" if at else "不详时间"


class EditConflict(ValidationError):
    """A save based on a version someone else has replaced since; nothing was written."""

    def __init__(
        self,
        *,
        subject: str,
        seen_version: int | None,
        current_version: int | None,
        changes: list[FieldChange] = (),
        editors: list[Editor] = (),
        deleted: bool = False,
        note: str = "",
    ):
        self.subject = subject
        self.seen_version = seen_version
        self.current_version = current_version
        self.changes = list(changes)
        self.editors = list(editors)
        self.deleted = deleted
        super().__init__(self.describe(note), code="edit_conflict")

    def describe(self, note: str = "") -> str:
        if self.deleted:
            return f"保存未成功：{self.subject}已被他人删除，您的修改无法保存。"
        if self.editors:
            names = "、".join(dict.fromkeys(editor.name for editor in self.editors))
            last = max((e.at for e in self.editors if e.at), default=None)
            who = f"{names}于{local_time(last)}"
        else:
            who = "他人"
        versions = (
            f"（第{self.seen_version}版 → 第{self.current_version}版）"
            if self.seen_version is not None and self.current_version is not None
            else ""
        )
        if self.changes:
            what = "；".join(
                f"“{change.label}”由“{show(change.seen)}”改为“{show(change.current)}”"
                for change in self.changes
            )
        else:
            what = "内容已变化"
        text = (
            f"保存未成功：在您打开之后，{who}修改了{self.subject}{versions}：{what}。"
            "您的输入没有保存，仍保留在表单中，请核对后重新保存。"
        )
        return f"{text}{note}" if note else text


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------


def claim_version(obj: models.Model, seen: int | None) -> int | None:
    """Move ``obj``'s stored version on by one if it is still ``seen``; the new version.

    ``None`` when the row is stale (or gone): the caller raises ``conflict_for(...)``. With
    ``seen=None`` the version moves on unconditionally. ``obj.version`` is set to the new
    value, so that a following ``save()`` writes it back unchanged.
    """
    manager = type(obj)._default_manager
    rows = manager.filter(pk=obj.pk)
    if seen is not None:
        rows = rows.filter(version=seen)
    if not rows.update(version=F("version") + 1):
        return None
    obj.version = manager.filter(pk=obj.pk).values_list("version", flat=True).get()
    return obj.version


def history_rows(obj: models.Model):
    """The object's simple_history rows (oldest first), or ``None`` for an unrecorded model."""
    history = getattr(type(obj), "history", None)
    if history is None:
        return None
    return history.filter(**{type(obj)._meta.pk.attname: obj.pk})


def row_at_version(obj: models.Model, version: int):
    """The history row holding ``obj`` as it was at ``version`` (or the last one before)."""
    rows = history_rows(obj)
    if rows is None:
        return None
    return rows.filter(version__lte=version).order_by("-version", "-history_date").first()


def values_at_version(obj: models.Model, version: int, fields) -> dict | None:
    """The ``fields`` of ``obj`` as they were at ``version``, from its history; ``None``
    when no history row of that version (or an earlier one) is kept."""
    row = row_at_version(obj, version)
    if row is None:
        return None
    return {name: getattr(row, _attname(obj, name)) for name in fields}


def _attname(obj, name: str) -> str:
    return type(obj)._meta.get_field(name).attname


def conflict_for(
    obj: models.Model,
    seen: int | None,
    *,
    subject: str | Callable[[Any], str],
    labels: dict[str, str],
    related_changes: Callable[[Any], list[FieldChange]] | None = None,
    note: str = "",
) -> EditConflict:
    """The ``EditConflict`` for a save of ``obj`` based on version ``seen``.

    ``subject`` names the object (or makes its name from the stored row). ``labels``
    names the fields to compare (name → Chinese label); the other person's
    changes are those whose value at ``seen`` (from history) differs from the stored one.
    ``related_changes(seen_at)`` adds changes of related rows (an item's extra elements)
    since the moment of the seen version.
    """
    model = type(obj)
    current = model._default_manager.filter(pk=obj.pk).first()
    if callable(subject):
        subject = subject(current or obj)
    if current is None:
        return EditConflict(subject=subject, seen_version=seen, current_version=None, deleted=True)
    changes, editors = [], []
    rows = history_rows(obj)
    if rows is not None and seen is not None:
        then = row_at_version(obj, seen)
        if then is not None:
            changes = [
                FieldChange(name, label, getattr(then, attname), getattr(current, attname))
                for name, label in labels.items()
                if getattr(then, attname := _attname(obj, name)) != getattr(current, attname)
            ]
            if related_changes is not None:
                changes += related_changes(then.history_date)
        editors = [
            Editor(user_label(row.history_user), row.history_date)
            for row in rows.filter(version__gt=seen)
            .select_related("history_user")
            .order_by("history_date")
        ]
    return EditConflict(
        subject=subject,
        seen_version=seen,
        current_version=current.version,
        changes=changes,
        editors=editors,
        note=note,
    )


def require_version(obj: models.Model, seen: int | None, *, subject, labels: dict) -> None:
    """Refuse an action (a deletion) based on an older version than the stored one.

    Locks the row (on PostgreSQL) so that the version cannot move until the transaction ends.
    """
    current = (
        type(obj)
        ._default_manager.select_for_update()
        .filter(pk=obj.pk)
        .values_list("version", flat=True)
        .first()
    )
    if current is None or (seen is not None and current != seen):
        raise conflict_for(obj, seen, subject=subject, labels=labels)


def save_versioned(
    obj: models.Model,
    seen: int | None,
    *,
    subject,
    labels: dict,
    related_changes: Callable[[Any], list[FieldChange]] | None = None,
) -> None:
    """Claim the next version of an existing ``obj`` or raise its ``EditConflict``."""
    if obj.pk is None:
        return
    if claim_version(obj, seen) is None:
        raise conflict_for(
            obj, seen, subject=subject, labels=labels, related_changes=related_changes
        )
