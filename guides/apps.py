from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = "办事指南"

    def ready(self):
        from guides.publishing import on_catalogs_published
        from items.signals import catalogs_published

        catalogs_published.connect(on_catalogs_published, dispatch_uid="guides.publish_guides")
