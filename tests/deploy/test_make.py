"""`make test` on a fresh machine: what the browser tests need is installed first, or the run
stops with one message saying what to install; the packages follow both requirements files."""

import os
import re
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SCRIPT = ROOT / ".ci" / "browser-deps"


def _fake_bin(tmp_path: Path, **commands: str) -> str:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, body in commands.items():
        path = folder / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    return f"{folder}:{os.environ['PATH']}"


def _browser_deps(path: str, chromium: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script
        ["/bin/sh", str(SCRIPT)],
        env={**os.environ, "PATH": path, "CHROMIUM": chromium},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_root_it_stops_with_the_command_to_run(tmp_path):
    path = _fake_bin(tmp_path, id="echo 1000", **{"apt-get": "exit 1"})
    result = _browser_deps(path, chromium=str(tmp_path / "no-chromium"))
    assert result.returncode == 1
    assert "浏览器测试需要 Debian 的 chromium 和中文字体" in result.stderr
    assert "The browser tests need Debian's chromium" in result.stderr
    assert "sudo apt-get install chromium fonts-noto-cjk" in result.stderr
    assert "make test-fast" in result.stderr


def test_as_root_it_installs_with_apt_and_stops_if_that_did_not_help(tmp_path):
    log = tmp_path / "apt.log"
    path = _fake_bin(tmp_path, id="echo 0", **{"apt-get": f'echo "$@" >> {log}'})
    result = _browser_deps(path, chromium=str(tmp_path / "no-chromium"))
    calls = log.read_text().splitlines()
    assert calls[0] == "update -qq"
    assert calls[1].startswith("install -y") and "chromium" in calls[1]
    assert result.returncode == 1  # the fake apt-get installed nothing
    assert "sudo apt-get install chromium fonts-noto-cjk" in result.stderr


def test_with_chromium_and_fonts_present_it_does_nothing(tmp_path):
    path = _fake_bin(
        tmp_path,
        id="echo 1000",
        **{"fc-list": "echo 'Noto Sans CJK SC:style=Regular'", "apt-get": "exit 9"},
    )
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    result = _browser_deps(path, chromium=str(chromium))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_make_test_checks_browser_deps_and_installs_both_requirement_files():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^\$\(STAMP\): requirements\.txt requirements-dev\.txt", makefile, re.M)
    assert "pip install --quiet -r requirements-dev.txt" in makefile
    assert re.search(r"^test: \$\(STAMP\) browser-deps$", makefile, re.M)
    assert re.search(r"^browser-deps:\n\t@sh \.ci/browser-deps$", makefile, re.M)
    assert re.search(r"^test-fast: \$\(STAMP\)$", makefile, re.M)  # runs without chromium
