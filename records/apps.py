from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "公开信息"

    def ready(self):
        from records import signals  # noqa: F401
