from django.core.management.base import BaseCommand, CommandError

from catalogs.models import Region, StandardCatalog
from catalogs.permissions import SYSTEM
from items.services import catalogs_derive_many


class Command(BaseCommand):
    help = "Derive county and township catalogs from the current standard editions."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="official region code")
        parser.add_argument("--standard", help="social-assistance or elderly-care (default: both)")
        parser.add_argument("--recursive", action="store_true", help="also every region below")

    def handle(self, *args, region, standard, recursive, **options):
        root = Region.objects.filter(code=region).first()
        if root is None:
            raise CommandError(f"找不到区划代码 {region}。")
        standards = StandardCatalog.objects.all()
        if standard:
            standards = standards.filter(code=standard)
            if not standards:
                raise CommandError(
                    f"找不到标准目录“{standard}”（可选：social-assistance、elderly-care）。"
                )
        report = catalogs_derive_many(
            actor=SYSTEM, root=root, standards=standards, recursive=recursive
        )
        self.stdout.write(
            f"Derived {len(report.created)} catalogs, skipped {len(report.skipped)} existing."
        )
