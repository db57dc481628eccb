from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from review.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Mail staff about milestones coming due (7, 3 and 1 days before) and findings due or "
        "overdue. Idempotent: meant for a daily timer; a second run the same day sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="pretend today is YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="list, send nothing")

    def handle(self, *args, today=None, dry_run=False, **options):
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"日期格式应为 YYYY-MM-DD，收到“{today}”。") from error
        reminders = send_reminders(today=day, dry_run=dry_run)
        verb = "将发送" if dry_run else "已发送"
        for reminder in reminders:
            self.stdout.write(
                f"{verb} {reminder.recipient.email}：{len(reminder.reasons)}项（{reminder.subject}）"
            )
            if dry_run:
                for reason in reminder.reasons:
                    self.stdout.write(f"    · {reason.text}")
        self.stdout.write(f"{day:%Y-%m-%d}：{verb}{len(reminders)}封提醒邮件。")
