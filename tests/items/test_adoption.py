"""Adopting a new standard edition (采用新版): three-way merge, conflicts, bulk command."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from catalogs.models import Catalog, StandardItem
from catalogs.permissions import SYSTEM
from catalogs.services import (
    edition_create_draft,
    edition_publish,
    standard_item_delete,
    standard_item_save,
)
from items.adoption import (
    ADJUST,
    DELETE,
    KEEP_LOCAL,
    TAKE_STANDARD,
    adoption_plan,
    adoption_tasks,
    catalog_adopt_edition,
)
from items.models import Item
from items.services import item_update
from review.checks import run_checks
from tests.conftest import localise


def by_seq(edition, seq) -> StandardItem:
    return edition.items.get(seq=seq)


@pytest.fixture
def second_edition(catalogs, standards, users):
    """第2版 of 社会救助: 3 gets a shorter deadline, 4 a channel and an element more,
    13 is removed, a new item 14 is added."""
    admin = users.admin
    draft = edition_create_draft(actor=admin, standard=standards.social, note="第2版")
    three = by_seq(draft, 3)
    three.deadline = "制定或获取信息之日起5个工作日内"
    standard_item_save(actor=admin, item=three)
    four = by_seq(draft, 4)
    four.channels = [*four.channels, "便民服务站"]
    four.content += "\n●监督电话"
    standard_item_save(actor=admin, item=four)
    standard_item_delete(actor=admin, item=by_seq(draft, 13))
    new = StandardItem(
        edition=draft,
        seq=14,
        level1="临时救助",
        level2="急难型救助",
        content="●救助对象\n●救助标准",
        basis="信息公开规定",
        deadline="制定或获取信息之日起10个工作日内",
        subject="县级人民政府民政部门",
        channels=["政府网站"],
        audience=["全社会"],
        method=["主动"],
        levels=["县级", "乡级"],
    )
    standard_item_save(actor=admin, item=new)
    return edition_publish(actor=admin, edition=draft)


def item_for(catalog, seq) -> Item:
    return catalog.items.select_related("catalog").get(standard_item__seq=seq)


def test_every_catalog_on_the_old_edition_has_a_task(catalogs, second_edition):
    tasks = adoption_tasks()
    assert set(tasks.values_list("pk", flat=True)) == {
        catalogs.nongan_social.pk,
        catalogs.town_social.pk,
        catalogs.yongji_social.pk,
    }  # the elderly-care catalog's standard has no new edition


def test_three_way_merge_carries_local_edits_and_flags_conflicts(catalogs, second_edition, users):
    catalog = localise(catalogs.nongan_social)
    three, four = item_for(catalog, 3), item_for(catalog, 4)
    item_update(actor=users.county_editor, item=three, subject="农安县民政局社会救助股")
    item_update(actor=users.county_editor, item=four, channels=["政府网站", "政务服务中心"])
    plan = adoption_plan(catalog)
    merges = {m.old_standard.seq: m for m in plan.merged}
    deadline = next(e for e in merges[3].elements if e.field == "deadline")
    assert deadline.province_changed and not deadline.county_changed and not deadline.conflict
    assert merges[3].changes == {"deadline": "制定或获取信息之日起5个工作日内"}
    subject = next(e for e in merges[3].elements if e.field == "subject")
    assert subject.county_changed and not subject.province_changed
    assert [(m.old_standard.seq, e.field) for m, e in plan.conflicts] == [(4, "channels")]
    assert merges[4].changes["content"].endswith("●监督电话")
    assert [si.level2 for si in plan.added] == ["急难型救助"]
    assert [item.standard_item.seq for item in plan.removed] == [13]
    assert "冲突1处" in plan.summary()

    with pytest.raises(ValidationError, match="1处冲突尚未处理.*公开渠道和载体"):
        catalog_adopt_edition(actor=users.county_editor, catalog=catalog)
    with pytest.raises(PermissionDenied):
        catalog_adopt_edition(actor=users.other_county_editor, catalog=catalog)

    catalog_adopt_edition(
        actor=users.county_editor,
        catalog=catalog,
        decisions={f"{four.pk}:channels": (ADJUST, "政府网站、政务服务中心、便民服务站")},
        removals={item_for(catalog, 13).pk: DELETE},
    )
    catalog.refresh_from_db()
    assert catalog.edition == second_edition
    three.refresh_from_db()
    four.refresh_from_db()
    assert three.subject == "农安县民政局社会救助股"  # the county's edit carried over
    assert three.deadline == "制定或获取信息之日起5个工作日内"  # the province's change taken
    assert three.standard_item.edition == second_edition
    assert four.channels == ["政府网站", "政务服务中心", "便民服务站"]
    assert four.content.endswith("●监督电话")
    assert not catalog.items.filter(level2="审核审批信息").exists()
    added = catalog.items.get(level2="急难型救助")
    assert added.standard_item.edition == second_edition
    assert three.history.first().history_change_reason == "采用第2版标准目录"
    assert catalog.history.first().history_change_reason.startswith("采用第2版标准目录")
    assert adoption_tasks().filter(pk=catalog.pk).count() == 0


def test_conflict_decisions_take_or_keep(catalogs, second_edition, users):
    catalog = localise(catalogs.nongan_social)
    four = item_for(catalog, 4)
    item_update(actor=users.county_editor, item=four, channels=["政府网站"])
    catalog_adopt_edition(
        actor=users.county_editor,
        catalog=catalog,
        decisions={f"{four.pk}:channels": (KEEP_LOCAL, None)},
    )
    four.refresh_from_db()
    assert four.channels == ["政府网站"]
    # The standard item removed in 第2版 stays, as a local item.
    kept = catalog.items.get(level2="审核审批信息")
    assert kept.standard_item is None

    other = localise(catalogs.yongji_social)
    four = item_for(other, 4)
    Item.objects.filter(pk=four.pk).update(channels=["政府网站"])
    catalog_adopt_edition(
        actor=SYSTEM, catalog=other, decisions={f"{four.pk}:channels": (TAKE_STANDARD, None)}
    )
    four.refresh_from_db()
    assert "便民服务站" in four.channels


def test_outdated_catalog_is_warned_and_checked_against_the_current_edition(
    catalogs, second_edition
):
    results = run_checks(
        Catalog.objects.filter(pk=catalogs.nongan_social.pk),
        rules=["R01-coverage", "R32-edition-outdated"],
    )
    codes = {(r.rule_code, r.key) for r in results}
    assert ("R32-edition-outdated", "outdated:2") in codes
    # 急难型救助 (new in 第2版) is missing from the catalog still on 第1版.
    assert any(r.rule_code == "R01-coverage" and "急难型救助" in r.message for r in results)


def test_adopt_command_adopts_where_there_is_no_conflict(catalogs, second_edition, users):
    item_update(
        actor=users.county_editor,
        item=item_for(catalogs.nongan_social, 4),
        channels=["政府网站"],
    )  # a conflict with 第2版's added channel
    out = io.StringIO()
    call_command("derive_catalogs", "--adopt", "--region", "22", stdout=out)
    text = out.getvalue()
    assert "采用新版2个目录" in text and "1个目录有冲突" in text
    assert "农安县" in text.split("有冲突")[1]
    versions = dict(
        Catalog.objects.filter(standard__code="social-assistance").values_list(
            "region__code", "edition__version"
        )
    )
    assert versions == {"220122": 1, "220122100": 2, "220221": 2}


# ---------------------------------------------------------------------------
# The admin pages
# ---------------------------------------------------------------------------


def test_adopt_page_shows_three_way_rows_and_saves_decisions(
    catalogs, second_edition, users, login
):
    from django.urls import reverse

    catalog = localise(catalogs.nongan_social)
    four = item_for(catalog, 4)
    item_update(actor=users.county_editor, item=four, channels=["政府网站"])
    url = reverse("admin:catalogs_catalog_adopt", args=[catalog.pk])
    client = login(users.county_editor)
    change = client.get(reverse("admin:catalogs_catalog_change", args=[catalog.pk]))
    assert url in change.content.decode()
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "冲突：请选择" in text and "便民服务站" in text and "急难型救助" in text
    changed_at = page.context["changed_at"]
    refused = client.post(url, {"changed_at": changed_at})
    assert "1处冲突尚未处理" in refused.content.decode()
    catalog.refresh_from_db()
    assert catalog.edition.version == 1
    done = client.post(
        url,
        {
            "changed_at": changed_at,
            f"c-{four.pk}-channels": "standard",
            f"r-{item_for(catalog, 13).pk}": "delete",
        },
    )
    assert done.status_code == 302
    catalog.refresh_from_db()
    four.refresh_from_db()
    assert catalog.edition.version == 2 and "便民服务站" in four.channels
    assert not catalog.items.filter(level2="审核审批信息").exists()


def test_adopt_and_link_pages_are_scoped(catalogs, second_edition, users, login):
    from django.urls import reverse

    client = login(users.other_county_editor)
    for name in ("adopt", "link_standard"):
        url = reverse(f"admin:catalogs_catalog_{name}", args=[catalogs.nongan_social.pk])
        assert client.get(url).status_code == 404
    coordinator = login(users.coordinator)
    url = reverse("admin:catalogs_catalog_adopt", args=[catalogs.nongan_social.pk])
    assert coordinator.get(url).status_code == 200  # a coordinator reads
    assert coordinator.post(url, {}).status_code == 403  # and never writes
    assert Catalog.objects.get(pk=catalogs.nongan_social.pk).edition.version == 1


def test_link_page_links_an_abbreviated_item_in_one_click(catalogs, users, login):
    from django.urls import reverse

    catalog = localise(catalogs.nongan_social)
    first = item_for(catalog, 1)
    Item.objects.filter(pk=first.pk).update(standard_item=None, level2="政策")
    url = reverse("admin:catalogs_catalog_link_standard", args=[catalog.pk])
    client = login(users.county_editor)
    page = client.get(url).content.decode()
    assert "第1项“综合业务 · 政策”" in page and "综合业务 · 政策法规文件" in page
    standard_item = catalog.edition.items.get(seq=1)
    response = client.post(url, {"item": first.pk, "standard_item": standard_item.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.standard_item == standard_item and first.level2 == "政策法规文件"
    assert "没有名称相近的本地事项" in client.get(url).content.decode()
