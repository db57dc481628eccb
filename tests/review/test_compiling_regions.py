"""Who compiles catalogs: the province's flag per region, and what counts only compiling
regions (progress, R01, roll-ups, derivation, reminders); 长白山管委会's own units."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from catalogs.models import Catalog, Region, RegionLevel
from catalogs.permissions import SYSTEM
from items.services import catalog_derive, catalogs_derive_many
from review.checks.runner import DRAFT, run_checks
from review.models import RegionCompileEvent
from review.reminders import collect_reminders
from review.selectors import campaign_progress, city_progress, rollup_item_rows
from review.services import region_set_compiles


@pytest.fixture
def farm(regions):
    """洼中高农场 under 农安县: a township-level code with no township government."""
    return Region.objects.create(
        code="220122400", name="洼中高农场", level=RegionLevel.TOWNSHIP, parent=regions.nongan
    )


def test_only_the_province_administrator_sets_who_compiles(farm, users):
    for who in ("reviewer", "coordinator", "county_editor"):
        with pytest.raises(PermissionDenied, match="只有省级管理员"):
            region_set_compiles(
                actor=getattr(users, who), region=farm, compiles=False, note="由农安县代为公开"
            )
    farm.refresh_from_db()
    assert farm.compiles_catalogs and not RegionCompileEvent.objects.exists()
    with pytest.raises(ValidationError, match="请说明由谁代为公开"):
        region_set_compiles(actor=users.admin, region=farm, compiles=False)
    region_set_compiles(actor=users.admin, region=farm, compiles=False, note="由农安县代为公开")
    farm.refresh_from_db()
    assert (farm.compiles_catalogs, farm.compile_note, farm.compile_set_by_province) == (
        False,
        "由农安县代为公开",
        True,
    )
    region_set_compiles(actor=users.admin, region=farm, compiles=False, note="由农安县代为公开")
    region_set_compiles(actor=users.admin, region=farm, compiles=True)
    events = list(RegionCompileEvent.objects.filter(region=farm).order_by("at", "pk"))
    assert [(e.compiled_before, e.compiles_after, e.note_after, e.actor) for e in events] == [
        (True, False, "由农安县代为公开", users.admin),
        (False, True, "", users.admin),
    ]


def test_cities_always_take_part_and_cannot_be_exempted(regions, users):
    with pytest.raises(ValidationError, match="只有县级和乡级区划编制目录"):
        region_set_compiles(actor=users.admin, region=regions.changchun, compiles=False, note="x")


def test_progress_and_derivation_count_only_compiling_regions(
    farm, campaign, catalogs, regions, users, standards
):
    def publish_cell(region):
        table = campaign_progress(campaign=campaign, root=regions.nongan, today=date(2020, 7, 1))
        milestone = next(m for m in table.milestones if m.code == "publish")
        return table.cell(region, milestone)

    assert publish_cell(farm).detail == "尚未建立目录"  # overdue, counted against 农安县
    region_set_compiles(actor=users.admin, region=farm, compiles=False, note="由农安县代为公开")
    assert publish_cell(farm) is None
    assert publish_cell(regions.fulongquan) is not None
    report = catalogs_derive_many(
        actor=SYSTEM, root=regions.nongan, standards=[standards.social], recursive=True
    )
    assert farm.pk not in {catalog.region_id for catalog in report.created}
    assert regions.fulongquan.pk in {catalog.region_id for catalog in report.created}


def test_r01_asks_nothing_of_a_region_that_does_not_compile(farm, users, standards):
    catalog = catalog_derive(actor=SYSTEM, region=farm, standard=standards.social)
    catalog.items.all().delete()
    scope = Catalog.objects.filter(pk=catalog.pk)
    assert run_checks(scope, rules=["R01-coverage"], source=DRAFT)  # every item missing
    region_set_compiles(actor=users.admin, region=farm, compiles=False, note="由农安县代为公开")
    assert run_checks(scope, rules=["R01-coverage"], source=DRAFT) == []


def test_rollup_and_reminders_leave_out_regions_that_do_not_compile(
    farm, campaign, catalogs, regions, users, standards
):
    farm_catalog = catalog_derive(actor=SYSTEM, region=farm, standard=standards.social)
    users.county_editor.email = "nongan@example.cn"
    users.county_editor.save()
    due = campaign.milestones.get(code="publish").due_on

    def reminded():
        reminders = collect_reminders(today=due - timedelta(days=1), campaign=campaign)
        return {
            reason.text.split("：")[0]
            for reminder in reminders
            if reminder.recipient.pk == users.county_editor.pk
            for reason in reminder.reasons
        }

    assert "洼中高农场" in reminded()
    assert farm_catalog.pk in {row.catalog.pk for row in rollup_item_rows(regions.changchun)}
    region_set_compiles(actor=users.admin, region=farm, compiles=False, note="由农安县代为公开")
    assert "洼中高农场" not in reminded() and "伏龙泉镇" in reminded()
    assert farm_catalog.pk not in {row.catalog.pk for row in rollup_item_rows(regions.changchun)}


def test_changbaishan_has_its_units_in_its_workspace(campaign, regions, standards):
    chibei = Region.objects.create(
        code="222426120", name="池北区", level=RegionLevel.TOWNSHIP, parent=regions.changbaishan
    )
    catalog_derive(actor=SYSTEM, region=chibei, standard=standards.social)
    progress = city_progress(campaign=campaign, city=regions.changbaishan, today=date(2020, 7, 1))
    (group,) = progress.groups
    assert group.county == regions.changbaishan
    assert [row.township for row in group.townships] == [chibei]
    assert progress.township_total == 1
    assert len(rollup_item_rows(regions.changbaishan)) == 1  # its catalog, never published


def test_admin_lists_and_changes_who_compiles(farm, login, users):
    client = login(users.admin)
    listing = client.get(reverse("admin:review_compilingregion_changelist"))
    assert listing.status_code == 200 and "洼中高农场" in listing.content.decode()
    assert "长春市" not in {
        str(region) for region in listing.context["cl"].result_list
    }  # counties and townships only
    url = reverse("admin:review_compilingregion_change", args=[farm.pk])
    refused = client.post(url, {"compiles_catalogs": "", "compile_note": ""})
    assert refused.status_code == 200 and "请说明由谁代为公开" in refused.content.decode()
    done = client.post(url, {"compiles_catalogs": "", "compile_note": "由农安县代为公开"})
    assert done.status_code == 302
    farm.refresh_from_db()
    assert (farm.compiles_catalogs, farm.compile_set_by_province) == (False, True)
    page = client.get(url).content.decode()
    assert "由农安县代为公开" in page and "将“编制目录”改为“不编制目录”" in page

    reviewer = login(users.reviewer)
    assert reviewer.get(url).status_code == 200
    assert reviewer.post(url, {"compiles_catalogs": "on", "compile_note": ""}).status_code == 403
    farm.refresh_from_db()
    assert farm.compiles_catalogs is False
    other = login(users.other_county_editor)  # 永吉县 does not see 农安县's regions
    assert other.get(url).status_code == 404


def test_admin_action_sets_several_regions_at_once(farm, login, users, regions):
    client = login(users.admin)
    response = client.post(
        reverse("admin:review_compilingregion_changelist"),
        {"action": "set_not_compiling", "_selected_action": [farm.pk, regions.pinghu.pk]},
    )
    assert response.status_code == 302
    farm.refresh_from_db()
    regions.pinghu.refresh_from_db()
    assert farm.compile_note == "由农安县代为公开"
    assert regions.pinghu.compile_note == "由双阳区代为公开"
    assert RegionCompileEvent.objects.count() == 2
