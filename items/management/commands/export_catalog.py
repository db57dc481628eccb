"""Write a region's catalog as the official Excel table: ``export_catalog -o FILE``."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalogs.models import Catalog
from items.imports import catalog_export_workbook
from items.management.commands.import_catalog import find_region_and_standard


class Command(BaseCommand):
    help = "Export a region's catalog (its draft, or with --published its current publication) as .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="official region code, e.g. 220122")
        parser.add_argument("--standard", required=True, help="social-assistance or elderly-care")
        parser.add_argument("-o", "--output", required=True, help="path of the .xlsx to write")
        parser.add_argument(
            "--published", action="store_true", help="export the current publication, not the draft"
        )

    def handle(self, *args, region, standard, output, published, **options):
        region, standard = find_region_and_standard(region, standard)
        catalog = (
            Catalog.objects.select_related("region", "standard")
            .filter(region=region, standard=standard)
            .first()
        )
        if catalog is None:
            raise CommandError(f"“{region.name}”还没有{standard.title}的目录。")
        try:
            data = catalog_export_workbook(catalog, published=published)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        path = Path(output)
        if path.parent and not path.parent.exists():
            raise CommandError(f"目录 {path.parent} 不存在。")
        path.write_bytes(data)
        count = catalog.items.count()
        what = "公开版本" if published else f"草稿（{count}项）"
        self.stdout.write(self.style.SUCCESS(f"已导出“{catalog}”的{what}到 {path}"))
