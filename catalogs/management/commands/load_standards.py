from django.core.management.base import BaseCommand

from catalogs.models import StandardCatalog
from catalogs.services import standard_catalogs_load_initial


class Command(BaseCommand):
    help = "Load the first edition of the two standard catalogs from fixtures (idempotent)."

    def handle(self, *args, **options):
        created = standard_catalogs_load_initial()
        for edition in created:
            flagged = edition.items.filter(needs_verification=True).count()
            self.stdout.write(f"Loaded {edition}: {edition.items.count()} items, {flagged} 待核对")
        if not created:
            self.stdout.write(
                f"Standard catalogs already loaded ({StandardCatalog.objects.count()})."
            )
