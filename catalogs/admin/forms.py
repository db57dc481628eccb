"""Admin forms with Chinese messages: every field error names its field, a service's
refusal shows as a form error, textareas keep LF line ends.
"""

from django import forms

# ---------------------------------------------------------------------------
# Forms with Chinese messages
# ---------------------------------------------------------------------------


def name_field_in_messages(field: forms.Field, label: str) -> None:
    """Make a form field's error messages name the field, e.g. 请填写“公开依据”。"""
    field.error_messages.update(
        {
            "required": f"请填写“{label}”。",
            "invalid_choice": f"“{label}”中的“%(value)s”不是可选的选项。",
            "invalid": f"“{label}”的格式不正确。",
            "max_length": f"“{label}”最多%(limit_value)d个字符（现为%(show_value)d个）。",
            "min_value": f"“{label}”不能小于%(limit_value)s。",
            "max_value": f"“{label}”不能大于%(limit_value)s。",
        }
    )
    if isinstance(field, forms.IntegerField):
        field.error_messages["invalid"] = f"“{label}”应填写整数。"


class MultilineCharField(forms.CharField):
    """Text from a <textarea>: browsers send CRLF line ends; store (and compare) LF."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class ChineseMessagesFormMixin:
    """Field errors name their field; a service's refusal shows as a form error.

    Multi-line text keeps LF line ends, so an unchanged textarea is not a change.
    """

    # Set per request by ``RegionScopedAdmin.get_form`` after a service refused the write.
    service_errors: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            name_field_in_messages(field, str(field.label or name))
            if type(field) is forms.CharField and isinstance(field.widget, forms.Textarea):
                field.__class__ = MultilineCharField

    def clean(self):
        cleaned_data = super().clean()
        for message in self.service_errors:
            self.add_error(None, message)
        return cleaned_data


class AdminModelForm(ChineseMessagesFormMixin, forms.ModelForm):
    pass
