"""Blank commenters' names and phone numbers once the retention period has passed."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from catalogs.permissions import SYSTEM
from participation.services import comments_forget_personal_data, personal_data_days


class Command(BaseCommand):
    help = "清除征集结束超过保存期限的公众意见中的姓名和联系电话（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="保存期限（日），缺省为部署设置")

    def handle(self, *args, **options):
        days = options["days"] if options["days"] is not None else personal_data_days()
        changed = comments_forget_personal_data(actor=SYSTEM, today=timezone.localdate(), days=days)
        self.stdout.write(
            f"已清除 {changed} 条公众意见的姓名和联系电话（保存期限：征集结束后{days}日）。"
        )
