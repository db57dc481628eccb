"""Security basics: login lockout, password rules, session expiry, deployment checks."""

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

PASSWORD = "Nongan-Editor-2024!"
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def editor(users):
    user = get_user_model().objects.get(pk=users.county_editor.pk)
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt_login(client, username, password):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
    )


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_lockout_settings_are_five_failures_for_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=30)
    assert settings.AXES_LOCKOUT_TEMPLATE == "admin/locked_out.html"
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_the_right_password_logs_in(client, editor):
    response = attempt_login(client, editor.username, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_four_failures_do_not_lock(client, editor):
    for _ in range(4):
        response = attempt_login(client, editor.username, "wrong-password")
        assert response.status_code == 200
        assert not is_logged_in(client)
    assert attempt_login(client, editor.username, PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_five_failures_lock_the_account_even_for_the_right_password(client, editor):
    for _ in range(5):
        attempt_login(client, editor.username, "wrong-password")
    response = attempt_login(client, editor.username, PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)
    page = response.content.decode()
    assert "账号已暂时锁定" in page
    assert "连续 5 次登录失败" in page
    assert "请在 30 分钟后再试" in page


def test_the_lockout_ends_after_the_cool_off(client, editor):
    for _ in range(5):
        attempt_login(client, editor.username, "wrong-password")
    assert attempt_login(client, editor.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=31)
    )
    response = attempt_login(client, editor.username, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_lockout_is_per_account(client, editor, users):
    other = get_user_model().objects.get(pk=users.township_editor.pk)
    other.set_password(PASSWORD)
    other.save()
    for _ in range(5):
        attempt_login(client, editor.username, "wrong-password")
    assert attempt_login(client, other.username, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "password",
    ["12345678", "1234567890", "password123", "qwertyuiop", "nongan-editor", "short1!"],
)
def test_weak_passwords_are_rejected(editor, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=editor)


def test_password_messages_are_in_chinese(editor):
    with pytest.raises(ValidationError) as refused:
        validate_password("123456", user=editor)
    assert "密码长度太短，至少需要包含 10 个字符。" in refused.value.messages
    assert not any(re.search(r"[A-Za-z]{3,}", message) for message in refused.value.messages)


def test_a_strong_password_is_accepted(editor):
    validate_password("Jilin-" + secrets.token_urlsafe(12), user=editor)


def test_the_password_change_form_names_the_rule_in_chinese(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "密码长度太短，至少需要包含 10 个字符。" in page
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)


def test_sessions_expire(client, editor):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    attempt_login(client, editor.username, PASSWORD)
    assert client.session.get_expire_at_browser_close()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie


def production_env(**overrides) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "AXES_", "PYTEST", "DATABASE_URL"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
            "DJANGO_ALLOWED_HOSTS": "example.gov.cn",
        }
    )
    env.update(overrides)
    return env


def run_deploy_check(env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    result = run_deploy_check(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "warning"),
    [
        ({"DJANGO_DEBUG": "1"}, "security.W018"),
        ({"DJANGO_SECRET_KEY": "too-short"}, "security.W009"),
    ],
)
def test_check_deploy_catches_unsafe_settings(overrides, warning):
    """The deployment check is a real gate: unsafe settings make it fail."""
    result = run_deploy_check(production_env(**overrides))
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_no_secret_is_committed():
    source = (BASE_DIR / "portal" / "settings.py").read_text(encoding="utf-8")
    assert not re.search(r"^SECRET_KEY\s*=\s*['\"]", source, re.MULTILINE)
    assert "DJANGO_SECRET_KEY" in source
    ignored = (BASE_DIR / ".gitignore").read_text(encoding="utf-8").split()
    assert ".secret_key" in ignored
    try:
        tracked = subprocess.run(  # noqa: S603 - fixed arguments
            ["git", "ls-files"],  # noqa: S607 - git from PATH
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    assert ".secret_key" not in tracked
    assert not any(name.endswith((".env", ".pem", ".key")) for name in tracked)
