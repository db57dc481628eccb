import time

from django.core.management.base import BaseCommand, CommandError

from catalogs.divisions import load_divisions
from catalogs.models import RegionLevel


class Command(BaseCommand):
    help = "Load one province's administrative divisions from fixtures/divisions (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="two-digit province code, e.g. 22")
        parser.add_argument("--no-villages", action="store_true", help="skip village-level units")

    def handle(self, *args, province, no_villages, **options):
        if not (len(province) == 2 and province.isdigit()):
            raise CommandError(f"省级区划代码应为两位数字，收到“{province}”。")
        started = time.perf_counter()
        result = load_divisions(province, with_villages=not no_villages)
        if not result.by_level.get(RegionLevel.PROVINCE):
            raise CommandError(f"区划文件中没有代码为 {province} 的省份。")
        counts = ", ".join(
            f"{RegionLevel(level).label} {count}" for level, count in result.by_level.items()
        )
        self.stdout.write(
            f"Divisions of {province}: {counts}; created {result.created}, updated {result.updated} "
            f"in {time.perf_counter() - started:.1f}s"
        )
