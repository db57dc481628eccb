import time

from django.core.management.base import BaseCommand, CommandError

from catalogs.models import Catalog, Region
from catalogs.permissions import SYSTEM
from items.publishing import catalogs_publish_many, incomplete_summary


class Command(BaseCommand):
    help = (
        "Publish the catalogs of a region and everything below it in bulk (the same publication "
        "rows and events as publishing one at a time). Safe to interrupt and rerun."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", help="official region code (default: every region)")
        parser.add_argument(
            "--all-complete",
            action="store_true",
            help="publish every complete catalog and skip incomplete ones "
            "(without it, any incomplete catalog is an error and nothing is published)",
        )
        parser.add_argument("--note", default="", help="publication note (说明)")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, region, all_complete, note, batch_size, **options):
        catalogs = Catalog.objects.all()
        if region:
            root = Region.objects.filter(code=region).first()
            if root is None:
                raise CommandError(f"找不到区划代码 {region}。")
            catalogs = catalogs.filter(region__path__startswith=root.path)
        if not all_complete:
            self._refuse_incomplete(catalogs)
        started = time.perf_counter()
        total = catalogs.count()
        self.stdout.write(f"Publishing {total} catalogs …")

        def progress(done, total, report):
            self.stdout.write(
                f"  {done}/{total}: published {report.published}, unchanged {report.unchanged}, "
                f"incomplete {len(report.incomplete)} ({time.perf_counter() - started:.1f}s)"
            )
            self.stdout.flush()  # shown as it goes, also when the output is a pipe or a log

        report = catalogs_publish_many(
            actor=SYSTEM, queryset=catalogs, note=note, batch_size=batch_size, progress=progress
        )
        elapsed = time.perf_counter() - started
        per = elapsed / report.published * 1000 if report.published else 0.0
        self.stdout.write(
            f"Published {report.published} catalogs in {elapsed:.1f}s ({per:.2f} ms each); "
            f"{report.unchanged} unchanged, {len(report.incomplete)} incomplete, "
            f"{report.empty} empty, {len(report.refused)} refused."
        )
        for line in incomplete_summary(report):
            self.stdout.write("  " + line)

    def _refuse_incomplete(self, catalogs):
        """Find an incomplete item among the catalogs to publish before anything is written."""
        from django.db.models import F

        from items.models import Item
        from items.validation import item_problems

        changed = catalogs.filter(last_published_at__isnull=True) | catalogs.filter(
            draft_changed_at__gt=F("last_published_at")
        )
        items = (
            Item.objects.filter(catalog__in=changed)
            .select_related("catalog__region", "catalog__standard")
            .prefetch_related("extra_elements")
            .order_by("pk")
        )
        for item in items.iterator(chunk_size=2000):
            if item_problems(item, item.catalog.region):
                raise CommandError(
                    f"“{item.catalog}”第{item.seq}项“{item.name}”要素不完整，未发布任何目录。"
                    "补全后重试，或加 --all-complete 只发布完整的目录。"
                )
