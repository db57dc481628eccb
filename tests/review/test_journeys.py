"""Staff journeys a county clerk can follow (issue 10): every state says why and what next,
the correction loop in few steps, no surprise moves, role-true pages, Chinese throughout.

The browser half (click counts, axe-core, phones) is tests/browser/test_staff.py.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from catalogs.models import CatalogEvent, CatalogStatus, StandardItem
from catalogs.permissions import SYSTEM
from catalogs.services import STANDARD_CATALOGS_FILE
from items.services import item_update
from review.checks import RULES_BY_CODE
from review.models import Finding, FindingState, Severity
from review.selectors.item_diffs import element_diffs
from review.selectors.worklists import (
    catalog_state,
    editor_worklist,
    verification_rows,
)
from review.services import (
    acceptance_decide,
    checks_run,
    finding_answer,
    finding_create,
)
from review.services.corrections import (
    FindingAnswer,
    FindingVerdict,
    catalog_resubmit,
    findings_answer,
    findings_review,
    resubmit_moves,
)
from tests.factories import advance

S = CatalogStatus


def _finding(reviewer, catalog, seq, element, description, days=5):
    return finding_create(
        actor=reviewer,
        catalog=catalog,
        item=catalog.items.get(seq=seq),
        element=element,
        severity=Severity.WARNING,
        description=description,
        required_fix="按标准修改",
        due_on=timezone.localdate() + timedelta(days=days),
    )


@pytest.fixture
def returned(users, accepting):
    """农安县社会救助 returned with a finding on item 1's 公开主体 (due in 5 days) and one on
    the whole of item 2 (due in 9 days)."""
    _finding(users.reviewer, accepting, 1, "subject", "公开主体应写明具体科室", 5)
    _finding(users.reviewer, accepting, 2, "", "事项内容与标准不一致", 9)
    acceptance_decide(
        actor=users.reviewer, catalog=accepting, decision="return", note="两处须整改后提交复验。"
    )
    accepting.refresh_from_db()
    return accepting


def findings_of(catalog):
    return list(catalog.findings.filter(source="reviewer").order_by("pk"))


# ---------------------------------------------------------------------------
# 1. Every state says why and what next
# ---------------------------------------------------------------------------


def test_a_locked_catalog_says_why_since_when_by_whom_and_what_next(users, all_published):
    catalog = advance(all_published.nongan_social, S.ENTERED, actor=users.coordinator)
    event = CatalogEvent.objects.filter(catalog=catalog, to_status=S.ENTERED).get()

    editor = catalog_state(users.county_editor, catalog)
    assert editor.locked and not editor.can_edit
    assert "锁定" in editor.reason and "以保证验收的就是录入的内容" in editor.reason
    assert editor.since == event.at and editor.by == users.coordinator.get_username()
    assert any("联系省级审核人员退回整改" in step.text for step in editor.steps)

    reviewer = catalog_state(users.reviewer, catalog)
    assert "只能查看" in reviewer.reason
    assert [step.label for step in reviewer.steps if step.label] == ["去验收"]


def test_an_accepted_catalog_is_kept_current(users, all_published):
    catalog = advance(all_published.nongan_social, S.ACCEPTED)
    state = catalog_state(users.county_editor, catalog)
    assert not state.locked and state.can_edit
    assert "增加或删除了事项时，发布后目录回到“已发布”" in state.reason
    assert [step.text for step in state.steps] == ["无需操作；政策或信息有变化时，修改后发布更新。"]
    item_update(actor=SYSTEM, item=catalog.items.first(), deadline="即时")
    catalog.refresh_from_db()
    state = catalog_state(users.county_editor, catalog)
    assert [step.label for step in state.steps] == ["发布修改"]


def test_each_role_gets_only_its_own_next_steps(users, returned):
    editor = catalog_state(users.county_editor, returned)
    assert not editor.locked and editor.can_edit
    assert editor.event_note == "两处须整改后提交复验。"
    assert [s.label for s in editor.steps if s.label] == ["整改并提交复验"]

    coordinator = catalog_state(users.coordinator, returned)
    assert not coordinator.can_edit and "您是市级协调员，只能查看本目录" in coordinator.reason
    assert all(not step.url for step in coordinator.steps)
    assert "督促农安县" in coordinator.steps[0].text

    reviewer = catalog_state(users.reviewer, returned)
    assert [s.text for s in reviewer.steps] == ["等待农安县整改后提交复验。"]


def test_the_review_and_admin_pages_show_the_state(login, users, all_published):
    catalog = advance(all_published.nongan_social, S.ACCEPTING)
    client = login(users.county_editor)
    for url in (
        reverse("review:catalog", args=[catalog.pk]),
        reverse("admin:catalogs_catalog_change", args=[catalog.pk]),
        reverse("admin:items_item_change", args=[catalog.items.first().pk]),
    ):
        text = client.get(url).content.decode()
        assert "目录状态：" in text and "验收中" in text, url
        assert "已锁定" in text and "省级正在验收，目录锁定，不能修改。" in text, url
        assert "如发现需要修改，请联系省级审核人员退回整改。" in text, url
    text = client.get(reverse("admin:catalogs_catalog_change", args=[catalog.pk])).content
    assert "您可以查看本目录，但不能修改。" not in text.decode()


def test_the_editor_workspace_opens_with_what_needs_them(login, users, returned, campaign):
    item_update(
        actor=SYSTEM,
        item=returned.region.catalogs.get(standard__code="elderly-care").items.first(),
        deadline="即时公开",
    )
    text = login(users.county_editor).get(reverse("review:home")).content.decode()
    todo = text[text.index("需要您处理") : text.index('id="catalogs"')]
    assert "退回整改的目录（1）" in todo and "两处须整改后提交复验。" in todo
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    assert due in todo  # the deadline: the soonest due date of the findings waiting
    # Findings soonest due first.
    assert todo.index("公开主体应写明具体科室") < todo.index("事项内容与标准不一致")
    assert "有未发布修改的目录（1）" in todo and "发布修改" in todo
    assert "近期工作节点" in todo
    correct = reverse("review:catalog_correct", args=[returned.pk])
    assert f'href="{correct}"' in todo


def test_the_worklist_keeps_a_flat_number_of_queries(
    users, returned, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        work = editor_worklist(users.county_editor, today=timezone.localdate())
    waiting = returned.findings.filter(state__in=["open", "reopened"]).count()
    assert waiting >= 2  # the reviewer's two, and what the checks found
    assert [entry.catalog for entry in work.returned] == [returned]
    assert work.returned[0].awaiting == waiting and work.findings_total == waiting


def test_the_city_workspace_lists_catalogs_waiting_for_confirmation(
    login, users, all_published, campaign
):
    advance(all_published.town_social, S.REVIEWED)
    text = login(users.coordinator).get(reverse("review:city", args=["2201"])).content.decode()
    todo = text[text.index("需要您处理") : text.index('id="rollup"')]
    assert "等待确认复核或录入的目录" in todo
    assert "确认复核完成" in todo  # 农安县 published
    # 录入 locks: the button opens the confirmation page instead of posting.
    confirm = reverse("review:catalog_move", args=[all_published.town_social.pk])
    assert f'href="{confirm}?to=entered' in todo


def test_the_dashboard_lists_answers_to_verify(login, users, returned, campaign):
    first = findings_of(returned)[0]
    finding_answer(actor=users.county_editor, finding=first, answer="已改")
    text = login(users.reviewer).get(reverse("review:dashboard")).content.decode()
    todo = text[text.index("需要您处理") : text.index("各工作节点完成情况")]
    assert "有答复待核验的目录（1）" in todo
    assert reverse("review:catalog_verify", args=[returned.pk]) in todo
    assert "退回整改的目录（1）" in todo


# ---------------------------------------------------------------------------
# 2. The correction loop
# ---------------------------------------------------------------------------


def test_a_finding_keeps_the_item_as_it_was(users, all_published):
    catalog = all_published.nongan_social
    item = catalog.items.get(seq=1)
    finding = _finding(users.reviewer, catalog, 1, "subject", "公开主体应写明科室")
    assert finding.item_snapshot["subject"] == item.subject
    assert finding.item_snapshot["version"] == item.version
    item_update(actor=SYSTEM, item=item, subject="农安县民政局社会救助科")
    finding.refresh_from_db()
    assert finding.item_snapshot["subject"] != "农安县民政局社会救助科"


def test_element_diffs_mark_what_changed_and_the_element_named_first():
    before = {"subject": "农安县民政局", "deadline": "10个工作日", "extras": [["电话", "1"]]}
    after = {"subject": "农安县民政局社会救助科", "deadline": "10个工作日", "extras": []}
    diffs = element_diffs(before, after, element="subject")
    assert diffs[0].name == "subject" and diffs[0].is_target and diffs[0].changed
    assert [s.text for s in diffs[0].after_segments if s.kind == "added"] == ["社会救助科"]
    deadline = next(d for d in diffs if d.name == "deadline")
    assert not deadline.changed
    extra = next(d for d in diffs if d.name == "extra:电话")
    assert extra.changed and extra.after == ""


def test_the_county_answers_every_finding_on_one_page(login, users, returned):
    subject_finding, item_finding = findings_of(returned)
    url = reverse("review:catalog_correct", args=[returned.pk])
    client = login(users.county_editor)
    page = client.get(url).content.decode()
    assert (
        f'id="finding-{subject_finding.pk}"' in page and f'id="finding-{item_finding.pk}"' in page
    )
    # The reviewer's findings (due dates) before the checks' (none).
    assert page.index(f'id="finding-{item_finding.pk}"') < page.index("自动检查：")
    assert f'name="f{subject_finding.pk}-subject"' in page  # the element named, to edit
    assert f'name="f{item_finding.pk}-content"' in page  # the whole item, on request
    assert "该事项现在的内容" in page

    item = returned.items.get(seq=1)
    data = form_data(client.get(url))  # every form as the page shows it
    data[f"f{subject_finding.pk}-subject"] = "农安县民政局社会救助科"
    data[f"f{item_finding.pk}-answer"] = "内容按标准核对，无需修改。"
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    item.refresh_from_db()
    assert item.subject == "农安县民政局社会救助科"
    assert item.history.first().history_change_reason == f"整改问题#{subject_finding.pk}"
    subject_finding.refresh_from_db()
    item_finding.refresh_from_db()
    assert subject_finding.state == item_finding.state == FindingState.ANSWERED
    assert subject_finding.events.latest("at", "pk").note == "已按整改要求修改公开主体。"
    assert returned.items.get(seq=2).version == item_finding.item.version  # not written


def test_a_form_missing_from_the_post_changes_nothing(login, users, returned):
    subject_finding, item_finding = findings_of(returned)
    before = item_finding.item.content
    url = reverse("review:catalog_correct", args=[returned.pk])
    client = login(users.county_editor)
    response = client.post(url, {f"f{subject_finding.pk}-answer": "已改"})  # no version
    assert response.status_code == 200
    assert "没有填写任何答复或修改" in response.content.decode()
    item_finding.refresh_from_db()
    assert item_finding.item.content == before and item_finding.state == FindingState.OPEN
    data = form_data(client.get(url))
    data[f"f{subject_finding.pk}-answer"] = "已改"
    data[f"f{item_finding.pk}-answer"] = "已核对"
    data["resubmit"] = ""
    response = client.post(url, data)
    assert response["Location"] == reverse("review:catalog_resubmit", args=[returned.pk])
    # Everything answered: the button goes straight to the confirmation.
    data = form_data(client.get(url))
    response = client.post(url, {**data, "resubmit": ""})
    assert response["Location"] == reverse("review:catalog_resubmit", args=[returned.pk])


def test_answers_are_all_or_nothing(users, returned):
    subject_finding, item_finding = findings_of(returned)
    item = subject_finding.item
    stale = item.version
    item_update(actor=SYSTEM, item=item, deadline="即时")  # someone else, meanwhile
    with pytest.raises(ValidationError) as refusal:
        findings_answer(
            actor=users.county_editor,
            catalog=returned,
            answers=[
                FindingAnswer(item_finding, answer="已核对"),
                FindingAnswer(
                    subject_finding, values={"subject": "社会救助科"}, expected_version=stale
                ),
            ],
        )
    assert list(refusal.value.message_dict) == [str(subject_finding.pk)]
    item_finding.refresh_from_db()
    assert item_finding.state == FindingState.OPEN  # the valid answer was not kept either
    item.refresh_from_db()
    assert item.subject != "社会救助科"


def test_only_the_region_answers(users, returned):
    with pytest.raises(PermissionDenied):
        findings_answer(
            actor=users.coordinator,
            catalog=returned,
            answers=[FindingAnswer(findings_of(returned)[0], answer="x")],
        )


@pytest.mark.parametrize(
    ("who", "status"),
    [("coordinator", 403), ("other_county_editor", 404), ("reviewer", 403)],
)
def test_the_correction_page_is_for_the_regions_editors(login, users, returned, who, status):
    url = reverse("review:catalog_correct", args=[returned.pk])
    assert login(getattr(users, who)).get(url).status_code == status


def test_resubmitting_publishes_reviews_and_enters_in_one_step(login, users, returned):
    for finding in findings_of(returned):
        finding_answer(actor=users.county_editor, finding=finding, answer="已整改")
    url = reverse("review:catalog_resubmit", args=[returned.pk])
    client = login(users.county_editor)
    page = client.get(url).content.decode()
    assert "提交后目录锁定" in page and "本目录的全部事项都不能再修改" in page
    assert "确认复核完成" in page and "确认已录入基层政务公开事项查询系统" in page
    response = client.post(url, {"from_status": S.RETURNED, "note": ""})
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.status == S.ENTERED and not returned.is_editable
    moves = list(
        CatalogEvent.objects.filter(catalog=returned)
        .order_by("-at", "-pk")[:3]
        .values_list("from_status", "to_status", "actor")
    )
    editor = users.county_editor.pk
    assert moves[::-1] == [
        (S.RETURNED, S.PUBLISHED, editor),
        (S.PUBLISHED, S.REVIEWED, editor),
        (S.REVIEWED, S.ENTERED, editor),
    ]
    assert returned.publications.count() == 2


def test_resubmitting_waits_for_every_answer_and_a_fresh_page(users, returned):
    first, second = findings_of(returned)
    finding_answer(actor=users.county_editor, finding=first, answer="已整改")
    with pytest.raises(ValidationError, match="还有1个审核问题未答复"):
        catalog_resubmit(actor=users.county_editor, catalog=returned)
    finding_answer(actor=users.county_editor, finding=second, answer="已整改")
    with pytest.raises(ValidationError, match="状态已变更"):
        catalog_resubmit(actor=users.county_editor, catalog=returned, from_status=S.REVIEWED)
    with pytest.raises(PermissionDenied, match="只有农安县的编辑人员"):
        catalog_resubmit(actor=users.coordinator, catalog=returned)
    returned.refresh_from_db()
    assert returned.status == S.RETURNED


def test_resubmit_takes_only_the_moves_still_needed(users, all_published):
    catalog = all_published.nongan_social
    assert resubmit_moves(catalog) == [S.REVIEWED, S.ENTERED]
    advance(catalog, S.REVIEWED)
    assert resubmit_moves(catalog) == [S.ENTERED]
    item_update(actor=SYSTEM, item=catalog.items.first(), deadline="即时")
    catalog.refresh_from_db()
    assert resubmit_moves(catalog) == [S.PUBLISHED, S.REVIEWED, S.ENTERED]
    catalog_resubmit(actor=users.county_editor, catalog=catalog)
    catalog.refresh_from_db()
    assert catalog.status == S.ENTERED and not catalog.has_unpublished_changes
    assert resubmit_moves(catalog) == []


def test_the_reviewer_verifies_every_answer_on_one_page(login, users, returned):
    subject_finding, item_finding = findings_of(returned)
    item = subject_finding.item
    findings_answer(
        actor=users.county_editor,
        catalog=returned,
        answers=[
            FindingAnswer(
                subject_finding,
                values={"subject": "农安县民政局社会救助科"},
                expected_version=item.version,
            ),
            FindingAnswer(item_finding, answer="已核对，无需修改"),
        ],
    )
    catalog_resubmit(actor=users.county_editor, catalog=returned)
    url = reverse("review:catalog_verify", args=[returned.pk])
    assert login(users.county_editor).get(url).status_code == 403
    client = login(users.reviewer)
    page = client.get(url).content.decode()
    assert "<ins>社会救助科</ins>" in page  # the per-element difference
    assert "提出问题时" in page and "已按整改要求修改公开主体。" in page

    response = client.post(url, {f"f{subject_finding.pk}-verdict": "reopened"})
    assert response.status_code == 200 and "重新打开须说明理由。" in response.content.decode()
    response = client.post(
        url,
        {
            f"f{subject_finding.pk}-verdict": "verified",
            f"f{item_finding.pk}-verdict": "reopened",
            f"f{item_finding.pk}-note": "内容第三项仍缺",
        },
    )
    assert response.status_code == 302
    subject_finding.refresh_from_db()
    item_finding.refresh_from_db()
    assert (subject_finding.state, item_finding.state) == (
        FindingState.VERIFIED,
        FindingState.REOPENED,
    )


def test_an_unchanged_element_is_pointed_out(users, returned):
    subject_finding = findings_of(returned)[0]
    finding_answer(actor=users.county_editor, finding=subject_finding, answer="已修改")
    (row,) = verification_rows(returned)
    assert row.before_known and row.target_unchanged


def test_findings_raised_before_snapshots_fall_back_to_the_history(users, returned):
    finding = findings_of(returned)[0]
    Finding.objects.filter(pk=finding.pk).update(item_snapshot={})
    item_update(actor=SYSTEM, item=finding.item, subject="社会救助科")
    finding_answer(actor=users.county_editor, finding=finding, answer="已修改")
    (row,) = verification_rows(returned)
    assert row.before_known and not row.target_unchanged
    assert row.diffs[0].after == "社会救助科"


def test_a_review_verdict_is_the_reviewers(users, returned):
    finding = findings_of(returned)[0]
    finding_answer(actor=users.county_editor, finding=finding, answer="已修改")
    with pytest.raises(PermissionDenied):
        findings_review(
            actor=users.county_editor,
            catalog=returned,
            verdicts=[FindingVerdict(finding, FindingState.VERIFIED)],
        )


def test_a_finding_is_recorded_from_the_item_row(login, users, accepting):
    item = accepting.items.get(seq=3)
    client = login(users.reviewer)
    page = client.get(reverse("review:catalog", args=[accepting.pk])).content.decode()
    form_url = reverse("review:finding_new", args=[accepting.pk]) + f"?item={item.pk}"
    assert f'href="{form_url}"' in page
    form = client.get(form_url).content.decode()
    assert f'<option value="{item.pk}" selected>' in form
    response = client.post(
        reverse("review:finding_add", args=[accepting.pk]),
        {"item": item.pk, "element": "", "severity": Severity.WARNING, "description": "缺依据"},
    )
    assert response["Location"].endswith(f"#item-{item.pk}")
    assert Finding.objects.get(description="缺依据").item == item
    assert login(users.county_editor).get(form_url).status_code == 403


# ---------------------------------------------------------------------------
# 3. No surprise moves
# ---------------------------------------------------------------------------


def test_a_locking_move_asks_for_confirmation_first(login, users, all_published):
    catalog = advance(all_published.nongan_social, S.REVIEWED)
    client = login(users.county_editor)
    page = client.get(reverse("review:catalog", args=[catalog.pk])).content.decode()
    confirm = reverse("review:catalog_move", args=[catalog.pk]) + "?to=entered"
    assert f'href="{confirm}"' in page
    move = reverse("review:catalog_move", args=[catalog.pk])
    # A post without the confirmation (an old page) shows the confirmation instead.
    response = client.post(move, {"to_status": S.ENTERED, "from_status": S.REVIEWED})
    assert response.status_code == 200
    text = response.content.decode()
    assert "请确认" in text and "确认后目录锁定" in text
    catalog.refresh_from_db()
    assert catalog.status == S.REVIEWED
    client.post(move, {"to_status": S.ENTERED, "from_status": S.REVIEWED, "confirmed": "on"})
    catalog.refresh_from_db()
    assert catalog.status == S.ENTERED


def test_moves_back_say_their_consequence(login, users, all_published):
    catalog = advance(all_published.nongan_social, S.ENTERED)
    client = login(users.reviewer)
    page = client.get(reverse("review:catalog_move", args=[catalog.pk]) + "?to=returned")
    text = page.content.decode()
    assert "目录将退回本地整改并解锁" in text and "退回理由（必填）" in text
    # A plain forward move needs no confirmation page.
    assert (
        client.get(reverse("review:catalog_move", args=[catalog.pk]) + "?to=accepting")
    ).status_code == 404
    assert (
        login(users.county_editor).get(
            reverse("review:catalog_move", args=[catalog.pk]) + "?to=returned"
        )
    ).status_code == 403


def test_publishing_a_reviewed_catalog_warns_it_goes_back_to_review(login, users, all_published):
    catalog = advance(all_published.nongan_social, S.REVIEWED)
    url = reverse("admin:catalogs_catalog_publish", args=[catalog.pk])
    client = login(users.county_editor)
    assert "发布后目录将退回复核" not in client.get(url).content.decode()
    item_update(actor=SYSTEM, item=catalog.items.first(), deadline="即时")
    text = client.get(url).content.decode()
    assert "发布后目录将退回复核" in text and "已完成的复核作废" in text


def test_saving_an_item_returns_to_its_catalog_at_the_item(login, users, all_published):
    catalog = all_published.nongan_social
    item = catalog.items.order_by("seq", "pk")[1]
    url = reverse("admin:items_item_change", args=[item.pk])
    client = login(users.county_editor)
    page = client.get(url)
    data = form_data(page)
    data["subject"] = "农安县民政局社会救助科"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    catalog_url = reverse("admin:catalogs_catalog_change", args=[catalog.pk])
    assert response["Location"] == f"{catalog_url}?items_page=1#items-1"
    data = form_data(client.get(url))
    response = client.post(url, {**data, "_continue": "1"})
    assert response["Location"] == url


def form_data(response) -> dict:
    """What the page's forms would post unchanged (inputs, selected options, ticks)."""

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data, self.select, self.textarea = {}, None, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
                if a.get("type") in ("checkbox", "radio"):
                    if "checked" in a:
                        self.data.setdefault(name, []).append(a.get("value", "on"))
                else:
                    self.data[name] = a.get("value", "")
            elif tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select and "selected" in a:
                self.data.setdefault(self.select, []).append(a.get("value", ""))
            elif tag == "textarea" and name:
                self.textarea = name
                self.data[name] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            if tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                self.data[self.textarea] += data.removeprefix("\n")

    parser = Form()
    parser.feed(response.content.decode())
    return parser.data


# ---------------------------------------------------------------------------
# 4. Role-true pages
# ---------------------------------------------------------------------------


def test_the_admin_home_gives_each_role_its_own_instructions(login, users, campaign):
    pages = {
        who: login(getattr(users, who)).get(reverse("admin:index")).content.decode()
        for who in ("coordinator", "county_editor", "reviewer", "admin")
    }
    help_of = {
        who: page[page.index("使用说明") : page.index("gk-quick")] for who, page in pages.items()
    }
    assert "编制目录" in help_of["county_editor"] and "发布目录" in help_of["county_editor"]
    for who in ("coordinator", "reviewer"):
        assert "编制目录" not in help_of[who] and "发布目录" not in help_of[who], who
    assert "确认复核完成" in help_of["coordinator"]
    assert "新建调整版本" in help_of["admin"]


def test_the_catalog_page_offers_each_role_only_its_buttons(login, users, returned):
    url = reverse("review:catalog", args=[returned.pk])
    coordinator = login(users.coordinator).get(url).content.decode()
    assert "逐条答复问题" not in coordinator and "登记问题" not in coordinator
    assert "作出验收结论" not in coordinator
    editor = login(users.county_editor).get(url).content.decode()
    assert "逐条答复问题（" in editor and "登记问题" not in editor
    reviewer = login(users.reviewer).get(url).content.decode()
    assert "登记问题" in reviewer and "逐条答复问题" not in reviewer


# ---------------------------------------------------------------------------
# 6. Chinese throughout
# ---------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a page shows, without scripts, styles, code, hidden parts and quotations
    marked as English (lang="en": the standard items' research notes)."""

    SKIP = {"script", "style", "code", "template", "noscript", "title"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "col", "area", "base", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        skip = (
            tag in self.SKIP
            or a.get("lang", "").startswith("en")
            or "hidden" in a
            or (self.stack and self.stack[-1])
        )
        self.stack.append(bool(skip))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


NOT_WORDS = re.compile(
    r"https?://\S+|[\w.+-]+@[\w.-]+|\S+\.(?:xlsx|xlsm|xls|csv|json)\b|[A-Za-z]+[-_0-9][\w-]*"
)
PRODUCT_NAMES = {"Excel", "WPS"}  # the spreadsheet programs the official tables open in


def english_words(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    text = NOT_WORDS.sub(" ", " ".join(parser.parts))
    return set(re.findall(r"[A-Za-z]{3,}", text)) - PRODUCT_NAMES


def test_no_english_on_any_staff_page(login, users, returned, catalogs, campaign):
    run = checks_run(actor=SYSTEM, catalog=catalogs.nongan_elderly).run
    assert run is not None
    rule_finding = Finding.objects.filter(source="rule").first()
    decision = returned.acceptance_decisions.get()
    item = returned.items.get(seq=1)
    standard_item = StandardItem.objects.filter(provenance_note__gt="").first()
    pages = {
        "county_editor": [
            reverse("review:home"),
            reverse("review:catalog", args=[returned.pk]),
            reverse("review:catalog_correct", args=[returned.pk]),
            reverse("review:catalog_resubmit", args=[returned.pk]),
            reverse("review:finding", args=[findings_of(returned)[0].pk]),
            reverse("admin:index"),
            reverse("admin:catalogs_catalog_changelist"),
            reverse("admin:catalogs_catalog_change", args=[returned.pk]),
            reverse("admin:items_item_changelist"),
            reverse("admin:items_item_change", args=[item.pk]),
            reverse("admin:catalogs_catalog_publish", args=[returned.pk]),
        ],
        "coordinator": [reverse("review:city", args=["2201"]), reverse("admin:index")],
        "reviewer": [
            reverse("review:dashboard"),
            reverse("review:queue"),
            reverse("review:campaigns"),
            reverse("review:decision", args=[decision.pk]),
            reverse("review:catalog_verify", args=[returned.pk]),
            reverse("review:finding_new", args=[returned.pk]) + f"?item={item.pk}",
            reverse("review:catalog", args=[catalogs.nongan_elderly.pk]),
        ]
        + ([reverse("review:finding", args=[rule_finding.pk])] if rule_finding else []),
        "admin": [
            reverse("admin:index"),
            reverse("admin:catalogs_standarditem_change", args=[standard_item.pk]),
        ],
    }
    found = {}
    for who, urls in pages.items():
        client = login(getattr(users, who))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            words = english_words(response.content.decode())
            if words:
                found[url] = sorted(words)
    assert found == {}


def test_rule_codes_show_their_chinese_titles(login, users, all_published):
    catalog = all_published.nongan_social
    checks_run(actor=SYSTEM, catalog=catalog)
    finding = Finding.objects.filter(source="rule", catalog=catalog).first()
    assert finding is not None  # the template's basis cites no specific document
    title = RULES_BY_CODE[finding.rule_code].title
    for url in (
        reverse("review:catalog", args=[catalog.pk]),
        reverse("review:finding", args=[finding.pk]),
    ):
        text = login(users.reviewer).get(url).content.decode()
        assert title in text
        assert finding.rule_code not in text


def test_the_research_notes_are_provenance_not_remarks(login, users, standards):
    items = StandardItem.objects.all()
    with_notes = [item for item in items if item.provenance_note]
    assert len(with_notes) == 19
    assert all(item.notes == "" for item in items)
    item = with_notes[0]
    page = login(users.admin).get(reverse("admin:catalogs_standarditem_change", args=[item.pk]))
    text = page.content.decode()
    assert "来源考证记录" in text and 'lang="en"' in text
    assert 'name="provenance_note"' not in text  # shown, never edited


def test_the_data_migration_moves_loaded_notes_only(standards):
    from importlib import import_module

    migration = import_module("catalogs.migrations.0004_standard_item_provenance_note")
    research, mine = StandardItem.objects.filter(provenance_note__gt="")[:2]
    StandardItem.objects.filter(pk=research.pk).update(
        notes=research.provenance_note, provenance_note=""
    )
    StandardItem.objects.filter(pk=mine.pk).update(notes="请核对正式文件", provenance_note="")
    migration.forwards(django_apps, None)
    research.refresh_from_db()
    mine.refresh_from_db()
    assert research.notes == "" and research.provenance_note
    assert mine.notes == "请核对正式文件" and mine.provenance_note == ""
    assert STANDARD_CATALOGS_FILE.exists()
