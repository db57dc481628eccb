"""The item form (check boxes for the list elements, the version it showed) and the
version-checked save of a catalog's inline items.
"""

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME

from catalogs import vocabulary
from catalogs.admin.base import (
    AdminModelForm,
    TermsField,
    VersionedFormMixin,
    VersionField,
    calling_service,
    own_changes,
    show_unknown_terms,
)
from catalogs.concurrency import require_version
from items.models import Item
from items.services import ELEMENT_FIELDS, ITEM_LABELS, item_create, item_delete, item_update

LABELS = {**vocabulary.ELEMENT_LABELS, "seq": "序号", "level1": "一级事项", "level2": "二级事项"}

# Fields an item takes over from its standard item when a catalog is derived.
DERIVED_FIELDS = [name for name in ELEMENT_FIELDS if name not in ("seq", "channel_other")]


# ---------------------------------------------------------------------------
# The item form: JSON lists as check boxes, messages that name the field
# ---------------------------------------------------------------------------


class ItemForm(VersionedFormMixin, AdminModelForm):
    seen_version = VersionField()
    channels = TermsField(vocabulary=vocabulary.CHANNELS, label=LABELS["channels"])
    audience = TermsField(vocabulary=vocabulary.AUDIENCES, label=LABELS["audience"])
    method = TermsField(vocabulary=vocabulary.METHODS, label=LABELS["method"])
    levels = TermsField(vocabulary=vocabulary.LEVELS, label=LABELS["levels"])

    class Meta:
        model = Item
        fields = ["catalog", *ELEMENT_FIELDS]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3, "cols": 60}),
            "basis": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "level1": forms.TextInput(attrs={"size": 16}),
            "level2": forms.TextInput(attrs={"size": 24}),
            "deadline": forms.TextInput(attrs={"size": 34}),
            "subject": forms.TextInput(attrs={"size": 44}),
            "seq": forms.NumberInput(attrs={"class": "gk-seq"}),
        }
        help_texts = {
            "content": "每行一个要素，以“●”开头。",
            "channel_other": "勾选“其他”时必须填写具体渠道。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        show_unknown_terms(self)
        if "seq" in self.fields and self.instance.pk is None:
            self.fields["seq"].required = False
            self.fields["seq"].help_text = "留空则排在最后。"

    def element_values(self, *, changed_only: bool) -> dict:
        names = self.changed_data if changed_only else list(self.cleaned_data)
        values = {name: self.cleaned_data[name] for name in names if name in ELEMENT_FIELDS}
        if values.get("seq") is None:
            values.pop("seq", None)
        return values


def item_label(form) -> str:
    initial = form.initial
    if form.instance.pk is None:
        return "新增事项："
    name = initial.get("level1", "")
    if initial.get("level2"):
        name += f" · {initial['level2']}"
    return f"第{initial.get('seq', '')}项“{name}”："


def save_item_formset(request, formset) -> None:
    """Save a catalog's inline items through the item services, recording what changed.

    Only the items the user changed are written, each against the version its form
    showed: an item someone else changed since is left alone when the user did not touch
    it, and refused (with the other person's change shown) when the user did.
    """
    actor, catalog = request.user, formset.instance
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.initial_forms:
        item = form.instance
        with calling_service(prefix=item_label(form), labels=LABELS, form=form):
            if formset.can_delete and form.cleaned_data.get(DELETION_FIELD_NAME):
                require_version(
                    item, form.seen_version, subject=item_label(form)[:-1], labels=ITEM_LABELS
                )
                item_delete(actor=actor, item=item)
                formset.deleted_objects.append(item)
            elif form.has_changed():
                values = own_changes(form, form.element_values(changed_only=True))
                if not values:
                    continue
                item_update(actor=actor, item=item, expected_version=form.seen_version, **values)
                formset.changed_objects.append((item, list(values)))
    for form in formset.extra_forms:
        if not form.has_changed() or form.cleaned_data.get(DELETION_FIELD_NAME):
            continue
        with calling_service(prefix=item_label(form), labels=LABELS):
            item = item_create(
                actor=actor, catalog=catalog, **form.element_values(changed_only=False)
            )
        form.instance = item
        formset.new_objects.append(item)
