"""R20-guide-incomplete: one hit per missing part, on drafts and on publications."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogs.models import Catalog
from catalogs.permissions import SYSTEM
from guides.services import GuideInput, StepInput, guide_save
from items.services import catalog_publish, item_create
from review.checks import RULES_BY_CODE, WARNING, run_checks
from review.checks.runner import PUBLICATION
from tests.factories import localise
from tests.guides.conftest import full_input, guide_item

CODE = "R20-guide-incomplete"


def hits(catalogs_or_catalog, **kwargs):
    catalogs = (
        catalogs_or_catalog if isinstance(catalogs_or_catalog, list) else [catalogs_or_catalog]
    )
    return run_checks(
        Catalog.objects.filter(pk__in=[c.pk for c in catalogs]), rules=[CODE], **kwargs
    )


def test_the_rule_is_an_error_with_a_chinese_reason():
    rule = RULES_BY_CODE[CODE]
    assert rule.severity == WARNING
    assert rule.title == "办事指南完整"
    assert "一次告知" in rule.description


def test_a_standard_guide_item_without_a_guide_is_a_hit(catalogs):
    results = hits(catalogs.nongan_social)
    assert [(r.key, r.level1) for r in results] == [
        ("no-guide", "最低生活保障"),
        ("no-guide", "特困人员救助供养"),
        ("no-guide", "临时救助"),
    ]
    assert all(r.severity == WARNING and r.element == "content" for r in results)
    assert results[0].message.endswith(
        "是标准目录的办事指南事项，但尚未编写办事指南（受理条件、申请材料、办理流程等）。"
    )


def test_complete_guides_pass(catalogs):
    items = list(catalogs.nongan_social.items.filter(level2__contains="办事指南"))
    for item in items:
        guide_save(actor=SYSTEM, item=item, data=full_input())
    assert hits(catalogs.nongan_social) == []


def test_one_hit_per_missing_part(catalogs):
    item = guide_item(catalogs.nongan_social)
    guide_save(
        actor=SYSTEM,
        item=item,
        data=GuideInput(values={"phone": "0431-83221234", "legal_days": 30}),
    )
    results = [r for r in hits(catalogs.nongan_social) if r.item_id == item.pk]
    assert [r.key for r in results] == [
        "legal_basis",
        "conditions",
        "materials",
        "steps",
        "promised_days",
        "location",
        "office_hours",
        "complaint_phone",
    ]
    assert results[1].message == f"第{item.seq}项“{item.name}”：办事指南缺少“受理条件”。"


def test_a_local_item_marked_as_a_guide_is_checked_too(catalogs):
    local = item_create(actor=SYSTEM, catalog=catalogs.nongan_social, level1="残疾人两项补贴")
    data = full_input()
    data.steps = [StepInput(1, "申请")]
    data.values["office_hours"] = ""
    guide_save(actor=SYSTEM, item=local, data=data)
    results = [r for r in hits(catalogs.nongan_social) if r.item_id == local.pk]
    assert [r.key for r in results] == ["office_hours"]


def test_published_guides_are_judged_from_the_published_copy(catalogs):
    catalog = localise(catalogs.nongan_social)
    for item in catalog.items.filter(level2__contains="办事指南"):
        guide_save(actor=SYSTEM, item=item, data=full_input())
    catalog_publish(actor=SYSTEM, catalog=catalog)
    item = guide_item(catalog)
    guide_save(actor=SYSTEM, item=item, data=full_input(conditions=""))
    assert hits(catalog, source=PUBLICATION) == []  # what citizens see is complete
    assert [r.key for r in hits(catalog)] == ["conditions"]  # the draft is not


def test_prepare_loads_guides_in_fixed_queries(catalogs):
    for catalog in (catalogs.nongan_social, catalogs.town_social):
        guide_save(actor=SYSTEM, item=guide_item(catalog), data=full_input())

    def count(catalog_list, **kwargs):
        with CaptureQueriesContext(connection) as captured:
            hits(catalog_list, **kwargs)
        return [q["sql"] for q in captured if "guides_" in q["sql"]]

    # One query for the drafts (the guides with their numbers of materials and steps).
    assert len(count([catalogs.nongan_social])) == 1
    assert len(count([catalogs.nongan_social, catalogs.town_social, catalogs.yongji_social])) == 1
    for catalog in (catalogs.nongan_social, catalogs.town_social):
        catalog_publish(actor=SYSTEM, catalog=localise(catalog))
    assert len(count([catalogs.nongan_social, catalogs.town_social], source=PUBLICATION)) == 1
