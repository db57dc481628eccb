"""Fixtures of the matters tests: a small 实施清单 of 农安县, 长春市 and 永吉县."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from matters.models import ServiceMatter


def matter(region, code, name, department="民政", **extra) -> ServiceMatter:
    return ServiceMatter.objects.create(
        region=region,
        code=code,
        name=name,
        department=department,
        implementer=f"{region.name}民政局",
        imported_at=timezone.now(),
        **extra,
    )


@pytest.fixture
def matters(regions):
    return SimpleNamespace(
        dibao=matter(regions.nongan, "220122000720001000", "最低生活保障对象认定"),
        tekun=matter(regions.nongan, "220122000720002000", "特困人员认定"),
        linjiu=matter(regions.nongan, "220122000720003000", "临时救助对象认定"),
        low_income=matter(regions.nongan, "220122000720004000", "低收入家庭认定"),
        city_elderly=matter(regions.changchun, "2201000720008000", "养老服务扶持补贴"),
        yongji_dibao=matter(regions.yongji, "220221000720001000", "最低生活保障对象认定"),
        other_department=matter(
            regions.nongan, "220122000120001000", "最低工资标准公示", department="人社"
        ),
    )
