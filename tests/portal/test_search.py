"""portal.search: the form, the query over published items and its filters."""

import pytest
from django.db import connection

from catalogs.permissions import SYSTEM
from items.models import Item, PublishedItem
from items.services import catalog_publish, item_update
from portal.search import (
    ContainsTerm,
    SearchDocument,
    SearchForm,
    published_level1_values,
    search_published_items,
)
from tests.conftest import localise


def publish(catalog, **kwargs):
    return catalog_publish(actor=SYSTEM, catalog=catalog, **kwargs)


def edit(catalog, seq: int, **values) -> Item:
    return item_update(actor=SYSTEM, item=catalog.items.get(seq=seq), **values)


def search(**data) -> list[PublishedItem]:
    form = SearchForm(data)
    assert form.is_valid(), form.errors
    return list(search_published_items(form.cleaned_data))


def public_ids(items) -> set:
    return {item.public_id for item in items}


@pytest.fixture
def county_and_town(catalogs):
    """农安县 (county) and 农安镇 (its township) social-assistance catalogs, both published."""
    localise(catalogs.nongan_social)
    localise(catalogs.town_social)
    publish(catalogs.nongan_social)
    publish(catalogs.town_social)
    return catalogs


# ---------------------------------------------------------------------------
# The form
# ---------------------------------------------------------------------------


def test_empty_form_is_valid_and_finds_every_published_item(published):
    items = search()
    assert len(items) == published.publication.item_count > 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"q": "低" * 101}, "q", "关键词不能超过100个字"),
        ({"q": " ".join(f"词{i}" for i in range(11))}, "q", "关键词最多10个"),
        ({"region": "999999"}, "region", "没有代码为“999999”的地区"),
        ({"region": "长春"}, "region", "没有代码为“长春”的地区"),
        ({"catalog": "abc"}, "catalog", "目录编号必须是正整数"),
        ({"catalog": "0"}, "catalog", "目录编号必须是正整数"),
        ({"audience": "所有人"}, "audience", "公开对象只能是全社会、特定群体之一"),
        ({"method": "被动"}, "method", "公开方式只能是主动、依申请之一"),
        ({"level": "市级"}, "level", "公开层级只能是县级、乡级之一"),
        ({"level1": "不存在的事项"}, "level1", "没有名为“不存在的事项”的一级事项"),
        ({"page": "0"}, "page", "页码必须是正整数"),
    ],
)
def test_bad_input_gets_a_chinese_message_on_its_field(published, data, field, message):
    form = SearchForm(data)
    assert not form.is_valid()
    assert message in form.errors[field][0]


def test_catalog_filter_refuses_an_unpublished_catalog(published, catalogs):
    form = SearchForm({"catalog": str(catalogs.yongji_social.pk)})
    assert not form.is_valid()
    assert "不存在或尚未公开" in form.errors["catalog"][0]
    assert SearchForm({"catalog": str(published.catalog.pk)}).is_valid()


def test_query_is_trimmed(published):
    form = SearchForm({"q": "  临时救助\u3000 "})
    assert form.is_valid()
    assert form.cleaned_data["q"] == "临时救助"


def test_level1_choices_are_published_first_level_items_in_catalog_order(published, catalogs):
    edit(catalogs.yongji_social, 1, level1="只在草稿里的事项")
    values = published_level1_values()
    assert values[:4] == ["综合业务", "最低生活保障", "特困人员救助供养", "临时救助"]
    assert "只在草稿里的事项" not in values
    choices = [value for value, _ in SearchForm().fields["level1"].choices]
    assert choices == ["", *values]


def test_level1_choices_are_queried_only_when_needed(published, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert SearchForm({"q": "低保", "audience": "全社会"}).is_valid()
    with django_assert_num_queries(1):
        assert SearchForm({"level1": "临时救助"}).is_valid()
    with django_assert_num_queries(1):
        form = SearchForm({"level1": "临时救助"})
        assert form.is_valid()
        assert 'value="临时救助" selected' in str(form["level1"])


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "text", "needle"),
    [
        ("level1", "农安特色救助", "特色救"),
        ("level2", "冬季取暖补贴名单", "取暖补贴名"),
        ("content", "●困难群众冬季燃煤补贴发放明细", "燃煤补贴发放"),
        ("basis", "《农安县困难群众取暖补贴实施细则》", "补贴实施细"),
        ("subject", "农安县民政局社会救助股", "社会救助股"),
    ],
)
def test_chinese_substring_matches_each_searched_element(published, field, text, needle):
    catalog = published.catalog
    item = edit(catalog, 2, **{field: text})
    assert search(q=needle) == []  # not before it is published
    publish(catalog)
    assert public_ids(search(q=needle)) == {item.public_id}


def test_every_term_must_match_somewhere(published):
    both = search(q="最低生活保障 办事指南")
    assert {(item.level1, item.level2) for item in both} == {("最低生活保障", "办事指南")}
    assert len(search(q="最低生活保障")) > len(both)
    assert search(q="最低生活保障 不存在的词") == []


def test_terms_may_be_separated_by_a_full_width_space(published):
    assert public_ids(search(q="临时救助\u3000办事指南")) == public_ids(
        search(q="临时救助 办事指南")
    )
    assert len(search(q="临时救助\u3000办事指南")) == 1


def test_like_wildcards_in_the_query_are_literal(published):
    assert search(q="%") == []
    assert search(q="_") == []


def test_results_are_ordered_by_region_standard_and_seq(county_and_town, catalogs):
    localise(catalogs.nongan_elderly)
    publish(catalogs.nongan_elderly)
    items = search()
    keys = [
        (
            item.publication.catalog.region.code,
            item.publication.catalog.standard.order,
            item.seq,
        )
        for item in items
    ]
    assert keys == sorted(keys)
    assert {key[0] for key in keys} == {"220122", "220122100"}
    assert {key[1] for key in keys} == {0, 1}


def test_results_carry_what_pages_need_in_one_query(county_and_town, django_assert_num_queries):
    with django_assert_num_queries(1):
        items = list(search_published_items({"q": "救助"}))
        for item in items:
            assert item.publication.catalog.region.name
            assert item.publication.catalog.standard.title
    assert len(items) > 5
    assert all(item.standard_key for item in items if item.standard_item_id)


# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------


def test_region_filter_includes_everything_below(county_and_town, regions, catalogs):
    county = public_ids(PublishedItem.objects.filter(publication__catalog=catalogs.nongan_social))
    town = public_ids(PublishedItem.objects.filter(publication__catalog=catalogs.town_social))
    assert county and town
    assert public_ids(search(region="22")) == county | town
    assert public_ids(search(region="2201")) == county | town
    assert public_ids(search(region="220122")) == county | town
    assert public_ids(search(region="220122100")) == town
    assert search(region="220122101") == []
    assert search(region="2202") == []


def test_catalog_filter(county_and_town, catalogs):
    found = search(catalog=str(catalogs.town_social.pk))
    assert found
    assert {item.publication.catalog_id for item in found} == {catalogs.town_social.pk}


def test_level1_filter(published):
    found = search(level1="临时救助")
    assert found
    assert {item.level1 for item in found} == {"临时救助"}
    assert len(search(level1="临时救助", q="办事指南")) == 1


def test_audience_method_and_level_filters(published):
    catalog = published.catalog
    special = edit(catalog, 2, audience=["特定群体"], method=["依申请"], levels=["县级"])
    both = edit(catalog, 3, audience=["全社会", "特定群体"], method=["主动", "依申请"])
    publish(catalog)
    everything = public_ids(search())
    assert public_ids(search(audience="特定群体")) == {special.public_id, both.public_id}
    assert public_ids(search(audience="全社会")) == everything - {special.public_id}
    assert public_ids(search(method="依申请")) == {special.public_id, both.public_id}
    assert public_ids(search(method="主动")) == everything - {special.public_id}
    township = public_ids(search(level="乡级"))
    assert special.public_id not in township
    assert both.public_id in township
    assert special.public_id in public_ids(search(level="县级"))
    assert public_ids(search(audience="特定群体", method="依申请", level="县级")) == {
        special.public_id,
        both.public_id,
    }


# ---------------------------------------------------------------------------
# Only what is published
# ---------------------------------------------------------------------------


def test_draft_catalog_never_appears(published, catalogs):
    edit(catalogs.yongji_social, 1, basis="永吉县草稿里才有的依据")
    assert search(q="永吉县草稿里才有的依据") == []
    assert search(region="220221") == []
    assert catalogs.yongji_social.items.exists()


def test_edit_after_publication_is_invisible_until_republished(published):
    catalog = published.catalog
    item = edit(catalog, 1, subject="尚未发布的新公开主体")
    assert search(q="尚未发布的新公开主体") == []
    publish(catalog)
    assert public_ids(search(q="尚未发布的新公开主体")) == {item.public_id}


def test_an_old_publications_items_do_not_appear(published):
    catalog = published.catalog
    edit(catalog, 1, basis="第一次发布的依据")
    publish(catalog)
    assert len(search(q="第一次发布的依据")) == 1
    edit(catalog, 1, basis="第二次发布的依据")
    publish(catalog)
    assert search(q="第一次发布的依据") == []
    assert PublishedItem.objects.filter(basis="第一次发布的依据").exists()
    assert len(search(q="第二次发布的依据")) == 1


# ---------------------------------------------------------------------------
# PostgreSQL: trigram indexes
# ---------------------------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram indexes exist only on PostgreSQL"
)


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db
def test_chinese_text_yields_trigrams():
    with connection.cursor() as cursor:
        cursor.execute("SELECT show_trgm(%s)", ["最低生活保障"])
        (trigrams,) = cursor.fetchone()
    # Four inner trigrams plus three padded ones at the word's edges; none in a non-UTF-8
    # locale, where Chinese characters are not word characters.
    assert len(trigrams) == 7


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize(("term", "operator"), [("最低生活保障", "~~ "), ("App", "~~* ")])
def test_search_terms_can_use_the_trigram_index(published, term, operator):
    matching = PublishedItem.objects.filter(ContainsTerm(SearchDocument(), term))
    matching = matching.order_by().values("pk")
    sql, params = matching.query.sql_with_params()
    where = sql.split(" WHERE ", 1)[1]
    # search_published_items filters with exactly this predicate.
    search_sql, _ = search_published_items({"q": term}).query.sql_with_params()
    assert where.strip("()") in search_sql
    with connection.cursor() as cursor:
        # Too few rows for the planner to prefer the index by itself; forbidding the other
        # ways to read the table proves that it can use it for the SQL Django generates.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on items_publisheditem_search_trgm" in plan, plan
    assert operator in plan, plan


def test_latin_letters_match_whatever_their_case(published):
    catalog = published.catalog
    item = edit(catalog, 1, subject="民政局 App 服务专区")
    publish(catalog)
    assert public_ids(search(q="app")) == {item.public_id}
    assert public_ids(search(q="APP 服务专区")) == {item.public_id}
