"""factory_boy factories shared by every test module."""

import factory
from django.contrib.auth import get_user_model

from catalogs.models import Region, RegionLevel, Role, StaffProfile

ROLE_LEVEL = {
    Role.PROVINCE_ADMIN: RegionLevel.PROVINCE,
    Role.PROVINCE_REVIEWER: RegionLevel.PROVINCE,
    Role.CITY_COORDINATOR: RegionLevel.CITY,
    Role.COUNTY_EDITOR: RegionLevel.COUNTY,
    Role.TOWNSHIP_EDITOR: RegionLevel.TOWNSHIP,
}


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:03d}")
    name = factory.Sequence(lambda n: f"测试区划{n}")
    level = RegionLevel.PROVINCE
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("correct-horse-battery")


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    role = Role.COUNTY_EDITOR
    region = None


def staff_user(role: str, region: Region, username: str | None = None):
    """A staff user with one role in one region."""
    user = UserFactory(username=username or f"{role}-{region.code}")
    StaffProfileFactory(user=user, role=role, region=region)
    return user
