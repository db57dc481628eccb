"""`make backup` then `make restore`: every row and every uploaded file comes back."""

import io
from pathlib import Path

import dbbackup.settings
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from catalogs.permissions import SYSTEM
from catalogs.services import region_update_contact
from items.services import catalog_publish, item_update
from tests.conftest import localise


def _skip_unless_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump/pg_restore backups: the production database is PostgreSQL")


def _full_dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


@pytest.fixture
def backup_dir(tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    # django-dbbackup reads its storage options once, at import.
    monkeypatch.setattr(dbbackup.settings, "STORAGE_OPTIONS", {"location": str(folder)})
    return folder


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_change_restore_gives_back_the_database_and_uploads(backup_dir, catalogs, regions):
    _skip_unless_postgres()
    localise(catalogs.nongan_social)
    catalog_publish(actor=SYSTEM, catalog=catalogs.nongan_social, note="首次公开")
    upload = Path(settings.MEDIA_ROOT) / "evidence" / "公示照片.txt"
    upload.parent.mkdir(parents=True)
    upload.write_text("农安镇公示栏照片", encoding="utf-8")

    out = io.StringIO()
    call_command("backup", stdout=out)
    names = sorted(p.name for p in backup_dir.iterdir() if not p.name.endswith(".metadata"))
    assert len(names) == 2
    db_name, media_name = names
    assert db_name.startswith("db-") and db_name.endswith(".psql.bin.gz")
    assert media_name == db_name.replace("db-", "media-").replace(".psql.bin.gz", ".tar.gz")
    assert db_name in out.getvalue()
    before = _full_dump()

    # Work after the backup: an edit and a publication, a contact change, uploads.
    item = catalogs.nongan_social.items.order_by("seq").first()
    item_update(actor=SYSTEM, item=item, deadline="制定或获取信息之日起3个工作日内")
    catalog_publish(actor=SYSTEM, catalog=catalogs.nongan_social, note="第二次公开")
    region_update_contact(actor=SYSTEM, region=regions.nongan, contact_phone="0431-80000000")
    upload.write_text("被覆盖", encoding="utf-8")
    (upload.parent / "later.txt").write_text("备份之后上传", encoding="utf-8")
    assert _full_dump() != before

    call_command("restore", db_name, interactive=False, stdout=io.StringIO())

    assert _full_dump() == before
    assert upload.read_text(encoding="utf-8") == "农安镇公示栏照片"


def test_restore_refuses_a_name_that_is_not_a_backup(backup_dir):
    with pytest.raises(CommandError, match="不是本系统的备份文件名"):
        call_command("restore", "gongkai.sql", interactive=False)


@pytest.mark.django_db
def test_restore_refuses_a_stamp_without_a_database_dump(backup_dir):
    backup_dir.mkdir()
    (backup_dir / "media-2026-01-02-030405.tar.gz").write_bytes(b"")
    with pytest.raises(CommandError, match="找不到备份 2026-01-02-030405 的数据库文件"):
        call_command("restore", "db-2026-01-02-030405.psql.bin.gz", interactive=False)


@pytest.mark.django_db
def test_restore_without_a_terminal_cancels_in_chinese(backup_dir, monkeypatch):
    backup_dir.mkdir()
    stamp = "2026-01-02-030405"
    (backup_dir / f"db-{stamp}.psql.bin.gz").write_bytes(b"")
    (backup_dir / f"media-{stamp}.tar.gz").write_bytes(b"")

    def no_terminal(prompt=""):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)
    with pytest.raises(CommandError, match="无法确认，请在终端运行或加 --no-input"):
        call_command("restore", f"db-{stamp}.psql.bin.gz")
