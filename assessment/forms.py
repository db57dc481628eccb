from django import forms

from assessment.models import MAX_MARK, Dimension


class OverrideForm(forms.Form):
    dimension = forms.ChoiceField(label="评分项", choices=Dimension.choices)
    mark = forms.TypedChoiceField(
        label="调整后评分", coerce=int, choices=[(m, f"{m}分") for m in range(MAX_MARK + 1)]
    )
    reason = forms.CharField(
        label="调整理由", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class RoundForm(forms.Form):
    due_on = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}))
