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


def attempt_login(client, username, password, **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        **extra,
    )


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def age_attempts(by: timedelta) -> None:
    """Move every recorded failure ``by`` into the past, as if that much time had passed."""
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - by)


def test_the_lockout_lasts_thirty_minutes(client, editor):
    for _ in range(5):
        attempt_login(client, editor.username, "wrong-password")
    age_attempts(timedelta(minutes=29))
    response = attempt_login(client, editor.username, PASSWORD)
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert not is_logged_in(client)
    age_attempts(timedelta(minutes=31))  # past the cool-off, even counted from that last try
    assert attempt_login(client, editor.username, PASSWORD).status_code == 302
    assert is_logged_in(client)


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
    # The locked account stays locked; another account from another address still gets in.
    # (The address that made five failures is locked too: see tests/security.)
    assert attempt_login(client, editor.username, PASSWORD).status_code == 429
    from_elsewhere = attempt_login(client, other.username, PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert from_elsewhere.status_code == 302


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


def test_the_password_change_form_names_the_rule_in_chinese(login, editor):
    client = login(editor)
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


def test_the_secret_key_comes_from_the_environment():
    assert settings.SECRET_KEY == os.environ["DJANGO_SECRET_KEY"]


def test_no_secret_is_committed():
    if not (BASE_DIR / ".git").exists():
        pytest.skip("not a git checkout (an unpacked release has nothing committed to check)")

    def git(*args):
        return subprocess.run(  # noqa: S603 - fixed arguments
            ["git", *args],  # noqa: S607 - git from PATH
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )

    local_secrets = [".secret_key", ".demo-logins.json", "db.sqlite3"]
    ignored = git("check-ignore", "--no-index", *local_secrets)
    assert ignored.stdout.split() == local_secrets, ignored.stderr
    tracked = git("ls-files")
    assert tracked.returncode == 0, tracked.stderr
    names = tracked.stdout.split()
    assert "portal/settings.py" in names  # the listing is real
    assert not [name for name in names if Path(name).name in local_secrets]
    assert not [name for name in names if name.endswith((".env", ".pem", ".key"))]
    literal_key = re.compile(r"^\s*SECRET_KEY\s*=\s*[rbuRBU]?['\"]", re.MULTILINE)
    assert not [
        name
        for name in names
        if name.endswith(".py")
        and (BASE_DIR / name).exists()
        and literal_key.search((BASE_DIR / name).read_text(encoding="utf-8"))
    ]
