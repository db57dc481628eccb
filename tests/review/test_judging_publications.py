"""复核, 录入 and 验收 judge what citizens see: the current publication, never the draft."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalogs.models import Catalog, CatalogStatus
from catalogs.permissions import SYSTEM
from items.models import Item, PublishedItem
from items.services import catalog_publish, item_update
from review.checks import RULES
from review.checks.runner import DRAFT, PUBLICATION, run_checks
from review.models import CheckRun, CheckSource, Decision, Finding, Milestone
from review.reminders import collect_reminders
from review.selectors import campaign_progress, catalog_snapshot, rollup_item_rows
from review.services import (
    acceptance_decide,
    campaign_copy,
    catalog_move,
    checks_run,
    latest_check_after_publication,
    milestone_save,
)
from tests.factories import advance
from tests.review.conftest import at

S = CatalogStatus


def _first_item(catalog) -> Item:
    return Item.objects.filter(catalog=catalog).order_by("seq").first()


def _loosen_draft_deadline(catalog, *, bump: bool = True) -> Item:
    """The draft says 7个工作日 while the public page keeps 10个工作日 (or the reverse)."""
    item = _first_item(catalog)
    Item.objects.filter(pk=item.pk).update(deadline="制定或获取信息之日起7个工作日内")
    if bump:
        Catalog.objects.filter(pk=catalog.pk).update(draft_changed_at=timezone.now())
    return item


# ---------------------------------------------------------------------------
# The checks read the publication
# ---------------------------------------------------------------------------


def test_checks_read_the_publication_and_anchor_to_the_draft_item(all_published):
    catalog = all_published.nongan_social
    item = _first_item(catalog)
    # The draft has a channel outside the vocabulary; the publication does not.
    Item.objects.filter(pk=item.pk).update(channels=["微信群"])
    scope = Catalog.objects.filter(pk=catalog.pk)
    draft = run_checks(scope, rules=["R03-channels"], source=DRAFT)
    public = run_checks(scope, rules=["R03-channels"], source=PUBLICATION)
    assert [(r.item_id, r.key) for r in draft] == [(item.pk, "微信群")]
    assert public == []
    # The publication's own problem is anchored to the draft row the editor corrects.
    PublishedItem.objects.filter(item=item).update(channels=["公众号"])
    (result,) = run_checks(scope, rules=["R03-channels"], source=PUBLICATION)
    assert (result.item_id, result.item_seq, result.level1) == (item.pk, item.seq, item.level1)
    assert "公众号" in result.message


def test_never_published_catalogs_have_no_publication_to_judge(catalogs):
    scope = Catalog.objects.filter(pk=catalogs.nongan_social.pk)
    assert run_checks(scope, source=PUBLICATION) == []
    assert run_checks(scope, source=DRAFT)  # the draft has what to say


def test_publication_checks_keep_the_four_query_budget(all_published, django_assert_num_queries):
    scope = Catalog.objects.all()
    # Rules that load data of their own (prepare) add their queries; the loading is four:
    # catalogs, published items (extras included), standard items, the rule settings.
    plain = [rule for rule in RULES if rule.prepare is None]
    with django_assert_num_queries(4):
        results = run_checks(scope, rules=plain, source=PUBLICATION)
    assert results
    assert {r.catalog_id for r in results} <= set(scope.values_list("pk", flat=True))
    with django_assert_num_queries(4):  # the draft: its extras come joined to the items
        run_checks(scope, rules=plain, source=DRAFT)


def test_a_check_run_reads_publications_and_drafts_of_catalogs_never_published(catalogs, users):
    catalog_publish(actor=SYSTEM, catalog=_localised(catalogs.nongan_social), note="发布")
    outcome = checks_run(actor=users.reviewer, region=catalogs.nongan_social.region.parent)
    assert outcome.run.source == CheckSource.PUBLICATION
    never = {catalogs.nongan_elderly.pk, catalogs.town_social.pk}
    assert outcome.draft_catalog_ids == never
    assert {r.catalog_id for r in outcome.results} >= never  # drafts still get advice


def _localised(catalog):
    from tests.factories import localise

    return localise(catalog)


def test_a_draft_check_is_a_preview_only(all_published, users):
    catalog = all_published.nongan_social
    with pytest.raises(ValidationError, match="草稿检查只能预览"):
        checks_run(actor=users.reviewer, catalog=catalog, source=CheckSource.DRAFT)
    preview = checks_run(
        actor=users.reviewer, catalog=catalog, source=CheckSource.DRAFT, store=False
    )
    assert preview.run.pk is None and not Finding.objects.exists()


def test_batches_give_the_same_results_as_one_run(all_published, users):
    seen = []
    whole = checks_run(actor=users.reviewer, region=all_published.nongan_social.region.parent)
    Finding.objects.all().delete()
    streamed = checks_run(
        actor=users.reviewer,
        region=all_published.nongan_social.region.parent,
        batch_size=1,
        keep_results=False,
        on_batch=lambda results, batch: seen.append((len(batch), list(results))),
    )
    assert [size for size, _ in seen] == [1] * len(whole.catalogs)
    assert [r for _, results in seen for r in results] == whole.results
    assert streamed.results == [] and streamed.run.result_count == len(whole.results)
    assert streamed.run.created_count == whole.run.created_count


# ---------------------------------------------------------------------------
# 录入 and 验收 wait for unpublished changes to be published
# ---------------------------------------------------------------------------


def test_entry_is_refused_while_changes_are_unpublished(all_published, users):
    catalog = advance(all_published.nongan_social, S.REVIEWED, at=at(2020, 8, 20))
    item_update(actor=users.county_editor, item=_first_item(catalog), deadline="7个工作日内")
    with pytest.raises(ValidationError, match="有尚未发布的修改，不能确认录入查询系统"):
        catalog_move(actor=users.county_editor, catalog=catalog, to_status=S.ENTERED)
    catalog.refresh_from_db()
    assert catalog.status == S.REVIEWED
    # Published, the change goes back to 复核 and then may be entered.
    catalog_move(actor=users.county_editor, catalog=catalog, to_status=S.PUBLISHED, note="修改时限")
    catalog_move(actor=users.county_editor, catalog=catalog, to_status=S.REVIEWED)
    catalog_move(actor=users.county_editor, catalog=catalog, to_status=S.ENTERED)
    assert catalog.status == S.ENTERED


def test_starting_acceptance_is_refused_while_changes_are_unpublished(all_published, users):
    catalog = advance(all_published.nongan_social, S.ENTERED, at=at(2020, 10, 1))
    _loosen_draft_deadline(catalog)  # e.g. an import made while the catalog was locked
    with pytest.raises(ValidationError, match="有尚未发布的修改，不能开始验收"):
        catalog_move(actor=users.reviewer, catalog=catalog, to_status=S.ACCEPTING)
    other = advance(all_published.town_social, S.ENTERED, at=at(2020, 10, 1))
    catalog_move(actor=users.reviewer, catalog=other, to_status=S.ACCEPTING)
    assert other.status == S.ACCEPTING


# ---------------------------------------------------------------------------
# Acceptance: a check after the latest publication, a snapshot of the publication
# ---------------------------------------------------------------------------


@pytest.fixture
def unchecked(all_published):
    """农安县's social-assistance catalog under acceptance, never checked."""
    return advance(all_published.nongan_social, S.ACCEPTING, at=at(2020, 10, 20))


def test_acceptance_requires_a_check_after_the_latest_publication(unchecked, users):
    # A check before the publication does not count, nor a preview.
    checks_run(actor=users.reviewer, catalog=unchecked, now=at(2020, 5, 1))
    checks_run(actor=users.reviewer, catalog=unchecked, store=False)
    assert latest_check_after_publication(unchecked) is None
    with pytest.raises(
        ValidationError, match="最近一次发布（2020-06-01 10:00）后还没有运行自动检查"
    ):
        acceptance_decide(
            actor=users.reviewer, catalog=unchecked, decision=Decision.ACCEPT, note="通过"
        )
    # A check of the whole city after the publication counts for the catalog.
    run = checks_run(actor=users.reviewer, region=unchecked.region.parent, now=at(2020, 10, 21))
    assert latest_check_after_publication(unchecked) == run.run
    decision = acceptance_decide(
        actor=users.reviewer, catalog=unchecked, decision=Decision.ACCEPT, note="通过"
    )
    assert decision.decision == Decision.ACCEPT


def test_returning_needs_no_check(unchecked, users):
    decision = acceptance_decide(
        actor=users.reviewer, catalog=unchecked, decision=Decision.RETURN, note="请补充"
    )
    assert decision.decision == Decision.RETURN


def test_the_snapshot_records_the_publication_not_the_draft(unchecked, users):
    item = _loosen_draft_deadline(unchecked, bump=False)  # a draft that differs silently
    checks_run(actor=users.reviewer, catalog=unchecked)
    decision = acceptance_decide(
        actor=users.reviewer, catalog=unchecked, decision=Decision.ACCEPT, note="通过"
    )
    entry = next(e for e in decision.snapshot["items"] if e["item_id"] == item.pk)
    assert entry["deadline"] == "制定或获取信息之日起10个工作日内"
    assert decision.snapshot["catalog"]["source"] == "publication"
    assert decision.snapshot["catalog"]["publication_number"] == 1
    draft = catalog_snapshot(unchecked, source="draft")
    assert next(e for e in draft["items"] if e["item_id"] == item.pk)["deadline"].startswith(
        "制定或获取信息之日起7个"
    )


def test_acceptance_is_refused_with_unpublished_changes(unchecked, users):
    checks_run(actor=users.reviewer, catalog=unchecked)
    _loosen_draft_deadline(unchecked)
    with pytest.raises(ValidationError, match="有尚未发布的修改，不能通过验收"):
        acceptance_decide(
            actor=users.reviewer, catalog=unchecked, decision=Decision.ACCEPT, note="通过"
        )
    assert CheckRun.objects.covering(unchecked).count() == 1


# ---------------------------------------------------------------------------
# The roll-up's item sheet lists the publication
# ---------------------------------------------------------------------------


def test_rollup_items_come_from_the_publication(catalogs, regions):
    from tests.review.conftest import publish

    publish(catalogs.nongan_social, at(2020, 6, 1))
    item = _loosen_draft_deadline(catalogs.nongan_social)
    Item.objects.filter(pk=item.pk).update(level2="草稿改名")
    rows = rollup_item_rows(regions.changchun)
    social = [row for row in rows if row.catalog.pk == catalogs.nongan_social.pk]
    assert (
        len(social)
        == PublishedItem.objects.filter(publication__catalog=catalogs.nongan_social).count()
    )
    assert "草稿改名" not in {row.level2 for row in social}
    assert all(row.is_published and row.unpublished_changes for row in social)
    never = [row for row in rows if row.catalog.pk == catalogs.nongan_elderly.pk]
    assert len(never) == 1 and not never[0].is_published and never[0].seq is None
    assert catalogs.yongji_social.pk not in {row.catalog.pk for row in rows}  # 吉林市


# ---------------------------------------------------------------------------
# Milestones cover fields: the 2020 验收 covers 社会救助 only
# ---------------------------------------------------------------------------


def _cells(campaign, region, today):
    table = campaign_progress(campaign=campaign, root=region, today=today)
    return {m.code: table.cell(region, m) for m in table.milestones}


def test_the_2020_acceptance_covers_social_assistance_only(campaign, all_published, regions):
    acceptance = campaign.milestones.get(code="acceptance")
    assert acceptance.standard_codes == ["social-assistance"]
    assert not campaign.milestones.get(code="review").standard_codes
    cells = _cells(campaign, regions.nongan, date(2020, 11, 1))
    assert cells["acceptance"].detail == "0/1个目录已通过验收"  # the elderly-care one is out
    assert cells["review"].detail == "0/2个目录已复核"
    copy = campaign_copy(actor=SYSTEM, campaign=campaign, year=2021)
    assert copy.milestones.get(code="acceptance").standard_codes == ["social-assistance"]


def test_the_province_edits_what_a_milestone_covers(campaign, all_published, regions, users):
    acceptance = campaign.milestones.get(code="acceptance")
    acceptance.standard_codes = []
    milestone_save(actor=users.admin, milestone=acceptance)
    assert _cells(campaign, regions.nongan, date(2020, 11, 1))["acceptance"].detail == (
        "0/2个目录已通过验收"
    )
    acceptance.standard_codes = ["elderly-care"]
    milestone_save(actor=users.admin, milestone=acceptance)
    assert _cells(campaign, regions.nongan_town, date(2020, 11, 1))["acceptance"].detail == (
        "尚未建立所覆盖领域的目录"
    )
    acceptance.standard_codes = "social-assistance"
    with pytest.raises(ValidationError, match="覆盖领域应为标准目录代码的列表"):
        milestone_save(actor=users.admin, milestone=acceptance)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        milestone_save(actor=users.reviewer, milestone=Milestone.objects.get(pk=acceptance.pk))


def test_the_campaign_admin_offers_the_fields_by_name(login, users, campaign, standards):
    from django.urls import reverse

    page = login(users.admin).get(reverse("admin:review_campaign_change", args=[campaign.pk]))
    text = page.content.decode()
    assert "覆盖领域" in text and "社会救助" in text and "养老服务" in text


def test_reminders_count_only_the_covered_fields(campaign, all_published, regions, users):
    users.county_editor.email = "nongan@example.cn"
    users.county_editor.save()
    due = campaign.milestones.get(code="acceptance").due_on
    reminders = collect_reminders(today=due - timedelta(days=3), campaign=campaign)
    (mine,) = [r for r in reminders if r.recipient.pk == users.county_editor.pk]
    (line,) = [r.text for r in mine.reasons if r.text.startswith("农安县：省级验收")]
    assert "0/1个目录已通过验收" in line


def test_the_workspace_shows_why_entry_waits(all_published, users, login):
    from django.urls import reverse

    catalog = advance(all_published.nongan_social, S.REVIEWED, at=at(2020, 8, 20))
    item_update(actor=users.county_editor, item=_first_item(catalog), deadline="7个工作日内")
    data = {"to_status": S.ENTERED, "from_status": S.REVIEWED, "confirmed": "on", "note": ""}
    url = reverse("review:catalog_move", args=[catalog.pk])
    response = login(users.county_editor).post(url, data, follow=True)
    said = [str(message) for message in response.context["messages"]]
    assert any("有尚未发布的修改，不能确认录入查询系统" in message for message in said)
    catalog.refresh_from_db()
    assert catalog.status == S.REVIEWED
    town = advance(all_published.town_social, S.REVIEWED, at=at(2020, 8, 20))
    data["from_status"] = S.REVIEWED
    url = reverse("review:catalog_move", args=[town.pk])
    login(users.township_editor).post(url, data, follow=True)
    town.refresh_from_db()
    assert town.status == S.ENTERED
