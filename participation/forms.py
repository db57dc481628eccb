"""The citizen's comment form (bounds repeated by ``services.comment_submit``)."""

from django import forms

from participation.models import COMMENT_MAX, COMMENTER_NAME_MAX, COMMENTER_PHONE_MAX


class CommentForm(forms.Form):
    text = forms.CharField(
        label="意见内容",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"不超过{COMMENT_MAX}字。含有链接的意见由工作人员审核后再公开。",
        error_messages={
            "required": "请填写“意见内容”。",
            "max_length": f"“意见内容”最多{COMMENT_MAX}个字，请删减后重新提交。",
        },
    )
    name = forms.CharField(
        label="姓名（选填）",
        max_length=COMMENTER_NAME_MAX,
        required=False,
        help_text="仅供工作人员联系您，不会公开。",
        error_messages={"max_length": f"“姓名”最多{COMMENTER_NAME_MAX}个字。"},
    )
    phone = forms.CharField(
        label="联系电话（选填）",
        max_length=COMMENTER_PHONE_MAX,
        required=False,
        help_text="仅供工作人员联系您，不会公开。",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"max_length": f"“联系电话”最多{COMMENTER_PHONE_MAX}个字符。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's own NUL check speaks in its words; say it in ours.
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"id_{name}-hint"
            field.error_messages["null_characters_not_allowed"] = (
                f"“{field.label}”含有不允许的控制字符（NUL），请删除后重新提交。"
            )
            for validator in field.validators:
                if type(validator).__name__ == "ProhibitNullCharactersValidator":
                    validator.message = (
                        f"“{field.label.replace('（选填）', '')}”含有不允许的控制字符（NUL），"
                        "请删除后重新提交。"
                    )
