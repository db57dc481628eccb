"""Login lockout that cannot be bypassed or turned into a weapon, and the client address.

django-axes counts failed logins (``portal.settings``: ``AXES_*``). Here:

- ``client_ip``: the address failures are counted against. ``REMOTE_ADDR`` unless the request
  came through a reverse proxy listed in ``TRUSTED_PROXIES`` (``DJANGO_TRUSTED_PROXIES``:
  addresses or networks); then the nearest address in ``X-Forwarded-For`` that is not one
  of those proxies. A header sent by anyone else is ignored, so nobody picks the address
  their failures are counted against, and behind the proxy people are not all one address.
- ``LoginAttemptHandler``: a successful login clears only that account's failures from that
  address. (axes would clear every failure of the address and of the account, so an
  attacker with an account of her own could reset the per-address count by logging in.)
- ``login_lock_lift``: the province administrator lifts an account's or an address's lock
  (the admin's 登录失败记录 page); it writes an admin log entry.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import DELETION, LogEntry
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from catalogs.permissions import require_province_admin

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def trusted_proxy_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.5:443"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The client's address for lockout (``AXES_CLIENT_IP_CALLABLE``)."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = trusted_proxy_networks()
    if not networks or not _trusted(_address(remote or ""), networks):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    # Right to left: each trusted proxy appended the address it saw; the first address that
    # is not one of ours is the client. Anything left of it is the client's own say-so.
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return remote  # a proxy of ours wrote something unreadable: count the proxy
        if not _trusted(address, networks):
            return str(address)
    return str(_address(hops[0])) if hops else remote


class LoginAttemptHandler(AxesDatabaseHandler):
    """axes' database handler; a successful login clears only its own account-and-address."""

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


# ---------------------------------------------------------------------------
# Locks, for the province administrator
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    until: datetime

    @property
    def label(self) -> str:
        return f"账号“{self.value}”" if self.kind == "username" else f"地址 {self.value}"


def _window_start(now: datetime) -> datetime:
    return now - settings.AXES_COOLOFF_TIME


def current_locks(*, now: datetime | None = None) -> list[Lock]:
    """Accounts and addresses with at least AXES_FAILURE_LIMIT failures in the window."""
    now = now or timezone.now()
    recent = AccessAttempt.objects.filter(attempt_time__gte=_window_start(now))
    locks = []
    for kind in ("username", "ip_address"):
        rows = (
            recent.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by(kind)
        )
        locks.extend(
            Lock(kind, row[kind], row["failures"], row["last"] + settings.AXES_COOLOFF_TIME)
            for row in rows
        )
    return locks


@transaction.atomic
def login_lock_lift(*, actor, usernames=(), ip_addresses=()) -> int:
    """Forget the failed logins of these accounts and addresses; returns the rows removed."""
    require_province_admin(actor)
    usernames, ip_addresses = set(usernames), set(ip_addresses)
    if not usernames and not ip_addresses:
        return 0
    attempts = AccessAttempt.objects.filter(
        Q(username__in=usernames) | Q(ip_address__in=ip_addresses)
    ).select_for_update()
    removed = list(attempts)
    if not removed:
        return 0
    names = "、".join(sorted(usernames)) or "无"
    addresses = "、".join(sorted(ip_addresses)) or "无"
    if getattr(actor, "pk", None):  # the system actor of a command has no user row
        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=removed,
            action_flag=DELETION,
            change_message=f"解除登录锁定：账号 {names}；地址 {addresses}",
        )
    AccessAttempt.objects.filter(pk__in=[attempt.pk for attempt in removed]).delete()
    log.warning("Login lock lifted by %s: accounts %s, addresses %s", actor, names, addresses)
    return len(removed)


def ratelimit_ip(request) -> str:
    """The address citizen submissions are counted by (``RATELIMIT_IP_META_KEY``)."""
    return client_ip(request) or "unknown"
