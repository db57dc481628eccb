"""Production settings come from the environment only; the scheduled jobs are wired up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from portal.celery import app as celery_app

ROOT = Path(settings.BASE_DIR)


def _settings_in_a_fresh_process(env: dict, expression: str) -> subprocess.CompletedProcess:
    """Import portal.settings as a server would, with exactly this environment."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    clean.pop("REDIS_URL", None)
    clean.pop("CELERY_BROKER_URL", None)
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    code = f"import django; django.setup(); from django.conf import settings; print(repr(({expression})))"
    return subprocess.run(  # noqa: S603 - our own interpreter and test constants
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_in_a_fresh_process({"DJANGO_ALLOWED_HOSTS": "gongkai.example.gov.cn"}, "1")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "未设置 DJANGO_SECRET_KEY" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_takes_the_key_from_the_environment():
    result = _settings_in_a_fresh_process(
        {"DJANGO_SECRET_KEY": "k" * 50, "DJANGO_ALLOWED_HOSTS": "gongkai.example.gov.cn"},
        "settings.SECRET_KEY == 'k' * 50, settings.DEBUG, settings.SESSION_COOKIE_SECURE",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(True, False, True)"


@pytest.mark.parametrize(
    ("env", "backend", "eager"),
    [
        ({}, "django.core.cache.backends.locmem.LocMemCache", True),
        ({"REDIS_URL": "redis://redis:6379/0"}, "django_redis.cache.RedisCache", False),
    ],
)
def test_redis_is_the_cache_and_broker_when_configured(env, backend, eager):
    result = _settings_in_a_fresh_process(
        {"DJANGO_SECRET_KEY": "k" * 50, **env},
        "settings.CACHES['default']['BACKEND'], settings.CELERY_TASK_ALWAYS_EAGER,"
        " settings.CELERY_BROKER_URL",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr((backend, eager, env.get("REDIS_URL", "")))


def test_a_replica_url_adds_a_replica_database():
    result = _settings_in_a_fresh_process(
        {
            "DJANGO_SECRET_KEY": "k" * 50,
            "DATABASE_URL": "postgres://gongkai@primary:5432/gongkai",
            "DATABASE_REPLICA_URL": "postgres://gongkai@replica:5432/gongkai",
        },
        "sorted(settings.DATABASES), settings.DATABASES['replica']['HOST'],"
        " settings.DBBACKUP_DATABASES",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(['default', 'replica'], 'replica', ['default'])"


def test_send_reminders_is_scheduled_daily_on_a_registered_task():
    celery_app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["send-reminders"]
    assert entry["task"] in celery_app.tasks
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({8}, {0})
    assert len(schedule.day_of_week) == 7 and len(schedule.day_of_month) == 31
    for name, scheduled in settings.CELERY_BEAT_SCHEDULE.items():
        assert scheduled["task"] in celery_app.tasks, name


@pytest.mark.django_db
def test_the_reminder_task_runs_the_command(settings, capsys):
    from portal.tasks import send_reminders

    settings.CELERY_TASK_ALWAYS_EAGER = True
    result = send_reminders.apply()
    assert result.successful(), result.traceback
    assert "封提醒邮件" in capsys.readouterr().out
