"""Catalog lifecycle moves: who may make each, what the event log records, locking."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from catalogs.lifecycle import allowed_moves, catalog_transition
from catalogs.models import Catalog, CatalogEvent, CatalogStatus
from items.models import Item, Publication
from items.services import item_update
from review.models import AcceptanceDecision, Decision
from review.services import acceptance_decide, catalog_move
from tests.factories import advance
from tests.review.conftest import at, set_status

S = CatalogStatus

# (actor, catalog, from, to, allowed): each rule's allowed and refused cases side by side.
MOVES = [
    # 复核: the region's own editors and its city's coordinator.
    ("county_editor", "nongan_social", S.PUBLISHED, S.REVIEWED, True),
    ("county_editor", "town_social", S.PUBLISHED, S.REVIEWED, True),
    ("township_editor", "town_social", S.PUBLISHED, S.REVIEWED, True),
    ("township_editor", "nongan_social", S.PUBLISHED, S.REVIEWED, False),
    ("coordinator", "nongan_social", S.PUBLISHED, S.REVIEWED, True),
    ("coordinator", "town_social", S.PUBLISHED, S.REVIEWED, True),
    ("other_coordinator", "nongan_social", S.PUBLISHED, S.REVIEWED, False),
    ("other_county_editor", "nongan_social", S.PUBLISHED, S.REVIEWED, False),
    ("reviewer", "nongan_social", S.PUBLISHED, S.REVIEWED, False),
    ("admin", "nongan_social", S.PUBLISHED, S.REVIEWED, True),
    # 录入 (locks the catalog): same people as 复核.
    ("county_editor", "nongan_social", S.REVIEWED, S.ENTERED, True),
    ("coordinator", "nongan_social", S.REVIEWED, S.ENTERED, True),
    ("other_county_editor", "nongan_social", S.REVIEWED, S.ENTERED, False),
    ("other_coordinator", "nongan_social", S.REVIEWED, S.ENTERED, False),
    ("reviewer", "nongan_social", S.REVIEWED, S.ENTERED, False),
    # 验收中 / 退回整改: the province's reviewers only.
    ("reviewer", "nongan_social", S.ENTERED, S.ACCEPTING, True),
    ("admin", "nongan_social", S.ENTERED, S.ACCEPTING, True),
    ("county_editor", "nongan_social", S.ENTERED, S.ACCEPTING, False),
    ("coordinator", "nongan_social", S.ENTERED, S.ACCEPTING, False),
    ("reviewer", "nongan_social", S.ENTERED, S.RETURNED, True),
    ("coordinator", "nongan_social", S.ENTERED, S.RETURNED, False),
    ("county_editor", "nongan_social", S.ACCEPTING, S.RETURNED, False),
    ("reviewer", "nongan_social", S.ACCEPTED, S.RETURNED, True),
    ("county_editor", "nongan_social", S.ACCEPTED, S.RETURNED, False),
]


@pytest.mark.parametrize(("who", "which", "from_status", "to_status", "allowed"), MOVES)
def test_who_may_make_each_move(users, all_published, who, which, from_status, to_status, allowed):
    actor = getattr(users, who)
    catalog = set_status(getattr(all_published, which), from_status)
    assert (to_status in allowed_moves(actor, catalog)) is allowed
    if allowed:
        catalog_move(actor=actor, catalog=catalog, to_status=to_status, note="测试")
        catalog.refresh_from_db()
        assert catalog.status == to_status
        event = CatalogEvent.objects.filter(catalog=catalog).latest("at", "pk")
        assert (event.from_status, event.to_status, event.actor) == (from_status, to_status, actor)
    else:
        with pytest.raises(PermissionDenied):
            catalog_move(actor=actor, catalog=catalog, to_status=to_status, note="测试")
        catalog.refresh_from_db()
        assert catalog.status == from_status


def test_a_move_not_in_the_table_is_refused(users, all_published):
    catalog = all_published.nongan_social
    with pytest.raises(ValidationError, match="不能变更为已验收"):
        catalog_transition(actor=users.admin, catalog=catalog, to_status=S.ACCEPTED)
    assert not catalog.events.filter(to_status=S.ACCEPTED).exists()


def test_event_log_records_actor_time_and_note(users, all_published):
    catalog = all_published.nongan_social
    when = at(2020, 8, 20, 15)
    catalog_move(
        actor=users.coordinator, catalog=catalog, to_status=S.REVIEWED, note="市级复核完成", at=when
    )
    events = list(
        catalog.events.order_by("at", "pk").values_list(
            "from_status", "to_status", "actor__username", "note", "at"
        )
    )
    assert events == [
        (S.DRAFTING, S.PUBLISHED, None, "发布", at(2020, 6, 1)),
        (S.PUBLISHED, S.REVIEWED, "changchun-coordinator", "市级复核完成", when),
    ]
    catalog.refresh_from_db()
    assert catalog.status_changed_at == when


def test_a_move_from_a_stale_page_fails(users, all_published):
    catalog = set_status(all_published.nongan_social, S.ENTERED)
    catalog_move(
        actor=users.reviewer, catalog=catalog, to_status=S.ACCEPTING, from_status=S.ENTERED
    )
    with pytest.raises(ValidationError, match="状态已变更"):
        catalog_move(
            actor=users.reviewer,
            catalog=catalog,
            to_status=S.RETURNED,
            from_status=S.ENTERED,
            note="退回",
        )
    catalog.refresh_from_db()
    assert catalog.status == S.ACCEPTING


def test_returning_needs_a_reason(users, all_published):
    catalog = set_status(all_published.nongan_social, S.ENTERED)
    with pytest.raises(ValidationError, match="理由"):
        catalog_move(actor=users.reviewer, catalog=catalog, to_status=S.RETURNED, note=" ")
    catalog_move(actor=users.reviewer, catalog=catalog, to_status=S.RETURNED, note="要素缺失")
    assert catalog.status == S.RETURNED


def test_publishing_through_a_move_makes_a_publication(users, catalogs):
    from tests.conftest import localise

    catalog = localise(catalogs.nongan_social)
    catalog_move(actor=users.county_editor, catalog=catalog, to_status=S.PUBLISHED, note="首次发布")
    assert catalog.status == S.PUBLISHED
    assert Publication.objects.filter(catalog=catalog, is_current=True).count() == 1


def test_accepting_through_a_move_takes_a_snapshot(users, accepting):
    catalog_move(actor=users.reviewer, catalog=accepting, to_status=S.ACCEPTED, note="通过")
    decision = AcceptanceDecision.objects.get(catalog=accepting)
    assert decision.decision == Decision.ACCEPT
    assert len(decision.snapshot["items"]) == accepting.items.count()


@pytest.mark.parametrize("locked", [S.ENTERED, S.ACCEPTING])
def test_locked_catalogs_refuse_item_edits(users, all_published, locked):
    catalog = advance(all_published.nongan_social, locked)
    item = Item.objects.filter(catalog=catalog).first()
    with pytest.raises(ValidationError, match="已锁定"):
        item_update(actor=users.county_editor, item=item, subject="农安县民政局")


def test_a_returned_catalog_can_be_edited_again(users, all_published):
    catalog = set_status(all_published.nongan_social, S.ENTERED)
    catalog_move(actor=users.reviewer, catalog=catalog, to_status=S.RETURNED, note="整改")
    item = Item.objects.filter(catalog=catalog).first()
    item_update(actor=users.county_editor, item=item, subject="农安县民政局社会救助科")
    item.refresh_from_db()
    assert item.subject == "农安县民政局社会救助科"


# ---------------------------------------------------------------------------
# Conflicting moves at the same moment (PostgreSQL: real row locks)
# ---------------------------------------------------------------------------


def _race(calls):
    """Run the calls in threads released together; returns (successes, failures)."""
    barrier = threading.Barrier(len(calls))
    outcomes = []
    lock = threading.Lock()

    def run(call):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            call()
            result = "ok"
        except (ValidationError, PermissionDenied) as error:
            result = error
        finally:
            thread_connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return [o for o in outcomes if o == "ok"], [o for o in outcomes if o != "ok"]


def _skip_unless_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) only serialise on PostgreSQL; SQLite has none")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_accept_and_return_at_the_same_moment_only_one_wins(users, all_published):
    _skip_unless_postgres()
    catalog = set_status(all_published.nongan_social, S.ACCEPTING)
    calls = [
        lambda: acceptance_decide(
            actor=users.reviewer,
            catalog=Catalog.objects.get(pk=catalog.pk),
            decision=Decision.ACCEPT,
            note="通过",
        ),
        lambda: acceptance_decide(
            actor=users.admin,
            catalog=Catalog.objects.get(pk=catalog.pk),
            decision=Decision.RETURN,
            note="退回",
        ),
    ]
    wins, losses = _race(calls)
    assert len(wins) == 1 and len(losses) == 1
    assert isinstance(losses[0], ValidationError)
    catalog.refresh_from_db()
    decisions = AcceptanceDecision.objects.filter(catalog=catalog)
    assert decisions.count() == 1
    expected = S.ACCEPTED if decisions.get().decision == Decision.ACCEPT else S.RETURNED
    assert catalog.status == expected
    assert catalog.events.filter(from_status=S.ACCEPTING).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_start_acceptance_and_return_at_the_same_moment_only_one_wins(users, all_published):
    _skip_unless_postgres()
    catalog = set_status(all_published.nongan_social, S.ENTERED)
    calls = [
        lambda: catalog_move(
            actor=users.reviewer,
            catalog=Catalog.objects.get(pk=catalog.pk),
            to_status=S.ACCEPTING,
            from_status=S.ENTERED,
        ),
        lambda: catalog_move(
            actor=users.admin,
            catalog=Catalog.objects.get(pk=catalog.pk),
            to_status=S.RETURNED,
            from_status=S.ENTERED,
            note="退回",
        ),
    ]
    wins, losses = _race(calls)
    assert (len(wins), len(losses)) == (1, 1)
    assert catalog.events.filter(from_status=S.ENTERED).count() == 1


def test_a_move_outside_the_table_is_invalid_not_forbidden(users, all_published):
    catalog = all_published.nongan_social  # published
    with pytest.raises(ValidationError, match="不能变更为已录入"):
        catalog_move(actor=users.admin, catalog=catalog, to_status=S.ENTERED)
