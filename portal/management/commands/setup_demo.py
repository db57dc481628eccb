import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal import demo


class Command(BaseCommand):
    help = (
        "Load Jilin's regions, the standard catalogs and the 长春市 demo set once; print demo "
        "logins. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="pin the demo's 'today' (YYYY-MM-DD) for the review campaign"
        )

    def handle(self, *args, today=None, **options):
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"日期格式应为 YYYY-MM-DD，收到“{today}”。") from error
        started = time.perf_counter()
        counts = demo.build_demo(today=day)
        if counts is not None:
            self.stdout.write(
                f"演示数据已生成，用时 {time.perf_counter() - started:.1f} 秒：长春市 "
                f"{counts['catalogs']} 个目录，其中 {counts['published']} 个已公开；{counts['review']}。"
            )
        elif built_at := demo.demo_built_at():
            self.stdout.write(
                f"演示数据已于 {timezone.localtime(built_at):%Y-%m-%d %H:%M} 生成，本次未改动任何数据。"
            )
        else:
            self.stdout.write("数据库中已有目录或工作人员账号，未写入演示数据，也未改动任何数据。")
        logins = demo.demo_logins()
        self.stdout.write("")
        self.stdout.write(
            "Portal:  http://127.0.0.1:8000/        Staff: http://127.0.0.1:8000/admin/"
        )
        self.stdout.write("Demo logins (generated for this checkout, kept in .demo-logins.json):")
        for user in demo.DEMO_USERS:
            self.stdout.write(
                f"  {user.full_name:<8} {user.username:<11} {logins[user.username]}   ({user.office})"
            )
