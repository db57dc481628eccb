from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "matters"
    verbose_name = "政务服务事项库与监督举报"
