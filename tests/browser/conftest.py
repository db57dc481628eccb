"""Browser tests: pytest-playwright with Debian's chromium against pytest-django's live_server.

Never run ``playwright install``: the browser is /usr/bin/chromium (installed by .ci/run).
Screenshots go to tests/browser/screenshots/ (git-ignored) for a developer to look at.
"""

import json
import os
from pathlib import Path
from types import SimpleNamespace

import axe_playwright_python
import pytest

from catalogs.models import Region
from catalogs.permissions import SYSTEM
from items.services import catalog_publish, item_create, item_set_extra_elements, item_update
from tests.conftest import localise

# Playwright's sync API keeps an event loop running in the main thread for the whole
# session; Django's ORM refuses to run there unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()

# Reading settings as the site's own script stores them (static/portal/js/prefs.js).
MODES = {
    "normal": {},
    "elderly": {"gk-text-size": "lg"},
    "elderly-xl-contrast": {"gk-text-size": "xl", "gk-contrast": "high"},
}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP, "locale": "zh-CN"}


@pytest.fixture
def site(live_server, catalogs, regions):
    """What a citizen sees: 农安县's two catalogs and 农安镇's published; 永吉县's a draft."""
    nongan = regions.nongan
    nongan.office_name = "农安县民政局"
    nongan.contact_name = "王老师"
    nongan.contact_phone = "0431-83221234"
    nongan.address = "吉林省长春市农安县黄龙路1号"
    nongan.save()
    for catalog in (catalogs.nongan_social, catalogs.nongan_elderly, catalogs.town_social):
        localise(catalog)
    first = catalogs.nongan_social.items.order_by("seq").first()
    item_set_extra_elements(
        actor=SYSTEM, item=first, extras=[("办理地点", "县政务服务中心3号窗口")]
    )
    local = item_create(
        actor=SYSTEM,
        catalog=catalogs.nongan_social,
        level1="临时救助",
        level2="急难型临时救助对象名单",
        content="●救助对象姓名\n●救助金额\n●救助事由",
        basis="《吉林省临时救助实施办法》",
        deadline="救助审批之日起5个工作日内",
        subject="农安县民政局",
        channels=["政府网站", "其他"],
        channel_other="乡镇广播",
        audience=["特定群体"],
        method=["依申请"],
        levels=["县级"],
    )
    publications = {
        name: catalog_publish(actor=SYSTEM, catalog=getattr(catalogs, name), note="首次公开")
        for name in ("nongan_social", "nongan_elderly", "town_social")
    }
    # A draft edit after publication: citizens must not see it.
    item_update(actor=SYSTEM, item=first, level2="尚未公开的草稿名称")
    return SimpleNamespace(
        url=live_server.url,
        catalogs=catalogs,
        regions=regions,
        publications=publications,
        first_item=first,
        local_item=local,
        county=Region.objects.get(code="220122"),
    )


@pytest.fixture
def console_errors(page):
    """JavaScript errors and CSP refusals on the page; a test asserts there are none."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    return errors


def set_mode(context, mode: str) -> None:
    """Store the reading settings before any page script runs, as a returning visitor has."""
    values = MODES[mode]
    script = "".join(
        f"window.localStorage.setItem({json.dumps(key)}, {json.dumps(value)});"
        for key, value in values.items()
    )
    if script:
        context.add_init_script(script)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page) -> list[dict]:
    """Every violation axe-core finds on the page as it is now, of any impact."""
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


def is_serious(violation: dict) -> bool:
    return violation["impact"] in ("serious", "critical")


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the viewport (0: no sideways scrolling)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
