"""Password rules with Chinese messages.

Django 5.2 reworded the minimum-length message, and its Simplified Chinese catalog still
translates only the old wording, so staff would read English. Same rule, our message.
"""

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码长度太短，至少需要包含 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要包含 {self.min_length} 个字符。"
