"""Restore one backup made by ``manage.py backup``: the database, then the uploaded files."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal.management.commands.backup import BACKUP_NAME, backup_names, backup_storage


class Command(BaseCommand):
    help = (
        "从备份恢复数据库和上传文件（会覆盖当前数据库）。FILE 是 backup 打印的文件名 "
        "db-时间.*.gz（在 DJANGO_BACKUP_DIR 中）或它的路径。/ Restore a backup (replaces the database)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="db-YYYY-MM-DD-HHMMSS.*.gz, a name or a path")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="do not ask to confirm"
        )

    def handle(self, *args, file: str, interactive: bool, **options):
        path = Path(file)
        match = BACKUP_NAME.match(path.name)
        if match is None:
            raise CommandError(
                f"“{file}”不是本系统的备份文件名（应为 db-YYYY-MM-DD-HHMMSS.….gz）。"
                f" / Not a backup made by `manage.py backup`."
            )
        stamp = match["stamp"]
        # A path: the media archive sits next to the database dump. A bare name: the file is
        # in the backup storage (DJANGO_BACKUP_DIR).
        folder = path.parent if (path.parent != Path(".") or path.exists()) else None
        if folder is not None:
            names = {p.name for p in folder.glob(f"*-{stamp}.*") if p.is_file()}
        else:
            names = {n for n in backup_names(backup_storage()) if stamp in n}
        db_name = next(
            (n for n in sorted(names) if n.startswith(f"db-{stamp}.") and n.endswith(".gz")), None
        )
        media_name = f"media-{stamp}.tar.gz" if f"media-{stamp}.tar.gz" in names else None
        if db_name is None:
            raise CommandError(f"找不到备份 {stamp} 的数据库文件。/ No database dump for {stamp}.")

        if interactive:
            try:
                answer = input(
                    f"将用 {stamp} 的备份替换当前数据库和上传文件，此后的修改会丢失。输入 yes 继续："
                    f" / This replaces the database with the backup of {stamp}. Type yes: "
                )
            except EOFError:  # no terminal: cron, `docker compose exec -T`
                raise CommandError(
                    "已取消：无法确认，请在终端运行或加 --no-input。"
                    " / Cancelled: no terminal to confirm; run it in one or add --no-input."
                ) from None
            if answer.strip().lower() != "yes":
                raise CommandError("已取消。/ Cancelled.")

        def where(name: str) -> dict:
            return {"input_path": str(folder / name)} if folder else {"input_filename": name}

        quiet = {"verbosity": 0, "quiet": True, "interactive": False, "uncompress": True}
        call_command("dbrestore", database="default", **where(db_name), **quiet)
        if media_name:
            call_command("mediarestore", replace=True, **where(media_name), **quiet)
        self.stdout.write(
            f"已恢复 / restored: {db_name}" + (f", {media_name}" if media_name else "")
        )
        if not media_name:
            self.stdout.write("（此备份没有上传文件存档 / this backup has no media archive）")
