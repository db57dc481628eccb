"""R22-interpretation: a document the region issued (有效) needs a 解读 within 3 working days."""

from datetime import date

import pytest

from catalogs.models import Catalog
from catalogs.permissions import SYSTEM
from policies.services import document_repeal
from review.checks import run_checks
from tests.policies.conftest import make_document, make_interpretation

pytestmark = pytest.mark.django_db

RULE = "R22-interpretation"
LATE_TODAY = date(2025, 12, 31)


def r22(catalogs_):
    return run_checks(catalogs_, rules=[RULE])


def document_with_interpretation(regions, standards, issued_on, published_on, **values):
    document = make_document(
        regions.nongan, standards.social, issued_on=issued_on, today=LATE_TODAY, **values
    )
    if published_on is not None:
        make_interpretation(document, published_on=published_on, today=LATE_TODAY)
    return document


def test_a_document_without_interpretation_is_a_hit_on_its_catalog(catalogs, regions, standards):
    document = make_document(regions.nongan, standards.social)
    results = r22(Catalog.objects.all())
    assert [(r.catalog_id, r.item_id, r.key) for r in results] == [
        (catalogs.nongan_social.pk, None, f"policy:{document.pk}:missing")
    ]
    assert results[0].message == (
        "政策文件《农安县最低生活保障审核确认办法》农政发〔2025〕12号（2025年3月3日发布）"
        "没有政策解读；本级制发的政策文件应同步发布解读材料。"
    )
    assert results[0].severity == "warning"


def test_a_timely_interpretation_passes(catalogs, policy):
    assert r22(Catalog.objects.all()) == []


@pytest.mark.parametrize(
    ("issued_on", "published_on", "late"),
    [
        (date(2025, 3, 3), date(2025, 3, 3), None),  # the same day
        (date(2025, 3, 3), date(2025, 2, 28), None),  # before the document (pre-approved)
        (date(2025, 3, 3), date(2025, 3, 6), None),  # Thursday: 3 working days
        (date(2025, 3, 3), date(2025, 3, 7), 4),  # Friday: 4 working days
        # Over a weekend: Friday → Wednesday is 3 working days, Thursday 4.
        (date(2025, 3, 7), date(2025, 3, 12), None),
        (date(2025, 3, 7), date(2025, 3, 13), 4),
        # Over National Day 2025 (1–8 October off, Saturday 11 October a 调休 working day):
        # counting Monday to Friday would call 11 October 8 days late.
        (date(2025, 9, 30), date(2025, 10, 11), None),
        (date(2025, 9, 30), date(2025, 10, 13), 4),
        (date(2025, 9, 30), date(2025, 10, 31), 18),
    ],
)
def test_late_interpretation_counts_working_days(
    catalogs, regions, standards, issued_on, published_on, late
):
    document = document_with_interpretation(regions, standards, issued_on, published_on)
    results = r22(Catalog.objects.all())
    if late is None:
        assert results == []
    else:
        assert [(r.catalog_id, r.key) for r in results] == [
            (catalogs.nongan_social.pk, f"policy:{document.pk}:late")
        ]
        assert (
            f"晚于文件（{issued_on.year}年{issued_on.month}月{issued_on.day}日）{late}个工作日"
            in (results[0].message)
        )
        assert "《农安县最低生活保障审核确认办法》农政发〔2025〕12号" in results[0].message


def test_only_the_first_interpretation_counts(catalogs, regions, standards):
    document = document_with_interpretation(regions, standards, date(2025, 3, 3), date(2025, 3, 4))
    make_interpretation(document, published_on=date(2025, 6, 2), title="补充问答")
    assert r22(Catalog.objects.all()) == []


def test_relayed_and_repealed_documents_are_not_checked(catalogs, regions, standards):
    make_document(regions.nongan, standards.social, relation="relayed", title="转发的通知")
    old = make_document(regions.nongan, standards.social, title="旧办法")
    new = document_with_interpretation(
        regions, standards, date(2025, 3, 3), date(2025, 3, 4), title="新办法"
    )
    document_repeal(actor=SYSTEM, document=old, replaced_by=new)
    assert r22(Catalog.objects.all()) == []


def test_hits_go_to_the_catalog_of_the_region_and_field(catalogs, regions, standards):
    elderly = make_document(regions.nongan, standards.elderly, title="高龄补贴办法")
    town = make_document(regions.nongan_town, standards.social, title="镇低保细则")
    other = make_document(regions.yongji, standards.social, title="永吉县低保办法")
    results = r22(Catalog.objects.all())
    assert sorted((r.catalog_id, r.key) for r in results) == sorted(
        [
            (catalogs.nongan_elderly.pk, f"policy:{elderly.pk}:missing"),
            (catalogs.town_social.pk, f"policy:{town.pk}:missing"),
            (catalogs.yongji_social.pk, f"policy:{other.pk}:missing"),
        ]
    )
    # Checking one catalog reports only its own documents.
    only = r22([catalogs.yongji_social])
    assert [r.key for r in only] == [f"policy:{other.pk}:missing"]


def test_queries_do_not_grow_with_documents_or_catalogs(
    catalogs, regions, standards, django_assert_num_queries
):
    make_document(regions.nongan, standards.social)
    with django_assert_num_queries(6) as small:
        assert len(r22(Catalog.objects.all())) == 1
    for index in range(5):
        document = make_document(regions.nongan_town, standards.social, title=f"文件{index}")
        make_interpretation(document, published_on=date(2025, 3, 12))
        make_document(regions.yongji, standards.elderly, title=f"永吉文件{index}")
    with django_assert_num_queries(len(small.captured_queries)):
        results = r22(Catalog.objects.all())
    # The township's five are late (7 working days); 永吉县 has no 养老服务 catalog to
    # attach its documents to.
    assert sorted(r.key.rsplit(":", 1)[1] for r in results) == ["late"] * 5 + ["missing"]


def test_with_the_record_rules_the_holiday_table_is_loaded_once(
    catalogs, regions, standards, django_assert_max_num_queries
):
    make_document(regions.nongan, standards.social)
    with django_assert_max_num_queries(50) as both:
        results = run_checks(Catalog.objects.all(), rules=["R14-record-missing", RULE])
    assert [r.rule_code for r in results] == [RULE]  # nothing published: R14 is silent
    holiday_loads = [q for q in both.captured_queries if "records_holidaycalendar" in q["sql"]]
    assert len(holiday_loads) == 1
