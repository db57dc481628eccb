"""R25–R31: items compared with their standard items, on catalogs shaped like real ones.

Three catalogs carry the deviations real county and township catalogs show (fewer channels,
abbreviated names, replaced documents, a county office as a township's subject, narrowed
audience, downgraded method, dropped content elements); each expected result is asserted,
and an untouched derived catalog gives none.
"""

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogs.models import Catalog
from catalogs.permissions import SYSTEM
from items.adoption import closest_standard_items, item_link_standard, link_suggestions
from items.models import Item
from items.services import catalog_derive
from review.checks import RULES_BY_CODE, WARNING, run_checks
from review.checks.standard import dropped_documents, missing_content_elements, names_township_body
from tests.conftest import localise

NEW_RULES = [
    "R25-channels-fewer",
    "R26-content-missing",
    "R27-audience-narrowed",
    "R28-method-downgraded",
    "R29-basis-dropped",
    "R30-subject-township",
    "R31-local-near-standard",
]


def item_of(catalog, seq) -> Item:
    return catalog.items.get(standard_item__seq=seq)


def edit(item, **values):
    Item.objects.filter(pk=item.pk).update(**values)


def results(catalog, rules=NEW_RULES):
    return run_checks(Catalog.objects.filter(pk=catalog.pk), rules=rules)


def summary(found) -> Counter:
    """(rule, the standard item's 序号 — or a local item's 二级事项 —, element) per result."""
    ids = {result.item_id for result in found}
    label = {
        pk: seq or level2
        for pk, seq, level2 in Item.objects.filter(pk__in=ids).values_list(
            "pk", "standard_item__seq", "level2"
        )
    }
    return Counter((result.rule_code, label[result.item_id], result.element) for result in found)


def standard_seq(result) -> int:
    return Item.objects.get(pk=result.item_id).standard_item.seq


# ---------------------------------------------------------------------------
# Three real-world-shaped catalogs
# ---------------------------------------------------------------------------


@pytest.fixture
def county_fewer_channels(catalogs):
    """永吉县: channels cut to the website, 政策/监督 abbreviations, a replaced document."""
    catalog = localise(catalogs.yongji_social)
    for seq in (3, 4, 7, 8, 11, 12):
        edit(item_of(catalog, seq), channels=["政府网站"])
    for seq, short in ((1, "政策"), (2, "监督")):
        edit(item_of(catalog, seq), standard_item=None, level2=short)
    low_income = item_of(catalog, 4)
    edit(low_income, basis="《吉林省最低生活保障办法》（吉政发〔2018〕5号）")
    # A local document added next to the national one, and one cited by number only: fine.
    edit(
        item_of(catalog, 8),
        basis="《国务院关于进一步健全特困人员救助供养制度的意见》(国发〔2016〕14号)、"
        "《吉林省特困人员救助供养办法》",
    )
    edit(item_of(catalog, 12), basis="国发〔2014〕47号、《吉林省临时救助实施办法》")
    return catalog


@pytest.fixture
def township_county_subject(catalogs):
    """农安镇: the county office as subject, narrowed audience, downgraded method, content cut."""
    catalog = localise(catalogs.town_social, "农安镇人民政府")
    for seq in (1, 2, 3):
        edit(item_of(catalog, seq), subject="农安县民政局")
    edit(item_of(catalog, 4), subject="农安县人民政府")
    edit(item_of(catalog, 7), subject="农安县民政局、农安镇人民政府")  # names the township
    edit(item_of(catalog, 8), subject="农安镇社会事务办公室")  # a township office: fine
    guide = item_of(catalog, 4)
    edit(
        guide,
        audience=["特定群体"],
        content="●办理事项\n●办理条件\n●申请材料\n●办理流程\n●办理时间、地点",
    )
    edit(item_of(catalog, 8), method=["依申请"])
    edit(item_of(catalog, 12), method=["主动", "依申请"], audience=["全社会", "特定群体"])
    edit(
        item_of(catalog, 12),
        content="●办理事项\n●办理条件\n●救助标准\n●申请材料\n●办理流程\n●办理时间和地点\n●联系电话及联系方式",
    )
    return catalog


@pytest.fixture
def county_elderly(catalogs):
    """农安县 养老服务: a channel dropped, an element cut, 依申请 for 特定群体, an abbreviation."""
    catalog = localise(catalogs.nongan_elderly)
    first = item_of(catalog, 1)
    edit(first, channels=[c for c in first.channels if c != "两微一端"])
    second = item_of(catalog, 2)
    edit(second, content=second.content.replace("●实施部门", "").replace("实施部门", ""))
    edit(item_of(catalog, 6), method=["依申请"], audience=["特定群体"])
    edit(item_of(catalog, 3), standard_item=None, level2="投资指南")
    Item.objects.create(
        catalog=catalog,
        seq=99,
        level1="养老服务业务办理",
        level2="家庭养老床位",
        content="●申请条件",
        basis="信息公开规定",
        deadline="制定或获取信息之日起10个工作日内",
        subject="农安县民政局",
        channels=["政府网站"],
        audience=["全社会"],
        method=["主动"],
        levels=["县级"],
    )
    return catalog


def test_new_rules_are_registered_warnings_with_chinese_titles():
    for code in NEW_RULES:
        rule = RULES_BY_CODE[code]
        assert rule.severity == WARNING
        assert any("\u4e00" <= char <= "\u9fff" for char in rule.title)


def test_county_with_fewer_channels_abbreviations_and_a_replaced_document(county_fewer_channels):
    found = results(county_fewer_channels)
    assert summary(found) == Counter(
        {
            ("R25-channels-fewer", 3, "channels"): 1,
            ("R25-channels-fewer", 4, "channels"): 1,
            ("R25-channels-fewer", 7, "channels"): 1,
            ("R25-channels-fewer", 8, "channels"): 1,
            ("R25-channels-fewer", 11, "channels"): 1,
            ("R25-channels-fewer", 12, "channels"): 1,
            ("R29-basis-dropped", 4, "basis"): 1,
            ("R31-local-near-standard", "政策", "name"): 1,
            ("R31-local-near-standard", "监督", "name"): 1,
        }
    )
    messages = {(r.rule_code, r.level2): r.message for r in found if r.item_seq < 3}
    messages.update({(r.rule_code, standard_seq(r)): r.message for r in found if r.item_seq >= 3})
    assert "缺少“公开查阅点”“政务服务中心”" in messages[("R25-channels-fewer", 3)]
    assert "以“《吉林省最低生活保障办法》”替换" in messages[("R29-basis-dropped", 4)]
    assert "国务院关于进一步加强和改进最低生活保障工作的意见" in messages[("R29-basis-dropped", 4)]
    assert "政策法规文件" in messages[("R31-local-near-standard", "政策")]
    assert "监督检查" in messages[("R31-local-near-standard", "监督")]
    # R01 still reports both standard items missing; R31 says why.
    missing = {r.key for r in results(county_fewer_channels, ["R01-coverage"])}
    assert missing == {"social-assistance-1", "social-assistance-2"}


def test_township_with_a_county_subject_narrowed_audience_and_downgraded_method(
    township_county_subject,
):
    found = results(township_county_subject)
    assert summary(found) == Counter(
        {
            ("R30-subject-township", 1, "subject"): 1,
            ("R30-subject-township", 2, "subject"): 1,
            ("R30-subject-township", 3, "subject"): 1,
            ("R30-subject-township", 4, "subject"): 1,
            ("R27-audience-narrowed", 4, "audience"): 1,
            ("R26-content-missing", 4, "content"): 1,
            ("R28-method-downgraded", 8, "method"): 1,
        }
    )
    content = next(r for r in found if r.rule_code == "R26-content-missing")
    assert "“最低生活保障标准”“联系方式”" in content.message
    subject = next(
        r for r in found if r.rule_code == "R30-subject-township" and standard_seq(r) == 4
    )
    assert "农安县人民政府" in subject.message and "农安镇人民政府" in subject.message


def test_county_elderly_catalog(county_elderly):
    found = results(county_elderly)
    assert summary(found) == Counter(
        {
            ("R25-channels-fewer", 1, "channels"): 1,
            ("R26-content-missing", 2, "content"): 1,
            ("R27-audience-narrowed", 6, "audience"): 1,
            ("R28-method-downgraded", 6, "method"): 1,
            ("R31-local-near-standard", "投资指南", "name"): 1,
        }
    )
    assert "“两微一端”" in next(r for r in found if r.rule_code == "R25-channels-fewer").message
    assert (
        "养老机构投资指南"
        in next(r for r in found if r.rule_code == "R31-local-near-standard").message
    )


def test_untouched_derived_catalogs_give_no_results(catalogs, regions, standards):
    town = catalog_derive(actor=SYSTEM, region=regions.fulongquan, standard=standards.social)
    localise(town, "伏龙泉镇人民政府")
    localise(catalogs.nongan_elderly)
    checked = Catalog.objects.filter(
        pk__in=[
            town.pk,
            catalogs.nongan_social.pk,  # not even localised: the template's own values
            catalogs.town_social.pk,
            catalogs.nongan_elderly.pk,
            catalogs.yongji_social.pk,
        ]
    )
    assert run_checks(checked, rules=NEW_RULES) == []


def test_township_subject_recognition(regions):
    town = regions.nongan_town
    assert names_township_body("农安镇人民政府", town)
    assert names_township_body("农安县民政局、农安镇人民政府", town)
    assert names_township_body("县级人民政府民政部门、乡镇人民政府(街道办事处)", town)
    assert not names_township_body("农安县民政局", town)
    assert not names_township_body("农安县人民政府", town)
    assert not names_township_body("长春市民政局", town)


def test_documents_and_content_elements():
    standard = "《国务院关于全面建立临时救助制度的通知》(国发〔2014〕47号) 、各地相关政策法规文件"
    assert dropped_documents(standard, "《国务院关于全面建立临时救助制度的通知》") == []
    assert dropped_documents(standard, "国发〔2014〕47号") == []
    assert dropped_documents(standard, "《吉林省临时救助办法》") == [
        "国务院关于全面建立临时救助制度的通知"
    ]
    assert missing_content_elements("●办理事项\n●各地配套政策法规文件", "●办理事项") == []
    assert missing_content_elements("●办理时间、地点\n●联系方式", "●办理时间和地点") == ["联系方式"]


def test_near_names_pair_each_item_once(standards):
    edition = standards.social.current_edition
    items = list(edition.items.order_by("seq"))
    short = [Item(level1="综合业务", level2="政策"), Item(level1="最低生活保障", level2="政策")]
    pairs = closest_standard_items(short, items)
    assert [(item.level1, si.seq) for item, si in pairs] == [("综合业务", 1), ("最低生活保障", 3)]
    assert closest_standard_items([Item(level1="综合业务", level2="宣传")], items) == []


def test_linking_a_near_item_in_one_action(county_fewer_channels, users, regions):
    catalog = county_fewer_channels
    suggestions = link_suggestions(catalog)
    assert [(item.level2, si.seq) for item, si in suggestions] == [("政策", 1), ("监督", 2)]
    item, standard_item = suggestions[0]
    with pytest.raises(PermissionDenied):
        item_link_standard(actor=users.county_editor, item=item, standard_item=standard_item)
    from tests.factories import staff_user

    editor = staff_user("county_editor", regions.yongji, "yongji-linker")
    item_link_standard(actor=editor, item=item, standard_item=standard_item)
    item.refresh_from_db()
    assert item.standard_item_id == standard_item.pk and item.level2 == "政策法规文件"
    assert item.history.first().history_change_reason.startswith("关联标准事项")
    with pytest.raises(ValidationError, match="已关联"):
        item_link_standard(actor=editor, item=item, standard_item=standard_item)
    other = suggestions[1][0]
    with pytest.raises(ValidationError, match="已由第1项"):
        item_link_standard(actor=editor, item=other, standard_item=standard_item)
    codes = {r.rule_code for r in results(catalog, ["R01-coverage", *NEW_RULES])}
    keys = {r.key for r in results(catalog, ["R01-coverage"])}
    assert keys == {"social-assistance-2"} and "R31-local-near-standard" in codes
