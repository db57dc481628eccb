"""Scheduled job of the inquiries app (CELERY_BEAT_SCHEDULE "purge-inquiry-personal-data")."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="inquiries.tasks.purge_inquiry_personal_data")
def purge_inquiry_personal_data() -> None:
    """Nightly: erase citizens' names, phones and address hashes past the retention period.
    Idempotent, like the command it runs."""
    call_command("purge_inquiry_personal_data")
