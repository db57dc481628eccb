"""portal.search: the form, the query over published items and its filters."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from catalogs import vocabulary
from catalogs.permissions import SYSTEM
from items.models import Item, PublishedItem
from items.search import bigram_text, bigram_tsquery, region_key_range, search_key
from items.services import catalog_publish, item_update
from matters.selectors import synonym_groups
from portal.search import (
    SERVICE_CONDITION,
    SearchForm,
    count_published_items,
    groups_tsquery,
    published_level1_values,
    search_published_items,
    term_groups,
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
        ({"level": "市级"}, "level", f"公开层级只能是{'、'.join(vocabulary.ITEM_LEVELS)}之一"),
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
    # Kept until the next publication: no aggregate over every published item per request.
    with django_assert_num_queries(0):
        form = SearchForm({"level1": "临时救助"})
        assert form.is_valid()
        assert 'value="临时救助" selected' in str(form["level1"])


def test_level1_choices_follow_a_new_publication(published, catalogs):
    assert "本县特色一级事项" not in published_level1_values()
    assert not SearchForm({"level1": "本县特色一级事项"}).is_valid()
    edit(published.catalog, 1, level1="本县特色一级事项")
    publish(published.catalog)
    assert SearchForm({"level1": "本县特色一级事项"}).is_valid()


def test_a_publication_adds_its_level1_values_without_aggregating_again(
    published, catalogs, django_assert_num_queries
):
    assert SearchForm({"level1": "临时救助"}).is_valid()  # aggregated once, and kept
    edit(published.catalog, 1, level1="本县特色一级事项")
    publish(published.catalog)
    # Not rebuilt from every published item after a publication (0.4–0.7 s nationally):
    # the publication merged its own values in.
    with django_assert_num_queries(0):
        form = SearchForm({"level1": "本县特色一级事项"})
        assert form.is_valid()
        values = [value for value, _ in form.fields["level1"].choices]
    assert values[1:] == published_level1_values()


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
    synonym_groups()  # read once per synonym state, then from the cache (no query)
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
# The bigram index and the sort key (items.search)
# ---------------------------------------------------------------------------


def test_bigrams_cover_every_run_of_letters_and_digits():
    assert bigram_text("最低生活保障") == "最低 低生 生活 活保 保障 障"
    # Punctuation and spaces end a run; Latin letters are folded; each token once.
    assert bigram_text("●低保、低保", "App 2020年") == "低保 保 ap pp p 20 02 0年 年"
    assert bigram_text("", "●") == ""


@pytest.mark.parametrize(
    ("terms", "tsquery"),
    [
        (["低保"], "'低保'"),
        (["临时救助"], "'临时' & '时救' & '救助'"),
        (["低"], "'低':*"),
        (["低保", "《条例》"], "'低保' & '条例'"),
        (["%"], ""),
    ],
)
def test_terms_become_the_bigrams_an_item_must_hold(terms, tsquery):
    assert bigram_tsquery(terms) == tsquery


def test_every_substring_of_an_element_finds_its_bigrams():
    text = "●困难群众冬季燃煤补贴（2020年）"
    tokens = set(bigram_text(text).split())
    for start in range(len(text)):
        for stop in range(start + 1, len(text) + 1):
            for part in bigram_tsquery([text[start:stop]]).split(" & "):
                if not part:
                    continue
                token = part.split("'")[1]
                if part.endswith(":*"):
                    assert any(t.startswith(token) for t in tokens), text[start:stop]
                else:
                    assert token in tokens, text[start:stop]


def test_the_sort_key_orders_by_region_then_standard_then_seq():
    county = search_key("22/2201/220122/", 0, "social-assistance", 12)
    county_elderly = search_key("22/2201/220122/", 1, "elderly-care", 1)
    township = search_key("22/2201/220122/220122100/", 0, "social-assistance", 1)
    next_county = search_key("22/2201/220123/", 0, "social-assistance", 1)
    assert sorted([next_county, township, county_elderly, county]) == [
        county,
        county_elderly,
        township,
        next_county,
    ]
    low, high = region_key_range("22/2201/220122/")
    assert low <= county < high and low <= township < high
    assert not low <= next_county < high


def test_only_current_items_carry_the_index(published):
    catalog = published.catalog
    first = set(PublishedItem.objects.filter(publication=published.publication))
    assert all(item.search_key and item.search_bigrams for item in first)
    edit(catalog, 1, subject="新的公开主体")
    publish(catalog)
    superseded = PublishedItem.objects.filter(publication=published.publication)
    assert {(item.search_key, item.search_bigrams) for item in superseded} == {(None, "")}
    current = PublishedItem.objects.visible_to_public().filter(publication__catalog=catalog)
    assert all(item.search_key.startswith(catalog.region.path) for item in current)


def test_bulk_publishing_indexes_like_publishing_one_catalog(county_and_town, catalogs):
    from items.publishing import catalogs_publish_many

    one = {
        item.public_id: (item.search_key, item.search_bigrams)
        for item in PublishedItem.objects.visible_to_public().filter(
            publication__catalog=catalogs.nongan_social
        )
    }
    edit(catalogs.nongan_social, 1, subject="批量发布的公开主体")
    catalogs_publish_many(actor=SYSTEM, catalogs=[catalogs.nongan_social.pk])
    bulk = {
        item.public_id: (item.search_key, item.search_bigrams)
        for item in PublishedItem.objects.visible_to_public().filter(
            publication__catalog=catalogs.nongan_social
        )
    }
    assert bulk.keys() == one.keys()
    assert [key for key, _ in bulk.values()] == [key for key, _ in one.values()]
    assert "批量" in bulk[first_public_id(catalogs.nongan_social)][1]
    assert PublishedItem.objects.filter(search_key__isnull=False).count() == (
        PublishedItem.objects.visible_to_public().count()
    )


def first_public_id(catalog):
    return catalog.items.get(seq=1).public_id


def test_search_by_catalog_and_region_together_never_widens(county_and_town, catalogs):
    town = str(catalogs.town_social.pk)
    assert search(catalog=town, region="220122100")
    assert search(catalog=town, region="220221") == []
    form = SearchForm({"catalog": town, "region": "220221"})
    assert form.is_valid()
    assert count_published_items(form.cleaned_data) == 0
    alone = SearchForm({"catalog": town})
    assert alone.is_valid()
    assert count_published_items(alone.cleaned_data) == len(search(catalog=town)) > 0


# ---------------------------------------------------------------------------
# PostgreSQL: the bigram index is used
# ---------------------------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bigram index exists only on PostgreSQL"
)


def _plan(queryset, *, walks: bool) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Too few rows for the planner to prefer an index by itself; forbidding a full
        # scan (and, for a lookup, a walk along another index) proves that it can use the
        # index meant for the SQL Django generates.
        cursor.execute("SET LOCAL enable_seqscan = off")
        if walks:
            # A walk must come out in order from the key's index: no sort may be needed.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        else:
            # Nor reaching the items through the publications they belong to: on a test
            # database of a few dozen rows that join is always cheapest.
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize("term", ["低保", "最低生活保障", "低", "App"])
def test_a_rare_term_is_looked_up_in_the_bigram_index(published, term):
    plan = _plan(search_published_items({"q": term})[:20], walks=False)
    assert "items_publisheditem_search_bigrams" in plan, plan
    assert "@@" in plan, plan


@pytest.mark.postgres
@needs_postgres
def test_a_frequent_term_walks_the_results_in_order(published, regions):
    items = search_published_items({"q": "救助", "region": regions.changchun}, frequent=True)
    plan = _plan(items[:20], walks=True)
    # The key's index, in order and bounded by the region's key range: no sort, no bitmap.
    assert "Index Scan using published_item_search_key" in plan, plan
    assert "@@" not in plan and "Sort Key" not in plan, plan


@pytest.mark.postgres
@needs_postgres
def test_search_keys_compare_in_byte_order(published):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'items_publisheditem' AND column_name = 'search_key'"
        )
        assert cursor.fetchone()[0] == "C"


def test_latin_letters_match_whatever_their_case(published):
    catalog = published.catalog
    item = edit(catalog, 1, subject="民政局 App 服务专区")
    publish(catalog)
    assert public_ids(search(q="app")) == {item.public_id}
    assert public_ids(search(q="APP 服务专区")) == {item.public_id}


# ---------------------------------------------------------------------------
# Synonyms (matters.SearchSynonym) and service guides first
# ---------------------------------------------------------------------------


def result_ids(html: str) -> list[str]:
    """The item ids the page links to, in page order (featured services first)."""
    return re.findall(r'<li class="result">\s*<h4><a href="/items/([0-9a-f-]+)/">', html)


@pytest.fixture
def both_fields(catalogs):
    """农安县's two catalogs and 农安镇's social-assistance catalog, published."""
    for catalog in (catalogs.nongan_social, catalogs.nongan_elderly, catalogs.town_social):
        localise(catalog)
        publish(catalog)
    return catalogs


def test_the_seeded_table_has_at_least_thirty_groups_with_the_standard_names(db):
    from matters.models import SearchSynonym

    groups = list(SearchSynonym.objects.values_list("terms", flat=True))
    assert len(groups) >= 30
    assert sum(len(terms) - 1 for terms in groups) >= 30
    members = {term for terms in groups for term in terms}
    assert {"最低生活保障", "特困人员救助供养", "临时救助", "老年人补贴", "养老机构"} <= members


@pytest.mark.parametrize(
    ("query", "groups"),
    [
        ("低保", [("低保", "最低生活保障")]),
        ("五保", [("五保", "特困")]),  # 特困人员救助供养 holds 特困: the shorter term suffices
        ("高龄补贴", [("高龄补贴", "老年人补贴", "高龄津贴")]),
        ("养老院 备案", [("养老院", "养老机构", "敬老院", "福利院", "老年公寓"), ("备案",)]),
        ("救助", [("救助",)]),
    ],
)
def test_a_term_expands_into_its_synonym_group(db, query, groups):
    assert term_groups({"q": query}) == groups


def test_groups_become_an_or_of_bigram_queries():
    assert groups_tsquery([("低保", "最低生活保障")]) == (
        "('低保') | ('最低' & '低生' & '生活' & '活保' & '保障')"
    )
    assert groups_tsquery([("低保",), ("名单",)]) == "('低保') & ('名单')"
    assert groups_tsquery([("低",), ("名单", "名册")]) == "('低':*) & (('名单') | ('名册'))"
    assert groups_tsquery([("●",)]) == ""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("五保", {"特困人员救助供养"}),
        ("特困", {"特困人员救助供养"}),
        ("临救", {"临时救助"}),
    ],
)
def test_synonyms_find_the_standard_names(published, query, expected):
    found = search(q=query)
    assert found and {item.level1 for item in found if item.level1 != "综合业务"} == expected


def test_elderly_benefits_are_found_by_their_everyday_names(both_fields):
    assert {item.level2 for item in search(q="高龄补贴")} == {"老年人补贴"}
    assert {item.level2 for item in search(q="养老院")} == {"养老机构备案", "养老机构投资指南"}


def test_low_bao_shows_the_guide_of_the_chosen_place_first(client, both_fields, regions):
    guide = both_fields.nongan_social.items.get(level1="最低生活保障", level2="办事指南")
    response = client.get(reverse("site:search"), {"q": "低保", "region": "220122"})
    html = response.content.decode()
    ids = result_ids(html)
    assert str(guide.public_id) in ids[:3]
    assert ids[0] == str(guide.public_id)
    assert "办事指南和办事服务" in html and "同时查找了同义词：低保、最低生活保障" in html
    town_guide = both_fields.town_social.items.get(level1="最低生活保障", level2="办事指南")
    town = client.get(reverse("site:search"), {"q": "低保", "region": "220122100"}).content
    assert result_ids(town.decode())[0] == str(town_guide.public_id)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("五保", ("特困人员救助供养", "办事指南")),
        ("高龄补贴", ("养老服务业务办理", "老年人补贴")),
        ("养老院", ("养老服务业务办理", "养老机构备案")),
        ("临时救助", ("临时救助", "办事指南")),
    ],
)
def test_benefit_queries_put_the_service_first(client, both_fields, query, first):
    html = client.get(reverse("site:search"), {"q": query, "region": "220122"}).content.decode()
    item = PublishedItem.objects.get(public_id=result_ids(html)[0], search_key__isnull=False)
    assert (item.level1, item.level2) == first
    assert item.publication.catalog.region.code == "220122"


def test_other_queries_show_no_featured_services(client, both_fields):
    html = client.get(reverse("site:search"), {"q": "名单"}).content.decode()
    assert "办事指南和办事服务" not in html and result_ids(html)


def test_results_are_grouped_by_place_with_the_chosen_region_first(client, both_fields):
    html = client.get(reverse("site:search"), {"q": "名单", "region": "220122"}).content.decode()
    headings = re.findall(r'<section class="result-place"[^>]*>\s*<h3>([^<]+)</h3>', html)
    assert headings == ["农安县", "农安镇"]


def test_a_synonym_edit_shows_at_once(client, both_fields, users):
    from matters.models import SearchSynonym
    from matters.services import synonym_save

    url = reverse("site:search")
    assert result_ids(client.get(url, {"q": "救济金"}).content.decode()) == []
    synonym_save(actor=users.admin, synonym=SearchSynonym(), terms=["救济金", "临时救助"])
    assert result_ids(client.get(url, {"q": "救济金"}).content.decode())
    api = client.get(reverse("api:search"), {"q": "救济金"}).json()
    assert api["count"] > 0


def test_synonym_services_are_for_the_province(users, db):
    from django.core.exceptions import PermissionDenied, ValidationError

    from matters.models import SearchSynonym
    from matters.services import synonym_delete, synonym_save

    with pytest.raises(PermissionDenied):
        synonym_save(actor=users.county_editor, synonym=SearchSynonym(), terms=["甲", "乙"])
    with pytest.raises(ValidationError) as refused:
        synonym_save(actor=users.admin, synonym=SearchSynonym(), terms=["低保"])
    assert "至少要有两个词" in str(refused.value)
    with pytest.raises(ValidationError):
        synonym_save(actor=users.admin, synonym=SearchSynonym(), terms=["低\x00保", "最低"])
    group = synonym_save(actor=users.admin, synonym=SearchSynonym(), terms=["甲", "乙"])
    with pytest.raises(PermissionDenied):
        synonym_delete(actor=users.county_editor, synonym=group)
    synonym_delete(actor=users.admin, synonym=group)


def test_benefit_search_page_query_budget(client, both_fields, django_assert_max_num_queries):
    url = reverse("site:search")
    # picker, synonyms (once per synonym and publication state), count, page, featured
    # services, 一级事项 choices (once per publication state)
    with django_assert_max_num_queries(6):
        assert client.get(url, {"q": "低保", "region": "220122"}).status_code == 200
    with django_assert_max_num_queries(0):  # the page is kept until something changes
        assert client.get(url, {"q": "低保", "region": "220122"}).status_code == 200
    # Another page of the same query: the count, the synonyms and the featured are kept.
    with django_assert_max_num_queries(2):
        assert client.get(url, {"q": "低保", "region": "220122", "page": "2"}).status_code == 200


@pytest.mark.postgres
@needs_postgres
def test_a_synonym_query_is_looked_up_in_the_bigram_index(published):
    plan = _plan(search_published_items({"q": "低保"})[:20], walks=False)
    assert "items_publisheditem_search_bigrams" in plan, plan


@pytest.mark.postgres
@needs_postgres
def test_a_frequent_synonym_query_still_walks_the_results_in_order(published, regions):
    items = search_published_items({"q": "低保", "region": regions.changchun}, frequent=True)
    plan = _plan(items[:20], walks=True)
    assert "Index Scan using published_item_search_key" in plan, plan
    assert "@@" not in plan and "Sort Key" not in plan, plan
    featured = items.filter(SERVICE_CONDITION)
    plan = _plan(featured[:3], walks=True)
    assert "Index Scan using published_item_search_key" in plan and "Sort Key" not in plan, plan
