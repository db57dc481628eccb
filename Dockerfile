# The portal's image: gunicorn serving Django, static files collected at build (whitenoise).
# The same image runs the web app, the Celery worker and beat (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pg_dump/pg_restore for `manage.py backup` and `restore` (django-dbbackup).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Runtime packages only (requirements-dev.txt is for development and CI), in their own layer
# so that a code change does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Static files with hashed names, compressed. The key is for this step only; the running
# container refuses to start without its own DJANGO_SECRET_KEY.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --no-input -v 0

# An unprivileged user; it may write only the uploads and backups volumes.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home gongkai \
 && mkdir -p /app/media /backups \
 && chown gongkai:gongkai /app/media /backups
USER gongkai

ENV DJANGO_MEDIA_ROOT=/app/media \
    DJANGO_BACKUP_DIR=/backups \
    GUNICORN_BIND=0.0.0.0:8000
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi"]
