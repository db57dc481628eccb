"""Link checks of recorded URLs and registered 专栏."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from catalogs.models import Catalog, Region
from catalogs.permissions import require_province_admin
from records.models import ChannelCheck, RecordChannel, SpecialColumn
from records.services.common import require_record

# ---------------------------------------------------------------------------
# Link checks
# ---------------------------------------------------------------------------


def _catalog_targets(columns: list[SpecialColumn]) -> dict[int, list[str]]:
    """The portal addresses each 专栏 should link to: its catalog's public page."""
    from django.conf import settings
    from django.urls import reverse

    catalogs = {
        (catalog.region_id, catalog.standard_id): catalog.pk
        for catalog in Catalog.objects.filter(
            region__in={column.region_id for column in columns}
        ).only("pk", "region_id", "standard_id")
    }
    base = (getattr(settings, "PORTAL_BASE_URL", "") or "").rstrip("/")
    targets = {}
    for column in columns:
        catalog_id = catalogs.get((column.region_id, column.standard_id))
        if catalog_id is None:
            continue
        path = reverse("site:catalog", kwargs={"pk": catalog_id})
        targets[column.pk] = [f"{base}{path}"] if base else [path]
    return targets


def channels_verify(
    *,
    actor,
    region: Region | None = None,
    allow_private: bool = False,
    limits=None,
    policy=None,
    resolver=None,
    now=None,
):
    """Fetch every recorded URL and registered 专栏 (within ``region``) and store a
    ChannelCheck for each; a URL that fails now and failed at its previous check is broken.

    Fetching happens outside any transaction; the results are written in one at the end.
    """
    from records import verify

    if region is None:
        require_province_admin(actor)
    else:
        require_record(actor, region)
    channels = RecordChannel.objects.exclude(url="").select_related("record")
    columns = SpecialColumn.objects.select_related("region", "standard")
    if region is not None:
        channels = channels.filter(record__catalog__region__path__startswith=region.path)
        columns = columns.filter(region__path__startswith=region.path)
    channels, columns = list(channels), list(columns)
    urls = [channel.url for channel in channels] + [column.url for column in columns]
    policy = policy or verify.AddressPolicy(allow_private=allow_private)
    options = {"limits": limits, "policy": policy}
    if resolver is not None:
        options["resolver"] = resolver
    clock = time.perf_counter()
    results, _ = verify.fetch_urls(urls, **options)
    report = verify.VerifyReport(urls=len(results), columns=len(columns))
    targets = _catalog_targets(columns)
    now = now or timezone.now()
    checks = []
    previous_channel = _previous_failures("channel_id", [channel.pk for channel in channels])
    previous_column = _previous_failures("special_column_id", [column.pk for column in columns])
    for channel in channels:
        result = results[channel.url]
        found = None
        if result.ok:
            found = verify.mentions(
                verify.page_text(result.text),
                [channel.record.title, channel.record.document_number],
            )
        checks.append(
            _check_row(result, now, previous_channel.get(channel.pk, False), channel=channel)
        )
        checks[-1].title_found = found
        _count(report, checks[-1], f"{channel.record} · {channel.channel}")
    for column in columns:
        result = results[column.url]
        linked = None
        if result.ok and column.pk in targets:
            linked = verify.links_to(
                result.text, result.final_url or column.url, targets[column.pk]
            )
        check = _check_row(
            result, now, previous_column.get(column.pk, False), special_column=column
        )
        check.links_to_catalog = linked
        checks.append(check)
        _count(report, check, f"{column.region.name}{column.standard.field}专栏")
        if linked is False:
            report.columns_without_link += 1
    report.seconds = time.perf_counter() - clock
    channel_checks_save(checks)
    return report


def _previous_failures(field_name: str, ids: list[int]) -> dict[int, bool]:
    """Whether each target's latest stored check failed."""
    latest: dict[int, bool] = {}
    rows = (
        ChannelCheck.objects.filter(**{f"{field_name}__in": ids})
        .order_by(field_name, "-checked_at", "-pk")
        .values_list(field_name, "ok")
    )
    for target, ok in rows:
        latest.setdefault(target, not ok)
    return latest


def _check_row(result, now, failed_before: bool, **target):
    return ChannelCheck(
        url=result.url[:500],
        status=result.status,
        ok=result.ok,
        final_url=(result.final_url or "")[:500],
        took_ms=result.took_ms,
        checked_at=now,
        error=(result.error or ("" if result.ok else f"HTTP {result.status}"))[:300],
        broken=not result.ok and failed_before,
        **target,
    )


def _count(report, check, label: str) -> None:
    report.checks += 1
    if check.ok:
        report.ok += 1
        if check.title_found is False:
            report.title_missing += 1
            report.problems.append(f"{label}：{check.url} 页面上找不到标题或文号")
    else:
        report.failed += 1
        report.broken += check.broken
        state = "已失效" if check.broken else "访问失败"
        report.problems.append(f"{label}：{check.url} {state}（{check.error}）")


@transaction.atomic
def channel_checks_save(checks: list[ChannelCheck]) -> list[ChannelCheck]:
    """Store checks made elsewhere (the demo's seeded history); verify_channels uses it too."""
    return ChannelCheck.objects.bulk_create(checks, batch_size=500)
