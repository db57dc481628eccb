"""Helpers shared by the records app's management commands."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from catalogs.models import Region, StandardCatalog
from catalogs.permissions import SYSTEM


def find_region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise CommandError(f"找不到区划代码 {code}。")
    return region


def find_standard(code: str) -> StandardCatalog:
    standard = StandardCatalog.objects.filter(code=code).first()
    if standard is None:
        codes = "、".join(StandardCatalog.objects.values_list("code", flat=True)) or "无"
        raise CommandError(f"找不到标准目录“{code}”（可选：{codes}）。")
    return standard


def find_actor(username: str | None):
    if not username:
        return SYSTEM
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"找不到用户“{username}”。")
    return user
