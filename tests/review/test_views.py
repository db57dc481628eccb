"""Workspaces per role: what each sees, what each may post, 404/403 for other regions."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalogs.models import CatalogStatus
from catalogs.permissions import SYSTEM
from review.models import Campaign, Finding, FindingState, MilestoneReport, Severity
from review.services import finding_create
from tests.factories import CatalogFactory, RegionFactory, UserFactory, advance

S = CatalogStatus


@pytest.fixture
def finding(users, all_published):
    return finding_create(
        actor=users.reviewer,
        catalog=all_published.nongan_social,
        item=all_published.nongan_social.items.first(),
        element="subject",
        severity=Severity.WARNING,
        description="公开主体应写明科室",
        required_fix="写明科室",
        due_on=timezone.localdate() + timedelta(days=3),
    )


def test_workspaces_need_a_login(client, campaign):
    response = client.get(reverse("review:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_each_role_lands_in_its_workspace(login, users, all_published, campaign):
    editor_page = login(users.county_editor).get(reverse("review:home"))
    assert editor_page.status_code == 200
    assert editor_page.templates[0].name == "review/editor_workspace.html"
    text = editor_page.content.decode()
    assert "农安县" in text and "农安镇" in text and "永吉县" not in text
    assert "确认复核完成" in text  # an allowed move offered as a button

    response = login(users.coordinator).get(reverse("review:home"))
    assert response["Location"] == reverse("review:city", args=["2201"])
    response = login(users.reviewer).get(reverse("review:home"))
    assert response["Location"] == reverse("review:dashboard")


def test_a_user_without_a_role_is_refused(login, campaign):
    assert login(UserFactory(username="nobody")).get(reverse("review:home")).status_code == 403


def test_editor_workspace_lists_findings_to_answer(login, users, finding, campaign):
    text = login(users.county_editor).get(reverse("review:home")).content.decode()
    assert "公开主体应写明科室" in text
    town_text = login(users.township_editor).get(reverse("review:home")).content.decode()
    assert "公开主体应写明科室" not in town_text


def test_editor_sees_next_milestones_with_days_left(login, users, catalogs, milestones):
    text = login(users.county_editor).get(reverse("review:home")).content.decode()
    # Today is long after 2020: every milestone of the current (2020) campaign is overdue.
    assert "编制发布公开事项" in text and "已逾期" in text


def test_city_workspace_shows_its_own_regions_only(login, users, all_published, campaign):
    response = login(users.coordinator).get(reverse("review:city", args=["2201"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "农安县" in text and "双阳区" in text and "永吉县" not in text
    assert "下载联系人和事项清单汇总" in text
    assert login(users.coordinator).get(reverse("review:city", args=["2202"])).status_code == 404
    assert login(users.county_editor).get(reverse("review:city", args=["2201"])).status_code == 404
    assert login(users.reviewer).get(reverse("review:city", args=["2202"])).status_code == 200


def test_dashboard_and_queue_are_for_reviewers(login, users, all_published, campaign):
    advance(all_published.yongji_social, S.ENTERED)
    dashboard = login(users.reviewer).get(reverse("review:dashboard"))
    assert dashboard.status_code == 200
    text = dashboard.content.decode()
    assert "长春市" in text and "吉林市" in text and 'class="bar"' in text
    queue = login(users.reviewer).get(reverse("review:queue"))
    assert "永吉县" in queue.content.decode()
    for who in ("coordinator", "county_editor", "township_editor"):
        assert login(getattr(users, who)).get(reverse("review:dashboard")).status_code == 403
        assert login(getattr(users, who)).get(reverse("review:queue")).status_code == 403


@pytest.mark.parametrize(
    ("who", "which", "status"),
    [
        ("county_editor", "nongan_social", 200),
        ("county_editor", "town_social", 200),
        ("township_editor", "town_social", 200),
        ("township_editor", "nongan_social", 404),
        ("coordinator", "nongan_social", 200),
        ("other_coordinator", "nongan_social", 404),
        ("other_county_editor", "nongan_social", 404),
        ("reviewer", "yongji_social", 200),
    ],
)
def test_catalog_page_is_scoped(login, users, all_published, who, which, status):
    catalog = getattr(all_published, which)
    response = login(getattr(users, who)).get(reverse("review:catalog", args=[catalog.pk]))
    assert response.status_code == status


def test_finding_page_is_scoped(login, users, finding):
    url = reverse("review:finding", args=[finding.pk])
    assert login(users.county_editor).get(url).status_code == 200
    assert login(users.coordinator).get(url).status_code == 200
    assert login(users.other_county_editor).get(url).status_code == 404
    assert login(users.township_editor).get(url).status_code == 404


def test_finding_page_links_to_the_item_to_fix(login, users, finding):
    response = login(users.county_editor).get(reverse("review:finding", args=[finding.pk]))
    target = (
        reverse("admin:items_item_change", args=[finding.item_id])
        if finding.item_id
        else reverse("admin:catalogs_catalog_change", args=[finding.catalog_id])
    )
    assert f'href="{target}"' in response.content.decode()


def test_coordinator_confirms_review_through_the_page(login, users, all_published):
    catalog = all_published.nongan_social
    url = reverse("review:catalog_move", args=[catalog.pk])
    data = {"to_status": S.REVIEWED, "from_status": S.PUBLISHED, "note": ""}
    assert login(users.other_coordinator).post(url, data).status_code == 404
    response = login(users.coordinator).post(url, data)
    assert response.status_code == 302
    catalog.refresh_from_db()
    assert catalog.status == S.REVIEWED
    assert catalog.events.latest("at", "pk").actor == users.coordinator


def test_a_refused_move_is_a_403(login, users, all_published):
    catalog = advance(all_published.nongan_social, S.ENTERED)
    url = reverse("review:catalog_move", args=[catalog.pk])
    data = {"to_status": S.ACCEPTING, "from_status": S.ENTERED}
    assert login(users.county_editor).post(url, data).status_code == 403
    catalog.refresh_from_db()
    assert catalog.status == S.ENTERED


def test_a_stale_move_shows_a_message(login, users, all_published):
    catalog = advance(all_published.nongan_social, S.ACCEPTING)
    client = login(users.reviewer)
    response = client.post(
        reverse("review:catalog_move", args=[catalog.pk]),
        {"to_status": S.RETURNED, "from_status": S.ENTERED, "note": "退回"},
        follow=True,
    )
    assert "状态已变更" in response.content.decode()
    catalog.refresh_from_db()
    assert catalog.status == S.ACCEPTING


def test_reviewer_adds_a_finding_anchored_to_item_and_element(login, users, all_published):
    catalog = all_published.nongan_social
    item = catalog.items.order_by("seq").last()
    data = {
        "item": item.pk,
        "element": "deadline",
        "severity": Severity.ERROR,
        "description": "时限超过标准",
        "required_fix": "改为10个工作日",
        "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }
    url = reverse("review:finding_add", args=[catalog.pk])
    assert login(users.county_editor).post(url, data).status_code == 403
    assert login(users.other_coordinator).post(url, data).status_code == 404
    login(users.reviewer).post(url, data)
    finding = Finding.objects.get()
    assert (finding.item, finding.element, finding.severity) == (item, "deadline", Severity.ERROR)


def test_staff_answer_and_reviewer_verifies_through_the_pages(login, users, finding):
    answer = reverse("review:finding_answer", args=[finding.pk])
    assert login(users.other_county_editor).post(answer, {"answer": "x"}).status_code == 404
    assert login(users.coordinator).post(answer, {"answer": "x"}).status_code == 403
    login(users.county_editor).post(answer, {"answer": "已写明社会救助科"})
    finding.refresh_from_db()
    assert finding.state == FindingState.ANSWERED
    verify = reverse("review:finding_verify", args=[finding.pk])
    assert login(users.county_editor).post(verify, {"note": ""}).status_code == 403
    login(users.reviewer).post(verify, {"note": "核实"})
    finding.refresh_from_db()
    assert finding.state == FindingState.VERIFIED


def test_reviewer_decides_through_the_page(login, users, accepting):
    url = reverse("review:catalog_decide", args=[accepting.pk])
    data = {"decision": "accept", "note": "同意通过"}
    assert login(users.coordinator).post(url, data).status_code == 403
    response = login(users.reviewer).post(url, data)
    accepting.refresh_from_db()
    assert accepting.status == S.ACCEPTED
    decision = accepting.acceptance_decisions.get()
    assert response["Location"] == reverse("review:decision", args=[decision.pk])
    compare = login(users.county_editor).get(reverse("review:catalog_compare", args=[accepting.pk]))
    assert "与验收时完全一致" in compare.content.decode()


def test_rollup_export_and_submission(login, users, all_published, campaign, regions):
    url = reverse("review:city_rollup", args=["2201"])
    assert login(users.other_coordinator).get(url).status_code == 404
    assert login(users.county_editor).get(url).status_code == 404
    response = login(users.coordinator).get(url)
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["联系人", "事项清单"]
    submit = reverse("review:city_rollup_submit", args=["2201"])
    assert login(users.other_coordinator).post(submit).status_code == 404
    assert login(users.reviewer).post(submit).status_code == 403
    login(users.coordinator).post(submit, {"note": "已报送"})
    report = MilestoneReport.objects.get(region=regions.changchun)
    assert (report.milestone.code, report.reported_by) == ("rollup", users.coordinator)


def test_editor_confirms_a_milestone(login, users, catalogs, milestones, regions):
    url = reverse("review:milestone_confirm", args=[milestones["viewable"].pk, "220122100"])
    assert login(users.other_county_editor).post(url).status_code == 404
    login(users.township_editor).post(url, {"note": "已核对"})
    assert MilestoneReport.objects.filter(region=regions.nongan_town).count() == 1


def test_checks_run_from_the_workspace(login, users, all_published):
    url = reverse("review:region_check", args=["220122"])
    assert login(users.other_county_editor).post(url).status_code == 404
    response = login(users.county_editor).post(url, follow=True)
    assert "已检查" in response.content.decode()
    checked = {run.region.code for run in all_published.nongan_social.region.checkrun_set.all()}
    assert checked == {"220122"}


def test_campaign_copy_is_for_the_province_admin(login, users, campaign):
    url = reverse("review:campaign_copy", args=[campaign.pk])
    data = {"year": 2021, "title": "", "make_current": "on"}
    assert login(users.reviewer).post(url, data).status_code == 403
    login(users.admin).post(url, data)
    copy = Campaign.objects.get(year=2021)
    assert copy.is_current and copy.milestones.count() == campaign.milestones.count()
    page = login(users.reviewer).get(reverse("review:campaigns"))
    assert "2021年" in page.content.decode()


# ---------------------------------------------------------------------------
# Query budgets: list pages stay flat as regions and catalogs grow
# ---------------------------------------------------------------------------


def _grow(regions, standards, count: int) -> None:
    """More townships under 农安县, each with a published catalog."""
    for number in range(count):
        town = RegionFactory(
            code=f"2201221{50 + number:02d}",
            name=f"新镇{number}",
            level="township",
            parent=regions.nongan,
        )
        # Odd ones entered (录入, in the reviewer's queue), even ones only published.
        CatalogFactory(
            region=town,
            standard=standards.social,
            lifecycle=S.ENTERED if number % 2 else S.PUBLISHED,
        )


@pytest.mark.parametrize(
    ("who", "url_name", "args", "budget"),
    [
        # The workspaces open with the role's worklist (a few queries of their own).
        ("reviewer", "review:dashboard", [], 25),
        ("reviewer", "review:queue", [], 8),
        ("coordinator", "review:city", ["2201"], 25),
        ("county_editor", "review:home", [], 25),
    ],
)
def test_list_pages_keep_a_flat_query_budget(
    login, users, all_published, campaign, regions, standards, who, url_name, args, budget
):
    advance(all_published.yongji_social, S.ENTERED)  # the queue is never empty
    client = login(getattr(users, who))
    url = reverse(url_name, args=args)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    _grow(regions, standards, 12)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert response.status_code == 200
    assert len(after) == len(before) <= budget
    if url_name == "review:queue":
        assert response.content.decode().count(">审核<") == 7


def test_a_user_whose_staff_status_is_removed_loses_every_right(login, users, all_published):
    catalog = all_published.nongan_social
    editor = users.county_editor
    allowed = login(editor).get(reverse("review:catalog", args=[catalog.pk]))
    assert allowed.status_code == 200
    editor.is_staff = False
    editor.save()
    client = login(editor)
    assert client.get(reverse("review:catalog", args=[catalog.pk])).status_code == 404
    response = client.post(
        reverse("review:catalog_move", args=[catalog.pk]),
        {"to_status": S.REVIEWED, "from_status": S.PUBLISHED, "note": ""},
    )
    assert response.status_code == 404
    catalog.refresh_from_db()
    assert catalog.status == S.PUBLISHED


def test_republishing_a_reviewed_catalog_is_offered_only_with_changes(login, users, all_published):
    from items.services import item_update

    catalog = advance(all_published.nongan_social, S.REVIEWED)
    client = login(users.county_editor)
    page = client.get(reverse("review:catalog", args=[catalog.pk])).content.decode()
    assert "发布修改（需重新复核）" not in page
    item_update(actor=SYSTEM, item=catalog.items.first(), deadline="实时更新")
    page = client.get(reverse("review:catalog", args=[catalog.pk])).content.decode()
    assert "发布修改（需重新复核）" in page
