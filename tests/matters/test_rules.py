"""R21-service-name and R07 accepting the linked 事项库 name."""

import pytest

from catalogs.models import Catalog
from catalogs.permissions import SYSTEM
from items.models import Item
from matters import services
from matters.selectors import names_agree
from review.checks import run_checks


def check(catalog, code):
    return run_checks(Catalog.objects.filter(pk=catalog.pk), rules=[code])


def rename(item, level1, level2) -> Item:
    Item.objects.filter(pk=item.pk).update(level1=level1, level2=level2)
    item.refresh_from_db()
    return item


def guide(catalog, level1="最低生活保障"):
    return catalog.items.get(level1=level1, level2="办事指南")


@pytest.mark.parametrize(
    ("item_name", "matter_name", "places", "agree"),
    [
        ("最低生活保障办事指南", "最低生活保障对象认定", (), True),
        ("特困人员救助供养办事指南", "特困人员认定", (), True),
        ("临时救助 · 办事指南（农安县）", "农安县临时救助对象认定", ("农安县", "农安"), True),
        ("养老服务业务办理老年人补贴", "老年人补贴发放", (), True),
        ("最低生活保障办事指南", "临时救助对象认定", (), False),
        ("综合业务监督检查", "最低生活保障对象认定", (), False),
    ],
)
def test_allowed_refinement(item_name, matter_name, places, agree):
    assert names_agree(item_name, matter_name, places) is agree


def test_r21_passes_when_the_linked_name_agrees(catalogs, matters):
    services.item_link_matter(
        actor=SYSTEM, item=guide(catalogs.nongan_social), matter=matters.dibao
    )
    assert check(catalogs.nongan_social, "R21-service-name") == []


def test_r21_flags_a_link_whose_name_differs(catalogs, matters):
    item = guide(catalogs.nongan_social, "临时救助")
    services.item_link_matter(actor=SYSTEM, item=item, matter=matters.dibao)
    (result,) = check(catalogs.nongan_social, "R21-service-name")
    assert result.item_id == item.pk and result.element == "name"
    assert result.message == (
        f"第{item.seq}项“临时救助 · 办事指南”：名称与关联的政务服务事项“最低生活保障对象认定”"
        "（220122000720001000）不一致，请核对关联是否正确，或按事项库名称调整事项名称。"
    )


def test_r21_ignores_unlinked_items(catalogs, matters):
    assert check(catalogs.nongan_social, "R21-service-name") == []


def test_r21_reads_published_items_too(published, matters):
    services.item_link_matter(
        actor=SYSTEM, item=guide(published.catalog, "临时救助"), matter=matters.dibao
    )
    results = run_checks(
        Catalog.objects.filter(pk=published.catalog.pk),
        rules=["R21-service-name"],
        source="publication",
    )
    assert len(results) == 1


def test_r07_accepts_the_linked_entrys_name_as_a_refinement(catalogs, matters):
    county = catalogs.nongan_social
    item = rename(guide(county), "社会救助", "最低生活保障对象认定")
    (drift,) = check(county, "R07-name-drift")
    assert drift.item_id == item.pk and "差异较大" in drift.message
    services.item_link_matter(actor=SYSTEM, item=item, matter=matters.dibao)
    assert check(county, "R07-name-drift") == []
    assert check(county, "R21-service-name") == []


def test_r07_still_flags_a_drifted_name_linked_to_another_service(catalogs, matters):
    county = catalogs.nongan_social
    item = rename(guide(county), "社会救助", "最低生活保障对象认定")
    services.item_link_matter(actor=SYSTEM, item=item, matter=matters.linjiu)
    assert [r.item_id for r in check(county, "R07-name-drift")] == [item.pk]
    assert [r.item_id for r in check(county, "R21-service-name")] == [item.pk]


def test_the_prepare_hook_is_one_query_for_any_number_of_catalogs(
    catalogs, matters, django_assert_num_queries
):
    from review.checks.runner import load_contexts
    from review.checks.service_names import DATA_KEY, load_service_matters

    services.item_link_matter(
        actor=SYSTEM, item=guide(catalogs.nongan_social), matter=matters.dibao
    )
    services.item_link_matter(actor=SYSTEM, item=guide(catalogs.town_social), matter=matters.dibao)
    contexts = load_contexts(Catalog.objects.all())
    with django_assert_num_queries(1):
        load_service_matters(contexts)
    with django_assert_num_queries(0):  # R07 and R21 share it
        load_service_matters(contexts)
    linked = {context.catalog.pk: len(context.data[DATA_KEY]) for context in contexts}
    assert linked[catalogs.nongan_social.pk] == linked[catalogs.town_social.pk] == 1
    assert linked[catalogs.yongji_social.pk] == 0
