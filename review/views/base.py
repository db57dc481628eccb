"""What every workspace view shares: the staff page context, messages, safe redirects."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from catalogs.lifecycle import allowed_moves
from catalogs.models import CatalogStatus
from catalogs.permissions import is_province_reviewer, profile_of
from review import services
from review.models import Campaign


def render_staff(request, template: str, context: dict):
    """Render with what the staff base template shows on every page."""
    context.setdefault("is_reviewer", is_province_reviewer(request.user))
    context.setdefault("staff_profile", profile_of(request.user))
    return render(request, template, context)


def error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def form_error_text(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors)


def redirect_back(request, fallback: str):
    """To the page named by ``next`` when it is on this site, else to ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def chosen_campaign(request) -> Campaign | None:
    """The campaign picked with ``?campaign=ID``, else the current one."""
    chosen = request.GET.get("campaign")
    if chosen and chosen.isdigit():
        return Campaign.objects.filter(pk=chosen).first() or Campaign.objects.current()
    return Campaign.objects.current()


def local_today():
    return timezone.localdate()


# Moves that lock the catalog, unlock it or send it backwards: each asks for confirmation on
# its own page, saying what follows (the consequence), before anything changes.
S = CatalogStatus
MOVE_CONSEQUENCES = {
    (S.REVIEWED, S.ENTERED): (
        "确认后目录锁定：本地不能再修改任何事项，直到省级验收后退回整改。"
        "请先确认目录已录入基层政务公开事项查询系统，且录入的内容与公开版本一致。"
    ),
    (S.ENTERED, S.RETURNED): (
        "目录将退回本地整改并解锁；本地修改后须重新提交复验（发布、复核、录入），"
        "目录才会回到验收队列。"
    ),
    (S.ACCEPTED, S.RETURNED): (
        "撤销验收：目录退回本地整改并解锁，须重新提交复验并再次验收。"
        "已作出的验收结论和报告保留在验收记录中。"
    ),
    (S.REVIEWED, S.PUBLISHED): (
        "发布修改后，目录回到“已发布”状态：已完成的复核作废，须重新确认复核和录入。"
    ),
    (S.ACCEPTED, S.PUBLISHED): (
        "只修改内容时，发布后目录仍为“已验收”；如果增加或删除了事项，目录回到“已发布”，"
        "须重新复核、录入并验收。"
    ),
}


def needs_confirmation(from_status: str, to_status: str) -> bool:
    return (from_status, to_status) in MOVE_CONSEQUENCES


def move_buttons(user, catalog) -> list[tuple[str, str, bool]]:
    """(to status, label, needs confirmation) of the lifecycle buttons ``user`` may press
    on ``catalog``."""
    return [
        (to, services.move_label(catalog.status, to), needs_confirmation(catalog.status, to))
        for to in allowed_moves(user, catalog)
        if (catalog.status, to) not in services.DECISION_MOVES
        # Republishing is offered only when there is something new to publish.
        and not (
            to == CatalogStatus.PUBLISHED
            and catalog.last_published_at
            and not catalog.has_unpublished_changes
        )
    ]


def report_run(request, run) -> None:
    messages.success(
        request,
        f"已检查{run.scope_label}：{run.catalog_count}个目录，发现{run.result_count}处问题"
        f"（新增{run.created_count}，复查通过{run.resolved_count}，重新打开{run.reopened_count}），"
        f"用时{run.seconds:.2f}秒。",
    )
