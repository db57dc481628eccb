"""Vocabulary terms (公开渠道, 公开对象, 公开方式, 公开层级): edited as check boxes, shown
joined with 、.
"""

from collections.abc import Iterable

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from catalogs import vocabulary


class TermsField(forms.MultipleChoiceField):
    """A JSON list of vocabulary terms edited as check boxes, in the vocabulary's order.

    Terms a row already holds that are not in the vocabulary (from an old import) are
    shown too, so that saving never drops them silently; the form refuses them until
    they are unticked.
    """

    widget = forms.CheckboxSelectMultiple(attrs={"class": "gk-terms"})

    def __init__(self, *, vocabulary: Iterable[str], **kwargs):
        self.vocabulary = tuple(vocabulary)
        kwargs.setdefault("required", False)
        super().__init__(choices=[(term, term) for term in self.vocabulary], **kwargs)

    def keep_unknown(self, values) -> None:
        unknown = [value for value in values or [] if value not in self.vocabulary]
        if unknown:
            self.choices = [
                *self.choices,
                *((value, f"{value}（非标准选项）") for value in unknown),
            ]

    def clean(self, value):
        values = super().clean(value)
        unknown = [term for term in values if term not in self.vocabulary]
        if unknown:
            raise ValidationError(
                f"“{self.label}”含有非标准选项：{'、'.join(unknown)}，请取消勾选。",
                code="unknown_term",
            )
        return [term for term in self.vocabulary if term in values]

    def has_changed(self, initial, data):
        return list(initial or []) != list(self.to_python(data) or [])


def show_unknown_terms(form: forms.BaseForm) -> None:
    """Let every TermsField of a bound-to-instance form show the instance's unknown terms."""
    for name, field in form.fields.items():
        if isinstance(field, TermsField):
            field.keep_unknown(form.initial.get(name))


def join_terms(values) -> str:
    """A list element as one line: terms joined with 、, “—” when empty."""
    return "、".join(str(value) for value in values or []) or "—"


class TermDisplayMixin:
    """Read-only displays of the four list elements, joined with 、.

    Works for standard items, items and published items alike; an item's channels
    name its “其他” channel (``channel_labels``), a standard item has none.
    """

    @admin.display(description=vocabulary.ELEMENT_LABELS["channels"])
    def channels_display(self, item):
        return join_terms(getattr(item, "channel_labels", item.channels))

    @admin.display(description=vocabulary.ELEMENT_LABELS["audience"])
    def audience_display(self, item):
        return join_terms(item.audience)

    @admin.display(description=vocabulary.ELEMENT_LABELS["method"])
    def method_display(self, item):
        return join_terms(item.method)

    @admin.display(description=vocabulary.ELEMENT_LABELS["levels"])
    def levels_display(self, item):
        return join_terms(item.levels)
