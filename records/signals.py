"""Keep records' due dates in step with their item's 公开时限."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from items.models import Item


@receiver(post_save, sender=Item, dispatch_uid="records_item_deadline_changed")
def refresh_due_dates_of_item(sender, instance: Item, created: bool, raw: bool = False, **kwargs):
    if created or raw:
        return
    from records.models import DisclosureRecord
    from records.services import records_refresh_due

    records = DisclosureRecord.objects.for_item(instance).exclude(
        deadline_text=(instance.deadline or "")[:200]
    )
    if records.exists():
        records_refresh_due(records=records)
