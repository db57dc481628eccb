import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from catalogs.divisions import load_divisions
from catalogs.models import RegionLevel


class Command(BaseCommand):
    help = (
        "Load administrative divisions from fixtures/divisions (idempotent): one province, "
        "several (--province 22,21) or every province (--all); each file is read once. "
        "Farms, forestry units, parks and zones are set to compile no catalog (listed), "
        "unless the province set them by hand."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--province", help="two-digit province code(s), e.g. 22 or 22,21")
        target.add_argument(
            "--all", action="store_true", dest="all_provinces", help="every province in the files"
        )
        parser.add_argument("--no-villages", action="store_true", help="skip village-level units")

    def handle(self, *args, province, all_provinces, no_villages, **options):
        provinces = None
        if province:
            provinces = [code.strip() for code in province.split(",") if code.strip()]
            bad = [code for code in provinces if not (len(code) == 2 and code.isdigit())]
            if bad or not provinces:
                raise CommandError(f"省级区划代码应为两位数字，收到“{province}”。")
        started = time.perf_counter()

        def progress(message):
            self.stdout.write(f"  {message} ({time.perf_counter() - started:.1f}s)")

        result = load_divisions(
            provinces=provinces, with_villages=not no_villages, progress=progress
        )
        missing = sorted(set(provinces or ()) - set(result.provinces))
        if missing:
            raise CommandError(f"区划文件中没有代码为 {'、'.join(missing)} 的省份。")
        counts = ", ".join(
            f"{RegionLevel(level).label} {count}" for level, count in result.by_level.items()
        )
        self.stdout.write(
            f"Divisions of {','.join(result.provinces)}: {counts}; created {result.created}, "
            f"updated {result.updated} in {time.perf_counter() - started:.1f}s"
        )
        self._list_switched_off(result)

    def _list_switched_off(self, result) -> None:
        if result.switched_off:
            kinds = Counter(unit.kind for unit in result.switched_off)
            summary = "，".join(f"{kind} {count}" for kind, count in kinds.most_common())
            self.stdout.write(
                f"不单独编制目录（由所在县代为公开）：{len(result.switched_off)}个（{summary}）"
            )
            for unit in result.switched_off:
                self.stdout.write(f"  {unit.code} {unit.name}（{unit.kind}）")
        if result.kept_by_province:
            self.stdout.write(
                f"省级已设定是否编制目录的 {result.kept_by_province} 个区划保持不变。"
            )
