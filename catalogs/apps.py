from django.apps import AppConfig
from django.urls import register_converter


class CatalogsConfig(AppConfig):
    name = "catalogs"
    verbose_name = "标准目录与区划"

    def ready(self):
        from catalogs.converters import IdConverter

        register_converter(IdConverter, "id")
