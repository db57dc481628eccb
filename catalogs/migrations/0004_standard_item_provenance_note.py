"""The standard items' research notes (how each row was reconstructed from published copies)
move out of 备注 into their own provenance field, shown read-only as data provenance."""

import json
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "standard-catalogs.json"


def fixture_notes() -> set[str]:
    """The research notes the first edition was loaded with."""
    try:
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {
        row["notes"]
        for catalog in data.get("catalogs", [])
        for row in catalog.get("items", [])
        if row.get("notes")
    }


def forwards(apps, schema_editor):
    StandardItem = apps.get_model("catalogs", "StandardItem")
    notes = fixture_notes()
    # Only the loaded research notes move; a note an administrator wrote stays in 备注.
    for item in StandardItem.objects.filter(notes__in=notes):
        item.provenance_note = item.notes
        item.notes = ""
        item.save(update_fields=["provenance_note", "notes"])


def backwards(apps, schema_editor):
    StandardItem = apps.get_model("catalogs", "StandardItem")
    for item in StandardItem.objects.exclude(provenance_note=""):
        if not item.notes:
            item.notes = item.provenance_note
            item.save(update_fields=["notes"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalogs", "0003_region_compiles_catalogs"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalstandarditem",
            name="provenance_note",
            field=models.TextField(blank=True, editable=False, verbose_name="来源考证记录"),
        ),
        migrations.AddField(
            model_name="standarditem",
            name="provenance_note",
            field=models.TextField(blank=True, editable=False, verbose_name="来源考证记录"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
