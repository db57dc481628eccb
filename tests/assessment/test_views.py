import json
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.models import MarkOverride
from records.models import ChannelCheck, SpecialColumn
from tests.assessment.conftest import YEAR, record

pytestmark = pytest.mark.django_db


def dashboard(code):
    return reverse("assessment:dashboard", args=[code]) + f"?year={YEAR}"


def test_the_province_dashboard_shows_charts_with_tables(county, users, login, client):
    login(users.reviewer)
    response = client.get(dashboard("22"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="assessment-charts" type="application/json"' in text
    assert 'data-chart="scores"' in text and 'data-chart="marks"' in text
    assert "各市（州）得分" in text and "工作节点进度" in text
    assert "各工作节点累计完成情况（按月）" in text and "2020年4月" in text
    assert "assessment/vendor/chart.umd.js" in text
    assert "<script>" not in text  # no inline script under the staff CSP


def test_a_city_coordinator_sees_only_their_city(county, users, login, client):
    login(users.coordinator)
    assert client.get(dashboard("2201")).status_code == 200
    assert client.get(reverse("assessment:grid", args=["220122"])).status_code == 200
    assert client.get(dashboard("2202")).status_code == 404
    assert client.get(dashboard("22")).status_code in (403, 404)
    assert client.get(reverse("assessment:report", args=["2202"])).status_code == 404


@pytest.mark.parametrize("who", ["county_editor", "other_coordinator"])
def test_others_are_refused(county, users, login, client, who):
    login(getattr(users, who))
    assert client.get(dashboard("2201")).status_code in (403, 404)


def test_the_override_page_records_an_override(county, first_item, users, login, client):
    login(users.reviewer)
    url = reverse("assessment:override", args=[first_item.pk]) + f"?year={YEAR}"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"year": YEAR, "dimension": "public", "mark": "3", "reason": "现场核实已公开"}
    )
    assert response.status_code == 302
    override = MarkOverride.objects.get()
    assert (override.mark, override.reason, override.created_by_id) == (
        3,
        "现场核实已公开",
        users.reviewer.pk,
    )
    login(users.coordinator)
    assert client.post(url, {"dimension": "public", "mark": "0", "reason": "x"}).status_code == 403


def test_the_report_is_formula_safe_xlsx(county, first_item, users, login, client, regions):
    regions.nongan.name = "=HYPERLINK(1)"
    regions.nongan.save()
    login(users.coordinator)
    response = client.get(reverse("assessment:report", args=["2201"]) + f"?year={YEAR}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.content))
    names = [row[2].value for row in workbook["得分与排名"].iter_rows(min_row=5)]
    cells = [row[2] for row in workbook["得分与排名"].iter_rows(min_row=5)]
    assert "=HYPERLINK(1)" in names
    assert all(cell.data_type == "s" for cell in cells)


def test_score_regions_json_gives_exactly_the_keys(county, regions):
    record(county.items.order_by("seq").first())
    out = StringIO()
    call_command("score_regions", region="2201", year=YEAR, format="json", stdout=out)
    entries = json.loads(out.getvalue())
    assert [e["region_code"] for e in entries] == ["2201", "220112", "220122"]
    for entry in entries:
        assert set(entry) == {"region_code", "name", "score", "indicators", "rank"}
    assert entries[0]["rank"] in (1, 2, 3)
    by_code = {e["region_code"]: e for e in entries}
    assert by_code["220122"]["rank"] == 1 and by_code["220112"]["rank"] == 2
    text = StringIO()
    call_command("score_regions", region="2201", year=YEAR, stdout=text)
    assert "农安县" in text.getvalue() and "信息公开" in text.getvalue()


def test_the_grid_filters_short_items(county, first_item, users, login, client, regions):
    for item in county.items.order_by("seq")[1:]:
        record(item)
    column = SpecialColumn.objects.create(
        region=regions.nongan, standard=county.standard, url="https://www.nongan.gov.cn/zl/"
    )
    ChannelCheck.objects.create(
        special_column=column, url=column.url, ok=True, status=200, checked_at=timezone.now()
    )
    login(users.reviewer)
    url = reverse("assessment:grid", args=["220122"]) + f"?year={YEAR}"
    every = client.get(url)
    short = client.get(url + "&short=1")
    assert every.status_code == short.status_code == 200
    assert every.context["row_count"] > short.context["row_count"] >= 1
    assert all(row.short for row in short.context["page"])
    assert "调整" in short.content.decode()
