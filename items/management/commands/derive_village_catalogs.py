import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalogs.models import Region
from catalogs.permissions import SYSTEM
from catalogs.villages import village_standard, village_standard_publish_initial
from items.villages import village_catalogs_derive


class Command(BaseCommand):
    help = (
        "Derive the village and residents' committee catalogs (村（居）务公开目录) of a "
        "township, or of every township of a county or city, from the village standard. "
        "One transaction per township: safe to interrupt and rerun (existing catalogs are kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--region", required=True, help="official code of a township, county, city or province"
        )

    def handle(self, *args, region, **options):
        root = Region.objects.filter(code=region).first()
        if root is None:
            raise CommandError(f"找不到区划代码 {region}。")
        if village_standard() is None:
            edition = village_standard_publish_initial(actor=SYSTEM)
            self.stdout.write(f"已发布{edition}：{edition.items.count()}项。")
        started = time.perf_counter()

        def progress(result):
            line = (
                f"  {result.township.code} {result.township.name}: "
                f"新建{result.created}个，已有{result.existing}个"
            )
            if result.exempt:
                line += f"，不编制{result.exempt}个"
            if result.skipped:
                line += f"（跳过：{result.skipped}）"
            self.stdout.write(f"{line} ({time.perf_counter() - started:.1f}s)")

        try:
            report = village_catalogs_derive(actor=SYSTEM, root=root, progress=progress)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(
            f"Derived {report.created} village catalogs ({report.existing} existing) in "
            f"{len(report.townships)} townships in {time.perf_counter() - started:.1f}s."
        )
