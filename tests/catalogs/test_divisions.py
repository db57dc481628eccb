"""Loading divisions: one province, several, or all, each national file read once."""

import csv
import gzip

import pytest
from django.core.management import CommandError, call_command

from catalogs import divisions
from catalogs.divisions import load_divisions
from catalogs.models import Region, RegionLevel

pytestmark = pytest.mark.django_db

FILES = {
    "provinces.csv.gz": (["code", "name"], [["21", "辽宁省"], ["22", "吉林省"]]),
    "cities.csv.gz": (
        ["code", "name", "provinceCode"],
        [["2101", "沈阳市", "21"], ["2201", "长春市", "22"]],
    ),
    "areas.csv.gz": (
        ["code", "name", "cityCode", "provinceCode"],
        [["210102", "和平区", "2101", "21"], ["220122", "农安县", "2201", "22"]],
    ),
    "streets.csv.gz": (
        ["code", "name", "areaCode", "provinceCode", "cityCode"],
        [
            ["210102001", "浑河站西街道", "210102", "21", "2101"],
            ["220122100", "农安镇", "220122", "22", "2201"],
        ],
    ),
    "villages.csv.gz": (
        ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"],
        [
            ["210102001001", "甲社区居委会", "210102001", "21", "2101", "210102"],
            ["220122100001", "乙村委会", "220122100", "22", "2201", "220122"],
            ["220122100002", "丙村委会", "220122100", "22", "2201", "220122"],
        ],
    ),
}


@pytest.fixture
def national(tmp_path, monkeypatch):
    for name, (header, rows) in FILES.items():
        with gzip.open(tmp_path / name, "wt", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    opened = []
    real_open = gzip.open

    def counting_open(path, *args, **kwargs):
        opened.append(path.name)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(divisions, "DIVISIONS_DIR", tmp_path)
    monkeypatch.setattr(divisions.gzip, "open", counting_open)
    return tmp_path, opened


def test_all_provinces_read_each_file_once(national):
    directory, opened = national
    result = load_divisions(directory=directory)
    assert sorted(opened) == sorted(FILES)
    assert result.provinces == ["21", "22"]
    assert result.by_level[RegionLevel.VILLAGE] == 3
    # 长白山管委会 is added under 吉林省 like a city.
    assert Region.objects.get(code="2299").parent.code == "22"
    assert Region.objects.get(code="220122100002").path == "22/2201/220122/220122100/220122100002/"


def test_rerun_changes_nothing_and_corrects_renames(national):
    directory, _ = national
    first = load_divisions(provinces=["22"], directory=directory)
    assert first.created == 7  # province, city, 2299, county, township, two villages
    assert not Region.objects.filter(code__startswith="21").exists()
    again = load_divisions(provinces=["22"], directory=directory)
    assert (again.created, again.updated) == (0, 0)
    Region.objects.filter(code="220122100001").update(name="旧名")
    fixed = load_divisions(provinces=["22"], directory=directory)
    assert (fixed.created, fixed.updated) == (0, 1)
    assert Region.objects.get(code="220122100001").name == "乙村委会"


def test_command_all_and_several(national, capsys):
    call_command("load_divisions", "--province", "21,22", "--no-villages")
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 0
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 2
    call_command("load_divisions", "--all")
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 3
    assert "created 3" in capsys.readouterr().out


def test_command_refuses_unknown_or_malformed_province(national):
    with pytest.raises(CommandError, match="没有代码为 99 的省份"):
        call_command("load_divisions", "--province", "99")
    with pytest.raises(CommandError, match="应为两位数字"):
        call_command("load_divisions", "--province", "2a")


# ---------------------------------------------------------------------------
# Who compiles catalogs, and 长白山管委会's units
# ---------------------------------------------------------------------------

JILIN = {
    "provinces.csv.gz": (["code", "name"], [["22", "吉林省"]]),
    "cities.csv.gz": (
        ["code", "name", "provinceCode"],
        [["2201", "长春市", "22"], ["2206", "白山市", "22"], ["2224", "延边朝鲜族自治州", "22"]],
    ),
    "areas.csv.gz": (
        ["code", "name", "cityCode", "provinceCode"],
        [
            ["220122", "农安县", "2201", "22"],
            ["220802", "洮北区", "2201", "22"],
            ["220621", "抚松县", "2206", "22"],
            ["222426", "安图县", "2224", "22"],
        ],
    ),
    "streets.csv.gz": (
        ["code", "name", "areaCode", "provinceCode", "cityCode"],
        [
            ["220122100", "农安镇", "220122", "22", "2201"],
            ["220122400", "洼中高农场", "220122", "22", "2201"],
            ["220122401", "绿园经济开发区", "220122", "22", "2201"],
            ["220122402", "大安经济开发区（省级）", "220122", "22", "2201"],
            ["220122403", "红星牧场", "220122", "22", "2201"],
            ["220122404", "查干湖渔场", "220122", "22", "2201"],
            ["220122405", "延吉市林业局", "220122", "22", "2201"],
            ["220122406", "四平农科院", "220122", "22", "2201"],
            ["220122407", "高原生物研究所", "220122", "22", "2201"],
            ["220122172", "永吉经济开发区特殊乡镇", "220122", "22", "2201"],
            ["220802006", "（工业园区）城南街道", "220802", "22", "2201"],
            ["220802007", "种畜场街道", "220802", "22", "2201"],
            ["220802008", "高新街道", "220802", "22", "2201"],
            ["220621100", "抚松镇", "220621", "22", "2206"],
            ["220621120", "长白山保护开发区池西区特殊乡镇", "220621", "22", "2206"],
            ["220621121", "长白山保护开发区池南区特殊乡镇", "220621", "22", "2206"],
            ["222426102", "二道白河镇", "222426", "22", "2224"],
            ["222426120", "长白山保护开发区池北区特殊乡镇", "222426", "22", "2224"],
        ],
    ),
    "villages.csv.gz": (
        ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"],
        [["222426102001", "白河社区", "222426102", "22", "2224", "222426"]],
    ),
}


@pytest.fixture
def jilin(tmp_path, monkeypatch):
    for name, (header, rows) in JILIN.items():
        with gzip.open(tmp_path / name, "wt", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    monkeypatch.setattr(divisions, "DIVISIONS_DIR", tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("洼中高农场", "农场"),
        ("红星牧场", "牧场、种畜场"),
        ("查干花种畜场", "牧场、种畜场"),
        ("敖东鹿场", "牧场、种畜场"),
        ("查干湖渔场", "渔场"),
        ("太平川机械林场", "林业单位"),
        ("延吉市林业局", "林业单位"),
        ("长白山森工集团敦化林业有限公司", "林业单位"),
        ("松原市善友国有林保护中心", "林业单位"),
        ("哈拉毛都良种场", "良种场、原种场"),
        ("良种繁育场", "良种场、原种场"),
        ("四平农科院", "科研单位"),
        ("高原生物研究所", "科研单位"),
        ("绿园经济开发区", "园区、开发区"),
        ("皓月产业园区", "园区、开发区"),
        ("大安经济开发区（省级）", "园区、开发区"),
        ("长岭环城工业集中区", "园区、开发区"),
        ("永吉经济开发区特殊乡镇", "园区、开发区"),
        ("磐石经济开发区特殊街道", "园区、开发区"),
        ("拉林灌区管理局", "水利单位"),
        ("五间房水库", "水利单位"),
        # Townships whose names merely contain such words.
        ("（工业园区）城南街道", None),
        ("种畜场街道", None),
        ("农场街道", None),
        ("高新街道", None),
        ("东局子街道", None),
        ("开发区关堤乡", None),
        ("林场镇", None),
        ("农安镇", None),
        ("东宝新村", None),
    ],
)
def test_non_compiling_kinds_by_official_name(name, kind):
    assert divisions.non_compiling_kind(name) == kind


def test_farms_and_zones_compile_no_catalog_and_are_listed(jilin):
    result = load_divisions(provinces=["22"], directory=jilin)
    off = {unit.code: unit.kind for unit in result.switched_off}
    assert off == {
        "220122400": "农场",
        "220122401": "园区、开发区",
        "220122402": "园区、开发区",
        "220122403": "牧场、种畜场",
        "220122404": "渔场",
        "220122405": "林业单位",
        "220122406": "科研单位",
        "220122407": "科研单位",
        "220122172": "园区、开发区",
    }
    farm = Region.objects.get(code="220122400")
    assert not farm.compiles_catalogs and not farm.compile_set_by_province
    assert farm.compile_note == "农场，不单独编制目录，由农安县代为公开"
    compiling = set(Region.objects.filter(compiles_catalogs=True).values_list("code", flat=True))
    assert {"220122100", "220802006", "220802007", "220802008"} <= compiling
    holders = set(Region.objects.catalog_holders().values_list("code", flat=True))
    assert "220122400" not in holders and "220122100" in holders
    again = load_divisions(provinces=["22"], directory=jilin)
    assert (again.created, again.updated, again.switched_off) == (0, 0, [])


def test_changbaishan_units_are_placed_under_it(jilin):
    load_divisions(provinces=["22"], directory=jilin)
    by_code = {r.code: r for r in Region.objects.filter(parent__code="2299")}
    assert {code: r.name for code, r in by_code.items()} == {
        "222426120": "池北区",
        "220621120": "池西区",
        "220621121": "池南区",
        "222426102": "二道白河镇",
    }
    assert all(r.level == RegionLevel.TOWNSHIP and r.compiles_catalogs for r in by_code.values())
    assert by_code["222426102"].path == "22/2299/222426102/"
    village = Region.objects.get(code="222426102001")
    assert village.path == "22/2299/222426102/222426102001/"
    assert not Region.objects.filter(path__startswith="22/2224/222426/222426102").exists()


def test_a_database_loaded_before_the_correction_is_corrected(jilin):
    """Regions filed as in the statistics (an older load) move under 2299 with what is below."""
    load_divisions(provinces=["22"], directory=jilin)
    antu = Region.objects.get(code="222426")
    town = Region.objects.get(code="222426102")
    Region.objects.filter(pk=town.pk).update(parent=antu, path=f"{antu.path}222426102/")
    Region.objects.filter(code="222426102001").update(path=f"{antu.path}222426102/222426102001/")
    fixed = load_divisions(provinces=["22"], directory=jilin, with_villages=False)
    assert fixed.updated == 1
    assert Region.objects.get(code="222426102001").path == "22/2299/222426102/222426102001/"


def test_a_rerun_never_overrides_what_the_province_set(jilin):
    load_divisions(provinces=["22"], directory=jilin)
    Region.objects.filter(code="220122400").update(
        compiles_catalogs=True, compile_note="", compile_set_by_province=True
    )
    Region.objects.filter(code="220122100").update(
        compiles_catalogs=False, compile_note="并入农安县", compile_set_by_province=True
    )
    result = load_divisions(provinces=["22"], directory=jilin)
    assert Region.objects.get(code="220122400").compiles_catalogs is True
    town = Region.objects.get(code="220122100")
    assert (town.compiles_catalogs, town.compile_note) == (False, "并入农安县")
    assert result.kept_by_province == 2 and result.switched_off == []
    # A flag the loader set itself follows the rule again (e.g. after a bad manual update).
    Region.objects.filter(code="220122403").update(compiles_catalogs=True, compile_note="")
    fixed = load_divisions(provinces=["22"], directory=jilin)
    assert [unit.code for unit in fixed.switched_off] == ["220122403"]


def test_command_lists_what_it_switched_off(jilin, capsys):
    call_command("load_divisions", "--province", "22")
    out = capsys.readouterr().out
    assert "不单独编制目录（由所在县代为公开）：9个" in out
    assert "220122400 洼中高农场（农场）" in out
    call_command("load_divisions", "--province", "22")
    assert "不单独编制目录" not in capsys.readouterr().out
