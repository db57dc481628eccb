import json
import time
from collections import Counter, defaultdict

from django.core.management.base import BaseCommand, CommandError

from catalogs.models import Catalog, Region, RegionLevel
from catalogs.permissions import SYSTEM
from review.models import Severity
from review.selectors import rule_titles
from review.services import checks_run


def _group_code(region: Region, root: Region) -> str:
    """The region just below ``root`` that contains ``region`` (the region itself at the bottom)."""
    codes = region.ancestor_codes()
    depth = len(root.ancestor_codes())
    if root.level == RegionLevel.COUNTY or len(codes) <= depth:
        return region.code
    return codes[depth]


class Command(BaseCommand):
    help = (
        "Run the automated checks on the catalogs of a region (with everything below it) and "
        "store the findings. --region 22 is all of Jilin; --region 220122 is 农安县 with its "
        "townships."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", help="region code (default: every province)")
        parser.add_argument("--catalog", type=int, help="check one catalog by id")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--no-store", action="store_true", help="report only; change no findings"
        )

    def handle(self, *args, region=None, catalog=None, format="text", no_store=False, **options):
        started = time.perf_counter()
        scopes = []
        if catalog is not None:
            found = Catalog.objects.select_related("region", "standard").filter(pk=catalog).first()
            if found is None:
                raise CommandError(f"找不到编号为 {catalog} 的目录。")
            scopes.append({"catalog": found})
        elif region:
            root = Region.objects.filter(code=region).first()
            if root is None:
                raise CommandError(
                    f"找不到区划代码 {region}（请使用已导入的区划代码，如 22、2201、220122）。"
                )
            scopes.append({"region": root})
        else:
            provinces = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code")
            if not provinces:
                raise CommandError("尚未导入区划，请先运行 load_divisions。")
            scopes += [{"region": province} for province in provinces]
        reports = [self._run(scope, store=not no_store) for scope in scopes]
        seconds = time.perf_counter() - started
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {"scopes": reports, "seconds": round(seconds, 3)}, ensure_ascii=False, indent=1
                )
            )
            return
        for report in reports:
            self._write_text(report)
        self.stdout.write(f"用时 {seconds:.2f} 秒")

    def _run(self, scope: dict, *, store: bool) -> dict:
        outcome = checks_run(actor=SYSTEM, store=store, **scope)
        run = outcome.run
        root = scope.get("region") or scope["catalog"].region
        catalogs = {c.pk: c for c in outcome.catalogs}
        groups = {
            r.code: r
            for r in Region.objects.filter(
                code__in={_group_code(c.region, root) for c in outcome.catalogs}
            )
        }
        by_region: dict[str, dict] = defaultdict(lambda: {"catalogs": 0, "results": Counter()})
        for catalog in outcome.catalogs:
            by_region[_group_code(catalog.region, root)]["catalogs"] += 1
        results = []
        for result in outcome.results:
            catalog = catalogs.get(result.catalog_id)
            code = _group_code(catalog.region, root) if catalog else ""
            by_region[code]["results"][result.severity] += 1
            results.append(
                {
                    "rule_code": result.rule_code,
                    "severity": result.severity,
                    "message": result.message,
                    "catalog_id": result.catalog_id,
                    "region_code": catalog.region.code if catalog else None,
                    "region": catalog.region.name if catalog else None,
                    "item_id": result.item_id,
                    "element": result.element,
                }
            )
        titles = rule_titles()
        by_rule = Counter(result.rule_code for result in outcome.results)
        severities = {result.rule_code: result.severity for result in outcome.results}
        return {
            "scope": run.scope_label,
            "region_code": root.code,
            "catalogs": run.catalog_count,
            "results_total": run.result_count,
            "by_severity": dict(Counter(result.severity for result in outcome.results)),
            "by_rule": [
                {
                    "rule_code": code,
                    "title": titles.get(code, ""),
                    "severity": severities[code],
                    "count": count,
                }
                for code, count in sorted(by_rule.items())
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
            "results": results,
        }

    def _write_text(self, report: dict) -> None:
        labels = dict(Severity.choices)
        severity = "，".join(
            f"{labels.get(key, key)} {report['by_severity'].get(key, 0)}" for key in Severity.values
        )
        self.stdout.write(f"检查范围：{report['scope']}")
        self.stdout.write(
            f"目录 {report['catalogs']} 个，检查结果 {report['results_total']} 处（{severity}）"
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
            self.stdout.write("未保存问题（--no-store）。")
