# Two commands do all set-up on a fresh machine:
#   make run   - virtualenv, packages, SQLite database, demo data, then serve on :8000
#   make test  - the whole test suite (DATABASE_URL picks the database; SQLite by default)
# Set-up is safe to repeat: it creates what is missing and never changes existing data.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run setup test test-fast lint format bench clean browser-deps backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime packages (requirements.txt) plus the tools to test and lint (requirements-dev.txt).
$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input -v 0
	DJANGO_DEBUG=1 $(BIN)/python manage.py setup_demo

run: setup
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's chromium and a CJK font for tests/browser: installed when root, else a message.
browser-deps:
	@sh .ci/browser-deps

test: $(STAMP) browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

# makemigrations needs settings but no secret: lint with the test settings.
lint: export DJANGO_SETTINGS_MODULE = portal.settings_test

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench

# Backups of the database and uploaded files (django-dbbackup) into DJANGO_BACKUP_DIR.
# These use the settings of the environment they run in (production's, on a server).
backup: | $(BIN)/python
	$(BIN)/python manage.py backup

restore: | $(BIN)/python
	@test -n "$(FILE)" || { echo "用法 / usage: make restore FILE=db-YYYY-MM-DD-HHMMSS.psql.bin.gz" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)"

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
