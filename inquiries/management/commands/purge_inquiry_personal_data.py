"""Erase the personal data of inquiries closed longer than the province's retention period."""

from django.core.management.base import BaseCommand

from catalogs.permissions import SYSTEM
from inquiries.models import InquirySettings
from inquiries.services import inquiries_purge_personal_data


class Command(BaseCommand):
    help = "删除办结超过保存期限的留言中的姓名、电话和地址记录（可重复运行）。"

    def handle(self, *args, **options):
        erased = inquiries_purge_personal_data(actor=SYSTEM)
        days = InquirySettings.load().retention_days
        self.stdout.write(f"已删除{erased}条办结超过{days}天的留言中的个人信息。")
