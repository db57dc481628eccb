"""Login lockout: per account across addresses, per address across accounts, a fixed window,
the client address from trusted proxies only, and locks the province administrator lifts."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from portal.security import client_ip, current_locks, login_lock_lift

PASSWORD = "Nongan-Editor-2024!"
WRONG = "wrong-password"


@pytest.fixture
def editor(users):
    user = get_user_model().objects.get(pk=users.county_editor.pk)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def other_editor(users):
    user = get_user_model().objects.get(pk=users.township_editor.pk)
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(client, username, password, ip="198.51.100.7", **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
        **headers,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_failures_from_six_addresses_lock_the_account(client, editor):
    statuses = [
        attempt(client, editor.username, WRONG, ip=f"203.0.113.{n + 1}").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    # A sixth address with the right password: the account is locked whoever asks.
    response = attempt(client, editor.username, PASSWORD, ip="203.0.113.6")
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert not logged_in(client)


def test_failures_for_six_accounts_lock_the_address(client, editor, other_editor):
    statuses = [
        attempt(client, f"guess-{n}", WRONG, ip="203.0.113.50").status_code for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    # The sixth account, even with its right password, from that address: locked.
    assert attempt(client, other_editor.username, PASSWORD, ip="203.0.113.50").status_code == 429
    assert not logged_in(client)
    # The same account from another address is not.
    assert attempt(client, other_editor.username, PASSWORD, ip="203.0.113.51").status_code == 302
    assert logged_in(client)


def test_four_failures_then_success_do_not_lock(client, editor):
    for _ in range(4):
        attempt(client, editor.username, WRONG)
    assert attempt(client, editor.username, PASSWORD).status_code == 302


def test_logging_in_to_ones_own_account_does_not_reset_the_address(client, editor, other_editor):
    """An attacker with an account cannot clear her address's count by logging in."""
    for _ in range(4):
        attempt(client, editor.username, WRONG, ip="203.0.113.60")
    assert attempt(client, other_editor.username, PASSWORD, ip="203.0.113.60").status_code == 302
    client.logout()
    attempt(client, editor.username, WRONG, ip="203.0.113.60")
    assert attempt(client, editor.username, PASSWORD, ip="203.0.113.99").status_code == 429


def test_an_attempt_while_locked_does_not_extend_the_lock(client, editor):
    for _ in range(5):
        attempt(client, editor.username, WRONG)
    # Move the lock back to 20 minutes ago: 10 minutes remain.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=20)
    )
    locked_at = AccessAttempt.objects.get().attempt_time
    for _ in range(3):
        assert attempt(client, editor.username, WRONG).status_code == 429
    attempt_row = AccessAttempt.objects.get()
    assert attempt_row.attempt_time == locked_at
    assert attempt_row.failures_since_start == 5
    # 11 more minutes: 31 since the fifth failure, and the lock is over.
    AccessAttempt.objects.update(attempt_time=locked_at - timedelta(minutes=11))
    assert attempt(client, editor.username, PASSWORD).status_code == 302


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, editor, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(5):
        attempt(client, f"guess-{n}", WRONG, ip="203.0.113.70", HTTP_X_FORWARDED_FOR=f"10.9.0.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.70"}
    response = attempt(
        client, editor.username, PASSWORD, ip="203.0.113.70", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_client_is_its_own_address(client, editor, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(5):
        attempt(client, f"guess-{n}", WRONG, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.80")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.80"}
    # Another client behind the same proxy is not locked out with the first.
    response = attempt(
        client, editor.username, PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.81"
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.5", "", [], "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", [], "203.0.113.5"),  # not from a proxy: ignored
        ("203.0.113.5", "198.51.100.1", ["10.0.0.0/8"], "203.0.113.5"),
        ("10.0.0.2", "198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        # The client's own X-Forwarded-For is to the left of what the proxy appended.
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        # Two proxies of ours: skip both.
        ("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.9", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1:5555", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.2", "[2001:db8::1]:443", ["10.0.0.0/8"], "2001:db8::1"),
        ("10.0.0.2", "garbage", ["10.0.0.0/8"], "10.0.0.2"),
        ("10.0.0.2", "", ["10.0.0.0/8"], "10.0.0.2"),
        ("::1", "198.51.100.1", ["127.0.0.1", "::1"], "198.51.100.1"),
    ],
)
def test_client_ip(settings, remote, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# ---------------------------------------------------------------------------
# The province administrator sees and lifts locks
# ---------------------------------------------------------------------------


def locked_editor_and_address(client, editor):
    for n in range(5):
        attempt(client, editor.username, WRONG, ip=f"203.0.113.{n + 1}")
    for n in range(5):
        attempt(client, f"guess-{n}", WRONG, ip="203.0.113.90")


def test_current_locks_lists_accounts_and_addresses(client, editor):
    locked_editor_and_address(client, editor)
    locks = {(lock.kind, lock.value): lock.failures for lock in current_locks()}
    assert locks == {("username", editor.username): 5, ("ip_address", "203.0.113.90"): 5}


def test_only_the_province_administrator_lifts_locks(client, editor, users):
    locked_editor_and_address(client, editor)
    with pytest.raises(PermissionDenied):
        login_lock_lift(actor=users.reviewer, usernames=[editor.username])
    admin = get_user_model().objects.get(pk=users.admin.pk)
    assert login_lock_lift(actor=admin, usernames=[editor.username]) == 5
    assert LogEntry.objects.filter(user=admin, change_message__contains="解除登录锁定").exists()
    assert attempt(client, editor.username, PASSWORD, ip="203.0.113.1").status_code == 302


def test_admin_page_shows_locks_in_chinese_and_lifts_them(client, login, editor, users):
    locked_editor_and_address(client, editor)
    url = reverse("admin:axes_accessattempt_changelist")
    login(users.county_editor)
    assert client.get(url).status_code == 403
    login(users.admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录安全" in index and "登录失败记录" in index
    page = client.get(url).content.decode()
    assert "账号已锁定（共5次失败）" in page
    assert "地址已锁定（共5次失败）" in page
    assert "解除所选记录的账号锁定" in page
    locked = client.get(url, {"locked": "yes"}).content.decode()
    assert editor.username in locked

    rows = AccessAttempt.objects.filter(username=editor.username)
    response = client.post(
        url,
        {"action": "lift_account_locks", "_selected_action": [rows.first().pk]},
        follow=True,
    )
    assert f"已解除账号 {editor.username} 的锁定（清除5条失败记录）" in response.content.decode()
    assert not AccessAttempt.objects.filter(username=editor.username).exists()
    # The address lock is still there until lifted too.
    address_rows = AccessAttempt.objects.filter(ip_address="203.0.113.90")
    assert address_rows.count() == 5
    client.post(
        url,
        {"action": "lift_address_locks", "_selected_action": [address_rows.first().pk]},
    )
    assert not AccessAttempt.objects.filter(ip_address="203.0.113.90").exists()
