"""One backup: the database and the uploaded files, under one time stamp (django-dbbackup)."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

BACKUP_NAME = re.compile(r"^(?P<kind>db|media)-(?P<stamp>\d{4}-\d{2}-\d{2}-\d{6})\.")


def backup_storage():
    from dbbackup.storage import get_storage

    return get_storage()


def backup_names(storage) -> list[str]:
    """The files in the backup storage (none before the first backup made its folder)."""
    try:
        return storage.list_directory()
    except FileNotFoundError:
        return []


def backup_stamps(storage) -> list[str]:
    """The time stamps of the backups in storage, newest first."""
    stamps = {
        match["stamp"] for name in backup_names(storage) if (match := BACKUP_NAME.match(name))
    }
    return sorted(stamps, reverse=True)


class Command(BaseCommand):
    help = (
        "备份数据库和上传文件到 DJANGO_BACKUP_DIR（db-时间.*.gz 和 media-时间.tar.gz），"
        "只保留最近 DJANGO_BACKUP_KEEP 份。/ Back up the database and uploaded files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep",
            type=int,
            default=settings.DBBACKUP_CLEANUP_KEEP,
            help="keep this many backups, delete older ones (0: keep all)",
        )

    def handle(self, *args, keep: int, **options):
        from dbbackup.db.base import get_connector

        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M%S")
        storage = backup_storage()
        location = getattr(storage.storage, "location", None)
        if location:
            Path(location).mkdir(parents=True, exist_ok=True)
        if stamp in backup_stamps(storage):
            raise CommandError(
                f"备份 {stamp} 已存在，请稍后再试。/ A backup {stamp} exists already."
            )
        extension = get_connector("default").extension
        db_name = f"db-{stamp}.{extension}.gz"
        media_name = f"media-{stamp}.tar.gz"
        quiet = {"verbosity": 0, "quiet": True}
        call_command(
            "dbbackup", database="default", compress=True, output_filename=db_name, **quiet
        )
        call_command("mediabackup", compress=True, output_filename=media_name, **quiet)

        removed = []
        if keep > 0:
            for old in backup_stamps(storage)[keep:]:
                for name in backup_names(storage):
                    if (match := BACKUP_NAME.match(name)) and match["stamp"] == old:
                        storage.delete_file(name)
                removed.append(old)
        self.stdout.write(f"已备份 / backed up to {location or storage}:")
        self.stdout.write(f"  数据库 database:       {db_name}")
        self.stdout.write(f"  上传文件 uploaded files: {media_name}")
        if removed:
            self.stdout.write(f"已删除较早的备份 / removed older backups: {', '.join(removed)}")
        self.stdout.write(f"恢复 / restore: make restore FILE={db_name}")
