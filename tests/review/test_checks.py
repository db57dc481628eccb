"""The automated rule set: each rule's failing and passing cases side by side."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogs import vocabulary
from catalogs.models import Catalog, Region, RegionLevel, StandardItem
from catalogs.permissions import SYSTEM
from catalogs.services import edition_create_draft, edition_publish
from items.models import Item, ItemExtraElement
from items.services import (
    catalog_derive,
    item_create,
    item_delete,
    item_set_extra_elements,
    item_update,
)
from review.checks import (
    ERROR,
    INFO,
    RULES,
    SEVERITIES,
    WARNING,
    CheckResult,
    basis_citation_problems,
    name_coverage,
    normalize_name,
    run_checks,
)
from tests.conftest import localise

CJK = re.compile(r"[\u4e00-\u9fff]")


def check(catalog, code):
    return run_checks(Catalog.objects.filter(pk=catalog.pk), rules=[code])


def by_standard_seq(catalog, seq) -> Item:
    return catalog.items.select_related("catalog").get(standard_item__seq=seq)


def set_fields(item, **values):
    """Write straight to the row, as a bad import or a console edit could."""
    Item.objects.filter(pk=item.pk).update(**values)


# ---------------------------------------------------------------------------
# The rule set itself
# ---------------------------------------------------------------------------


def test_rules_have_unique_stable_codes_one_severity_and_chinese_titles():
    codes = [rule.code for rule in RULES]
    assert len(set(codes)) == len(codes) >= 9
    assert all(re.fullmatch(r"R\d{2}-[a-z-]+", code) and len(code) <= 40 for code in codes)
    assert all(rule.severity in SEVERITIES for rule in RULES)
    assert all(CJK.search(rule.title) and CJK.search(rule.description) for rule in RULES)
    severities = {rule.code: rule.severity for rule in RULES}
    assert severities["R01-coverage"] == severities["R12-duplicates"] == ERROR
    assert severities["R06-subject"] == severities["R07-name-drift"] == WARNING
    assert severities["R09-basis-generic"] == INFO


def test_unknown_rule_code_is_refused(catalogs):
    with pytest.raises(ValueError, match="R99"):
        run_checks([catalogs.nongan_social], rules=["R99-nothing"])


def test_clean_localised_catalogs_have_no_errors_or_warnings(catalogs, regions, standards):
    pinghu = catalog_derive(actor=SYSTEM, region=regions.pinghu, standard=standards.social)
    localise(catalogs.nongan_social)  # 农安县民政局
    localise(catalogs.nongan_elderly)
    localise(catalogs.town_social)  # 农安镇人民政府
    localise(pinghu, "平湖街道办事处")
    results = run_checks(
        Catalog.objects.filter(
            pk__in=[
                catalogs.nongan_social.pk,
                catalogs.nongan_elderly.pk,
                catalogs.town_social.pk,
                pinghu.pk,
            ]
        )
    )
    # Localising fills the nine elements; writing the structured 办事指南 (R20) is another step,
    # so each standard 办事指南 item is flagged once, and nothing else is.
    guide_items = set(
        Item.objects.filter(catalog_id__in=[r.catalog_id for r in results])
        .filter(standard_item__level2__contains="办事指南")
        .values_list("pk", flat=True)
    )
    no_guide = [r for r in results if r.rule_code == "R20-guide-incomplete"]
    assert guide_items and sorted(r.item_id for r in no_guide) == sorted(guide_items)
    assert [r.message for r in results if r.severity != INFO and r not in no_guide] == []
    # The template's "信息公开规定" is allowed, and only noted.
    assert {r.rule_code for r in results} == {"R09-basis-generic", "R20-guide-incomplete"}


def test_freshly_derived_catalog_is_flagged_for_the_template_subject_and_missing_basis(catalogs):
    results = run_checks([catalogs.nongan_social])
    codes = {r.rule_code for r in results}
    assert "R06-subject" in codes
    # Standard row 10 has no basis in any copy we found.
    missing_basis = [r for r in results if r.rule_code == "R02-elements"]
    assert [(r.element, r.severity) for r in missing_basis] == [("basis", ERROR)]
    assert "特困人员救助供养 · 审批信息" in missing_basis[0].message


def test_results_name_the_catalog_item_and_element(catalogs):
    localise(catalogs.nongan_social)
    item = by_standard_seq(catalogs.nongan_social, 3)
    set_fields(item, deadline="")
    (result,) = check(catalogs.nongan_social, "R02-elements")
    assert isinstance(result, CheckResult)
    assert result.catalog_id == catalogs.nongan_social.pk
    assert result.item_id == item.pk
    assert result.element == "deadline" and result.element in vocabulary.ELEMENT_LABELS
    assert f"第{item.seq}项“{item.name}”" in result.message
    assert "公开时限" in result.message


# ---------------------------------------------------------------------------
# R01 coverage
# ---------------------------------------------------------------------------


def test_coverage_flags_a_deleted_standard_item_of_the_regions_level(catalogs):
    town = localise(catalogs.town_social)
    assert check(town, "R01-coverage") == []
    item_delete(actor=SYSTEM, item=by_standard_seq(town, 5))
    (result,) = check(town, "R01-coverage")
    assert result.severity == ERROR and result.item_id is None and result.element is None
    assert "标准目录第5项“最低生活保障 · 审核信息”" in result.message
    assert result.key == "social-assistance-5"


def test_coverage_asks_only_for_items_of_the_regions_level(catalogs):
    # Rows 5 and 9 are 乡级 only: the county catalog need not have them.
    county = catalogs.nongan_social
    assert not county.items.filter(standard_item__seq__in=[5, 9]).exists()
    assert check(county, "R01-coverage") == []


def test_coverage_accepts_an_unlinked_item_with_the_same_normalised_name(catalogs):
    town = catalogs.town_social
    item = by_standard_seq(town, 5)
    set_fields(item, standard_item=None, level2="审核信息 ")
    assert check(town, "R01-coverage") == []
    set_fields(item, level2="其他信息")
    assert len(check(town, "R01-coverage")) == 1


def test_coverage_follows_items_linked_to_an_older_edition_by_key(catalogs, standards, users):
    draft = edition_create_draft(actor=users.admin, standard=standards.social)
    new_edition = edition_publish(actor=users.admin, edition=draft)
    county = catalogs.nongan_social
    Catalog.objects.filter(pk=county.pk).update(edition=new_edition)
    assert county.items.exclude(standard_item__edition=new_edition).count() == 11
    assert check(county, "R01-coverage") == []
    StandardItem.objects.create(
        edition=new_edition,
        key="social-assistance-new",
        seq=14,
        level1="临时救助",
        level2="资金发放信息",
        levels=["县级", "乡级"],
    )
    (result,) = check(county, "R01-coverage")
    assert "资金发放信息" in result.message


# ---------------------------------------------------------------------------
# R02 elements
# ---------------------------------------------------------------------------


def test_elements_reports_one_result_per_missing_or_invalid_element(catalogs):
    county = localise(catalogs.nongan_social)
    item = by_standard_seq(county, 1)
    assert check(county, "R02-elements") == []
    set_fields(item, basis=" ", audience=[], method=["被动"], content="")
    results = check(county, "R02-elements")
    assert sorted(r.element for r in results) == ["audience", "basis", "content", "method"]
    assert all(r.item_id == item.pk and r.severity == ERROR for r in results)
    assert any("被动" in r.message for r in results)


def test_elements_leaves_channel_vocabulary_to_the_channel_rule(catalogs):
    county = localise(catalogs.nongan_social)
    item = by_standard_seq(county, 1)
    set_fields(item, channels=["微信群"])
    assert check(county, "R02-elements") == []
    assert len(check(county, "R03-channels")) == 1
    set_fields(item, channels=[])
    (result,) = check(county, "R02-elements")
    assert result.element == "channels" and "未填写公开渠道和载体" in result.message


# ---------------------------------------------------------------------------
# R03 / R04 channels
# ---------------------------------------------------------------------------


def test_channels_outside_the_vocabulary_are_errors_with_a_hint(catalogs):
    county = localise(catalogs.nongan_social)
    item = by_standard_seq(county, 1)
    assert check(county, "R03-channels") == []
    set_fields(item, channels=["政府网站", "政府服务中心", "微信群", "微信群"])
    results = check(county, "R03-channels")
    assert len(results) == 2  # 微信群 listed twice is one problem
    alias, unknown = results
    assert "应写作标准渠道“政务服务中心”" in alias.message
    assert "“微信群”不是标准渠道" in unknown.message
    assert {r.element for r in results} == {"channels"}


def test_other_channel_needs_a_description(catalogs):
    county = localise(catalogs.nongan_social)
    item = by_standard_seq(county, 1)
    set_fields(item, channels=["政府网站", "其他"], channel_other="")
    (result,) = check(county, "R03-channels")
    assert "勾选了“其他”" in result.message and result.severity == ERROR
    set_fields(item, channel_other="村民微信群")
    assert check(county, "R03-channels") == []


def test_other_channel_description_must_match_the_ticks(catalogs):
    county = localise(catalogs.nongan_social)
    item = by_standard_seq(county, 1)
    set_fields(item, channels=["政府网站", "其他"], channel_other="村民微信群")
    assert check(county, "R04-channel-other") == []
    set_fields(item, channels=["政府网站"])
    (unticked,) = check(county, "R04-channel-other")
    assert "未勾选“其他”" in unticked.message and unticked.severity == WARNING
    set_fields(item, channels=["政府网站", "其他"], channel_other="村民微信群、政府服务中心")
    (standard_channel,) = check(county, "R04-channel-other")
    assert "即标准渠道“政务服务中心”" in standard_channel.message


# ---------------------------------------------------------------------------
# R05 level
# ---------------------------------------------------------------------------


def test_level_must_include_the_regions_own_level(catalogs):
    town = localise(catalogs.town_social)
    county = localise(catalogs.nongan_social)
    assert check(town, "R05-level") == [] and check(county, "R05-level") == []
    town_item = by_standard_seq(town, 1)
    set_fields(town_item, levels=["县级"])
    (result,) = check(town, "R05-level")
    assert result.item_id == town_item.pk and result.element == "levels"
    assert "应包含“乡级”" in result.message and "农安镇是乡级区划" in result.message
    set_fields(by_standard_seq(county, 1), levels=["乡级"])
    (result,) = check(county, "R05-level")
    assert "应包含“县级”" in result.message


# ---------------------------------------------------------------------------
# R06 subject
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "县级人民政府民政部门、乡镇人民政府(街道办事处)",
        "县级人民政府民政部门、乡镇人民政府（街道办事处）",  # full-width brackets
        "县级政府民政部门、乡镇政府(街道办事处)",  # Style A
        "县级人民政府民政部门",
        "乡镇人民政府",
        "农安县民政局、乡镇人民政府(街道办事处)",  # half localised
    ],
)
def test_template_subjects_are_flagged(catalogs, subject):
    county = localise(catalogs.nongan_social)
    item = by_standard_seq(county, 1)
    set_fields(item, subject=subject)
    (result,) = check(county, "R06-subject")
    assert result.item_id == item.pk and result.element == "subject"
    assert "通用表述" in result.message and "农安县民政局" in result.message


@pytest.mark.parametrize(
    "subject", ["农安县民政局", "农安县民政局、农安镇人民政府", "农安县人民政府办公室"]
)
def test_real_offices_naming_the_place_pass(catalogs, subject):
    county = localise(catalogs.nongan_social, subject)
    assert check(county, "R06-subject") == []


def test_subject_without_a_place_name_is_flagged(catalogs):
    county = localise(catalogs.nongan_social, "民政局")
    results = check(county, "R06-subject")
    assert len(results) == county.items.count()
    assert "未写明所属地区" in results[0].message


def test_township_subjects(catalogs, regions, standards):
    town = localise(catalogs.town_social)  # 农安镇人民政府
    assert check(town, "R06-subject") == []
    county_office = by_standard_seq(town, 6)
    set_fields(county_office, subject="农安县民政局")  # the county above approves
    assert check(town, "R06-subject") == []
    set_fields(county_office, subject="乡镇人民政府(街道办事处)")
    (result,) = check(town, "R06-subject")
    assert "如“农安镇人民政府”" in result.message
    # A street office's real name contains 街道办事处 and is not a template wording.
    pinghu = localise(
        catalog_derive(actor=SYSTEM, region=regions.pinghu, standard=standards.social),
        "平湖街道办事处",
    )
    assert check(pinghu, "R06-subject") == []


@pytest.mark.parametrize("name", ["红岗子乡", "永吉经济开发区特殊乡镇"])
def test_real_township_names_containing_template_words_pass(regions, standards, name):
    # Real division names: every 乡 government contains 乡人民政府, and development zones
    # are listed as 特殊乡镇.
    township = Region.objects.create(
        code="220122299", name=name, level=RegionLevel.TOWNSHIP, parent=regions.nongan
    )
    catalog = localise(catalog_derive(actor=SYSTEM, region=township, standard=standards.social))
    assert catalog.items.first().subject == f"{name}人民政府"
    assert check(catalog, "R06-subject") == []
    set_fields(catalog.items.first(), subject="乡镇人民政府")
    assert len(check(catalog, "R06-subject")) == 1


# ---------------------------------------------------------------------------
# R07 name drift
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level1", "level2"),
    [
        ("最低生活保障", "审核信息"),
        ("最低生活保障", "最低生活保障审核信息（农安县）"),
        ("最低生活保障", "审核信息(农安镇)"),
        ("城乡最低生活保障", "审 核 信 息"),
        ("低保", "审核信息"),  # a common abbreviation keeps enough
    ],
)
def test_refined_names_pass(catalogs, level1, level2):
    town = catalogs.town_social
    set_fields(by_standard_seq(town, 5), level1=level1, level2=level2)
    assert check(town, "R07-name-drift") == []


@pytest.mark.parametrize(
    ("level1", "level2"),
    [("政府采购", "采购信息"), ("最低生活保障", "资金发放"), ("最低生活保障", "发放信息")],
)
def test_unrelated_renames_are_flagged(catalogs, level1, level2):
    town = catalogs.town_social
    item = by_standard_seq(town, 5)
    set_fields(item, level1=level1, level2=level2)
    (result,) = check(town, "R07-name-drift")
    assert result.item_id == item.pk and result.element == "name" and result.severity == WARNING
    assert "标准目录第5项“最低生活保障 · 审核信息”" in result.message


def test_name_of_another_standard_item_asks_to_check_the_link(catalogs):
    town = catalogs.town_social
    item = by_standard_seq(town, 5)
    set_fields(item, level2="审批信息（农安镇）")  # the name of row 6, linked to row 5
    (result,) = check(town, "R07-name-drift")
    assert "名称与标准目录第6项" in result.message and "请核对对应关系" in result.message


def test_local_items_have_no_standard_name_to_drift_from(catalogs):
    county = catalogs.nongan_social
    item_create(
        actor=SYSTEM, catalog=county, level1="本地事项", level2="冬季取暖补贴", content="●名单"
    )
    assert check(county, "R07-name-drift") == []


def test_name_helpers():
    assert normalize_name("最低生活保障 · 审核信息（农安县）") == "最低生活保障审核信息农安县"
    assert normalize_name("审核信息(农安县)") == normalize_name("审核信息（农安县）")
    assert name_coverage("最低生活保障审核信息", "最低生活保障审核信息农安县") == 1.0
    assert name_coverage("综合业务政策法规文件", "综合业务监督检查") < 0.6


# ---------------------------------------------------------------------------
# R08 / R09 basis
# ---------------------------------------------------------------------------

WELL_FORMED_BASES = [
    "《国务院关于进一步健全特困人员救助供养制度的意见》(国发〔2016〕14号) 、各地相关政策法规文件",
    "《国务院关于进一步健全特困人员救助供养制度的意见》（国发〔2016〕14号）",
    "《社会救助暂行办法》(国务院令第649号)",
    "《中华人民共和国政府信息公开条例》",
    "《吉林省社会救助规划(2016)》",
    "《信息公开条例》及相关规定",
    "信息公开规定",
    "民办函〔2019〕52号",
]


@pytest.mark.parametrize("basis", WELL_FORMED_BASES)
def test_well_formed_citations_pass(basis):
    assert basis_citation_problems(basis) == []


@pytest.mark.parametrize(
    ("basis", "fragment"),
    [
        ("《国务院关于…的意见》(国发[2016]14号)", "年份应使用六角括号〔〕"),
        ("《国务院关于…的意见》(国发(2016)14号)", "年份应使用六角括号〔〕"),
        ("《国务院关于…的意见》国发【2016】14号", "年份应使用六角括号〔〕"),
        ("《国务院关于…的意见》国发［2016］14号", "年份应使用六角括号〔〕"),
        ("《国务院关于…的意见》国发〔2016)14号", "年份应使用六角括号〔〕"),
        ("《国务院关于…的意见》(国发〔2016〕14)", "缺少“号”"),
        ("《国务院关于…的意见》(国发〔2016〕号)", "缺少发文顺序号"),
        ("《国务院关于…的意见》(〔2016〕14号)", "缺少发文机关代字"),
        ("《国务院关于…的意见》(国发〔2016〕第14号)", "不加“第”"),
        ("《国务院关于…的意见》(国发〔2016〕014号)", "不编虚位"),
        ("《国务院关于…的意见》(国发〔16〕14号)", "四位数"),
        ("《国务院关于进一步健全特困人员救助供养制度的意见", "缺少“》”"),
        ("国务院关于进一步健全特困人员救助供养制度的意见》", "多出一个“》”"),
        ("《》及相关规定", "没有文件名称"),
        ("<信息公开条例>及相关规定", "应使用书名号《》"),
    ],
)
def test_malformed_citations_are_named(basis, fragment):
    problems = basis_citation_problems(basis)
    assert any(fragment in description for description, _ in problems), problems


def test_basis_format_rule_quotes_the_document_number(catalogs):
    county = localise(catalogs.nongan_social)
    item = by_standard_seq(county, 8)
    assert check(county, "R08-basis-format") == []
    set_fields(item, basis="《国务院关于进一步健全特困人员救助供养制度的意见》（国发［2016］14号）")
    (result,) = check(county, "R08-basis-format")
    assert result.element == "basis" and result.severity == WARNING
    assert "文号“国发［2016］14号”" in result.message


@pytest.mark.parametrize(
    ("basis", "flagged"),
    [
        ("信息公开规定", True),
        ("相关政策规定", True),
        ("《信息公开条例》及相关规定", True),
        ("各地相关政策法规文件", True),
        ("《国务院关于进一步加强和改进最低生活保障工作的意见》(国发〔2012〕45号)", False),
        ("《社会救助暂行办法》", False),
        ("国务院令第649号", False),
    ],
)
def test_basis_without_a_specific_document_is_only_noted(catalogs, basis, flagged):
    county = localise(catalogs.nongan_social)
    item = by_standard_seq(county, 1)
    Item.objects.filter(catalog=county).exclude(pk=item.pk).update(basis="《社会救助暂行办法》")
    set_fields(item, basis=basis)
    results = check(county, "R09-basis-generic")
    assert [r.item_id for r in results] == ([item.pk] if flagged else [])
    if flagged:
        assert results[0].severity == INFO and "未引用具体文件" in results[0].message


# ---------------------------------------------------------------------------
# R10 / R11 deadlines
# ---------------------------------------------------------------------------


def test_unreadable_deadline_is_a_warning(catalogs):
    county = localise(catalogs.nongan_social)
    item = by_standard_seq(county, 1)
    assert check(county, "R10-deadline-format") == []
    set_fields(item, deadline="尽快公开")
    (result,) = check(county, "R10-deadline-format")
    assert result.element == "deadline" and "“尽快公开”无法识别" in result.message
    set_fields(item, deadline="制定或获取信息之日起十个工作日内")
    assert check(county, "R10-deadline-format") == []


@pytest.mark.parametrize(
    ("deadline", "fragment"),
    [
        ("制定或获取信息之日起10个工作日内", None),
        ("制定或获取信息之日起5个工作日内", None),
        ("实时更新", None),
        ("制定或获取信息之日起20个工作日内", "长于标准目录规定的"),
        ("制定或获取信息之日起30日内", "长于标准目录规定的"),
        ("长期公开", "不能保证"),
    ],
)
def test_deadline_may_not_be_looser_than_the_standard(catalogs, deadline, fragment):
    county = localise(catalogs.nongan_social)
    set_fields(by_standard_seq(county, 1), deadline=deadline)
    messages = [r.message for r in check(county, "R11-deadline-looser")]
    if fragment is None:
        assert messages == []
    else:
        assert len(messages) == 1 and fragment in messages[0]


@pytest.mark.parametrize(
    ("deadline", "fragment"),
    [
        ("制定或获取信息之日起10个工作日内,公示7个工作日", None),
        ("制定或获取信息之日起10个工作日内，公示10个工作日", None),
        ("制定或获取信息之日起10个工作日内", "未写明公示期"),
        ("制定或获取信息之日起10个工作日内,公示5个工作日", "公示5个工作日短于"),
    ],
)
def test_publicity_period_of_the_standard_is_kept(catalogs, deadline, fragment):
    town = localise(catalogs.town_social)
    set_fields(by_standard_seq(town, 5), deadline=deadline)
    messages = [r.message for r in check(town, "R11-deadline-looser")]
    if fragment is None:
        assert messages == []
    else:
        assert len(messages) == 1 and fragment in messages[0]


# ---------------------------------------------------------------------------
# R12 duplicates
# ---------------------------------------------------------------------------


def test_items_with_the_same_normalised_name_are_duplicates(catalogs):
    county = localise(catalogs.nongan_social)
    assert check(county, "R12-duplicates") == []
    original = by_standard_seq(county, 1)
    copy = item_create(
        actor=SYSTEM,
        catalog=county,
        level1="综合业务 ",
        level2="政策法规文件（ ）",
        content="●文件",
    )
    (result,) = check(county, "R12-duplicates")
    assert result.item_id == copy.pk and result.severity == ERROR
    assert f"与第{original.seq}项“综合业务 · 政策法规文件”名称相同" in result.message


def test_two_items_linked_to_one_standard_item_are_duplicates(catalogs):
    county = localise(catalogs.nongan_social)
    first = by_standard_seq(county, 3)
    second = by_standard_seq(county, 4)
    item_update(actor=SYSTEM, item=second, standard_item=first.standard_item)
    (result,) = check(county, "R12-duplicates")
    assert result.item_id == second.pk and "对应同一个标准目录第3项" in result.message
    # Same name and same link: still one result for the pair.
    set_fields(second, level2=first.level2)
    assert len(check(county, "R12-duplicates")) == 1


# ---------------------------------------------------------------------------
# R13 extra elements
# ---------------------------------------------------------------------------


def test_extra_elements(catalogs):
    county = localise(catalogs.nongan_social)
    item = by_standard_seq(county, 1)
    item_set_extra_elements(actor=SYSTEM, item=item, extras=[("咨询电话", "0431-1234567")])
    assert check(county, "R13-extra-elements") == []
    ItemExtraElement.objects.create(item=item, name="公开时限（天）", value="10", order=1)
    ItemExtraElement.objects.create(item=item, name="办公地址", value=" ", order=2)
    results = check(county, "R13-extra-elements")
    assert [(r.element, r.item_id) for r in results] == [("deadline", item.pk), (None, item.pk)]
    assert "与必备要素“公开时限”重复" in results[0].message
    assert "“办公地址”未填写内容" in results[1].message


# ---------------------------------------------------------------------------
# Running: pure, a fixed number of queries, stable fingerprints
# ---------------------------------------------------------------------------


def test_fixed_number_of_queries_for_one_or_many_catalogs(
    catalogs, regions, standards, django_assert_num_queries, django_assert_max_num_queries
):
    for region in (regions.fulongquan, regions.shuangyang, regions.pinghu, regions.chaluhe):
        catalog_derive(actor=SYSTEM, region=region, standard=standards.social)
        catalog_derive(actor=SYSTEM, region=region, standard=standards.elderly)
    item = by_standard_seq(catalogs.nongan_social, 1)
    item_set_extra_elements(actor=SYSTEM, item=item, extras=[("咨询电话", "0431-1234567")])
    assert Catalog.objects.count() == 12
    # 4 for the catalogs, items, extras and rule settings; 3 for the records rules' prepare
    # (records, channels, checks); 1 for the current standard editions (R01, R32); 6 for
    # the families of issues 13 and 14: the 事项库 links (R07, R21), the guides (R20), the
    # policy documents and their calendar (R22), the consultations and their fields (R23).
    with django_assert_num_queries(14):
        one = run_checks(Catalog.objects.filter(pk=catalogs.nongan_social.pk))
    with django_assert_num_queries(14):
        every = run_checks(Catalog.objects.all())
    first_three = list(Catalog.objects.all()[:3])
    with django_assert_num_queries(14):
        as_list = run_checks(first_three)
    assert one and len(every) > len(one) * 6
    assert {r.catalog_id for r in every} == set(Catalog.objects.values_list("pk", flat=True))
    assert {r.catalog_id for r in as_list} == {catalog.pk for catalog in first_three}
    with django_assert_max_num_queries(1):
        assert run_checks(Catalog.objects.filter(region__code="nowhere")) == []


def test_checks_only_read_and_results_are_repeatable(catalogs):
    messy = catalogs.nongan_social
    item = by_standard_seq(messy, 1)
    set_fields(item, channels=["微信群", "其他"], levels=["乡级"], deadline="尽快", basis="")
    ItemExtraElement.objects.create(item=item, name="公开主体", value="")
    item_delete(actor=SYSTEM, item=by_standard_seq(messy, 2))
    with CaptureQueriesContext(connection) as queries:
        first = run_checks([messy])
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    assert run_checks([messy]) == first
    fingerprints = [r.fingerprint for r in first]
    assert len(set(fingerprints)) == len(fingerprints)
    assert all(len(fingerprint) <= 120 for fingerprint in fingerprints)
    assert {"R01-coverage", "R02-elements", "R03-channels", "R05-level", "R13-extra-elements"} <= {
        r.rule_code for r in first
    }
    assert all(r.element is None or r.element in vocabulary.ELEMENT_LABELS for r in first)
    assert all(CJK.search(r.message) for r in first)


def test_rules_can_be_chosen(catalogs):
    results = run_checks([catalogs.nongan_social], rules=[RULES[5], "R09-basis-generic"])
    assert {r.rule_code for r in results} == {"R06-subject", "R09-basis-generic"}
