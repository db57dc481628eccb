"""Acceptance decisions: the move, the frozen snapshot, comparison and the report."""

from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalogs.models import CatalogStatus
from items.models import Item
from items.services import (
    catalog_publish,
    item_create,
    item_delete,
    item_set_extra_elements,
    item_update,
)
from review.models import (
    UNRESOLVED,
    AcceptanceDecision,
    Decision,
    Finding,
    FindingState,
    Severity,
)
from review.selectors import compare_with_last_accepted
from review.services import acceptance_decide, catalog_move, finding_create, finding_verify
from tests.factories import advance
from tests.review.conftest import at

S = CatalogStatus


class _TableReader(HTMLParser):
    """The text of every cell of every table, row by row."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[list[list[str]]]:
    reader = _TableReader()
    reader.feed(html)
    return reader.tables


@pytest.fixture
def extra(all_published, users):
    """The first item of 农安县's catalog with a local extra element, added while the catalog
    could still be edited; the catalog then moves on to 验收中. Request it before
    ``accepting`` (which then finds the catalog already there)."""
    catalog = all_published.nongan_social
    item = Item.objects.filter(catalog=catalog).order_by("seq").first()
    item_set_extra_elements(
        actor=users.county_editor, item=item, extras=[("咨询电话", "0431-1234")]
    )
    catalog_publish(actor=users.county_editor, catalog=catalog, note="增加咨询电话")
    advance(catalog, S.ACCEPTING, at=at(2020, 10, 20))
    return item


def _finding(catalog, reviewer, severity=Severity.WARNING, description="问题", **extra):
    return finding_create(
        actor=reviewer,
        catalog=catalog,
        severity=severity,
        description=description,
        required_fix="整改",
        due_on=timezone.localdate() + timedelta(days=5),
        **extra,
    )


def test_accepting_stores_an_immutable_snapshot(extra, accepting, users):
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
    listed = Finding.objects.filter(catalog=accepting).exclude(state=FindingState.ADVISORY)
    assert [(f["id"], f["state"]) for f in decision.findings] == list(
        listed.order_by("pk").values_list("pk", "state")
    )
    assert decision.findings[-1]["id"] == warning.pk
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
    with pytest.raises(ValidationError, match="当前状态为已发布，只有验收中的目录可以作出验收结论"):
        acceptance_decide(
            actor=users.reviewer, catalog=all_published.town_social, decision="accept", note="x"
        )
    with pytest.raises(ValidationError, match="请填写验收意见") as blank_note:
        acceptance_decide(actor=users.reviewer, catalog=accepting, decision="accept", note=" ")
    assert blank_note.value.message_dict == {"note": ["请填写验收意见。"]}
    with pytest.raises(ValidationError, match="请选择通过验收或退回整改") as unknown:
        acceptance_decide(actor=users.reviewer, catalog=accepting, decision="maybe", note="x")
    assert unknown.value.message_dict == {"decision": ["请选择通过验收或退回整改。"]}
    accepting.refresh_from_db()
    assert accepting.status == S.ACCEPTING
    assert not AcceptanceDecision.objects.exists()


def test_compare_current_catalog_with_last_accepted(extra, accepting, users):
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
    warning = _finding(accepting, users.reviewer, description="网站链接失效")
    serious = _finding(
        accepting, users.reviewer, severity=Severity.ERROR, description="缺少公开依据"
    )
    finding_verify(actor=users.reviewer, finding=serious, note="已整改")
    decision = acceptance_decide(
        actor=users.reviewer, catalog=accepting, decision=Decision.RETURN, note="请补充公开依据"
    )
    # Every finding of the catalog (the checks' and the reviewer's two), in order; advice
    # (提示) is no problem of the catalog and is not listed with the verdict.
    findings = list(
        Finding.objects.filter(catalog=accepting)
        .exclude(state=FindingState.ADVISORY)
        .order_by("pk")
    )
    assert findings[-2:] == [warning, serious]
    assert [entry["id"] for entry in decision.findings] == [f.pk for f in findings]
    unresolved = sum(1 for finding in findings if finding.state in UNRESOLVED)
    client = login(users.county_editor)
    page = client.get(reverse("review:decision", args=[decision.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    summary_table, findings_table, _items_table = html_tables(text)
    summary = dict(summary_table)
    assert summary["验收结论"] == "退回整改"
    assert summary["验收意见"] == "请补充公开依据"
    assert summary["问题"] == f"共{len(findings)}个，验收时未解决{unresolved}个"
    rows = findings_table[1:]
    assert [row[3] for row in rows] == [finding.description for finding in findings]
    # description, severity, state when decided, state now.
    assert [(row[3], row[5], row[7], row[8]) for row in rows[-2:]] == [
        ("网站链接失效", "一般", "待整改", "待整改"),
        ("缺少公开依据", "严重", "已核销", "已核销"),
    ]
    assert ">打印</button>" in text

    response = client.get(reverse("review:decision_xlsx", args=[decision.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["验收结论", "问题清单"]
    summary = {
        row[0]: row[1] for row in workbook["验收结论"].iter_rows(min_row=2, values_only=True)
    }
    assert summary["验收结论"] == "退回整改"
    assert summary["验收意见"] == "请补充公开依据"
    assert (summary["问题总数"], summary["验收时未解决问题"]) == (len(findings), unresolved)
    rows = list(workbook["问题清单"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[5]) for row in rows] == [
        (number, finding.description) for number, finding in enumerate(findings, start=1)
    ]
    assert [(row[3], row[5], row[8], row[9]) for row in rows[-2:]] == [
        ("一般", "网站链接失效", "待整改", "待整改"),
        ("严重", "缺少公开依据", "已核销", "已核销"),
    ]


def test_another_regions_user_cannot_open_a_report(accepting, users, login):
    decision = acceptance_decide(
        actor=users.reviewer, catalog=accepting, decision="accept", note="通过"
    )
    for outsider in (users.other_county_editor, users.other_coordinator, users.township_editor):
        client = login(outsider)
        assert client.get(reverse("review:decision", args=[decision.pk])).status_code == 404
        assert client.get(reverse("review:decision_xlsx", args=[decision.pk])).status_code == 404
