from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessment.models import Dimension, MarkOverride
from assessment.scoring import assess, item_grid
from assessment.services import mark_override, monitoring_round_start
from items.models import Item
from review.models import Finding, FindingSource
from tests.assessment.conftest import TODAY, YEAR, record

pytestmark = pytest.mark.django_db


def test_a_reviewer_overrides_a_mark_and_it_is_recorded(county, first_item, users, regions):
    override = mark_override(
        actor=users.reviewer,
        item=first_item,
        year=YEAR,
        dimension=Dimension.TIMELY,
        mark=2,
        reason="县政府网站在国庆期间停机，已核实线下按时公示",
    )
    assert (override.previous_mark, override.mark) == (0, 2)
    assert override.created_by == users.reviewer and override.created_at
    grid = item_grid(root=regions.nongan, year=YEAR, today=TODAY)
    row = next(r for r in grid.rows if r.item.pk == first_item.pk)
    assert row.marks[Dimension.TIMELY] == 2 and row.computed[Dimension.TIMELY] == 0
    # Another year's grid is not touched.
    other = item_grid(root=regions.nongan, year=YEAR + 1, today=TODAY)
    assert next(r for r in other.rows if r.item.pk == first_item.pk).marks["timely"] == 0


@pytest.mark.parametrize("who", ["coordinator", "county_editor", "other_coordinator"])
def test_only_reviewers_override(county, first_item, users, who):
    with pytest.raises(PermissionDenied, match="只有省级审核人员"):
        mark_override(
            actor=getattr(users, who),
            item=first_item,
            year=YEAR,
            dimension=Dimension.PUBLIC,
            mark=3,
            reason="理由",
        )
    assert not MarkOverride.objects.exists()


def test_an_override_needs_a_reason_and_a_valid_mark(county, first_item, users):
    with pytest.raises(ValidationError, match="请填写调整理由"):
        mark_override(
            actor=users.reviewer, item=first_item, year=YEAR, dimension="public", mark=3, reason=" "
        )
    with pytest.raises(ValidationError, match="0至3"):
        mark_override(
            actor=users.reviewer, item=first_item, year=YEAR, dimension="public", mark=4, reason="x"
        )


def test_the_round_turns_short_items_into_findings_and_the_rescore_shows_the_fix(
    county, users, regions
):
    items = list(Item.objects.filter(catalog=county).order_by("seq"))
    for item in items[1:]:
        record(item)
    before = assess(root=regions.nongan, year=YEAR, today=TODAY).of(regions.nongan)
    due = date(2026, 12, 31)
    now = timezone.make_aware(timezone.datetime(2026, 11, 29, 10))
    result = monitoring_round_start(
        actor=users.reviewer, region=regions.nongan, year=YEAR, due_on=due, now=now
    )
    short = [
        row for row in item_grid(root=regions.nongan, year=YEAR, today=TODAY).rows if row.short
    ]
    assert len(result.created) == len(short) >= 1
    finding = Finding.objects.get(item=items[0])
    assert finding.source == FindingSource.REVIEWER and finding.due_on == due
    assert "公开0分" in finding.description and "及时0分" in finding.description
    # The round's own findings do not count against 完整, and a second round repeats nothing.
    again = monitoring_round_start(
        actor=users.reviewer, region=regions.nongan, year=YEAR, due_on=due, now=now
    )
    assert again.created == [] and again.skipped == len(short)
    assert assess(root=regions.nongan, year=YEAR, today=TODAY).of(regions.nongan).score == (
        before.score
    )
    # The county corrects: the item gets its record; the re-score shows it.
    record(items[0])
    after = assess(root=regions.nongan, year=YEAR, today=TODAY).of(regions.nongan)
    assert after.score > before.score


def test_only_reviewers_start_a_round(county, users, regions):
    with pytest.raises(PermissionDenied):
        monitoring_round_start(
            actor=users.coordinator, region=regions.nongan, year=YEAR, due_on=date(2026, 12, 31)
        )
    assert not Finding.objects.exists()
