"""check_catalogs: run the automated checks over a region, a catalog, or every province.

The checks read what citizens see (each catalog's current publication; a catalog never
published is read as its draft) and store their findings, unless --no-store. ``--draft``
previews the drafts instead (never stored).

Memory stays bounded whatever the scope: every province is its own run, each run loads and
checks its catalogs in batches, and results are counted (and, with --details, written out)
batch by batch, never held for a whole province or the country.
"""

import json
import multiprocessing
import os
import signal
import time
from collections import Counter, defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from catalogs.models import Catalog, Region, RegionLevel
from catalogs.permissions import SYSTEM
from review.models import CheckSource, Severity
from review.selectors import rule_titles
from review.services import checks_run

# How --details names an element: the nine elements as the official layout heads them.
ELEMENT_NAMES = {
    "name": "公开事项名称",
    "content": "公开内容",
    "basis": "公开依据",
    "deadline": "公开时限",
    "subject": "公开主体",
    "channels": "公开渠道和载体",
    "audience": "公开对象",
    "method": "公开方式",
    "levels": "公开层级",
}


def _group_code(region: Region, root: Region) -> str:
    """The region just below ``root`` that contains ``region`` (the region itself at the bottom)."""
    codes = region.ancestor_codes()
    depth = len(root.ancestor_codes())
    if root.level == RegionLevel.COUNTY or len(codes) <= depth:
        return region.code
    return codes[depth]


def result_entry(result, catalog: Catalog) -> dict:
    """One result as --details lists it (exactly these keys)."""
    return {
        "region_code": catalog.region.code,
        "standard": catalog.standard.code,
        "catalog_id": result.catalog_id,
        "item_seq": result.item_seq,
        "level1": result.level1,
        "level2": result.level2,
        "element": ELEMENT_NAMES.get(result.element or "", ""),
        "rule_code": result.rule_code,
        "severity": result.severity,
        "message": result.message,
    }


class _DetailsWriter:
    """Writes the top-level ``results`` list entry by entry as the batches come."""

    def __init__(self, stdout, *, json_format: bool):
        self.stdout = stdout
        self.json_format = json_format
        self.count = 0

    def start(self) -> None:
        if self.json_format:
            self.stdout.write('{"results": [', ending="")

    def write(self, entry: dict) -> None:
        if self.json_format:
            prefix = "\n " if self.count == 0 else ",\n "
            self.stdout.write(prefix + json.dumps(entry, ensure_ascii=False), ending="")
        else:
            where = f"第{entry['item_seq']}项" if entry["item_seq"] is not None else "整个目录"
            element = f" · {entry['element']}" if entry["element"] else ""
            self.stdout.write(
                f"  {entry['region_code']:<10} {entry['standard']:<18} {where}{element}"
                f"  {entry['rule_code']} {entry['severity']}：{entry['message']}"
            )
        self.count += 1


# The command, store and draft of a parallel run, inherited by its processes (fork).
_parallel_command = None


# The parent's connections as a forked process found them: kept referenced and never closed
# here (closing would end the parent's session); the process leaves by os._exit.
_inherited_connections: list = []


def _forget_inherited_connections() -> None:
    """Make this process open its own connections. A process is forked whenever one
    finishes (maxtasksperchild=1), and the parent may have queried in between."""
    for alias in connections:
        wrapper = connections[alias]
        if wrapper.connection is not None:
            _inherited_connections.append(wrapper.connection)
            wrapper.connection = None


def _run_in_process(task):
    index, scope = task
    command, store, draft = _parallel_command
    _forget_inherited_connections()
    try:
        return index, command._run(scope, store=store, draft=draft, writer=None)
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = (
        "Run the automated checks on the catalogs of a region (with everything below it) and "
        "store the findings. --region 22 is all of Jilin; --region 220122 is 农安县 with its "
        "townships; without --region, every loaded province, one after the other."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", help="region code (default: every province)")
        parser.add_argument("--catalog", type=int, help="check one catalog by id")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--details",
            action="store_true",
            help="list every result (json: a top-level 'results' list)",
        )
        parser.add_argument(
            "--no-store", action="store_true", help="report only; change no findings"
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="check the drafts instead of the publications (a preview: nothing stored)",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=0,
            help="catalogs loaded and checked at a time (default: the service's, "
            "review.services.check_runs.CHECK_BATCH)",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=0,
            help="provinces checked at once, each in its own process (default: one per CPU, "
            "at most 2, on PostgreSQL when no region is given; 1 with --details)",
        )

    def handle(
        self,
        *args,
        region=None,
        catalog=None,
        format="text",
        details=False,
        no_store=False,
        draft=False,
        jobs=0,
        batch_size=0,
        **options,
    ):
        self.batch_size = batch_size
        started = time.perf_counter()
        scopes = self._scopes(region, catalog)
        json_format = format == "json"
        writer = _DetailsWriter(self.stdout, json_format=json_format) if details else None
        if writer is not None:
            writer.start()
        elif json_format:
            self.stdout.write("{", ending="")
        store = not (no_store or draft)
        jobs = self._jobs(jobs, scopes, details=details)
        reports = []
        if jobs > 1:
            done = self._run_parallel(scopes, jobs, store=store, draft=draft)
        else:
            done = (
                (scope, self._run(scope, store=store, draft=draft, writer=writer))
                for scope in scopes
            )
        for number, (_, report) in enumerate(done, start=1):
            reports.append(report)
            if len(scopes) > 1:
                self._progress(number, len(scopes), report, json_format=json_format)
            if not json_format:
                self._write_text(report)
        # In region code order, however the provinces were shared out.
        reports.sort(key=lambda report: report["region_code"])
        seconds = time.perf_counter() - started
        if json_format:
            tail = json.dumps(
                {"scopes": reports, "seconds": round(seconds, 3)}, ensure_ascii=False, indent=1
            )
            # Close the streamed list, then the rest of the object (its opening brace is
            # already written).
            self.stdout.write(("\n], " if writer is not None else "") + tail[1:])
            return
        self.stdout.write(f"用时 {seconds:.2f} 秒")

    def _scopes(self, region, catalog) -> list[dict]:
        if catalog is not None:
            found = Catalog.objects.select_related("region", "standard").filter(pk=catalog).first()
            if found is None:
                raise CommandError(f"找不到编号为 {catalog} 的目录。")
            return [{"catalog": found}]
        if region:
            root = Region.objects.filter(code=region).first()
            if root is None:
                raise CommandError(
                    f"找不到区划代码 {region}（请使用已导入的区划代码，如 22、2201、220122）。"
                )
            return [{"region": root}]
        provinces = list(Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code"))
        if not provinces:
            raise CommandError("尚未导入区划，请先运行 load_divisions。")
        return [{"region": province} for province in provinces]

    def _jobs(self, jobs: int, scopes: list[dict], *, details: bool) -> int:
        """How many provinces to check at once (each in its own process).

        Only on PostgreSQL, outside a transaction (the processes would not see what it has
        not committed), with fork; never with --details (one stdout, in order)."""
        possible = (
            connection.vendor == "postgresql"
            and not connection.in_atomic_block
            and "fork" in multiprocessing.get_all_start_methods()
            and not details
        )
        if not possible:
            return 1
        if jobs <= 0:
            jobs = min(2, os.cpu_count() or 1)
        return max(1, min(jobs, len(scopes)))

    def _run_parallel(self, scopes: list[dict], jobs: int, *, store: bool, draft: bool):
        """(scope, report) of each scope as its process finishes, largest provinces first.

        Each province is one transaction in a process of its own (a fresh one each time, so
        memory never builds up); an interrupted run keeps the provinces already finished and
        a rerun changes nothing twice (findings are matched).
        """
        global _parallel_command
        sizes = Counter(
            path.split("/")[0] for path in Catalog.objects.values_list("region__path", flat=True)
        )
        order = sorted(
            range(len(scopes)), key=lambda index: -sizes.get(scopes[index]["region"].code, 0)
        )
        _parallel_command = (self, store, draft)
        connections.close_all()  # no connection may be shared with the processes
        context = multiprocessing.get_context("fork")

        def stop(signum, frame):
            raise KeyboardInterrupt  # a TERM ends the processes too, as Ctrl-C does

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            with context.Pool(jobs, maxtasksperchild=1) as pool:
                try:
                    for index, report in pool.imap_unordered(
                        _run_in_process, [(index, scopes[index]) for index in order]
                    ):
                        yield scopes[index], report
                except BaseException:
                    pool.terminate()  # their transactions roll back; a rerun finishes
                    raise
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _progress(self, number: int, total: int, report: dict, *, json_format: bool) -> None:
        line = (
            f"[{number}/{total}] {report['region_code']} {report['scope']}：目录 "
            f"{report['catalogs']} 个，检查结果 {report['results_total']} 处，"
            f"用时 {report['check_seconds']:.1f} 秒"
        )
        # JSON goes to stdout whole; progress then goes to stderr.
        (self.stderr if json_format else self.stdout).write(line)
        (self.stderr if json_format else self.stdout).flush()

    def _run(self, scope: dict, *, store: bool, draft: bool, writer) -> dict:
        root = scope.get("region") or scope["catalog"].region
        by_region: dict[str, dict] = defaultdict(lambda: {"catalogs": 0, "results": Counter()})
        by_rule: Counter = Counter()

        def on_batch(results, batch):
            catalogs = {catalog.pk: catalog for catalog in batch}
            for catalog in batch:
                by_region[_group_code(catalog.region, root)]["catalogs"] += 1
            for result in results:
                catalog = catalogs[result.catalog_id]
                by_region[_group_code(catalog.region, root)]["results"][result.severity] += 1
                by_rule[(result.rule_code, result.severity)] += 1
                if writer is not None:
                    writer.write(result_entry(result, catalog))

        sizing = {"batch_size": self.batch_size} if getattr(self, "batch_size", 0) else {}
        outcome = checks_run(
            **sizing,
            actor=SYSTEM,
            store=store,
            source=CheckSource.DRAFT if draft else CheckSource.PUBLICATION,
            keep_results=False,
            on_batch=on_batch,
            **scope,
        )
        run = outcome.run
        groups = {r.code: r for r in Region.objects.filter(code__in=list(by_region))}
        titles = rule_titles()
        return {
            "scope": run.scope_label,
            "region_code": root.code,
            "source": run.source,
            "catalogs": run.catalog_count,
            "draft_catalogs": len(outcome.draft_catalog_ids),
            "results_total": run.result_count,
            "by_severity": dict(outcome.by_severity),
            "by_rule": [
                {
                    "rule_code": code,
                    "title": titles.get(code, ""),
                    "severity": severity,
                    "count": count,
                }
                for (code, severity), count in sorted(by_rule.items())
            ],
            "by_region": [
                {
                    "region_code": code,
                    "region": groups[code].name if code in groups else code,
                    "catalogs": entry["catalogs"],
                    "results": sum(entry["results"].values()),
                    "by_severity": dict(entry["results"]),
                }
                for code, entry in sorted(by_region.items())
            ],
            "stored": run.stored,
            "findings": {
                "created": run.created_count,
                "updated": run.updated_count,
                "resolved": run.resolved_count,
                "reopened": run.reopened_count,
            },
            "check_seconds": run.seconds,
        }

    def _write_text(self, report: dict) -> None:
        labels = dict(Severity.choices)
        severity = "，".join(
            f"{labels.get(key, key)} {report['by_severity'].get(key, 0)}" for key in Severity.values
        )
        self.stdout.write(f"检查范围：{report['scope']}")
        read = "草稿" if report["source"] == CheckSource.DRAFT else "公开版本"
        never = (
            f"（其中 {report['draft_catalogs']} 个从未发布，检查草稿）"
            if report["draft_catalogs"]
            else ""
        )
        self.stdout.write(
            f"目录 {report['catalogs']} 个{never}，检查对象：{read}；"
            f"检查结果 {report['results_total']} 处（{severity}；提示不需整改）"
        )
        if report["by_region"]:
            self.stdout.write("按区划：")
            for entry in report["by_region"]:
                self.stdout.write(
                    f"  {entry['region_code']:<10} {entry['region']:<12} 目录 {entry['catalogs']:>5}"
                    f"  问题 {entry['results']:>6}"
                )
        if report["by_rule"]:
            self.stdout.write("按规则：")
            for entry in report["by_rule"]:
                self.stdout.write(
                    f"  {entry['rule_code']:<8} {labels.get(entry['severity'], entry['severity']):<3}"
                    f" {entry['count']:>6}  {entry['title']}"
                )
        if report["stored"]:
            found = report["findings"]
            self.stdout.write(
                f"问题记录：新增 {found['created']}，更新 {found['updated']}，"
                f"复查通过 {found['resolved']}，重新打开 {found['reopened']}"
            )
        else:
            self.stdout.write("未保存问题（--no-store 或 --draft）。")
