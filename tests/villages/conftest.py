"""Villages under the shared tree's townships, and the village standard.

220122100 农安镇 ── 220122100201 东村, 220122100202 西村, 220122100001 城关社区
220122101 伏龙泉镇 ── 220122101201 伏龙泉村
220221100 岔路河镇 ── 220221100201 岔路河村
"""

from types import SimpleNamespace

import pytest

from catalogs.models import Region, RegionLevel
from catalogs.permissions import SYSTEM
from catalogs.villages import village_standard_publish_initial

VILLAGES = [
    ("220122100201", "东村村民委员会", "220122100"),
    ("220122100202", "西村村民委员会", "220122100"),
    ("220122100001", "城关社区居民委员会", "220122100"),
    ("220122101201", "伏龙泉村村民委员会", "220122101"),
    ("220221100201", "岔路河村村民委员会", "220221100"),
]


@pytest.fixture
def villages(regions):
    made = {}
    for code, name, parent in VILLAGES:
        made[code] = Region.objects.create(
            code=code, name=name, level=RegionLevel.VILLAGE, parent=regions.by_code[parent]
        )
    return SimpleNamespace(
        east=made["220122100201"],
        west=made["220122100202"],
        community=made["220122100001"],
        fulongquan=made["220122101201"],
        chaluhe=made["220221100201"],
        by_code=made,
    )


@pytest.fixture
def village_edition(standards):
    return village_standard_publish_initial(actor=SYSTEM)
