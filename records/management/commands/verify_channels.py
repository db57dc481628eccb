"""Fetch every recorded URL and 专栏 and store what was found (a daily timer; safe to rerun)."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from records.management.commands._common import find_actor, find_region
from records.services import channels_verify
from records.verify import FetchLimits


class Command(BaseCommand):
    help = (
        "Check recorded URLs and registered 专栏: status, final URL, whether the record's title "
        "or 文号 is on the page, time taken. Refuses private, loopback and link-local addresses "
        "unless --allow-private-addresses (tests, intranet deployments)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", help="only this region and those below it")
        parser.add_argument(
            "--allow-private-addresses",
            action="store_true",
            help="also fetch URLs that resolve to private, loopback or link-local addresses",
        )
        parser.add_argument("--concurrency", type=int, default=16, help="requests at once (16)")
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
        parser.add_argument("--user", help="act as this user (checks their rights)")

    def handle(self, *args, region, allow_private_addresses, concurrency, timeout, user, **options):
        actor = find_actor(user)
        region = find_region(region) if region else None
        if concurrency < 1 or timeout <= 0:
            raise CommandError("--concurrency 至少为1，--timeout 须大于0。")
        limits = FetchLimits(
            timeout=timeout, total_timeout=max(3 * timeout, timeout + 5), concurrency=concurrency
        )
        try:
            report = channels_verify(
                actor=actor,
                region=region,
                allow_private=allow_private_addresses,
                limits=limits,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        for problem in report.problems:
            self.stdout.write(problem)
        self.stdout.write(self.style.SUCCESS(str(report)))
