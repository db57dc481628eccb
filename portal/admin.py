"""登录失败记录: failed logins and the locks they cause, for the province administrator.

django-axes' own admin is switched off (``AXES_ENABLE_ADMIN = False``): it needs model
permissions that staff users do not hold, and it speaks English. This one lists every
account-and-address that failed recently, says whether the account or the address is locked,
and lifts either lock (``portal.security.login_lock_lift``). Model and field names come out
in Chinese through ``locale/zh_Hans`` (axes marks them for translation but ships no Chinese).
"""

from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalogs.permissions import is_province_admin
from portal.security import login_lock_lift

apps.get_app_config("axes").verbose_name = "登录安全"


def _failures_of(field: str, since):
    """Failures in the window for the same account (or address) as the outer row."""
    return Coalesce(
        Subquery(
            AccessAttempt.objects.filter(**{field: OuterRef(field), "attempt_time__gte": since})
            .order_by()
            .values(field)
            .annotate(total=Sum("failures_since_start"))
            .values("total")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


class LockStateFilter(admin.SimpleListFilter):
    title = "锁定状态"
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return (("yes", "已锁定（账号或地址）"), ("no", "未锁定"))

    def queryset(self, request, queryset):
        limit = settings.AXES_FAILURE_LIMIT
        locked = queryset.filter(account_failures__gte=limit) | queryset.filter(
            address_failures__gte=limit
        )
        if self.value() == "yes":
            return locked
        if self.value() == "no":
            return queryset.exclude(pk__in=locked.values("pk"))
        return queryset


@admin.register(AccessAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = (
        "account",
        "address",
        "failures_since_start",
        "last_failure",
        "lock_state",
    )
    list_display_links = None
    list_filter = (LockStateFilter,)
    search_fields = ("username", "ip_address")
    ordering = ("-attempt_time",)
    actions = ("lift_account_locks", "lift_address_locks")

    def get_queryset(self, request):
        since = timezone.now() - settings.AXES_COOLOFF_TIME
        return (
            super()
            .get_queryset(request)
            .annotate(
                account_failures=_failures_of("username", since),
                address_failures=_failures_of("ip_address", since),
            )
        )

    # Only the province administrator sees failed logins and lifts locks; nobody edits them.
    def has_module_permission(self, request):
        return is_province_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="账号", ordering="username")
    def account(self, obj):
        return obj.username or "（未填写）"

    @admin.display(description="来源地址", ordering="ip_address")
    def address(self, obj):
        return obj.ip_address or "未知"

    @admin.display(description="最近一次失败", ordering="attempt_time")
    def last_failure(self, obj):
        return timezone.localtime(obj.attempt_time).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description="锁定状态")
    def lock_state(self, obj):
        limit = settings.AXES_FAILURE_LIMIT
        if timezone.now() - obj.attempt_time > settings.AXES_COOLOFF_TIME:
            return "已过期"
        states = []
        if obj.account_failures >= limit:
            states.append(f"账号已锁定（共{obj.account_failures}次失败）")
        if obj.address_failures >= limit:
            states.append(f"地址已锁定（共{obj.address_failures}次失败）")
        return "；".join(states) or "未锁定"

    def _lift(self, request, queryset, *, accounts: bool):
        values = {
            value
            for value in queryset.values_list("username" if accounts else "ip_address", flat=True)
            if value
        }
        try:
            removed = login_lock_lift(
                actor=request.user,
                usernames=values if accounts else (),
                ip_addresses=() if accounts else values,
            )
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
        what = "账号" if accounts else "地址"
        self.message_user(
            request,
            f"已解除{what} {'、'.join(sorted(values))} 的锁定（清除{removed}条失败记录）。",
            messages.SUCCESS,
        )

    @admin.action(description="解除所选记录的账号锁定", permissions=["delete"])
    def lift_account_locks(self, request, queryset):
        self._lift(request, queryset, accounts=True)

    @admin.action(description="解除所选记录的地址锁定", permissions=["delete"])
    def lift_address_locks(self, request, queryset):
        self._lift(request, queryset, accounts=False)
