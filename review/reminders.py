"""Reminder mails: milestones coming due and findings due or overdue.

Milestones count only the regions that compile catalogs and the fields each milestone
covers (``campaign_progress``); findings filed as advice (提示) never remind anyone.

Meant for a daily timer. Each reminder has a reason key; a ReminderLog row per
(recipient, reason, day) makes a second run on the same data send nothing.
"""

import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalogs.models import Region, RegionLevel, Role, StaffProfile
from catalogs.permissions import EDITOR_ROLES
from review.models import Campaign, Finding, ReminderLog
from review.selectors import campaign_progress, days_left

MILESTONE_THRESHOLDS = (7, 3, 1)  # days before the due date
FINDING_DUE_DAYS = 3

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reason:
    key: str
    day: date
    text: str
    section: str  # "milestone" or "finding"


@dataclass
class Reminder:
    recipient: object
    reasons: list[Reason] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return f"【基层政务公开】工作提醒：{len(self.reasons)}项待办"

    @property
    def body(self) -> str:
        name = self.recipient.get_full_name() or self.recipient.username
        milestones = [r.text for r in self.reasons if r.section == "milestone"]
        findings = [r.text for r in self.reasons if r.section == "finding"]
        lines = [f"{name}，您好：", "", "以下工作需要您关注：", ""]
        if milestones:
            lines += ["一、即将到期的工作节点", *(f"  · {text}" for text in milestones), ""]
        if findings:
            number = "二" if milestones else "一"
            lines += [f"{number}、待整改的问题", *(f"  · {text}" for text in findings), ""]
        base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
        lines += [
            f"请登录工作台处理：{base}/review/",
            "",
            "此邮件由系统自动发送，请勿回复。",
        ]
        return "\n".join(lines)


def _bucket(remaining: int, thresholds=MILESTONE_THRESHOLDS) -> int | None:
    """The smallest threshold the remaining days fall within (a missed day still reminds)."""
    fitting = [t for t in sorted(thresholds) if 0 <= remaining <= t]
    return fitting[0] if fitting else None


def _recipients_by_region() -> dict[int, list]:
    """Staff who answer for each region, with an e-mail address."""
    by_region = defaultdict(list)
    profiles = (
        StaffProfile.objects.filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "region")
    )
    for profile in profiles:
        if profile.role in (*EDITOR_ROLES, Role.CITY_COORDINATOR, Role.PROVINCE_ADMIN):
            by_region[profile.region_id].append(profile)
    return by_region


def _responsible(region: Region, by_region, parents: dict[int, int | None]) -> list:
    """The region's own staff; a township without its own editor falls to its county's
    editors (or, for a unit placed directly under 长白山管委会, to its coordinator)."""
    own = [p.user for p in by_region.get(region.pk, [])]
    if own or region.level != RegionLevel.TOWNSHIP:
        return own
    parent_id = parents.get(region.pk)
    return [
        p.user
        for p in by_region.get(parent_id, [])
        if p.role in (Role.COUNTY_EDITOR, Role.CITY_COORDINATOR)
    ]


def collect_reminders(*, today: date, campaign: Campaign | None = None) -> list[Reminder]:
    """Every reminder due today, whether or not it was sent before."""
    campaign = campaign or Campaign.objects.current()
    by_region = _recipients_by_region()
    reminders: dict[int, Reminder] = {}

    def add(user, reason: Reason):
        reminders.setdefault(user.pk, Reminder(recipient=user)).reasons.append(reason)

    province = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code")
    if campaign is not None:
        for root in province:
            table = campaign_progress(campaign=campaign, root=root, today=today)
            parents = {region.pk: region.parent_id for region in table.regions}
            for milestone in table.milestones:
                remaining = days_left(milestone.due_on, today)
                bucket = _bucket(remaining)
                if bucket is None:
                    continue
                for region in table.regions:
                    cell = table.cell(region, milestone)
                    if cell is None or cell.is_done:
                        continue
                    when = "今天到期" if remaining == 0 else f"还有{remaining}天"
                    reason = Reason(
                        key=f"milestone:{milestone.pk}:region:{region.pk}:within:{bucket}",
                        day=milestone.due_on,
                        text=(
                            f"{region.name}：{milestone.title}，截止日期{milestone.due_on:%Y-%m-%d}，"
                            f"{when}（当前：{cell.detail}）"
                        ),
                        section="milestone",
                    )
                    recipients = _responsible(region, by_region, parents)
                    if region.level == RegionLevel.PROVINCE:
                        recipients = [
                            p.user
                            for p in by_region.get(region.pk, [])
                            if p.role == Role.PROVINCE_ADMIN
                        ]
                    for user in recipients:
                        add(user, reason)
    findings = (
        Finding.objects.awaiting_staff()
        .filter(due_on__isnull=False, due_on__lte=today + timedelta(days=FINDING_DUE_DAYS))
        .select_related("catalog__region")
        .order_by("due_on", "pk")
    )
    for finding in findings:
        region = finding.catalog.region
        remaining = days_left(finding.due_on, today)
        overdue = remaining < 0
        when = (
            f"已逾期{-remaining}天"
            if overdue
            else ("今天到期" if remaining == 0 else f"还有{remaining}天到期")
        )
        reason = Reason(
            key=f"finding:{finding.pk}:{'overdue' if overdue else 'due'}",
            day=finding.due_on,
            text=(
                f"《{finding.catalog.title}》"
                f"{finding.anchor}：{finding.description}（整改期限{finding.due_on:%Y-%m-%d}，{when}）"
            ),
            section="finding",
        )
        parents = {region.pk: region.parent_id}
        for user in _responsible(region, by_region, parents):
            add(user, reason)
    return list(reminders.values())


def send_reminders(*, today: date, dry_run: bool = False) -> list[Reminder]:
    """Send what was not sent before; returns the reminders sent (or, dry, those due)."""
    due = collect_reminders(today=today)
    if dry_run:
        logged = set(
            ReminderLog.objects.filter(
                recipient__in=[reminder.recipient for reminder in due]
            ).values_list("recipient_id", "reason", "day")
        )
        for reminder in due:
            reminder.reasons = [
                r for r in reminder.reasons if (reminder.recipient.pk, r.key, r.day) not in logged
            ]
        return [reminder for reminder in due if reminder.reasons]
    sent = []
    for reminder in due:
        try:
            with transaction.atomic():
                fresh = []
                for reason in reminder.reasons:
                    try:
                        with transaction.atomic():
                            ReminderLog.objects.create(
                                recipient=reminder.recipient,
                                reason=reason.key,
                                day=reason.day,
                                sent_at=timezone.now(),
                                subject=reason.text[:200],
                            )
                    except IntegrityError:
                        continue  # sent before (or by a run at the same moment)
                    fresh.append(reason)
                if not fresh:
                    continue
                reminder.reasons = fresh
                # Sent inside the transaction: if the mail server refuses, the log rows roll
                # back and tomorrow's run tries again (at least once, rather than at most once).
                send_mail(
                    reminder.subject,
                    reminder.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [reminder.recipient.email],
                    fail_silently=False,
                )
        except (OSError, smtplib.SMTPException):
            logger.exception("reminder to %s not sent; will retry", reminder.recipient.email)
            continue
        sent.append(reminder)
    return sent
