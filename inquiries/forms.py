"""Forms: the citizen's question or correction, the reference lookup, the staff's answer and
the province's settings. Fields check length and characters with the same functions the
services use (``inquiries.validation``); the services decide."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError

from catalogs.admin.base import AdminModelForm, VersionField
from inquiries.models import (
    ANSWER_MAX,
    NAME_MAX,
    TEXT_MAX,
    Inquiry,
    InquirySettings,
    Kind,
    Visibility,
)
from inquiries.validation import (
    LABELS,
    clean_citizen_text,
    clean_phone,
    normalize_reference,
)


def _field_error(error: ValidationError, field: str) -> ValidationError:
    return ValidationError(error.message_dict.get(field, error.messages))


class AskForm(forms.Form):
    kind = forms.ChoiceField(
        label="留言类型",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        initial=Kind.QUESTION,
        error_messages={
            "required": "请选择“留言类型”：咨询或纠错。",
            "invalid_choice": "请选择“留言类型”：咨询或纠错。",
        },
    )
    text = forms.CharField(
        label="留言内容",
        # Not max_length: an over-long text is refused by clean_text with its length named.
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_MAX}),
        help_text=f"不超过{TEXT_MAX}字。请不要填写身份证号等个人敏感信息。",
        strip=False,
        required=False,
    )
    name = forms.CharField(
        label="姓名（选填）",
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": NAME_MAX, "autocomplete": "name"}),
    )
    phone = forms.CharField(
        label="联系电话（选填）",
        required=False,
        strip=False,
        help_text="便于工作人员联系您；不会公开。",
        widget=forms.TextInput(
            attrs={"maxlength": 20, "autocomplete": "tel", "inputmode": "tel", "type": "tel"}
        ),
    )

    def clean_text(self):
        try:
            return clean_citizen_text("text", self.cleaned_data.get("text"), required=True)
        except ValidationError as error:
            raise _field_error(error, "text") from error

    def clean_name(self):
        try:
            return clean_citizen_text("name", self.cleaned_data.get("name"))
        except ValidationError as error:
            raise _field_error(error, "name") from error

    def clean_phone(self):
        try:
            return clean_phone(self.cleaned_data.get("phone"))
        except ValidationError as error:
            raise _field_error(error, "phone") from error


class LookupForm(forms.Form):
    reference = forms.CharField(
        label="查询码",
        max_length=40,
        help_text="提交留言后页面显示的12位查询码，如 AB3D-EF7H-JK9M（不区分大小写）。",
        error_messages={
            "required": "请填写“查询码”。",
            "max_length": "“查询码”不能超过40个字符。",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_reference(self):
        value = normalize_reference(self.cleaned_data.get("reference"))
        if len(value) != 12:
            raise ValidationError("“查询码”应为12位字母和数字，请核对后重新输入。")
        return value


class AnswerAdminForm(AdminModelForm):
    """The staff's answer in the admin; the version says which state the clerk saw."""

    seen_version = VersionField()
    answer = forms.CharField(
        label="答复内容",
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": ANSWER_MAX}),
        required=False,
        help_text=f"不超过{ANSWER_MAX}字。公开答复将显示在事项页面上，请勿写入留言人的个人信息。",
    )
    visibility = forms.ChoiceField(
        label="答复方式",
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        initial=Visibility.PUBLIC,
        required=False,
    )

    class Meta:
        model = Inquiry
        fields = ["answer", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version


class SettingsAdminForm(AdminModelForm):
    seen_version = VersionField()

    class Meta:
        model = InquirySettings
        fields = ["reply_days", "retention_days", "hourly_limit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version


class OverviewForm(forms.Form):
    """The period of the overview: received between start and end (inclusive)."""

    MAX_DAYS = 3 * 366

    start = forms.DateField(
        label="收到日期自",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    region = forms.CharField(label="区划", required=False, max_length=12)

    def period(self, today: date) -> tuple[date, date]:
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or date(end.year, 1, 1)
        if start > end:
            start, end = end, start
        if (end - start).days > self.MAX_DAYS:
            start = end - timedelta(days=self.MAX_DAYS)
        return start, end


__all__ = [
    "LABELS",
    "AnswerAdminForm",
    "AskForm",
    "LookupForm",
    "OverviewForm",
    "SettingsAdminForm",
]
