from django import forms

from catalogs.models import CatalogStatus
from catalogs.vocabulary import ELEMENT_LABELS
from items.models import Item
from review.models import Decision, Severity


class DateInput(forms.DateInput):
    input_type = "date"


class MoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=CatalogStatus.choices)
    from_status = forms.ChoiceField(choices=CatalogStatus.choices)
    note = forms.CharField(label="说明", required=False, max_length=1000)


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


class AnswerForm(forms.Form):
    answer = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(forms.Form):
    note = forms.CharField(label="核销意见", required=False, max_length=1000)


class ReopenForm(forms.Form):
    note = forms.CharField(label="重新打开的理由", widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label="新的整改期限", widget=DateInput, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="验收结论", choices=Decision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="验收意见", widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(forms.Form):
    note = forms.CharField(label="说明", required=False, max_length=1000)


class CampaignCopyForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2020, max_value=2100)
    title = forms.CharField(label="名称", required=False, max_length=120)
    make_current = forms.BooleanField(label="设为当前年度", required=False)
