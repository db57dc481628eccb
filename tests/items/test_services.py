import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogs.models import CatalogStatus
from catalogs.permissions import SYSTEM
from catalogs.selectors import full_names
from items.models import Item, PublishedItem
from items.services import (
    catalog_derive,
    catalog_publish,
    catalogs_derive_many,
    derived_items,
    item_set_extra_elements,
    item_update,
)
from items.validation import item_problems, validate_item
from tests.conftest import localise


def test_derive_takes_items_of_the_region_level(catalogs, standards):
    county = catalogs.nongan_social
    town = catalogs.town_social
    county_levels = [item.standard_item.levels for item in county.items.all()]
    assert county_levels and all("县级" in levels for levels in county_levels)
    assert all("乡级" in item.standard_item.levels for item in town.items.all())
    elderly_township_rows = [
        i for i in standards.elderly.current_edition.items.all() if "乡级" in i.levels
    ]
    assert catalogs.nongan_elderly.items.count() > len(elderly_township_rows) >= 1


def test_derived_items_are_planned_without_a_query(regions, standards, django_assert_num_queries):
    standard_items = list(standards.elderly.current_edition.items.order_by("seq"))
    with django_assert_num_queries(0):
        planned = derived_items(regions.nongan_town, standard_items)
    township_items = [si for si in standard_items if "乡级" in si.levels]
    assert 0 < len(planned) < len(standard_items)
    assert [item.standard_item for item in planned] == township_items
    assert [item.seq for item in planned] == list(range(1, len(planned) + 1))
    assert [item.level2 for item in planned] == [si.level2 for si in township_items]
    assert all(item.catalog_id is None and item.pk is None for item in planned)


def test_catalog_titles_carry_the_full_name_one_by_one_and_in_bulk(regions, standards):
    single = catalog_derive(actor=SYSTEM, region=regions.nongan_town, standard=standards.social)
    report = catalogs_derive_many(
        actor=SYSTEM, root=regions.nongan, standards=[standards.social], recursive=True
    )
    titles = {catalog.region.code: catalog.title for catalog in report.created}
    assert single.title == "长春市农安县农安镇社会救助领域基层政务公开标准目录"
    assert titles["220122"] == "长春市农安县社会救助领域基层政务公开标准目录"
    assert (
        titles["220122101"]
        == f"长春市农安县{regions.fulongquan.name}社会救助领域基层政务公开标准目录"
    )


def test_full_names_in_bulk_match_one_by_one(regions, django_assert_num_queries):
    chosen = [regions.province, regions.changchun, regions.nongan_town, regions.changbaishan]
    with django_assert_num_queries(1):
        names = full_names(chosen)
    assert names == {region.pk: region.full_name for region in chosen}
    assert names[regions.province.pk] == "吉林省"
    assert names[regions.nongan_town.pk] == "长春市农安县农安镇"


def test_every_rule_an_item_breaks_is_reported_together(catalogs):
    item = catalogs.nongan_social.items.first()
    item.channels, item.audience, item.level1 = ["政府网站", "飞鸽传书"], ["全体"], "长" * 101
    with pytest.raises(ValidationError) as refused:
        validate_item(item)
    errors = refused.value.message_dict
    assert errors["channels"] == ["公开渠道和载体含有无效的选项：飞鸽传书"]
    assert errors["audience"] == ["公开对象含有无效的选项：全体"]
    assert "100" in errors["level1"][0]
    with pytest.raises(ValidationError, match="飞鸽传书"):
        item_update(actor=SYSTEM, item=item, channels=["飞鸽传书"])


def test_derive_refuses_another_regions_editor(regions, standards, users):
    with pytest.raises(PermissionDenied):
        catalog_derive(
            actor=users.other_county_editor, region=regions.nongan, standard=standards.social
        )


def test_derive_twice_is_refused(catalogs, regions, standards):
    with pytest.raises(ValidationError, match="已有"):
        catalog_derive(actor=SYSTEM, region=regions.nongan, standard=standards.social)


def test_missing_elements_are_named_in_chinese(catalogs):
    item = catalogs.nongan_social.items.first()
    item.basis, item.channels, item.method = "", [], ["被动"]
    messages = [problem.message for problem in item_problems(item, catalogs.nongan_social.region)]
    assert "未填写公开依据" in messages
    assert "未填写公开渠道和载体" in messages
    assert any("被动" in message for message in messages)


def test_level_must_match_region(catalogs):
    item = catalogs.town_social.items.first()
    item.levels = ["县级"]
    messages = [problem.message for problem in item_problems(item, catalogs.town_social.region)]
    assert any("乡级" in message for message in messages)


def test_publish_refuses_incomplete_items(catalogs):
    item = catalogs.nongan_social.items.first()
    item.basis = ""
    item.save()
    with pytest.raises(ValidationError, match="公开依据"):
        catalog_publish(actor=SYSTEM, catalog=catalogs.nongan_social)


def test_publication_freezes_content_until_next_publish(published, users):
    catalog = published.catalog
    item = catalog.items.first()
    item_update(actor=users.county_editor, item=item, subject="农安县民政局社会救助科")
    catalog.refresh_from_db()
    assert catalog.has_unpublished_changes
    public = PublishedItem.objects.visible_to_public().get(public_id=item.public_id)
    assert public.subject != "农安县民政局社会救助科"
    second = catalog_publish(actor=users.county_editor, catalog=catalog)
    assert second.number == 2
    public = PublishedItem.objects.visible_to_public().get(public_id=item.public_id)
    assert public.subject == "农安县民政局社会救助科"
    assert catalog.publications.count() == 2
    catalog.refresh_from_db()
    assert catalog.status == CatalogStatus.PUBLISHED
    assert not catalog.has_unpublished_changes


def test_township_editor_cannot_edit_county_items(published, users):
    item = published.catalog.items.first()
    with pytest.raises(PermissionDenied):
        item_update(actor=users.township_editor, item=item, subject="x")


def test_extra_elements_are_validated(catalogs, users):
    item = Item.objects.filter(catalog=catalogs.nongan_social).first()
    item_set_extra_elements(
        actor=users.county_editor, item=item, extras=[("咨询电话", "0431-1234567")]
    )
    assert [(e.name, e.value) for e in item.extra_elements.all()] == [("咨询电话", "0431-1234567")]
    with pytest.raises(ValidationError, match="重复"):
        item_set_extra_elements(
            actor=users.county_editor, item=item, extras=[("a", "1"), ("a", "2")]
        )
    with pytest.raises(ValidationError, match="必备要素"):
        item_set_extra_elements(actor=users.county_editor, item=item, extras=[("公开依据", "1")])


def test_localised_catalog_is_complete(catalogs):
    localise(catalogs.town_social)
    assert all(
        not item_problems(i, catalogs.town_social.region) for i in catalogs.town_social.items.all()
    )


def test_saving_without_changes_is_not_an_unpublished_change(published, users):
    catalog = published.catalog
    item = catalog.items.first()
    history_rows = item.history.count()
    item_update(actor=users.county_editor, item=item, subject=item.subject, basis=item.basis)
    item_set_extra_elements(actor=users.county_editor, item=item, extras=[])
    catalog.refresh_from_db()
    assert not catalog.has_unpublished_changes
    assert item.history.count() == history_rows
    item_update(actor=users.county_editor, item=item, subject="农安县民政局救助科")
    catalog.refresh_from_db()
    assert catalog.has_unpublished_changes
    assert item.history.count() == history_rows + 1


def test_publishing_changes_sends_a_reviewed_catalog_back_to_review(published, users):
    from catalogs.lifecycle import catalog_transition

    catalog = published.catalog
    catalog_transition(actor=users.coordinator, catalog=catalog, to_status=CatalogStatus.REVIEWED)
    catalog_publish(actor=users.county_editor, catalog=catalog, note="没有修改")
    catalog.refresh_from_db()
    assert catalog.status == CatalogStatus.REVIEWED  # nothing new: the review still holds
    item_update(actor=users.county_editor, item=catalog.items.first(), deadline="实时更新")
    catalog_publish(actor=users.county_editor, catalog=catalog, note="补充修改")
    catalog.refresh_from_db()
    assert catalog.status == CatalogStatus.PUBLISHED
    last = catalog.events.order_by("-at", "-pk").first()
    assert (last.from_status, last.to_status) == (CatalogStatus.REVIEWED, CatalogStatus.PUBLISHED)
