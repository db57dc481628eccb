"""Calling services from admin forms: a refusal re-renders the form in Chinese, and forms
carry the version they showed (edit conflicts keep the user's input).
"""

from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from catalogs.concurrency import EditConflict, values_at_version

# ---------------------------------------------------------------------------
# Service errors
# ---------------------------------------------------------------------------


class ServiceRefused(Exception):
    """A service refused a write made from an admin form; carries Chinese messages.

    ``data`` holds form values to show instead of the posted ones when the form is shown
    again (after an edit conflict: the new version, the other person's values); a value
    of ``None`` removes the key.
    """

    def __init__(self, messages: list[str], data: dict[str, list[str] | None] | None = None):
        super().__init__("; ".join(messages))
        self.messages = messages
        self.data = data or {}


def refusal_messages(error: Exception, labels: dict[str, str] | None = None) -> list[str]:
    """The Chinese messages of a ValidationError or PermissionDenied, naming fields."""
    labels = labels or {}
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            result = []
            for field, field_errors in error.message_dict.items():
                label = labels.get(field, "")
                for message in field_errors:
                    named = label and label not in message and field != "__all__"
                    result.append(f"{label}：{message}" if named else message)
            return result
        return list(error.messages)
    return [str(error) or "您无权执行此操作。"]


@contextmanager
def calling_service(
    *, prefix: str = "", labels: dict[str, str] | None = None, form: forms.BaseForm | None = None
):
    """Run a service call from a change form; a refusal re-renders the form.

    Pass the ``form`` that sent a version (``VersionedFormMixin``): after an edit conflict
    it is shown again with the user's input, the current version, and the other person's
    values in the fields the user left as they were.
    """
    try:
        yield
    except EditConflict as conflict:
        raise ServiceRefused(*conflict_feedback(conflict, form)) from conflict
    except (ValidationError, PermissionDenied) as error:
        raise ServiceRefused([prefix + m for m in refusal_messages(error, labels)]) from error


# ---------------------------------------------------------------------------
# Edit conflicts: forms carry the version they showed
# ---------------------------------------------------------------------------

VERSION_FIELD = "seen_version"


class VersionField(forms.IntegerField):
    """The version of the row a form showed, sent back with the save (a hidden input).

    Never a change by itself: an item whose form only carries its version is unchanged.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("label", "版本")
        super().__init__(**kwargs)

    def has_changed(self, initial, data):
        return False


class VersionedFormMixin:
    """A model form over a versioned row: ``seen_version`` carries the version it showed.

    The form declares ``seen_version = VersionField()`` (so that the admin may name it in
    its fieldsets, where it is rendered hidden); this mixin fills it from the instance.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and VERSION_FIELD in self.fields:
            self.fields[VERSION_FIELD].initial = self.instance.version

    @property
    def seen_version(self) -> int | None:
        """The version the user's page showed (``None`` for a new row or an old page)."""
        if self.instance.pk is None:
            return None
        return self.cleaned_data.get(VERSION_FIELD)


def _same_value(a, b) -> bool:
    empty = (None, "", [], ())
    if a in empty and b in empty:
        return True
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return list(a) == list(b)
    if isinstance(a, str) and isinstance(b, str):
        return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()
    return a == b


def _post_values(value) -> list[str] | None:
    """A stored value as the POST values of its form field (``None``: an unticked box)."""
    if isinstance(value, bool):
        return ["on"] if value else None
    if isinstance(value, list | tuple):
        return [str(part) for part in value]
    if value is None:
        return [""]
    if hasattr(value, "pk"):
        return [str(value.pk)]
    if hasattr(value, "isoformat"):
        return [value.isoformat()]
    return [str(value)]


def own_changes(form, values: dict) -> dict:
    """``values`` (a form's changes against the stored row) less the fields the user left
    as the page showed them: on a stale page those differ from the stored row only because
    someone else changed them since, and writing them would undo that change."""
    seen = form.seen_version
    instance = form.instance
    if not values or seen is None or instance.pk is None or seen == instance.version:
        return values
    then = values_at_version(instance, seen, values)
    if then is None:
        return values
    return {name: value for name, value in values.items() if not _same_value(then[name], value)}


def conflict_feedback(conflict: EditConflict, form) -> tuple[list[str], dict]:
    """The messages and the form data to show after ``conflict``.

    The user's input stays. Where the user left a field as it was and the other person
    changed it, the form now shows the other person's value; where both changed it, the
    user's input stays and the message says so. The form carries the current version, so
    that saving again (after checking) is accepted.
    """
    lines = [conflict.messages[0]]
    data: dict[str, list[str] | None] = {}
    if form is None or conflict.deleted:
        return lines, data
    cleaned = getattr(form, "cleaned_data", {}) or {}
    taken, kept = [], []
    for change in conflict.changes:
        if change.name not in form.fields or change.name not in cleaned:
            continue
        if _same_value(cleaned[change.name], change.seen):
            data[form.add_prefix(change.name)] = _post_values(change.current)
            taken.append(change.label)
        elif not _same_value(cleaned[change.name], change.current):
            kept.append(change.label)
    if taken:
        lines.append(
            f"您没有改动的“{'”“'.join(taken)}”已在表单中换成{conflict_editor(conflict)}保存的内容。"
        )
    if kept:
        lines.append(
            f"“{'”“'.join(kept)}”您和{conflict_editor(conflict)}都修改了，表单中保留的是您的输入，"
            "请核对后决定是否保存。"
        )
    if conflict.current_version is not None:
        data[form.add_prefix(VERSION_FIELD)] = [str(conflict.current_version)]
    return lines, data


def conflict_editor(conflict: EditConflict) -> str:
    names = list(dict.fromkeys(editor.name for editor in conflict.editors))
    return "、".join(names) if names else "对方"


def report_refusal(request, error: Exception, *, prefix: str = "", labels=None) -> None:
    """Show a service's refusal of an admin action as an error message."""
    for message in refusal_messages(error, labels):
        messages.error(request, prefix + message)
