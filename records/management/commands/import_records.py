"""Import a county's or township's Excel list of published information: ``import_records FILE``."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from records.excel import (
    MAX_UPLOAD_BYTES,
    RecordSheetError,
    records_import_apply,
    records_import_plan,
)
from records.management.commands._common import find_actor, find_region, find_standard


class Command(BaseCommand):
    help = (
        "Import disclosure records (公开信息) from an .xlsx sheet with the header "
        "序号|二级事项|信息标题|文号|形成日期|发布日期|公开渠道|网址或位置|公示开始|公示结束. "
        "All rows or none; --dry-run shows the plan only."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .xlsx file")
        parser.add_argument("--region", required=True, help="official region code, e.g. 220122")
        parser.add_argument("--standard", required=True, help="social-assistance or elderly-care")
        parser.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
        parser.add_argument("--user", help="act as this user (checks their rights)")

    def handle(self, *args, file, region, standard, dry_run, user, **options):
        region, standard, actor = find_region(region), find_standard(standard), find_actor(user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}。")
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise CommandError(f"文件超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB，请拆分后导入。")
        content = path.read_bytes()
        service = records_import_plan if dry_run else records_import_apply
        try:
            plan = service(actor=actor, region=region, standard=standard, content=content)
        except RecordSheetError as exc:
            raise CommandError(
                "文件无法导入，未写入任何数据：\n" + "\n".join(exc.messages)
            ) from exc
        except (PermissionDenied, ValidationError) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            raise CommandError("导入被拒绝：" + "；".join(messages)) from exc
        for record in plan.created:
            self.stdout.write(f"新增：第{record.item.seq}项 {record.values['title']}")
        for _, record, differing in plan.changed:
            self.stdout.write(
                f"修改：第{record.item.seq}项 {record.values['title']}（{'、'.join(differing)}）"
            )
        if dry_run:
            self.stdout.write(f"试运行：{plan.summary()}未写入任何数据。")
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成：{plan.summary()}"))
