"""Running the automated checks and keeping their findings in step with the results.

The checks judge what citizens see: a catalog's current publication. A catalog never
published is checked on its draft (there is nothing else yet, and its editor wants to know
before publishing). A draft check of published catalogs is a preview only: it stores nothing.

The province's rule settings apply (a rule switched off does not run; another severity is
used). Results of severity 提示 (info) are advice: their findings are filed as 提示（无需整改）,
never wait for anyone and never block.

A region's catalogs are checked in batches, each loaded, checked and synced on its own, so
memory stays bounded whatever the size of the region; ``on_batch`` sees each batch's results.
"""

import time as _time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalogs.models import Catalog, Region, RegionLevel
from catalogs.permissions import history_user
from catalogs.vocabulary import ELEMENT_LABELS
from items.bulk import insert_objects
from items.models import Item
from review import checks
from review.checks.registry import INFO
from review.checks.runner import DRAFT, PUBLICATION, rule_overrides
from review.models import (
    SEVERITY_ORDER,
    UNRESOLVED,
    CheckRun,
    CheckSource,
    Finding,
    FindingEvent,
    FindingEventKind,
    FindingSource,
    FindingState,
)
from review.permissions import can_run_checks
from review.selectors import rule_titles
from review.services.findings import checks_move, item_label

# Catalogs loaded and checked at a time: a batch of 400 catalogs (about 6,000 items) keeps a
# run over a whole province well under 300 MB.
CHECK_BATCH = 400


def fingerprint(result) -> str:
    """A rule result's identity across runs (the checks' own when they give one)."""
    own = getattr(result, "fingerprint", None)
    if own:
        return own
    return f"{result.rule_code}|{result.item_id or ''}|{result.element or ''}"


@dataclass
class CheckOutcome:
    run: CheckRun
    results: list = field(default_factory=list)  # empty when the caller streams them
    catalogs: list[Catalog] = field(default_factory=list)
    by_rule: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    # Catalogs checked on their draft because they were never published.
    draft_catalog_ids: set[int] = field(default_factory=set)


def _scope(*, region: Region | None, catalog: Catalog | None):
    if catalog is not None:
        return (
            Catalog.objects.filter(pk=catalog.pk),
            catalog.region,
            f"{catalog.region.full_name} · {catalog.standard.title}",
        )
    if region is None:
        raise ValueError("a check needs a region or a catalog")
    label = region.full_name
    if region.level == RegionLevel.COUNTY:
        label += "（含所辖乡镇、街道）"
    elif region.level in (RegionLevel.CITY, RegionLevel.PROVINCE):
        label += "（全部县级、乡级目录）"
    return Catalog.objects.within(region), region, label


def _check_batch(batch: list[Catalog], *, source: str, overrides) -> list:
    """Results for one batch: publications (or, for catalogs never published, drafts)."""
    public = source == PUBLICATION
    published = [c.pk for c in batch if public and c.last_published_at]
    drafts = [c.pk for c in batch if not (public and c.last_published_at)]
    by_catalog: dict[int, list] = defaultdict(list)
    for ids, mode in ((published, PUBLICATION), (drafts, DRAFT)):
        if ids:
            scope = Catalog.objects.filter(pk__in=ids)
            for result in checks.run_checks(scope, source=mode, overrides=overrides):
                by_catalog[result.catalog_id].append(result)
    # In the batch's order (region code), whatever the mode each catalog was read in.
    return [result for catalog in batch for result in by_catalog.get(catalog.pk, [])]


@transaction.atomic
def checks_run(
    *,
    actor,
    region: Region | None = None,
    catalog: Catalog | None = None,
    store: bool = True,
    now=None,
    source: str = CheckSource.PUBLICATION,
    keep_results: bool = True,
    on_batch: Callable[[list, list[Catalog]], None] | None = None,
    batch_size: int = CHECK_BATCH,
) -> CheckOutcome:
    """Run the rule set on one catalog or every catalog in a region and keep the findings.

    Rule findings are matched on (catalog, rule, item, element): running twice changes
    nothing, a problem that is gone is resolved, and one that comes back is reopened.
    ``source=DRAFT`` checks the drafts instead of the publications and may not be stored.
    ``keep_results=False`` with ``on_batch`` streams the results instead of keeping them.
    """
    catalogs, scope_region, label = _scope(region=region, catalog=catalog)
    if not can_run_checks(actor, scope_region):
        raise PermissionDenied(f"您无权检查“{scope_region.name}”的目录。")
    if source not in CheckSource.values:
        raise ValidationError("无效的检查对象。")
    if source == CheckSource.DRAFT and store:
        raise ValidationError("草稿检查只能预览，不保存问题：问题以公开版本为准。")
    now = now or timezone.now()
    started = _time.perf_counter()
    catalog_list = list(
        catalogs.select_related("region", "standard", "edition").order_by("region__code", "pk")
    )
    overrides = rule_overrides()
    outcome = CheckOutcome(run=CheckRun(), catalogs=catalog_list)
    counts = [0, 0, 0, 0]
    result_count = 0
    titles = rule_titles() if store else {}
    for start in range(0, len(catalog_list), batch_size):
        batch = catalog_list[start : start + batch_size]
        results = _check_batch(batch, source=source, overrides=overrides)
        if source == CheckSource.PUBLICATION:
            outcome.draft_catalog_ids.update(c.pk for c in batch if not c.last_published_at)
        result_count += len(results)
        for result in results:
            outcome.by_rule[result.rule_code] += 1
            outcome.by_severity[result.severity] += 1
        if store:
            batch_counts = _sync_rule_findings(
                actor=actor, batch=batch, results=results, now=now, titles=titles
            )
            counts = [a + b for a, b in zip(counts, batch_counts, strict=True)]
        if on_batch is not None:
            on_batch(results, batch)
        if keep_results:
            outcome.results.extend(results)
    run = CheckRun(
        actor=history_user(actor),
        region=scope_region,
        catalog=catalog,
        scope_label=label,
        source=source,
        started_at=now,
        stored=store,
        catalog_count=len(catalog_list),
        result_count=result_count,
        by_rule=dict(outcome.by_rule),
    )
    run.created_count, run.updated_count, run.resolved_count, run.reopened_count = counts
    run.seconds = round(_time.perf_counter() - started, 3)
    if store:
        run.full_clean()
        run.save()
    outcome.run = run
    return outcome


def _rule_fix(rule_code: str, element: str | None, titles: dict[str, str]) -> str:
    what = ELEMENT_LABELS.get(element or "", "相关内容")
    title = titles.get(rule_code)
    return (
        f"请按“{title}”的要求修改{what}，修改后重新发布并检查。"
        if title
        else f"请修改{what}后重新发布并检查。"
    )


def _target_state(severity: str) -> str:
    """Where a rule finding belongs while its problem is found: advice, or work to do."""
    return FindingState.ADVISORY if severity == INFO else FindingState.OPEN


def _sync_rule_findings(*, actor, batch, results, now, titles) -> tuple[int, int, int, int]:
    batch_ids = {catalog.pk for catalog in batch}
    grouped: dict[tuple[int, str], list] = defaultdict(list)
    for result in results:
        if result.catalog_id in batch_ids:
            grouped[(result.catalog_id, fingerprint(result))].append(result)
    existing = {
        (finding.catalog_id, finding.fingerprint): finding
        for finding in Finding.objects.filter(
            source=FindingSource.RULE, catalog_id__in=batch_ids
        ).only("id", "catalog_id", "fingerprint", "state", "description", "severity")
    }
    labels = {}
    if any(key not in existing and group[0].item_id for key, group in grouped.items()):
        for item in Item.objects.filter(catalog_id__in=batch_ids).only(
            "id", "seq", "level1", "level2"
        ):
            labels[item.pk] = item_label(item)
    actor_user = history_user(actor)
    created, events, changed = [], [], []
    reopened = resolved = 0
    for key, group in grouped.items():
        first = group[0]
        if len(group) == 1:
            severity, description = first.severity, first.message
        else:
            severity = min((r.severity for r in group), key=SEVERITY_ORDER.__getitem__)
            description = "；".join(dict.fromkeys(r.message for r in group))
        target = _target_state(severity)
        finding = existing.get(key)
        if finding is None:
            created.append(
                Finding(
                    catalog_id=first.catalog_id,
                    item_id=first.item_id,
                    item_label=labels.get(first.item_id, ""),
                    element=first.element or "",
                    source=FindingSource.RULE,
                    rule_code=first.rule_code,
                    fingerprint=key[1],
                    severity=severity,
                    description=description,
                    required_fix=(
                        "提示性意见，无需整改；可结合实际改进。"
                        if target == FindingState.ADVISORY
                        else _rule_fix(first.rule_code, first.element, titles)
                    ),
                    state=target,
                    created_by=actor_user,
                    created_at=now,
                    state_changed_at=now,
                )
            )
            continue
        dirty = False
        if finding.description != description or finding.severity != severity:
            finding.description, finding.severity = description, severity
            dirty = True
            if finding.state in UNRESOLVED or finding.state == FindingState.ADVISORY:
                events.append(
                    FindingEvent(
                        finding=finding,
                        kind=FindingEventKind.UPDATED,
                        actor=actor_user,
                        from_state=finding.state,
                        to_state=finding.state,
                        at=now,
                        note=description,
                    )
                )
        move = _move_for(finding.state, target)
        if move is not None:
            to_state, note = move
            events.append(checks_move(finding, to_state, actor_user, now, note))
            if to_state == FindingState.REOPENED:
                reopened += 1
            dirty = True
        if dirty:
            changed.append(finding)
    for key, finding in existing.items():
        if key not in grouped and (
            finding.state in UNRESOLVED or finding.state == FindingState.ADVISORY
        ):
            events.append(
                checks_move(
                    finding, FindingState.RESOLVED, actor_user, now, "重新检查未再发现此问题"
                )
            )
            changed.append(finding)
            resolved += 1
    insert_objects(Finding, created)  # COPY on PostgreSQL (items.bulk)
    events += [
        FindingEvent(
            finding=finding,
            kind=FindingEventKind.CREATED,
            actor=actor_user,
            to_state=finding.state,
            at=now,
            note="自动检查提示（无需整改）"
            if finding.state == FindingState.ADVISORY
            else "自动检查发现",
        )
        for finding in created
    ]
    Finding.objects.bulk_update(
        changed, ["description", "severity", "state", "state_changed_at"], batch_size=500
    )
    insert_objects(FindingEvent, events)
    updated = len(changed) - resolved - reopened
    return len(created), max(updated, 0), resolved, reopened


def _move_for(state: str, target: str) -> tuple[str, str] | None:
    """The checks' move of a finding whose problem is found again, if any."""
    if target == FindingState.ADVISORY:
        if state == FindingState.RESOLVED:
            return FindingState.ADVISORY, "重新检查时再次发现（提示，无需整改）"
        if state in UNRESOLVED:
            return FindingState.ADVISORY, "规则严重程度已调整为提示，无需整改"
        return None
    if state == FindingState.RESOLVED:
        return FindingState.REOPENED, "重新检查时再次发现此问题"
    if state == FindingState.ADVISORY:
        return FindingState.OPEN, "规则严重程度已调整，需要整改"
    return None
