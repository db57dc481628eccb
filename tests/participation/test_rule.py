"""R23-participation: a closed consultation whose 采纳情况 is overdue."""

from datetime import date

import pytest

from catalogs.models import Catalog
from catalogs.permissions import SYSTEM
from participation.selectors import feedback_due, feedback_overdue
from participation.services import consultation_feedback_publish
from review.checks import RULES_BY_CODE, run_checks
from review.checks.participation import load_consultations
from review.checks.runner import load_contexts
from tests.factories import consultation as make_consultation
from tests.factories import participation_catalog

CODE = "R23-participation"
# 2026-09-30 (Wednesday) + 15 working days: 国庆 10月1日—7日 rest, 10月10日 (Saturday) works.
CLOSES = date(2026, 9, 30)
DUE = date(2026, 10, 27)


@pytest.fixture
def pin_today(monkeypatch):
    def pin(day):
        monkeypatch.setattr("review.checks.participation.current_date", lambda: day)

    return pin


def r23(catalogs):
    return run_checks(catalogs, rules=[CODE])


def test_the_deadline_counts_statutory_working_days_over_national_day():
    assert feedback_due(CLOSES) == DUE
    # Weekdays alone would say 10月21日.
    assert feedback_due(CLOSES) != date(2026, 10, 21)


def test_the_deadline_follows_the_province_setting(settings):
    settings.PARTICIPATION_FEEDBACK_WORKDAYS = 5
    # 10月8日, 9日, 10日 (调休), 12日, 13日.
    assert feedback_due(CLOSES) == date(2026, 10, 13)


def test_rule_is_registered():
    assert RULES_BY_CODE[CODE].title == "意见征集按期公布采纳情况"


def test_overdue_feedback_is_a_hit_on_the_catalog_of_its_field(catalogs, matter, pin_today):
    consultation = make_consultation(
        matter, opens_on=date(2026, 9, 1), closes_on=CLOSES, field="养老服务", title="养老<规划>"
    )
    pin_today(DUE)
    assert r23(Catalog.objects.all()) == []
    pin_today(date(2026, 10, 28))
    results = r23(Catalog.objects.all())
    assert [(r.catalog_id, r.key, r.severity, r.item_id) for r in results] == [
        (catalogs.nongan_elderly.pk, f"consultation:{consultation.pk}", "warning", None)
    ]
    assert results[0].message == (
        "意见征集“养老<规划>”已于2026年09月30日结束，采纳情况应在截止后15个工作日内"
        "（2026年10月27日前）公布，至今未公布。"
    )
    assert feedback_overdue(consultation, today=date(2026, 10, 28))
    assert not feedback_overdue(consultation, today=DUE)


def test_published_feedback_or_an_open_consultation_is_no_hit(catalogs, matter, pin_today):
    answered = make_consultation(matter, opens_on=date(2026, 9, 1), closes_on=CLOSES)
    make_consultation(matter, opens_on=date(2026, 9, 1), closes_on=date(2026, 12, 31))
    consultation_feedback_publish(
        actor=SYSTEM,
        consultation=answered,
        feedback="采纳",
        seen_version=0,
        today=date(2026, 11, 30),
    )
    pin_today(date(2026, 11, 30))
    assert r23(Catalog.objects.all()) == []


def test_without_a_catalog_of_its_field_the_hit_goes_to_the_first_one(catalogs, matter, pin_today):
    make_consultation(matter, opens_on=date(2026, 9, 1), closes_on=CLOSES, field="养老服务")
    pin_today(date(2026, 11, 30))
    results = r23(Catalog.objects.filter(pk=catalogs.nongan_social.pk))
    assert [r.catalog_id for r in results] == [catalogs.nongan_social.pk]


def test_another_countys_consultation_stays_with_its_county(catalogs, regions, pin_today):
    yongji = participation_catalog(regions.yongji)
    make_consultation(yongji.matters.first(), opens_on=date(2026, 9, 1), closes_on=CLOSES)
    pin_today(date(2026, 11, 30))
    results = r23(Catalog.objects.all())
    assert [r.catalog_id for r in results] == [catalogs.yongji_social.pk]


def test_prepare_loads_every_context_in_three_queries(
    catalogs, regions, matter, pin_today, django_assert_num_queries
):
    yongji = participation_catalog(regions.yongji)
    for source in (matter, yongji.matters.first()):
        for _ in range(3):
            make_consultation(source, opens_on=date(2026, 9, 1), closes_on=CLOSES)
    pin_today(date(2026, 11, 30))
    contexts = load_contexts(Catalog.objects.all())
    assert len(contexts) == 4
    with django_assert_num_queries(3):  # calendar, standards' fields, consultations
        load_consultations(contexts)
    hits = [list(RULES_BY_CODE[CODE].run(context)) for context in contexts]
    assert [len(found) for found in hits] == [3, 0, 0, 3]


def test_one_close_date_splits_overdue_from_pending(matter):
    from participation.models import Consultation
    from participation.selectors import last_overdue_close, overdue_consultations

    today = date(2026, 10, 28)
    # Closing on any day of the National Day holiday gives the same deadline as 9月30日.
    assert last_overdue_close(today) == date(2026, 10, 7)
    late = make_consultation(matter, opens_on=date(2026, 9, 1), closes_on=CLOSES)
    make_consultation(matter, opens_on=date(2026, 9, 1), closes_on=date(2026, 10, 8))
    overdue = overdue_consultations(Consultation.objects.all(), today=today)
    assert list(overdue) == [late]
    assert [c for c in Consultation.objects.all() if feedback_overdue(c, today=today)] == [late]
