from datetime import date

from records.calendar import load_calendar
from records.demo import seed_records
from records.models import DisclosureRecord
from records.selectors import (
    Cell,
    channels_without_evidence,
    evidence_grid,
    short_notices,
    states_of,
)
from records.timeliness import Timeliness
from tests.conftest import localise
from tests.records.conftest import TODAY


def test_the_demo_shows_every_state(county, catalogs):
    from catalogs.permissions import SYSTEM
    from items.services import catalog_publish, item_update

    town = localise(catalogs.town_social)
    for item in town.items.all()[:1]:
        item_update(
            actor=SYSTEM, item=item, deadline="制定或获取信息之日起10个工作日内,公示7个工作日"
        )
    catalog_publish(actor=SYSTEM, catalog=town, note="首次发布")
    assert seed_records(today=TODAY) == "公开信息示例5条"
    assert seed_records(today=TODAY) == "公开信息示例已存在"
    records = list(DisclosureRecord.objects.filter(catalog=county))
    states = states_of(records, today=TODAY, calendar=load_calendar())
    timeliness = sorted(state.timeliness for state in states.values())
    assert timeliness.count(Timeliness.LATE) == 1 and Timeliness.ON_TIME in timeliness
    late = next(record for record in records if states[record.pk].timeliness == Timeliness.LATE)
    # Formed 2026-09-25, due 10/15 after the National Day holiday; published three working days late.
    assert (late.formed_on, late.due_on, states[late.pk].late_workdays) == (
        date(2026, 9, 25),
        date(2026, 10, 15),
        3,
    )
    cells = {cell.state for row in evidence_grid(county, today=TODAY) for cell in row.cells}
    assert {Cell.ON_TIME, Cell.LATE, Cell.MISSING, Cell.NO_EVIDENCE, Cell.BROKEN} <= cells
    assert channels_without_evidence(county)
    notice = DisclosureRecord.objects.get(catalog=town)
    assert short_notices([notice])[0].required == "公示7个工作日"


def test_the_demo_needs_a_catalog(regions, standards):
    assert seed_records(today=TODAY) == "无农安县目录，未生成公开信息示例"
