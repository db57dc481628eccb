"""Shared fixtures: a small slice of Jilin, the standard catalogs and one user per role.

Region tree (real codes):
    22 吉林省
      2201 长春市
        220122 农安县 ── 220122100 农安镇, 220122101 伏龙泉镇
        220112 双阳区 ── 220112001 平湖街道
      2202 吉林市
        220221 永吉县 ── 220221100 岔路河镇
      2299 长白山管委会 (not a statistical division)
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from catalogs.models import Region, RegionLevel, Role, StandardCatalog
from catalogs.permissions import SYSTEM
from catalogs.services import standard_catalogs_load_initial
from items.services import catalog_derive
from tests.factories import localise, staff_user

TREE = [
    ("22", "吉林省", RegionLevel.PROVINCE, None),
    ("2201", "长春市", RegionLevel.CITY, "22"),
    ("220122", "农安县", RegionLevel.COUNTY, "2201"),
    ("220122100", "农安镇", RegionLevel.TOWNSHIP, "220122"),
    ("220122101", "伏龙泉镇", RegionLevel.TOWNSHIP, "220122"),
    ("220112", "双阳区", RegionLevel.COUNTY, "2201"),
    ("220112001", "平湖街道", RegionLevel.TOWNSHIP, "220112"),
    ("2202", "吉林市", RegionLevel.CITY, "22"),
    ("220221", "永吉县", RegionLevel.COUNTY, "2202"),
    ("220221100", "岔路河镇", RegionLevel.TOWNSHIP, "220221"),
    ("2299", "长白山管委会", RegionLevel.CITY, "22"),
]


@pytest.fixture
def regions(db):
    by_code = {}
    for code, name, level, parent in TREE:
        by_code[code] = Region.objects.create(
            code=code,
            name=name,
            level=level,
            parent=by_code.get(parent),
            is_division=code != "2299",
            office_name=f"{name}民政局" if level == RegionLevel.COUNTY else "",
        )
    return SimpleNamespace(
        province=by_code["22"],
        changchun=by_code["2201"],
        nongan=by_code["220122"],
        nongan_town=by_code["220122100"],
        fulongquan=by_code["220122101"],
        shuangyang=by_code["220112"],
        pinghu=by_code["220112001"],
        jilin_city=by_code["2202"],
        yongji=by_code["220221"],
        chaluhe=by_code["220221100"],
        changbaishan=by_code["2299"],
        by_code=by_code,
    )


@pytest.fixture
def standards(db):
    standard_catalogs_load_initial()
    return SimpleNamespace(
        social=StandardCatalog.objects.get(code="social-assistance"),
        elderly=StandardCatalog.objects.get(code="elderly-care"),
    )


@pytest.fixture
def users(regions):
    """One user per role; the editors and coordinator sit in 长春市/农安县/农安镇."""
    return SimpleNamespace(
        admin=staff_user(Role.PROVINCE_ADMIN, regions.province, "province-admin"),
        reviewer=staff_user(Role.PROVINCE_REVIEWER, regions.province, "province-reviewer"),
        coordinator=staff_user(Role.CITY_COORDINATOR, regions.changchun, "changchun-coordinator"),
        county_editor=staff_user(Role.COUNTY_EDITOR, regions.nongan, "nongan-editor"),
        township_editor=staff_user(Role.TOWNSHIP_EDITOR, regions.nongan_town, "nongan-town-editor"),
        other_county_editor=staff_user(Role.COUNTY_EDITOR, regions.yongji, "yongji-editor"),
        other_coordinator=staff_user(
            Role.CITY_COORDINATOR, regions.jilin_city, "jilin-coordinator"
        ),
    )


def log_in(client, user):
    """Log ``user`` in on a test client, reloaded first so that the session's password hash
    matches the database (a factory's user object can carry a stale one)."""
    client.force_login(get_user_model().objects.get(pk=user.pk))
    return client


@pytest.fixture
def login(client):
    """``login(user)`` logs a fixture user in on the test's ``client`` and returns it."""

    def _login(user):
        return log_in(client, user)

    return _login


@pytest.fixture
def catalogs(regions, standards):
    """Derived (unpublished) catalogs for 农安县, 农安镇 and 永吉县."""
    return SimpleNamespace(
        nongan_social=catalog_derive(
            actor=SYSTEM, region=regions.nongan, standard=standards.social
        ),
        nongan_elderly=catalog_derive(
            actor=SYSTEM, region=regions.nongan, standard=standards.elderly
        ),
        town_social=catalog_derive(
            actor=SYSTEM, region=regions.nongan_town, standard=standards.social
        ),
        yongji_social=catalog_derive(
            actor=SYSTEM, region=regions.yongji, standard=standards.social
        ),
    )


@pytest.fixture
def published(catalogs):
    """农安县's social-assistance catalog localised and published once."""
    from items.services import catalog_publish

    localise(catalogs.nongan_social)
    publication = catalog_publish(actor=SYSTEM, catalog=catalogs.nongan_social, note="首次发布")
    return SimpleNamespace(catalog=catalogs.nongan_social, publication=publication)
