from django.db import migrations


def create_settings(apps, schema_editor):
    InquirySettings = apps.get_model("inquiries", "InquirySettings")
    InquirySettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0001_inquiries_and_settings")]

    operations = [migrations.RunPython(create_settings, migrations.RunPython.noop)]
