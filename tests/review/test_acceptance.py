"""Acceptance decisions: the move, the frozen snapshot, comparison and the report."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalogs.models import CatalogStatus
from items.models import Item
from items.services import item_create, item_delete, item_set_extra_elements, item_update
from review.models import AcceptanceDecision, Decision, FindingState, Severity
from review.selectors import compare_with_last_accepted
from review.services import acceptance_decide, catalog_move, finding_create, finding_verify
from tests.review.conftest import set_status

S = CatalogStatus


@pytest.fixture
def extra(accepting, users):
    """The first item with a local extra element, added before acceptance locked it."""
    set_status(accepting, S.REVIEWED)
    item = Item.objects.filter(catalog=accepting).order_by("seq").first()
    item_set_extra_elements(
        actor=users.county_editor, item=item, extras=[("咨询电话", "0431-1234")]
    )
    set_status(accepting, S.ACCEPTING)
    return item


def _finding(catalog, reviewer, severity=Severity.WARNING, **extra):
    return finding_create(
        actor=reviewer,
        catalog=catalog,
        severity=severity,
        description="问题",
        required_fix="整改",
        due_on=timezone.localdate() + timedelta(days=5),
        **extra,
    )


def test_accepting_stores_an_immutable_snapshot(accepting, extra, users):
    warning = _finding(accepting, users.reviewer)
    decision = acceptance_decide(
        actor=users.reviewer, catalog=accepting, decision=Decision.ACCEPT, note="同意通过"
    )
    accepting.refresh_from_db()
    assert accepting.status == S.ACCEPTED
    snapshot = decision.snapshot
    assert snapshot["catalog"]["region_code"] == "220122"
    assert len(snapshot["items"]) == accepting.items.count() == decision.item_count
    first = next(entry for entry in snapshot["items"] if entry["item_id"] == extra.pk)
    assert first["extras"] == [["咨询电话", "0431-1234"]]
    assert first["subject"] == extra.subject and first["channels"] == extra.channels
    assert [(f["id"], f["state"]) for f in decision.findings] == [(warning.pk, FindingState.OPEN)]
    event = accepting.events.latest("at", "pk")
    assert (event.from_status, event.to_status, event.note) == (S.ACCEPTING, S.ACCEPTED, "同意通过")

    decision.note = "改写"
    with pytest.raises(ValidationError, match="不能修改"):
        decision.save()
    with pytest.raises(ValidationError, match="不能删除"):
        decision.delete()
    with pytest.raises(ValidationError):
        AcceptanceDecision.objects.filter(pk=decision.pk).update(note="改写")
    with pytest.raises(ValidationError):
        AcceptanceDecision.objects.filter(pk=decision.pk).delete()
    assert AcceptanceDecision.objects.get(pk=decision.pk).note == "同意通过"


def test_unresolved_serious_findings_block_acceptance(accepting, users):
    serious = _finding(accepting, users.reviewer, severity=Severity.ERROR)
    with pytest.raises(ValidationError, match="严重问题"):
        acceptance_decide(
            actor=users.reviewer, catalog=accepting, decision=Decision.ACCEPT, note="通过"
        )
    finding_verify(actor=users.reviewer, finding=serious)
    acceptance_decide(
        actor=users.reviewer, catalog=accepting, decision=Decision.ACCEPT, note="通过"
    )
    assert accepting.status == S.ACCEPTED


def test_returning_keeps_the_findings_attached(accepting, users):
    finding = _finding(accepting, users.reviewer, severity=Severity.ERROR)
    decision = acceptance_decide(
        actor=users.reviewer, catalog=accepting, decision=Decision.RETURN, note="要素缺失，退回"
    )
    accepting.refresh_from_db()
    finding.refresh_from_db()
    assert (accepting.status, decision.decision) == (S.RETURNED, Decision.RETURN)
    assert finding.catalog == accepting and finding.state == FindingState.OPEN
    assert accepting.is_editable


@pytest.mark.parametrize("who", ["county_editor", "coordinator", "other_coordinator"])
def test_only_reviewers_decide(accepting, users, who):
    with pytest.raises(PermissionDenied):
        acceptance_decide(
            actor=getattr(users, who), catalog=accepting, decision=Decision.ACCEPT, note="通过"
        )
    assert not AcceptanceDecision.objects.exists()


def test_a_decision_needs_a_catalog_under_acceptance_and_a_note(all_published, accepting, users):
    with pytest.raises(ValidationError, match="验收中"):
        acceptance_decide(
            actor=users.reviewer, catalog=all_published.town_social, decision="accept", note="x"
        )
    with pytest.raises(ValidationError):
        acceptance_decide(actor=users.reviewer, catalog=accepting, decision="accept", note=" ")
    with pytest.raises(ValidationError):
        acceptance_decide(actor=users.reviewer, catalog=accepting, decision="maybe", note="x")


def test_compare_current_catalog_with_last_accepted(accepting, extra, users):
    assert compare_with_last_accepted(accepting).decision is None
    acceptance_decide(actor=users.reviewer, catalog=accepting, decision="accept", note="通过")
    unchanged = compare_with_last_accepted(accepting)
    assert not unchanged.has_changes and unchanged.unchanged == accepting.items.count()

    catalog_move(actor=users.reviewer, catalog=accepting, to_status=S.RETURNED, note="复查")
    items = list(accepting.items.order_by("seq"))
    item_update(
        actor=users.county_editor,
        item=items[0],
        subject="农安县民政局社会救助科",
        channels=["政府网站", "便民服务站"],
    )
    item_set_extra_elements(
        actor=users.county_editor, item=items[0], extras=[("咨询电话", "0431-9999")]
    )
    item_delete(actor=users.county_editor, item=items[1])
    added = item_create(
        actor=users.county_editor,
        catalog=accepting,
        level1="临时救助",
        level2="救助结果",
        content="●救助对象",
    )
    comparison = compare_with_last_accepted(accepting)
    by_kind = {(c.kind, c.name): c for c in comparison.items}
    changed = by_kind[("changed", items[0].name)]
    assert [(c.label, c.before, c.after) for c in changed.changes] == [
        ("公开主体", extra.subject, "农安县民政局社会救助科"),
        ("公开渠道和载体", "、".join(extra.channels), "政府网站、便民服务站"),
        ("本地要素：咨询电话", "0431-1234", "0431-9999"),
    ]
    assert ("removed", items[1].name) in by_kind
    assert ("added", added.name) in by_kind
    assert comparison.unchanged == len(items) - 2


def test_report_page_and_excel_list_every_finding(accepting, users, login):
    warning = _finding(accepting, users.reviewer)
    serious = _finding(accepting, users.reviewer, severity=Severity.ERROR)
    finding_verify(actor=users.reviewer, finding=serious, note="已整改")
    decision = acceptance_decide(
        actor=users.reviewer, catalog=accepting, decision=Decision.ACCEPT, note="同意通过验收"
    )
    client = login(users.county_editor)
    page = client.get(reverse("review:decision", args=[decision.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "同意通过验收" in text and "通过验收" in text
    assert text.count("已核销") >= 1 and "待整改" in text
    assert "window.print()" in text

    response = client.get(reverse("review:decision_xlsx", args=[decision.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["验收结论", "问题清单"]
    summary = {
        row[0]: row[1] for row in workbook["验收结论"].iter_rows(min_row=2, values_only=True)
    }
    assert summary["验收结论"] == "通过验收"
    assert summary["问题总数"] == 2
    rows = list(workbook["问题清单"].iter_rows(min_row=2, values_only=True))
    assert {(row[3], row[8]) for row in rows} == {("一般", "待整改"), ("严重", "已核销")}
    assert warning.pk and serious.pk


def test_another_regions_user_cannot_open_a_report(accepting, users, login):
    decision = acceptance_decide(
        actor=users.reviewer, catalog=accepting, decision="accept", note="通过"
    )
    for outsider in (users.other_county_editor, users.other_coordinator, users.township_editor):
        client = login(outsider)
        assert client.get(reverse("review:decision", args=[decision.pk])).status_code == 404
        assert client.get(reverse("review:decision_xlsx", args=[decision.pk])).status_code == 404
