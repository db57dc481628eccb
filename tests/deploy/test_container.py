"""The container image and the compose stack, checked without a Docker engine.

No Docker engine runs on the CI machine, so these tests read the Dockerfile and compose.yaml
and run their steps the way the image does (the README's "Deploying" section says so):
the requirements it installs, the collectstatic step with its own environment, and gunicorn
loading the app with the image's settings.
"""

import importlib.metadata
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DEV_TOOLS = {
    "pytest",
    "pytest-django",
    "pytest-playwright",
    "playwright",
    "factory-boy",
    "axe-playwright-python",
    "ruff",
    "import-linter",
    "pyyaml",
}
SERVICES = {"db", "redis", "migrate", "app", "worker", "beat"}


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), " ".join(rest.split())))
    return result


def _requirements(name: str) -> dict[str, str]:
    """Distribution name (normalised) -> pinned version, following -r includes."""
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            pins.update(_requirements(line[3:].strip()))
        elif line:
            package, _, version = line.partition("==")
            pins[re.sub(r"\[.*\]", "", package).lower().replace("_", "-")] = version
    return pins


def _image_env() -> dict[str, str]:
    env = {}
    for instruction, args in _instructions():
        if instruction == "ENV":
            env.update(dict(part.split("=", 1) for part in shlex.split(args)))
    return env


def _run(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))}
    return subprocess.run(  # noqa: S603 - our own commands
        command, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_the_image_is_python_311_slim_and_runs_gunicorn_as_an_unprivileged_user():
    steps = _instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    kinds = [instruction for instruction, _ in steps]
    last_user = max(i for i, kind in enumerate(kinds) if kind == "USER")
    assert steps[last_user][1] not in ("root", "0")
    assert last_user > max(i for i, kind in enumerate(kinds) if kind == "RUN")
    assert steps[-1] == ("CMD", '["gunicorn", "portal.wsgi"]')


def test_the_image_installs_the_runtime_requirements_only_before_copying_the_code():
    steps = _instructions()
    pip = [i for i, (kind, args) in enumerate(steps) if kind == "RUN" and "pip install" in args]
    assert len(pip) == 1
    assert steps[pip[0]][1] == "pip install -r requirements.txt"
    copy_requirements = steps.index(("COPY", "requirements.txt ./"))
    copy_code = steps.index(("COPY", ". ."))
    assert copy_requirements < pip[0] < copy_code  # a code change keeps the packages' layer


def test_runtime_and_dev_requirements_are_split():
    runtime, dev = _requirements("requirements.txt"), _requirements("requirements-dev.txt")
    lines = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert next(line for line in lines if not line.startswith("#")) == "-r requirements.txt"
    assert not DEV_TOOLS & set(runtime)
    assert DEV_TOOLS <= set(dev)
    for package in ("gunicorn", "celery", "redis", "django-redis", "django-dbbackup"):
        assert package in runtime
    # Every pin is what this checkout runs.
    for package, version in dev.items():
        assert importlib.metadata.version(package) == version, package


def test_every_third_party_app_and_backend_comes_from_requirements_txt():
    runtime = set(_requirements("requirements.txt"))
    distributions = importlib.metadata.packages_distributions()
    modules = {app.split(".")[0] for app in settings.INSTALLED_APPS}
    modules |= {"gunicorn", "celery", "django_redis", "dj_database_url", "psycopg", "openpyxl"}
    for module in sorted(modules):
        origin = importlib.util.find_spec(module).origin
        if origin and "site-packages" not in Path(origin).parts:
            continue  # one of ours, not an installed distribution
        names = {name.lower().replace("_", "-") for name in distributions.get(module, [])}
        assert names & runtime, f"{module} is not installed by requirements.txt"


def test_collectstatic_runs_at_build_with_the_steps_own_environment(tmp_path):
    run = next(args for kind, args in _instructions() if kind == "RUN" and "collectstatic" in args)
    words = shlex.split(run)
    env = {}
    while "=" in words[0]:
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    assert "DJANGO_SECRET_KEY" in env and "DJANGO_DEBUG" not in env  # production storage
    env["DJANGO_STATIC_ROOT"] = str(tmp_path / "staticfiles")  # /app/staticfiles in the image
    words[0] = sys.executable if words[0] == "python" else words[0]
    result = _run(words, env)
    assert result.returncode == 0, result.stderr
    manifest = tmp_path / "staticfiles" / "staticfiles.json"
    assert manifest.exists()
    assert list((tmp_path / "staticfiles").rglob("*.css.br")), "whitenoise compresses at build"


def test_gunicorn_loads_the_app_with_the_image_settings():
    env = {**_image_env(), "DJANGO_SECRET_KEY": "k" * 50, "DJANGO_ALLOWED_HOSTS": "localhost"}
    env.pop("DJANGO_MEDIA_ROOT")
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    result = _run([gunicorn, "--check-config", "portal.wsgi"], env)
    assert result.returncode == 0, result.stderr
    env.pop("DJANGO_SECRET_KEY")
    refused = _run([gunicorn, "--check-config", "portal.wsgi"], env)
    assert refused.returncode != 0
    assert "DJANGO_SECRET_KEY" in refused.stderr


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".secret_key", ".demo-logins.json", ".env", ".venv", ".git", "db.sqlite3*"} <= ignored


@pytest.fixture
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_brings_up_the_documented_services(compose):
    services = compose["services"]
    assert set(services) == SERVICES
    for name in ("migrate", "app", "worker", "beat"):
        assert services[name]["build"] == ".", name  # the Dockerfile above
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].endswith("@db:5432/gongkai")
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")
        assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert services["app"]["command"] == ["gunicorn", "portal.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "portal", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "portal", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--no-input"]
    for name in ("app", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["db"]["condition"] == "service_healthy"
    db_env = services["db"]["environment"]
    assert "--locale=C.UTF-8" in db_env["POSTGRES_INITDB_ARGS"]  # pg_trgm needs UTF-8
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]


def test_readme_deploy_section_matches_the_files(compose):
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Deploying with Docker Compose") :]
    section = section[: section.index("\n## ", 1)]
    for name in SERVICES:
        assert f"`{name}`" in section, name
    mandatory = set(re.findall(r"\$\{(\w+):\?", (ROOT / "compose.yaml").read_text()))
    for variable in mandatory:
        assert variable in section, variable
    assert "docker compose up -d --build" in section
