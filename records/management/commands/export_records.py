"""Export a catalog's disclosure records as the sheet ``import_records`` reads."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogs.models import Catalog
from records.excel import records_export_workbook
from records.management.commands._common import find_region, find_standard


class Command(BaseCommand):
    help = "Export a region's disclosure records of one standard catalog as .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="official region code, e.g. 220122")
        parser.add_argument("--standard", required=True, help="social-assistance or elderly-care")
        parser.add_argument("-o", "--output", required=True, help="path of the .xlsx to write")

    def handle(self, *args, region, standard, output, **options):
        region, standard = find_region(region), find_standard(standard)
        catalog = Catalog.objects.filter(region=region, standard=standard).first()
        if catalog is None:
            raise CommandError(f"“{region.name}”还没有{standard.title}。")
        content = records_export_workbook(catalog=catalog)
        Path(output).write_bytes(content)
        count = catalog.disclosure_records.count()
        self.stdout.write(self.style.SUCCESS(f"已导出{count}条公开信息到 {output}。"))
