"""Data: findings of 提示 (info) rule results become advice; earlier check runs read drafts;
the 2020 acceptance covers 社会救助 only (吉民发〔2020〕13号, part 三(四))."""

from django.db import migrations
from django.utils import timezone

WAITING = ["open", "reopened", "answered"]


def forwards(apps, schema_editor):
    Finding = apps.get_model("review", "Finding")
    FindingEvent = apps.get_model("review", "FindingEvent")
    CheckRun = apps.get_model("review", "CheckRun")
    Milestone = apps.get_model("review", "Milestone")
    now = timezone.now()
    advice = list(Finding.objects.filter(source="rule", severity="info", state__in=WAITING))
    FindingEvent.objects.bulk_create(
        [
            FindingEvent(
                finding=finding,
                kind="updated",
                from_state=finding.state,
                to_state="advisory",
                at=now,
                note="提示性检查结果无需整改，改为提示",
            )
            for finding in advice
        ],
        batch_size=1000,
    )
    Finding.objects.filter(pk__in=[finding.pk for finding in advice]).update(
        state="advisory", state_changed_at=now
    )
    # Runs before this migration checked the drafts, not the publications.
    CheckRun.objects.update(source="draft")
    for milestone in Milestone.objects.filter(
        campaign__year=2020, code="acceptance", completion="accepted"
    ):
        if not milestone.standard_codes:
            milestone.standard_codes = ["social-assistance"]
            milestone.save(update_fields=["standard_codes"])


def backwards(apps, schema_editor):
    Finding = apps.get_model("review", "Finding")
    Finding.objects.filter(state="advisory").update(state="open")


class Migration(migrations.Migration):
    dependencies = [("review", "0004_publication_checks_rule_settings_coverage")]

    operations = [migrations.RunPython(forwards, backwards)]
