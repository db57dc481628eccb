import time

from django.core.management.base import BaseCommand, CommandError

from catalogs.models import Catalog, Region, RegionLevel, StandardCatalog
from catalogs.permissions import SYSTEM
from items.adoption import catalogs_adopt_many
from items.services import catalogs_derive_many


class Command(BaseCommand):
    help = (
        "Derive county and township catalogs from the current standard editions. Without "
        "--region: every loaded province, one transaction each (safe to interrupt and rerun)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", help="official region code (default: every province)")
        parser.add_argument("--standard", help="social-assistance or elderly-care (default: both)")
        parser.add_argument("--recursive", action="store_true", help="also every region below")
        parser.add_argument(
            "--adopt",
            action="store_true",
            help="instead of deriving: move every catalog at or below --region that is on an "
            "older edition to the current one, where no element conflicts; list the others",
        )

    def handle(self, *args, region, standard, recursive, adopt=False, **options):
        if region:
            root = Region.objects.filter(code=region).first()
            if root is None:
                raise CommandError(f"找不到区划代码 {region}。")
            roots = [root]
        else:
            roots = list(Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code"))
            if not roots:
                raise CommandError("尚未导入区划，请先运行 load_divisions。")
            recursive = True
        standards = StandardCatalog.objects.all()
        if standard:
            standards = standards.filter(code=standard)
            if not standards:
                raise CommandError(
                    f"找不到标准目录“{standard}”（可选：social-assistance、elderly-care）。"
                )
        if adopt:
            self._adopt(roots, standards)
            return
        started = time.perf_counter()
        created = skipped = 0
        for root in roots:
            report = catalogs_derive_many(
                actor=SYSTEM, root=root, standards=standards, recursive=recursive
            )
            created += len(report.created)
            skipped += len(report.skipped)
            if len(roots) > 1:
                self.stdout.write(
                    f"  {root.code} {root.name}: derived {len(report.created)}, "
                    f"skipped {len(report.skipped)} ({time.perf_counter() - started:.1f}s)"
                )
                self.stdout.flush()
        self.stdout.write(
            f"Derived {created} catalogs, skipped {skipped} existing "
            f"in {time.perf_counter() - started:.1f}s."
        )
        exempt = sum(
            (
                Region.objects.descendants_of(root)
                if recursive
                else Region.objects.filter(pk=root.pk)
            )
            .filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP], compiles_catalogs=False)
            .count()
            for root in roots
        )
        if exempt:
            self.stdout.write(
                f"{exempt} regions compile no catalogs of their own (农场、林场、园区等，"
                "由所在县代为公开) and were left out."
            )

    def _adopt(self, roots, standards):
        started = time.perf_counter()
        adopted, left = [], []
        for root in roots:
            catalogs = Catalog.objects.within(root).filter(standard__in=standards)
            done, conflicting = catalogs_adopt_many(actor=SYSTEM, catalogs=catalogs)
            adopted += done
            left += conflicting
        for plan in adopted:
            self.stdout.write(
                f"  已采用 {plan.catalog.region.code} {plan.catalog}：{plan.summary()}"
            )
        locked = sum(1 for _, reason in left if "已锁定" in reason)
        self.stdout.write(
            f"采用新版{len(adopted)}个目录；{len(left) - locked}个目录有冲突，需在管理后台逐项处理；"
            f"{locked}个目录正在审核中（已锁定），解锁后再采用"
            f"（{time.perf_counter() - started:.1f}s）："
        )
        for catalog, reason in left:
            self.stdout.write(f"  {catalog.region.code} {catalog}：{reason}")
