from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "公众门户"

    def ready(self):
        from items.signals import catalogs_published
        from portal.search import level1_values_add

        def add_level1_values(sender, publications, **kwargs):
            level1_values_add(publications)

        catalogs_published.connect(
            add_level1_values, weak=False, dispatch_uid="portal-level1-values"
        )
