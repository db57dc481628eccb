"""The task queue: Celery with Redis as the broker (settings CELERY_*, read from Django's).

Run by the compose file's ``worker`` (``celery -A portal worker``) and ``beat`` (``celery -A
portal beat``, one process only: it enqueues CELERY_BEAT_SCHEDULE). Without a broker
(REDIS_URL unset) tasks run in-process when sent, so local runs and tests need no Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live in each app's tasks.py (portal/tasks.py for the scheduled jobs).
app.autodiscover_tasks()
