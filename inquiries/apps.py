from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    name = "inquiries"
    verbose_name = "留言与回应"
