"""The village standard's first edition and the derivation of village catalogs."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from catalogs import vocabulary
from catalogs.models import Catalog, RegionLevel, StandardCatalog
from catalogs.permissions import SYSTEM
from catalogs.services import STANDARD_CATALOGS_FILE
from catalogs.villages import village_standard_publish_initial
from items.models import Item
from items.services import catalog_derive, catalogs_derive_many
from items.villages import township_village_catalogs_derive, village_catalogs_derive


def _expected_keys_from_fixture() -> list[str]:
    """Keys of the rows ticked 乡级 (乡、村级) or 村级, suggestions filling missing ticks."""
    data = json.loads(STANDARD_CATALOGS_FILE.read_text(encoding="utf-8"))
    keys = []
    for catalog in data["catalogs"]:
        for row in catalog["items"]:
            levels = row["levels"]
            if row["provenance"].get("levels") == "missing":
                levels = row.get("suggested", {}).get("levels", [])
            if "乡级" in levels or "村级" in levels:
                keys.append(f"{catalog['code']}-{row['seq']}")
    return keys


def test_first_edition_holds_the_items_that_reach_villages(village_edition):
    expected = _expected_keys_from_fixture()
    # 13 social-assistance rows (8 ticked, 5 suggested 乡级) and elderly care's row 6.
    assert len(expected) == 14
    assert expected[-1] == "elderly-care-6"
    items = list(village_edition.items.order_by("seq"))
    assert [item.key for item in items] == expected
    assert [item.seq for item in items] == list(range(1, 15))
    assert all(vocabulary.VILLAGE_LEVEL in item.levels for item in items)
    assert items[0].levels == ["县级", "乡级", "村级"]
    assert items[-1].notes == "来源：养老服务领域标准目录第1版第6项"
    standard = village_edition.standard
    assert (standard.code, standard.title, standard.for_villages) == (
        "village",
        "村（居）务公开标准目录",
        True,
    )
    assert village_edition.is_published


def test_first_edition_is_made_once(village_edition):
    assert village_standard_publish_initial(actor=SYSTEM) is None
    assert StandardCatalog.objects.filter(for_villages=True).count() == 1
    assert village_edition.standard.editions.count() == 1


def test_only_the_province_administrator_publishes_it(standards, users):
    with pytest.raises(PermissionDenied):
        village_standard_publish_initial(actor=users.county_editor)
    assert not StandardCatalog.objects.filter(for_villages=True).exists()


def test_township_derives_its_villages_catalogs(regions, villages, village_edition, users):
    result = township_village_catalogs_derive(
        actor=users.township_editor, township=regions.nongan_town
    )
    assert (result.created, result.existing) == (3, 0)
    catalogs = Catalog.objects.filter(region__level=RegionLevel.VILLAGE).order_by("region__code")
    assert [c.region.code for c in catalogs] == ["220122100001", "220122100201", "220122100202"]
    assert catalogs[1].title == "长春市农安县农安镇东村村民委员会村（居）务公开目录"
    assert Item.objects.filter(catalog=catalogs[1]).count() == 14
    # Rerun: nothing new.
    again = township_village_catalogs_derive(
        actor=users.township_editor, township=regions.nongan_town
    )
    assert (again.created, again.existing) == (0, 3)
    assert Catalog.objects.filter(region__level=RegionLevel.VILLAGE).count() == 3


def test_county_derives_every_township_and_skips_exempt_villages(
    regions, villages, village_edition
):
    villages.west.compiles_catalogs = False
    villages.west.save()
    lines = []
    report = village_catalogs_derive(actor=SYSTEM, root=regions.nongan, progress=lines.append)
    assert [r.township.code for r in report.townships] == ["220122100", "220122101"]
    assert (report.created, report.existing) == (3, 0)
    assert report.townships[0].exempt == 1
    assert not Catalog.objects.filter(region=villages.chaluhe).exists()
    assert len(lines) == 2


def test_another_regions_editor_is_refused(regions, villages, village_edition, users):
    with pytest.raises(PermissionDenied):
        village_catalogs_derive(actor=users.other_county_editor, root=regions.nongan)
    with pytest.raises(PermissionDenied):
        township_village_catalogs_derive(actor=users.township_editor, township=regions.fulongquan)
    with pytest.raises(PermissionDenied):
        village_catalogs_derive(actor=users.coordinator, root=regions.nongan_town)
    assert not Catalog.objects.filter(region__level=RegionLevel.VILLAGE).exists()


def test_county_editor_derives_for_its_townships(regions, villages, village_edition, users):
    report = village_catalogs_derive(actor=users.county_editor, root=regions.nongan)
    assert report.created == 4


def test_a_village_is_not_a_root(villages, village_edition):
    with pytest.raises(ValidationError):
        village_catalogs_derive(actor=SYSTEM, root=villages.east)


def test_province_wide_derivation_leaves_villages_alone(
    regions, villages, village_edition, standards
):
    report = catalogs_derive_many(
        actor=SYSTEM,
        root=regions.province,
        standards=StandardCatalog.objects.all(),
        recursive=True,
    )
    # 3 counties and 4 townships, two field standards each; never the village standard.
    assert len(report.created) == 14
    assert not Catalog.objects.filter(region__level=RegionLevel.VILLAGE).exists()
    assert not Catalog.objects.filter(standard__for_villages=True).exists()


def test_single_derivation_matches_standard_and_level(
    regions, villages, village_edition, standards
):
    with pytest.raises(ValidationError):
        catalog_derive(actor=SYSTEM, region=regions.nongan_town, standard=village_edition.standard)
    with pytest.raises(ValidationError):
        catalog_derive(actor=SYSTEM, region=villages.east, standard=standards.social)
    catalog = catalog_derive(actor=SYSTEM, region=villages.east, standard=village_edition.standard)
    assert catalog.items.count() == 14


def test_command_is_idempotent_and_reports_per_township(regions, villages, standards, capsys):
    call_command("derive_village_catalogs", region="220122")
    out = capsys.readouterr().out
    assert "已发布村（居）务公开标准目录" in out
    assert "220122100 农安镇: 新建3个，已有0个" in out
    assert "Derived 4 village catalogs (0 existing) in 2 townships" in out
    call_command("derive_village_catalogs", region="220122")
    out = capsys.readouterr().out
    assert "Derived 0 village catalogs (4 existing)" in out
    assert Catalog.objects.filter(region__level=RegionLevel.VILLAGE).count() == 4


def test_command_refuses_unknown_region_and_villages(villages, standards):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="找不到区划代码"):
        call_command("derive_village_catalogs", region="999")
    with pytest.raises(CommandError, match="村级区划"):
        call_command("derive_village_catalogs", region="220122100201")


def test_standard_rows_keep_the_village_tick():
    from catalogs.services import standard_item_values_from_json

    row = {
        "seq": 1,
        "level1": "村务",
        "level2": "公示",
        "content": "●名单",
        "levels": ["村级", "乡级"],
        "channels": [],
        "audience": [],
        "method": [],
        "provenance": {},
    }
    assert standard_item_values_from_json(row)["levels"] == ["乡级", "村级"]


def test_a_draft_village_edition_item_may_carry_the_village_tick(village_edition):
    from catalogs.services import edition_create_draft, standard_item_save

    draft = edition_create_draft(actor=SYSTEM, standard=village_edition.standard)
    item = draft.items.get(key="social-assistance-5")
    item.levels = ["村级"]
    standard_item_save(actor=SYSTEM, item=item, expected_version=item.version)
    item.refresh_from_db()
    assert item.levels == ["村级"]
    item.levels = ["组级"]
    with pytest.raises(ValidationError, match="无效的选项：组级"):
        standard_item_save(actor=SYSTEM, item=item)


def test_level_aliases_still_fold_into_the_township_level():
    # County and township catalogs read “乡、村级” as 乡级, as before.
    assert (
        vocabulary.canonical_term("乡、村级", vocabulary.ITEM_LEVELS, vocabulary.LEVEL_ALIASES)
        == "乡级"
    )
    assert vocabulary.reaches_villages(["乡级"]) and vocabulary.reaches_villages(["村级"])
    assert not vocabulary.reaches_villages(["县级"])


def test_an_interrupted_run_keeps_finished_townships_and_a_rerun_completes(
    regions, villages, village_edition
):
    class Interrupted(Exception):
        pass

    def stop_after_first(result):
        raise Interrupted(result.township.code)

    with pytest.raises(Interrupted):
        village_catalogs_derive(actor=SYSTEM, root=regions.nongan, progress=stop_after_first)
    # 农安镇 was finished (its transaction committed) before the interruption.
    assert Catalog.objects.filter(region__parent=regions.nongan_town).count() == 3
    assert not Catalog.objects.filter(region__parent=regions.fulongquan).exists()
    report = village_catalogs_derive(actor=SYSTEM, root=regions.nongan)
    assert [(r.created, r.existing) for r in report.townships] == [(0, 3), (1, 0)]
    assert Catalog.objects.filter(region__level=RegionLevel.VILLAGE).count() == 4
    assert Item.objects.filter(catalog__region__level=RegionLevel.VILLAGE).count() == 4 * 14
