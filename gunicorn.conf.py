"""gunicorn's settings, read from the environment; `gunicorn portal.wsgi` loads this file
from the working directory (the container's CMD and the README's bare-server steps)."""

import multiprocessing
import os

# Behind the HTTPS reverse proxy: listen where the proxy reaches us. The container sets
# 0.0.0.0:8000; on a bare server the default keeps the app off the public interface.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Imports and exports run inside a request; anything slower is cut off and logged.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so that no slow leak grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Only the proxy's X-Forwarded-* headers are believed (FORWARDED_ALLOW_IPS, default 127.0.0.1).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
