"""Make a region's draft catalog match an official Excel table: ``import_catalog FILE``."""

import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalogs.excel import ExcelFormatError, read_catalog_workbook
from catalogs.models import Region, StandardCatalog
from catalogs.permissions import SYSTEM
from items.imports import catalog_import_apply, catalog_import_plan

DEFAULT_TIME_LIMIT_SECONDS = 120


class ImportTimedOut(Exception):
    pass


@contextmanager
def time_limit_of(seconds: float):
    """Interrupt the block after ``seconds`` (wall clock) with ImportTimedOut.

    Uses SIGALRM, so it works in the main thread of a Unix process (a management command);
    elsewhere the reader's own time limit still applies.
    """
    usable = seconds > 0 and hasattr(signal, "setitimer")
    usable = usable and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def interrupt(signum, frame):
        raise ImportTimedOut

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def find_region_and_standard(region_code: str, standard_code: str):
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise CommandError(f"找不到区划代码 {region_code}。")
    standard = StandardCatalog.objects.filter(code=standard_code).first()
    if standard is None:
        codes = "、".join(StandardCatalog.objects.values_list("code", flat=True)) or "无"
        raise CommandError(f"找不到标准目录“{standard_code}”（可选：{codes}）。")
    return region, standard


def find_actor(username: str | None):
    if not username:
        return SYSTEM
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"找不到用户“{username}”。")
    return user


class Command(BaseCommand):
    help = (
        "Import an official Excel table (.xlsx) into a region's draft catalog: matched items are "
        "updated, new ones added, missing ones removed. --dry-run lists the changes only."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .xlsx file")
        parser.add_argument("--region", required=True, help="official region code, e.g. 220122")
        parser.add_argument("--standard", required=True, help="social-assistance or elderly-care")
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would change, write nothing"
        )
        parser.add_argument(
            "--user", help="act as this user (checks their rights); default: the system"
        )
        parser.add_argument(
            "--time-limit",
            type=float,
            default=DEFAULT_TIME_LIMIT_SECONDS,
            help=f"give up (writing nothing) after this many seconds; default "
            f"{DEFAULT_TIME_LIMIT_SECONDS}",
        )

    def handle(self, *args, file, region, standard, dry_run, user, time_limit, **options):
        region, standard = find_region_and_standard(region, standard)
        actor = find_actor(user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}。")
        seconds = time_limit
        try:
            with time_limit_of(seconds):
                with path.open("rb") as handle:
                    table = read_catalog_workbook(
                        handle, time_limit=seconds if seconds > 0 else None
                    )
                service = catalog_import_plan if dry_run else catalog_import_apply
                plan = service(actor=actor, region=region, standard=standard, table=table)
        except ImportTimedOut as exc:
            raise CommandError(
                f"导入超时（超过{seconds:g}秒），已停止，未写入任何数据。"
                "请检查文件是否过大，或用 --time-limit 调整时限。"
            ) from exc
        except ExcelFormatError as exc:
            raise CommandError("文件无法导入：\n" + "\n".join(exc.messages)) from exc
        except (PermissionDenied, ValidationError) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            raise CommandError("导入被拒绝：" + "；".join(messages)) from exc
        for line in plan.report_lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("试运行：以上为将要进行的修改，未写入任何数据。")
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成：{plan.summary()}。"))
