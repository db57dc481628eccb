"""score_regions: a region's score and its children's, with every indicator and their rank."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessment.scoring import SchemeError
from assessment.selectors import region_scores
from catalogs.models import Region


class Command(BaseCommand):
    help = "按评分方案计算某地区及其下级地区的目标责任制评估得分。"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="区划代码，如 2201")
        parser.add_argument("--year", type=int, required=True, help="评估年度，如 2020")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, region, year, format, **options):
        found = Region.objects.filter(code=region).first()
        if found is None:
            raise CommandError(f"找不到区划代码“{region}”。")
        try:
            result, entries = region_scores(region=found, year=year, today=timezone.localdate())
        except SchemeError as error:
            raise CommandError(str(error)) from error
        if not entries:
            raise CommandError(f"“{found.name}”不参加评分（只评市、县、乡三级）。")
        if format == "json":
            self.stdout.write(json.dumps(entries, ensure_ascii=False, indent=2))
            return
        names = result.indicator_names
        self.stdout.write(f"{year}年度目标责任制评估 · 评分方案：{result.scheme}")
        header = ["区划代码", "名称", "得分", "排名", *names]
        self.stdout.write("\t".join(header))
        for entry in entries:
            self.stdout.write(
                "\t".join(
                    str(value)
                    for value in [
                        entry["region_code"],
                        entry["name"],
                        f"{entry['score']:.1f}",
                        entry["rank"],
                        *(f"{entry['indicators'][name]:.1f}" for name in names),
                    ]
                )
            )
