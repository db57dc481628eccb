import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from portal import demo


class Command(BaseCommand):
    help = "Load Jilin's regions, the standard catalogs and the 长春市 demo set; print demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="pin the demo's 'today' (YYYY-MM-DD) for the review campaign"
        )

    def handle(self, *args, today=None, **options):
        started = time.perf_counter()
        demo.ensure_reference_data()
        logins = demo.ensure_users()
        counts = demo.compile_city()
        day = timezone.datetime.fromisoformat(today).date() if today else timezone.localdate()
        review = demo.seed_review(day)
        self.stdout.write(
            f"Demo ready in {time.perf_counter() - started:.1f}s: 长春市 {counts['catalogs']} catalogs, "
            f"{counts['published']} newly published; {review}."
        )
        self.stdout.write("")
        self.stdout.write(
            "Portal:  http://127.0.0.1:8000/        Staff: http://127.0.0.1:8000/admin/"
        )
        self.stdout.write("Demo logins (generated for this checkout, kept in .demo-logins.json):")
        for user in demo.DEMO_USERS:
            self.stdout.write(
                f"  {user.full_name:<8} {user.username:<11} {logins[user.username]}   ({user.office})"
            )
