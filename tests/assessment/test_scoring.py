from datetime import date, timedelta

import pytest
from django.utils import timezone

from assessment.models import Dimension, Indicator, IndicatorKind, ScoringScheme
from assessment.scoring import SchemeError, assess, item_grid
from assessment.scoring.grid import channel_mark, complete_mark, public_mark
from catalogs.models import Region
from items.models import Item
from records.models import ChannelCheck, SpecialColumn
from review.models import Finding, FindingSource, FindingState, Severity
from tests.assessment.conftest import TODAY, YEAR, record

pytestmark = pytest.mark.django_db


def marks_of(region, item):
    grid = item_grid(root=region, year=YEAR, today=TODAY)
    return next(row for row in grid.rows if row.item.pk == item.pk).marks


def test_no_record_gives_zero_on_public_timely_channel(county, first_item, regions):
    marks = marks_of(regions.nongan, first_item)
    assert marks[Dimension.PUBLIC] == 0
    assert marks[Dimension.TIMELY] == 0
    assert marks[Dimension.CHANNEL] == 0
    assert marks[Dimension.COMPLETE] == 3


def test_a_record_on_time_with_evidence_everywhere_scores_three(county, first_item, regions):
    record(first_item)  # formed 9/25, due 10/16 across 国庆, published 10/9
    SpecialColumn.objects.create(
        region=regions.nongan, standard=county.standard, url="https://www.nongan.gov.cn/zl/"
    )
    marks = marks_of(regions.nongan, first_item)
    assert marks == {"public": 3, "complete": 3, "timely": 3, "channel": 2}  # 专栏 never answered
    column = SpecialColumn.objects.get()
    ChannelCheck.objects.create(
        special_column=column, url=column.url, ok=True, status=200, checked_at=timezone.now()
    )
    assert marks_of(regions.nongan, first_item)[Dimension.CHANNEL] == 3


def test_late_and_partial_evidence_lower_the_marks(county, first_item, regions):
    record(first_item, published_on=date(2026, 11, 20), skip=1)
    marks = marks_of(regions.nongan, first_item)
    assert marks[Dimension.TIMELY] == 1  # more than 5 working days late
    assert marks[Dimension.PUBLIC] == 2  # 1 of 2 channels


def test_a_broken_link_lowers_the_channel_mark(county, first_item, regions):
    rec = record(first_item)
    channel = rec.channels.get(channel="政府网站")
    now = timezone.now()
    for minutes in (2, 1):
        ChannelCheck.objects.create(
            channel=channel,
            url=channel.url,
            ok=False,
            broken=minutes == 1,
            checked_at=now - timedelta(minutes=minutes),
        )
    assert marks_of(regions.nongan, first_item)[Dimension.CHANNEL] == 0


def test_findings_lower_completeness_but_records_rules_do_not(county, first_item, regions):
    def finding(severity, rule_code=""):
        Finding.objects.create(
            catalog=county,
            item=first_item,
            source=FindingSource.RULE,
            rule_code=rule_code,
            fingerprint=f"{rule_code}:{first_item.pk}",
            severity=severity,
            description="问题",
            state=FindingState.OPEN,
            created_at=timezone.now(),
            state_changed_at=timezone.now(),
        )

    finding(Severity.WARNING, "R17-link-broken")
    assert marks_of(regions.nongan, first_item)[Dimension.COMPLETE] == 3
    finding(Severity.WARNING, "R05-content")
    assert marks_of(regions.nongan, first_item)[Dimension.COMPLETE] == 2
    finding(Severity.ERROR, "R06-basis")
    assert marks_of(regions.nongan, first_item)[Dimension.COMPLETE] == 1


def test_mark_rules_side_by_side():
    assert complete_mark(0, 0)[0] == 3
    assert complete_mark(0, 1)[0] == 2
    assert complete_mark(1, 0)[0] == 1
    assert complete_mark(2, 0)[0] == 0
    assert public_mark(None, ["政府网站"]) == (0, "无已发布的公开信息")
    assert channel_mark(None, ["政府网站"], True) == (0, "无公开信息")


def test_the_grid_takes_a_fixed_number_of_queries(
    county, catalogs, regions, django_assert_max_num_queries
):
    for item in Item.objects.filter(catalog=county).order_by("seq")[:3]:
        record(item)
    with django_assert_max_num_queries(10):
        small = item_grid(root=regions.nongan, year=YEAR, today=TODAY)
    for item in Item.objects.filter(catalog=county).order_by("seq")[3:12]:
        record(item)
    with django_assert_max_num_queries(10):
        province = item_grid(root=regions.province, year=YEAR, today=TODAY)
    assert len(province.rows) > len(small.rows)
    assert province.inputs.records and not province.inputs.link_checks


def test_scores_add_up_and_a_change_in_the_data_changes_the_score(county, regions):
    before = assess(root=regions.province, year=YEAR, today=TODAY)
    nongan = before.of(regions.nongan)
    assert set(nongan.indicators) == {"信息公开", "要素完整", "公开及时", "渠道畅通", "工作节点"}
    assert nongan.score == pytest.approx(sum(nongan.indicators.values()), abs=0.2)
    for item in Item.objects.filter(catalog=county).order_by("seq")[:10]:
        record(item)
    after = assess(root=regions.province, year=YEAR, today=TODAY)
    assert after.of(regions.nongan).score > nongan.score
    assert after.of(regions.nongan).indicators["信息公开"] > nongan.indicators["信息公开"]
    # A city is the average of its counties; ranks are among siblings.
    changchun = after.of(regions.changchun)
    counties = [after.of(regions.nongan), after.of(regions.shuangyang)]
    assert changchun.score == pytest.approx(sum(c.score for c in counties) / 2, abs=0.06)
    assert after.of(regions.nongan).rank == 1 and after.of(regions.shuangyang).rank == 2


def test_milestones_count_on_time_full_and_late_half(county, regions, campaign):
    scheme = ScoringScheme.objects.active()
    scheme.indicators.all().delete()
    Indicator.objects.create(
        scheme=scheme, name="工作节点", weight=100, kind=IndicatorKind.MILESTONES
    )
    result = assess(root=regions.nongan, year=YEAR, today=TODAY)
    # 农安县 published in 2026 against 2020 deadlines: every due milestone is late or missed.
    score = result.of(regions.nongan).score
    assert 0 <= score < 100
    result_none = assess(root=regions.nongan, year=1999, today=TODAY)  # no campaign: none due
    assert result_none.of(regions.nongan).score == 100


def test_a_scheme_whose_weights_do_not_add_up_refuses_to_score(regions):
    scheme = ScoringScheme.objects.active()
    scheme.indicators.filter(name="工作节点").delete()
    with pytest.raises(SchemeError, match="合计应为100分，现为80分"):
        assess(root=regions.province, year=YEAR, today=TODAY)


def test_the_default_scheme_is_seeded():
    scheme = ScoringScheme.objects.active()
    assert sum(i.weight for i in scheme.indicators.all()) == 100
    assert Region.objects.count() == 0  # nothing else needed


def test_scores_take_a_fixed_number_of_queries(
    county, catalogs, regions, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        small = assess(root=regions.nongan, year=YEAR, today=TODAY)
    for item in Item.objects.filter(catalog=county).order_by("seq")[:8]:
        record(item)
    with django_assert_max_num_queries(30):
        whole = assess(root=regions.province, year=YEAR, today=TODAY)
    assert len(whole.scores) > len(small.scores)
