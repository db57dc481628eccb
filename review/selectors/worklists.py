"""What needs each role now, why a catalog is in its state, and the one-page correction loop.

``catalog_state``        a catalog's state explained to one user: since when, by whom, why
                         it is (or is not) locked, and what that user can do next
``editor_worklist``      a county or township editor's 工作台 head: returned catalogs with
                         the reviewer's note and deadline, findings by due date, milestones,
                         catalogs with unpublished changes
``coordinator_worklist`` the same for a city coordinator, plus catalogs waiting for 复核/录入
``reviewer_worklist``    the province: answers waiting for verification, the acceptance
                         queue, returned catalogs
``correction_rows``      the findings a region answers on one page, each with its item now
``verification_rows``    the answered findings a reviewer verifies on one page, each with
                         the item as it was when the finding was raised and as it is now
``item_snapshot``        an item's elements and local extras as plain JSON

Every list is read in a fixed number of queries, whatever the number of catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Min, Q
from django.urls import reverse

from catalogs.lifecycle import allowed_moves
from catalogs.models import Catalog, CatalogEvent, CatalogStatus, Region, Role
from catalogs.permissions import can_edit_region, is_province_reviewer, profile_of
from items.models import Item
from review.models import (
    AWAITING_STAFF,
    UNRESOLVED,
    Finding,
    FindingEventKind,
    FindingState,
)
from review.selectors.item_diffs import (
    EDITABLE_FIELDS,
    SNAPSHOT_FIELDS,
    ElementDiff,
    element_diffs,
    element_fields,
    item_snapshot_at,
)

S = CatalogStatus
SHOWN = 20  # rows per worklist; the rest is counted

# ---------------------------------------------------------------------------
# A catalog's state, explained
# ---------------------------------------------------------------------------


@dataclass
class NextStep:
    text: str
    url: str = ""
    label: str = ""


@dataclass
class CatalogState:
    catalog: Catalog
    label: str
    since: datetime | None
    by: str
    event_note: str
    locked: bool
    can_edit: bool  # the user may change the catalog's items now
    reason: str  # what the state means, and why this user cannot change the catalog
    steps: list[NextStep] = field(default_factory=list)


def _person(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


def _role_label(user) -> str:
    profile = profile_of(user)
    if profile is not None:
        return profile.get_role_display()
    return "系统管理员" if getattr(user, "is_superuser", False) else "工作人员"


def latest_event(catalog: Catalog) -> CatalogEvent | None:
    """The move that brought the catalog into its current status."""
    return (
        CatalogEvent.objects.filter(catalog=catalog, to_status=catalog.status)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


def catalog_state(user, catalog: Catalog) -> CatalogState:
    """The catalog's state for ``user``: since when and by whom, why it is read-only (if it
    is, for this user), and the next steps this user can take (only those)."""
    event = latest_event(catalog)
    region = catalog.region.name
    may_edit_region = can_edit_region(user, catalog.region)
    reviewer = is_province_reviewer(user)
    profile = profile_of(user)
    coordinator = bool(profile and profile.role == Role.CITY_COORDINATOR)
    moves = set(allowed_moves(user, catalog))
    locked = not catalog.is_editable
    can_edit = may_edit_region and not locked
    status = catalog.status
    review_url = reverse("review:catalog", args=[catalog.pk])
    edit_url = reverse("admin:catalogs_catalog_change", args=[catalog.pk])
    publish_url = reverse("admin:catalogs_catalog_publish", args=[catalog.pk])
    correct_url = reverse("review:catalog_correct", args=[catalog.pk])
    verify_url = reverse("review:catalog_verify", args=[catalog.pk])
    awaiting = answered = 0
    if status in (S.RETURNED, S.ACCEPTING, S.ENTERED, S.PUBLISHED, S.REVIEWED):
        counts = catalog.findings.aggregate(
            awaiting=Count("id", filter=Q(state__in=AWAITING_STAFF)),
            answered=Count("id", filter=Q(state=FindingState.ANSWERED)),
        )
        awaiting, answered = counts["awaiting"], counts["answered"]

    meaning = {
        S.DRAFTING: "目录正在编制，尚未发布，公众还看不到。",
        S.PUBLISHED: "目录已发布，公众看到的是最近一次发布的内容。",
        S.REVIEWED: "目录已复核，等待录入基层政务公开事项查询系统。",
        S.ENTERED: "目录已录入查询系统，等待省级验收；录入后目录锁定，不能修改，"
        "以保证验收的就是录入的内容。",
        S.ACCEPTING: "省级正在验收，目录锁定，不能修改。",
        S.ACCEPTED: "目录已通过省级验收并锁定，不能修改。"
        if locked
        else "目录已通过省级验收，仍须保持更新：只修改事项内容时，发布后仍为已验收；"
        "增加或删除了事项时，发布后目录回到“已发布”，须重新复核、录入并验收。",
        S.RETURNED: "省级验收后退回整改，目录已解锁，可以修改。",
    }[status]
    if status in (S.PUBLISHED, S.REVIEWED, S.ACCEPTED) and catalog.has_unpublished_changes:
        meaning += "发布后又有修改，尚未公开。"
    if not may_edit_region:
        meaning += (
            f"您是{_role_label(user)}，只能查看本目录，不能修改；目录由{region}的编辑人员修改。"
        )

    steps: list[NextStep] = []
    if may_edit_region:
        if status == S.DRAFTING:
            steps.append(NextStep("逐项完善九要素，要素齐全后发布目录。", edit_url, "编辑目录"))
        elif status == S.RETURNED:
            steps.append(
                NextStep(
                    f"逐条答复问题（{awaiting}个待答复）、修改相关事项，然后提交复验。",
                    correct_url,
                    "整改并提交复验",
                )
            )
        elif (
            status in (S.PUBLISHED, S.REVIEWED, S.ACCEPTED)
            and not locked
            and catalog.has_unpublished_changes
        ):
            steps.append(NextStep("有修改尚未发布：发布后公众才能看到。", publish_url, "发布修改"))
        if status == S.PUBLISHED:
            steps.append(NextStep("核对公开内容无误后确认复核完成。", review_url, "确认复核完成"))
        elif status == S.REVIEWED:
            steps.append(
                NextStep(
                    "录入查询系统后确认已录入；确认后目录锁定，等待省级验收。",
                    review_url,
                    "确认已录入",
                )
            )
        elif status in (S.ENTERED, S.ACCEPTING):
            steps.append(NextStep("等待省级验收。如发现需要修改，请联系省级审核人员退回整改。"))
        elif status == S.ACCEPTED and locked:
            steps.append(NextStep("无需操作。如需修改，须由省级审核人员撤销验收并退回整改。"))
        elif status == S.ACCEPTED and not catalog.has_unpublished_changes:
            steps.append(NextStep("无需操作；政策或信息有变化时，修改后发布更新。"))
        if awaiting and status != S.RETURNED:
            steps.append(NextStep(f"有{awaiting}个问题待答复。", correct_url, "答复问题"))
    elif reviewer:
        if S.ACCEPTING in moves:
            steps.append(NextStep("开始验收（或退回整改）。", review_url, "去验收"))
        if answered:
            steps.append(NextStep(f"有{answered}个已答复的问题待核验。", verify_url, "核验答复"))
        if status == S.ACCEPTING:
            steps.append(
                NextStep("核验问题后作出验收结论。", review_url + "#decision", "作出验收结论")
            )
        elif status == S.RETURNED:
            steps.append(NextStep(f"等待{region}整改后提交复验。"))
        elif status in (S.DRAFTING, S.PUBLISHED, S.REVIEWED):
            steps.append(NextStep(f"等待{region}发布、复核并录入查询系统。"))
        elif status == S.ACCEPTED:
            steps.append(NextStep("如发现问题，可撤销验收并退回整改。"))
    elif coordinator:
        if S.REVIEWED in moves:
            steps.append(NextStep("核对公开内容后确认复核完成。", review_url, "确认复核完成"))
        elif S.ENTERED in moves:
            steps.append(
                NextStep("录入查询系统后确认已录入（目录随即锁定）。", review_url, "确认已录入")
            )
        elif status == S.RETURNED:
            steps.append(NextStep(f"督促{region}逐条整改并提交复验。"))
        elif status == S.DRAFTING:
            steps.append(NextStep(f"督促{region}完善并发布目录。"))
        else:
            steps.append(NextStep("无需操作。"))
    else:
        steps.append(NextStep("无需操作。"))
    return CatalogState(
        catalog=catalog,
        label=catalog.get_status_display(),
        since=event.at if event else catalog.status_changed_at or catalog.created_at,
        by=_person(event.actor) if event else "系统",
        event_note=event.note if event and status == S.RETURNED else "",
        locked=locked,
        can_edit=can_edit,
        reason=meaning,
        steps=steps,
    )


# ---------------------------------------------------------------------------
# Worklists: what needs each role now
# ---------------------------------------------------------------------------


@dataclass
class ReturnedCatalog:
    catalog: Catalog
    note: str
    returned_at: datetime | None
    returned_by: str
    deadline: date | None  # the earliest due date of its findings still waiting
    awaiting: int
    answered: int


def returned_catalogs(catalogs, *, limit: int = SHOWN) -> list[ReturnedCatalog]:
    """The returned catalogs of a queryset (the first ``limit``, soonest deadline first),
    each with the reviewer's note and deadline."""
    rows = list(
        catalogs.filter(status=S.RETURNED)
        .select_related("region", "standard")
        .annotate(
            awaiting_count=Count("findings", filter=Q(findings__state__in=AWAITING_STAFF)),
            answered_count=Count("findings", filter=Q(findings__state=FindingState.ANSWERED)),
            deadline=Min("findings__due_on", filter=Q(findings__state__in=AWAITING_STAFF)),
        )
        .order_by(F("deadline").asc(nulls_last=True), "region__path", "standard__order")[:limit]
    )
    if not rows:
        return []
    events: dict[int, CatalogEvent] = {}
    for event in (
        CatalogEvent.objects.filter(catalog__in=[c.pk for c in rows], to_status=S.RETURNED)
        .select_related("actor")
        .order_by("catalog_id", "-at", "-pk")
    ):
        events.setdefault(event.catalog_id, event)
    result = []
    for catalog in rows:
        event = events.get(catalog.pk)
        result.append(
            ReturnedCatalog(
                catalog=catalog,
                note=event.note if event else "",
                returned_at=event.at if event else catalog.status_changed_at,
                returned_by=_person(event.actor) if event else "系统",
                deadline=catalog.deadline,
                awaiting=catalog.awaiting_count,
                answered=catalog.answered_count,
            )
        )
    return result


def unpublished_catalogs(catalogs):
    """Catalogs whose draft differs from what citizens see (never published, or changed
    since), returned ones excepted (they have their own list)."""
    return (
        catalogs.filter(
            Q(last_published_at__isnull=True) | Q(draft_changed_at__gt=F("last_published_at"))
        )
        .exclude(status=S.RETURNED)
        .select_related("region", "standard")
        .order_by("region__path", "standard__order")
    )


@dataclass
class Worklist:
    returned: list[ReturnedCatalog] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    findings_total: int = 0
    overdue_total: int = 0
    unpublished: list[Catalog] = field(default_factory=list)
    unpublished_total: int = 0
    to_confirm: list[Catalog] = field(default_factory=list)  # 复核/录入 waiting
    to_confirm_total: int = 0
    to_verify: list[Catalog] = field(default_factory=list)  # catalogs with answers
    to_verify_total: int = 0
    to_accept: list[Catalog] = field(default_factory=list)  # entered or accepting
    to_accept_total: int = 0

    @property
    def is_empty(self) -> bool:
        return not (
            self.returned
            or self.findings_total
            or self.unpublished_total
            or self.to_confirm_total
            or self.to_verify_total
            or self.to_accept_total
        )


def _first(queryset) -> tuple[list, int]:
    """The first ``SHOWN`` rows and the total (counted only when there are more)."""
    rows = list(queryset[: SHOWN + 1])
    if len(rows) <= SHOWN:
        return rows, len(rows)
    return rows[:SHOWN], queryset.count()


def _findings_waiting(findings, today: date, worklist: Worklist) -> None:
    waiting = (
        findings.awaiting_staff()
        .select_related("catalog__region", "catalog__standard", "item")
        .by_urgency()
    )
    worklist.findings, worklist.findings_total = _first(waiting)
    worklist.overdue_total = sum(
        1 for finding in worklist.findings if finding.due_on and finding.due_on < today
    )
    if worklist.findings_total > len(worklist.findings):
        worklist.overdue_total = findings.awaiting_staff().filter(due_on__lt=today).count()


def editor_worklist(user, *, today: date) -> Worklist:
    """What an editor must do now: correct returned catalogs, answer findings (soonest due
    first), publish changes."""
    catalogs = Catalog.objects.editable_by(user)
    worklist = Worklist(returned=returned_catalogs(catalogs))
    _findings_waiting(Finding.objects.answerable_by(user), today, worklist)
    worklist.unpublished, worklist.unpublished_total = _first(unpublished_catalogs(catalogs))
    return worklist


def coordinator_worklist(user, *, city: Region, today: date) -> Worklist:
    """What a city coordinator follows up: catalogs waiting for 复核 or 录入, returned
    catalogs of the city, findings past or near their due date, unpublished changes."""
    catalogs = Catalog.objects.for_user(user).within(city)
    worklist = Worklist(returned=returned_catalogs(catalogs))
    _findings_waiting(Finding.objects.for_user(user).within(city), today, worklist)
    to_confirm = (
        catalogs.filter(status__in=(S.PUBLISHED, S.REVIEWED))
        .select_related("region", "standard")
        .order_by("status_changed_at", "region__path", "standard__order")
    )
    worklist.to_confirm, worklist.to_confirm_total = _first(to_confirm)
    worklist.unpublished, worklist.unpublished_total = _first(
        unpublished_catalogs(catalogs).exclude(status=S.DRAFTING)
    )
    return worklist


def reviewer_worklist(user, *, today: date) -> Worklist:
    """What the province must do now: verify answers, start and decide acceptance."""
    catalogs = Catalog.objects.for_user(user)
    worklist = Worklist(returned=returned_catalogs(catalogs))
    to_verify = (
        catalogs.annotate(
            answered_count=Count("findings", filter=Q(findings__state=FindingState.ANSWERED))
        )
        .filter(answered_count__gt=0)
        .select_related("region", "standard")
        .order_by("-status", "status_changed_at", "region__path")
    )
    worklist.to_verify, worklist.to_verify_total = _first(to_verify)
    to_accept = (
        catalogs.filter(status__in=(S.ENTERED, S.ACCEPTING))
        .annotate(
            unresolved_count=Count("findings", filter=Q(findings__state__in=UNRESOLVED)),
        )
        .select_related("region", "standard")
        .order_by("-status", "status_changed_at", "region__path")
    )
    worklist.to_accept, worklist.to_accept_total = _first(to_accept)
    return worklist


# ---------------------------------------------------------------------------
# The correction loop on one page each
# ---------------------------------------------------------------------------


@dataclass
class CorrectionRow:
    finding: Finding
    item: Item | None
    current: dict | None  # the item's snapshot now
    reopen_note: str  # the reviewer's reason when the finding was reopened
    fields: tuple[str, ...]  # the item fields to offer: the element's, or all of them

    @property
    def whole_item(self) -> bool:
        return self.item is not None and not self.finding.element

    @property
    def elements(self) -> list[ElementDiff]:
        """The item's elements now, the one the finding names first."""
        return element_diffs(self.current, self.current, element=self.finding.element)


def correction_rows(catalog: Catalog) -> list[CorrectionRow]:
    """The catalog's findings waiting for its staff, soonest due first, each with its item
    as it is now and the reviewer's latest reason for reopening it."""
    findings = list(
        catalog.findings.filter(state__in=AWAITING_STAFF)
        .select_related("item", "created_by")
        .prefetch_related("item__extra_elements", "events")
        .by_urgency()
    )
    rows = []
    for finding in findings:
        item = finding.item
        reopened = [e for e in finding.events.all() if e.kind == FindingEventKind.REOPENED]
        rows.append(
            CorrectionRow(
                finding=finding,
                item=item,
                current=_snapshot_prefetched(item) if item else None,
                reopen_note=reopened[-1].note if reopened else "",
                fields=(element_fields(finding.element) or EDITABLE_FIELDS) if item else (),
            )
        )
    return rows


def _snapshot_prefetched(item: Item) -> dict:
    extras = sorted(item.extra_elements.all(), key=lambda extra: (extra.order, extra.pk))
    return {
        **{name: getattr(item, name) for name in SNAPSHOT_FIELDS},
        "extras": [[extra.name, extra.value] for extra in extras],
        "version": item.version,
    }


@dataclass
class VerificationRow:
    finding: Finding
    answer: str
    answered_by: str
    answered_at: datetime | None
    before_known: bool
    item_deleted: bool
    diffs: list[ElementDiff]

    @property
    def changed(self) -> list[ElementDiff]:
        return [diff for diff in self.diffs if diff.changed]

    @property
    def target_unchanged(self) -> bool:
        """The element the finding names did not change: the fix may not have been made."""
        targets = [diff for diff in self.diffs if diff.is_target]
        return bool(targets) and not any(diff.changed for diff in targets)


def verification_rows(catalog: Catalog) -> list[VerificationRow]:
    """The catalog's answered findings, each with the region's answer and a per-element
    comparison of its item when the finding was raised and now."""
    findings = list(
        catalog.findings.filter(state=FindingState.ANSWERED)
        .select_related("item")
        .prefetch_related("item__extra_elements", "events__actor")
        .order_by("pk")
    )
    rows = []
    for finding in findings:
        answers = [e for e in finding.events.all() if e.kind == FindingEventKind.ANSWERED]
        answer = answers[-1] if answers else None
        before = finding.item_snapshot or None
        if before is None and finding.item_id:
            before = item_snapshot_at(finding.item_id, finding.created_at)
        now = _snapshot_prefetched(finding.item) if finding.item else None
        rows.append(
            VerificationRow(
                finding=finding,
                answer=answer.note if answer else "",
                answered_by=_person(answer.actor) if answer else "",
                answered_at=answer.at if answer else None,
                before_known=before is not None,
                item_deleted=bool(finding.item_label) and finding.item is None,
                # Without the earlier content, only the present one is shown.
                diffs=element_diffs(before if before else now, now, element=finding.element)
                if finding.item_label
                else [],
            )
        )
    return rows
