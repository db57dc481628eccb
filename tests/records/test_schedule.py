"""verify_channels runs nightly from the Celery beat schedule."""

from django.conf import settings

from portal import tasks


def test_verify_channels_is_scheduled_and_runs_the_command(monkeypatch):
    entry = settings.CELERY_BEAT_SCHEDULE["verify-channels"]
    assert entry["task"] == tasks.verify_channels.name == "portal.tasks.verify_channels"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
    calls = []
    monkeypatch.setattr(tasks, "call_command", lambda *args, **kwargs: calls.append(args))
    tasks.verify_channels()
    assert calls == [("verify_channels",)]
