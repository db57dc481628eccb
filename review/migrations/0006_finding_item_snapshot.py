"""Findings keep the item as it was when they were raised, for verifying the answer."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0005_info_findings_advisory"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="item_snapshot",
            field=models.JSONField(
                blank=True, default=dict, editable=False, verbose_name="提出时的事项内容"
            ),
        ),
    ]
