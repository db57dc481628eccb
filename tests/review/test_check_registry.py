"""The rule registry: how a rule from another module or app joins the rule set."""

import pytest
from django.db.models import Count

from catalogs.models import Catalog
from items.models import Item
from review.checks import (
    RULE_FAMILIES,
    RULES,
    RULES_BY_CODE,
    WARNING,
    Hit,
    Rule,
    register,
    registry,
    run_checks,
)
from review.selectors import rule_titles


def _long_names(context):
    for item in context.items:
        if len(item.name) > 12:
            yield Hit(f"第{item.seq}项名称较长。", item, "name")


@pytest.fixture
def extra_rule():
    """A rule registered as another app's ready() would; removed again afterwards."""
    rule = register(
        Rule("R90-long-names", WARNING, "事项名称简短", "事项名称不宜过长。", _long_names)
    )
    yield rule
    registry.unregister(rule.code)


BUILT_IN = (
    [f"R{number:02d}" for number in range(1, 19)]  # catalog rules R01–R13, records R14–R18
    + [f"R{number:02d}" for number in range(20, 25)]  # issues 13 and 14: R20–R24
    + [f"R{number:02d}" for number in range(25, 33)]  # comparison with the standard item
)


def test_built_in_families_register_every_rule_in_code_order():
    codes = [rule.code for rule in RULES]
    assert codes == sorted(codes)
    assert [code.split("-")[0] for code in codes] == BUILT_IN
    assert codes[0] == "R01-coverage" and codes[-1] == "R32-edition-outdated"
    assert len(codes) == len(RULES_BY_CODE) == len(BUILT_IN)
    families = {RULES_BY_CODE[code].check.__module__ for code in codes}
    assert families == set(RULE_FAMILIES)


def test_a_registered_rule_runs_and_shows_everywhere(extra_rule, catalogs):
    assert RULES[-1] is extra_rule  # R90 sorts after R32 whatever the registration order
    assert RULES_BY_CODE["R90-long-names"] is extra_rule
    assert rule_titles()["R90-long-names"] == "事项名称简短"
    results = run_checks([catalogs.nongan_social])
    long_items = {
        item.pk
        for item in Item.objects.filter(catalog=catalogs.nongan_social)
        if len(item.name) > 12
    }
    assert long_items, "the fixture catalog should have long item names"
    assert {r.item_id for r in results if r.rule_code == "R90-long-names"} == long_items
    assert {r.severity for r in results if r.rule_code == "R90-long-names"} == {WARNING}


def test_unregistered_rule_is_gone(catalogs):
    rule = register(Rule("R91-nothing", WARNING, "示例规则", "示例说明。", lambda context: []))
    registry.unregister(rule.code)
    assert "R91-nothing" not in RULES_BY_CODE
    with pytest.raises(ValueError, match="unknown rule code 'R91-nothing'"):
        run_checks([catalogs.nongan_social], rules=["R91-nothing"])


def test_a_code_cannot_be_taken_twice(extra_rule):
    assert register(extra_rule) is extra_rule  # the same rule again is harmless
    other = Rule("R90-long-names", WARNING, "另一条规则", "另一条规则的说明。", _long_names)
    with pytest.raises(ValueError, match="R90-long-names is already registered"):
        register(other)
    assert RULES_BY_CODE["R90-long-names"] is extra_rule


@pytest.mark.parametrize(
    ("code", "severity", "title", "message"),
    [
        ("R9-short", WARNING, "标题", "must look like"),
        ("X14-records", WARNING, "标题", "must look like"),
        ("R14-Records", WARNING, "标题", "must look like"),
        ("R14-records", "fatal", "标题", "severity 'fatal'"),
        ("R14-records", WARNING, "Records", "must be in Chinese"),
    ],
)
def test_malformed_rules_are_refused(code, severity, title, message):
    with pytest.raises(ValueError, match=message):
        register(Rule(code, severity, title, "说明。", _long_names))
    assert code not in RULES_BY_CODE


def test_prepare_loads_once_for_every_catalog(catalogs, django_assert_num_queries):
    calls = []

    def prepare(contexts):
        calls.append([context.catalog.pk for context in contexts])
        counts = dict(
            Item.objects.filter(catalog__in=[c.catalog for c in contexts])
            .values_list("catalog_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for context in contexts:
            context.data["item_count"] = counts.get(context.catalog.pk, 0)

    def too_many(context):
        if context.data["item_count"] > 5:
            yield Hit(f"目录有{context.data['item_count']}个事项。", key="count")

    rule = register(
        Rule("R92-item-count", WARNING, "事项数量", "统计事项数量。", too_many, prepare)
    )
    try:
        scope = Catalog.objects.filter(pk__in=[c.pk for c in vars(catalogs).values()])
        with django_assert_num_queries(5):  # the four of load_contexts, one of prepare
            results = run_checks(scope, rules=["R92-item-count"])
    finally:
        registry.unregister(rule.code)
    assert len(calls) == 1 and sorted(calls[0]) == sorted(scope.values_list("pk", flat=True))
    assert {r.catalog_id for r in results} == set(calls[0])
    assert all(r.message.startswith("目录有") for r in results)
