"""Scheduled jobs for the worker. Each wraps an idempotent management command, so a job the
queue retries or an administrator also runs by hand does no harm, and each keeps working
from the command line on a server without the queue."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="portal.tasks.send_reminders")
def send_reminders() -> None:
    """Daily: mail staff about milestones coming due and findings due or overdue."""
    call_command("send_reminders")


@shared_task(name="portal.tasks.verify_channels")
def verify_channels() -> None:
    """Nightly: fetch every recorded URL and registered 专栏 and store what was found; a URL
    failing twice in a row is broken (R17). Public addresses only, as the command does."""
    call_command("verify_channels")


@shared_task(name="portal.tasks.forget_participation_personal_data")
def forget_participation_personal_data() -> None:
    """Nightly: blank commenters' names and phones once their consultation closed longer ago
    than the province's retention period for citizens' personal data (the setting the
    inquiries app keeps, the same for questions and comments)."""
    from inquiries.models import InquirySettings

    call_command("participation_forget_personal_data", days=InquirySettings.load().retention_days)
