"""Load the State Council's holiday schedule into the working-day calendar."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from records.calendar import HolidayFileError, read_holiday_csv
from records.management.commands._common import find_actor
from records.services import holidays_load, holidays_seed_from_chinesecalendar


class Command(BaseCommand):
    help = (
        "Load a year's holidays from a CSV of dates marked 休 (holiday) or 班 (make-up working "
        "day), as the State Council's notice lists them: 日期,类型[,节日]. Each year in the file "
        "replaces what the table had for it. --chinesecalendar adds the years the installed "
        "chinesecalendar package knows and the table lacks."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV file: 日期,类型[,节日]")
        parser.add_argument(
            "--source", help="where the dates come from, e.g. 国办发明电〔2026〕7号"
        )
        parser.add_argument(
            "--chinesecalendar",
            action="store_true",
            help="seed the years chinesecalendar knows that the table lacks",
        )
        parser.add_argument("--user", help="act as this user (must be a province administrator)")

    def handle(self, *args, file, source, chinesecalendar, user, **options):
        actor = find_actor(user)
        if not file and not chinesecalendar:
            raise CommandError("请给出CSV文件，或使用 --chinesecalendar。")
        try:
            if chinesecalendar:
                report = holidays_seed_from_chinesecalendar(actor=actor)
                if report.years:
                    self.stdout.write(self.style.SUCCESS(str(report)))
                else:
                    self.stdout.write("节假日表已包含 chinesecalendar 收录的所有年份。")
            if file:
                path = Path(file)
                if not path.is_file():
                    raise CommandError(f"找不到文件 {file}。")
                rows = read_holiday_csv(path.read_bytes())
                report = holidays_load(actor=actor, rows=rows, source=source or path.name)
                self.stdout.write(self.style.SUCCESS(str(report)))
        except HolidayFileError as exc:
            raise CommandError(f"文件无法导入，未写入任何数据：{exc}") from exc
        except (PermissionDenied, ValidationError) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            raise CommandError("导入被拒绝：" + "；".join(messages)) from exc
