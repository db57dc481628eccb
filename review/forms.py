from django import forms

from catalogs import vocabulary
from catalogs.models import CatalogStatus
from catalogs.vocabulary import ELEMENT_LABELS
from items.models import Item
from review.models import Decision, FindingState, Severity


class DateInput(forms.DateInput):
    input_type = "date"


class MoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=CatalogStatus.choices)
    from_status = forms.ChoiceField(choices=CatalogStatus.choices)
    note = forms.CharField(label="说明", required=False, max_length=1000)
    # Set by the confirmation page of moves that lock, unlock or go backwards.
    confirmed = forms.BooleanField(required=False)


class MoveConfirmForm(forms.Form):
    note = forms.CharField(
        label="说明",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, note_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if note_required:
            self.fields["note"].required = True
            self.fields["note"].label = "退回理由（必填）"
            self.fields["note"].error_messages["required"] = "退回整改须说明理由。"


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.seq}. {obj.name}"


class FindingForm(forms.Form):
    item = ItemChoiceField(
        label="事项", queryset=Item.objects.none(), required=False, empty_label="（整个目录）"
    )
    element = forms.ChoiceField(
        label="要素", choices=[("", "（整个事项）"), *ELEMENT_LABELS.items()], required=False
    )
    severity = forms.ChoiceField(label="严重程度", choices=Severity.choices)
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 3}))
    required_fix = forms.CharField(
        label="整改要求", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    due_on = forms.DateField(label="整改期限", widget=DateInput, required=False)

    def __init__(self, *args, catalog, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(catalog=catalog).order_by("seq", "pk")


class FindingMoveForm(forms.Form):
    """A move of one finding; ``seen_event`` is the newest event its page showed, so that a
    move over someone else's (an answer, a verification) is refused."""

    seen_event = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class AnswerForm(FindingMoveForm):
    answer = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(FindingMoveForm):
    note = forms.CharField(label="核销意见", required=False, max_length=1000)


class ReopenForm(FindingMoveForm):
    note = forms.CharField(label="重新打开的理由", widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label="新的整改期限", widget=DateInput, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="验收结论",
        choices=[
            (Decision.ACCEPT, "通过验收：目录保持锁定，验收结论和目录快照存档，不能修改"),
            (Decision.RETURN, "退回整改：目录解锁，退回本地修改，整改后须重新提交复验"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="验收意见", widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(forms.Form):
    note = forms.CharField(label="说明", required=False, max_length=1000)


class CampaignCopyForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2020, max_value=2100)
    title = forms.CharField(label="名称", required=False, max_length=120)
    make_current = forms.BooleanField(label="设为当前年度", required=False)


# ---------------------------------------------------------------------------
# The correction loop on one page: one small form per finding, prefixed by its id
# ---------------------------------------------------------------------------

TERM_FIELDS = {
    "channels": vocabulary.CHANNELS,
    "audience": vocabulary.AUDIENCES,
    "method": vocabulary.METHODS,
    "levels": vocabulary.LEVELS,
}
LONG_TEXT_FIELDS = ("content", "basis")


def finding_prefix(finding) -> str:
    return f"f{finding.pk}"


class CorrectionForm(forms.Form):
    """One finding's answer and, where it names an element of an item, that element's new
    value (prefilled with the current one)."""

    answer = forms.CharField(
        label="整改情况",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="说明改了什么；只修改了上面的要素时可以不填，系统会自动写明。",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, row, editable: bool, **kwargs):
        self.row = row
        item = row.item
        initial = {"version": item.version if item else None}
        self.edit_fields = row.fields if (item is not None and editable) else ()
        for name in self.edit_fields:
            initial[name] = getattr(item, name)
        super().__init__(*args, prefix=finding_prefix(row.finding), initial=initial, **kwargs)
        for name in self.edit_fields:
            label = vocabulary.FIELD_LABELS.get(name, name)
            if name in TERM_FIELDS:
                self.fields[name] = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=[(term, term) for term in TERM_FIELDS[name]],
                    widget=forms.CheckboxSelectMultiple,
                )
            elif name in LONG_TEXT_FIELDS:
                self.fields[name] = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4 if name == "content" else 2}),
                )
            else:
                self.fields[name] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=Item._meta.get_field(name).max_length,
                )
        self.fields["answer"].widget.attrs["aria-describedby"] = (
            self["answer"].id_for_label + "-help"
        )

    @property
    def was_shown(self) -> bool:
        """Whether the post carries this form (its hidden version field always goes along):
        a form missing from the post changes nothing."""
        return self.add_prefix("version") in self.data

    def item_values(self) -> dict:
        """The element values the user changed (compared with the item as shown)."""
        item = self.row.item
        values = {}
        if not self.was_shown:
            return values
        for name in self.edit_fields:
            if name not in TERM_FIELDS and self.add_prefix(name) not in self.data:
                continue  # not posted: left as it is
            value = self.cleaned_data.get(name)
            if name in TERM_FIELDS:
                value = list(value or [])
                # Terms outside the vocabulary (kept under 其他) are not offered as boxes.
                value += [term for term in getattr(item, name) if term not in TERM_FIELDS[name]]
            else:
                value = (value or "").strip()
            if value != getattr(item, name):
                values[name] = value
        return values

    @property
    def edit_boundfields(self) -> list[tuple]:
        """(bound field, whether it is a list of check boxes) of the element fields."""
        return [(self[name], name in TERM_FIELDS) for name in self.edit_fields]

    @property
    def has_input(self) -> bool:
        return self.was_shown and bool(
            self.cleaned_data.get("answer", "").strip() or self.item_values()
        )


class VerdictForm(forms.Form):
    """The reviewer's verdict on one answered finding."""

    verdict = forms.ChoiceField(
        label="核验结论",
        required=False,
        choices=[
            (FindingState.VERIFIED, "核销：整改到位，关闭问题"),
            (FindingState.REOPENED, "重新打开：整改不到位，退回本地继续整改"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="核验意见（重新打开时必填）",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(label="新的整改期限（重新打开时）", widget=DateInput, required=False)

    def __init__(self, *args, row, **kwargs):
        self.row = row
        super().__init__(*args, prefix=finding_prefix(row.finding), **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("verdict") == FindingState.REOPENED and not (data.get("note") or "").strip():
            self.add_error("note", "重新打开须说明理由。")
        return data


class ResubmitForm(forms.Form):
    from_status = forms.ChoiceField(choices=CatalogStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label="说明（可选）",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
