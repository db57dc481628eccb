"""Staff pages in headless chromium: the correction loop (with its click counts), axe-core on
every staff page kind in normal and elderly mode at 1366 px and 390 px, no sideways scrolling
on a phone, and no English in what staff read.

Each role logs in once per test (a session made by the test client, handed to a browser
context); the pages of a role are walked in that one context. Every run writes
tests/browser/screenshots/staff-axe-<mode>-<width>.json with what axe found on each page, and
staff-clicks.json with the click counts of the loop; STAFF_SCREENSHOTS=1 also keeps a
screenshot of every page (otherwise only of the pages that fail).
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from catalogs.models import CatalogStatus
from catalogs.permissions import SYSTEM
from items.imports import catalog_export_workbook
from items.services import catalog_derive, catalog_publish, item_update
from review.models import Finding, FindingState, Severity
from review.services import (
    acceptance_decide,
    checks_run,
    ensure_default_campaign,
    finding_answer,
    finding_create,
)
from review.services.corrections import catalog_resubmit
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    axe_violations,
    horizontal_overflow,
    screenshot,
    set_mode,
)
from tests.conftest import localise, log_in
from tests.factories import advance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots of every page (STAFF_SCREENSHOTS=1); otherwise only of pages that fail.
ALL_SCREENSHOTS = bool(os.environ.get("STAFF_SCREENSHOTS"))

S = CatalogStatus


# ---------------------------------------------------------------------------
# The year as staff meet it: a returned catalog, answered findings, an accepted catalog
# ---------------------------------------------------------------------------


def _finding(reviewer, catalog, seq: int, element: str, description: str, due_days: int):
    return finding_create(
        actor=reviewer,
        catalog=catalog,
        item=catalog.items.get(seq=seq),
        element=element,
        severity=Severity.WARNING,
        description=description,
        required_fix=f"请修改{description[:6]}",
        due_on=timezone.localdate() + timedelta(days=due_days),
    )


@pytest.fixture
def year(live_server, users, catalogs, regions, standards):
    """农安县社会救助 returned with two findings; 农安镇社会救助 resubmitted with an answered
    finding (its item changed); 农安县养老服务 accepted; 伏龙泉镇 reviewed (录入 locks it);
    永吉县 published."""
    ensure_default_campaign()
    reviewer = users.reviewer
    for catalog in vars(catalogs).values():
        localise(catalog)
        catalog_publish(actor=SYSTEM, catalog=catalog, note="首次公开")

    returned = advance(catalogs.nongan_social, S.ACCEPTING)
    checks_run(actor=SYSTEM, catalog=returned)
    _finding(reviewer, returned, 1, "subject", "公开主体应写明具体科室", 5)
    _finding(reviewer, returned, 2, "deadline", "公开时限与标准不一致", 9)
    acceptance_decide(
        actor=reviewer, catalog=returned, decision="return", note="两处要素须整改后再提交复验。"
    )

    answered = catalogs.town_social
    finding = _finding(reviewer, answered, 1, "subject", "公开主体应为镇人民政府", 7)
    item = answered.items.get(seq=1)
    item_update(actor=users.township_editor, item=item, subject="农安镇人民政府社会事务办公室")
    finding_answer(actor=users.township_editor, finding=finding, answer="已改为具体办公室。")
    catalog_resubmit(actor=users.township_editor, catalog=answered)

    accepted = advance(catalogs.nongan_elderly, S.ACCEPTED)
    reviewed = catalog_derive(actor=SYSTEM, region=regions.fulongquan, standard=standards.social)
    reviewed = advance(reviewed, S.REVIEWED)
    return SimpleNamespace(
        url=live_server.url,
        users=users,
        returned=returned,
        answered=answered,
        accepted=accepted,
        reviewed=reviewed,
        other=catalogs.yongji_social,
        finding=finding,
    )


def open_as(browser, live_server, user, *, viewport=DESKTOP, mode="normal"):
    """A browser context logged in as ``user`` (one session for every page it opens)."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    set_mode(context, mode)
    if user is not None:
        client = log_in(Client(), user)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context


def login_error(page, url: str, catalog) -> None:
    """The admin login page after a wrong password."""
    page.goto(f"{url}/admin/login/")
    page.fill("input[name=username]", "nongan-editor")
    page.fill("input[name=password]", "wrong-password")
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()


def import_preview(page, url: str, catalog) -> None:
    """Upload the catalog's own export with one subject changed: the import preview page."""
    workbook = load_workbook(BytesIO(catalog_export_workbook(catalog)))
    sheet = workbook.active
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.endswith("民政局"):
                cell.value = "农安县民政局社会救助科"
                break
    path = SCREENSHOTS / "staff-import.xlsx"
    SCREENSHOTS.mkdir(exist_ok=True)
    workbook.save(path)
    page.goto(f"{url}/admin/catalogs/catalog/{catalog.pk}/import-excel/")
    page.set_input_files("input[type=file]", str(path))
    page.locator("#content-main form [type=submit]").first.click()
    page.wait_for_load_state()


def staff_pages(year) -> dict[str, dict[str, str]]:
    """Every staff page kind, by the role that opens it (path, or a callable that gets there)."""
    returned, answered, accepted = year.returned, year.answered, year.accepted
    item = returned.items.get(seq=1)
    decision = accepted.acceptance_decisions.latest("decided_at")
    return {
        "county_editor": {
            "editor-workspace": "/review/",
            "catalog-review-returned": f"/review/catalogs/{returned.pk}/",
            "correct-findings": f"/review/catalogs/{returned.pk}/correct/",
            "resubmit-confirm": f"/review/catalogs/{returned.pk}/resubmit/",
            "finding-detail": f"/review/findings/{returned.findings.first().pk}/",
            "move-confirm": f"/review/catalogs/{year.reviewed.pk}/move/?to=entered",
            "admin-home": "/admin/",
            "admin-catalog-list": "/admin/catalogs/catalog/",
            "admin-catalog-change": f"/admin/catalogs/catalog/{returned.pk}/change/",
            "admin-catalog-accepted": f"/admin/catalogs/catalog/{accepted.pk}/change/",
            "admin-catalog-locked": f"/admin/catalogs/catalog/{answered.pk}/change/",
            "admin-item-list": f"/admin/items/item/?catalog__id__exact={returned.pk}",
            "admin-item-change": f"/admin/items/item/{item.pk}/change/",
            "admin-publish": f"/admin/catalogs/catalog/{returned.pk}/publish/",
            "admin-import-preview": import_preview,
        },
        "township_editor": {
            "township-workspace": "/review/",
        },
        "coordinator": {
            "city-workspace": "/review/cities/2201/",
            "city-move-confirm": f"/review/catalogs/{year.reviewed.pk}/move/?to=entered",
            "coordinator-admin-home": "/admin/",
        },
        "reviewer": {
            "province-dashboard": "/review/province/",
            "acceptance-queue": "/review/queue/",
            "catalog-review-entered": f"/review/catalogs/{answered.pk}/",
            "finding-new": f"/review/catalogs/{answered.pk}/findings/new/?item="
            f"{answered.items.get(seq=2).pk}",
            "verify-answers": f"/review/catalogs/{answered.pk}/verify/",
            "return-confirm": f"/review/catalogs/{answered.pk}/move/?to=returned",
            "campaigns": "/review/campaigns/",
            "acceptance-report": f"/review/decisions/{decision.pk}/",
            "compare-accepted": f"/review/catalogs/{accepted.pk}/compare/",
            "city-rollup-as-reviewer": "/review/cities/2201/",
        },
        "anonymous": {
            "admin-login-error": login_error,
        },
        "admin": {
            "province-admin-home": "/admin/",
            "standard-item-change": f"/admin/catalogs/standarditem/{item.standard_item_id}/change/",
        },
    }


# ---------------------------------------------------------------------------
# No English: runs of three or more ASCII letters outside codes, addresses and identifiers
# ---------------------------------------------------------------------------

VISIBLE_TEXT = """() => {
  const skip = (node) => node.closest('[lang="en"], code, kbd, samp, script, style');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || skip(parent)) continue;
    const style = window.getComputedStyle(parent);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (!parent.getClientRects().length) continue;
    parts.push(node.textContent);
  }
  return parts.join(' ');
}"""
# Addresses, e-mail addresses, file names, identifiers with digits or dashes (rule numbers,
# region codes, item keys) are no English words.
NOT_WORDS = re.compile(
    r"https?://\S+|[\w.+-]+@[\w.-]+|\S+\.(?:xlsx|xlsm|xls|csv|json)\b|[A-Za-z]+[-_0-9][\w-]*"
    r"|\b[A-Z]{3,}-\d+"
)
ENGLISH = re.compile(r"[A-Za-z]{3,}")
# The names of the spreadsheet programs staff open the official tables with.
PRODUCT_NAMES = frozenset({"Excel", "WPS"})


WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0 && !inScroller(el)) {
      found.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
        ' ' + Math.round(r.right));
    }
  }
  return found.slice(-8);
}"""


def english_words(text: str) -> list[str]:
    return sorted(set(ENGLISH.findall(NOT_WORDS.sub(" ", text))) - PRODUCT_NAMES)


# ---------------------------------------------------------------------------
# axe-core, sideways scrolling and English on every staff page kind
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "width", "viewport"),
    [
        ("normal", "desktop", DESKTOP),
        ("elderly", "desktop", DESKTOP),
        ("normal", "phone", PHONE),
        ("elderly", "phone", PHONE),
    ],
)
def test_every_staff_page_kind_passes_axe(browser, live_server, year, mode, width, viewport):
    report, failures, console = {}, {}, {}
    for role, pages in staff_pages(year).items():
        context = open_as(
            browser, live_server, getattr(year.users, role, None), viewport=viewport, mode=mode
        )
        page = context.new_page()
        errors: list[str] = []
        current = {"name": ""}
        page.on(
            "console",
            lambda m, errors=errors, current=current: (
                m.type == "error" and errors.append(f"{current['name']}: {m.text}")
            ),
        )
        for name, target in pages.items():
            current["name"] = name
            if callable(target):
                target(page, year.url, year.returned)
                status = 200
            else:
                response = page.goto(year.url + target)
                status = response.status
            violations = axe_violations(page)
            overflow = horizontal_overflow(page)
            english = english_words(page.evaluate(VISIBLE_TEXT))
            report[name] = {
                "role": role,
                "status": status,
                "url": page.url.removeprefix(year.url),
                "violations": violations,
                "overflow": overflow,
                "english": english,
            }
            if status >= 400:
                failures[f"{name} (HTTP {status})"] = page.url
            if violations:
                failures[name] = violations
            if overflow > 0:
                failures[f"{name} (sideways scrolling)"] = [overflow, page.evaluate(WIDE_ELEMENTS)]
            if english:
                failures[f"{name} (English)"] = english
            if ALL_SCREENSHOTS or any(key.startswith(name) for key in failures):
                screenshot(page, f"staff-{width}-{mode}-{name}")
        # Reported, not failed on: the admin's own scripts and styles are another matter.
        console[role] = errors
        context.close()
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"staff-axe-{mode}-{width}.json").write_text(
        json.dumps(
            {"pages": report, "failures": failures, "console": console},
            ensure_ascii=False,
            indent=2,
        )
    )
    assert failures == {}


# ---------------------------------------------------------------------------
# The correction loop, counted
# ---------------------------------------------------------------------------


class Actions:
    """Clicks, typing and choices a person makes, counted per phase of the journey."""

    def __init__(self, page):
        self.page = page
        self.counts: dict[str, int] = {}
        self.phase = ""

    def start(self, phase: str) -> None:
        self.phase = phase
        self.counts[phase] = 0

    def _count(self) -> None:
        self.counts[self.phase] += 1

    def click(self, selector: str) -> None:
        self._count()
        self.page.locator(selector).first.click()
        self.page.wait_for_load_state()

    def fill(self, selector: str, text: str) -> None:
        self._count()
        self.page.locator(selector).first.fill(text)

    def check(self, selector: str) -> None:
        self._count()
        self.page.locator(selector).first.check()

    def select(self, selector: str, value: str) -> None:
        self._count()
        self.page.locator(selector).first.select_option(value)


@pytest.fixture
def accepting(live_server, users, catalogs):
    """农安县社会救助 under acceptance, its publication checked."""
    ensure_default_campaign()
    catalog = advance(catalogs.nongan_social, S.ACCEPTING)
    checks_run(actor=SYSTEM, catalog=catalog)
    return catalog


def test_the_correction_loop_in_few_actions(browser, live_server, users, accepting):
    catalog = accepting
    first, second = catalog.items.get(seq=1), catalog.items.get(seq=2)
    url = live_server.url

    reviewer = open_as(browser, live_server, users.reviewer)
    page = reviewer.new_page()
    act = Actions(page)
    page.goto(f"{url}/review/catalogs/{catalog.pk}/")
    # Recording a finding from the item's row: the row's button, what is wrong, save.
    act.start("record one finding")
    act.click(f"#item-{first.pk} a:has-text('登记问题')")
    act.fill("textarea[name=description]", "公开主体应写明具体科室")
    act.click("button:has-text('保存问题')")
    assert page.url.endswith(f"#item-{first.pk}")
    act.start("record a second finding")
    act.click(f"#item-{second.pk} a:has-text('登记问题')")
    act.select("select[name=element]", "deadline")
    act.fill("textarea[name=description]", "公开时限与标准不一致")
    act.click("button:has-text('保存问题')")
    act.start("return the catalog")
    act.check("input[name=decision][value=return]")
    act.fill("textarea[name=note]", "两处要素须整改后再提交复验。")
    act.click("button:has-text('作出验收结论')")
    catalog.refresh_from_db()
    assert catalog.status == S.RETURNED
    reviewer.close()

    county = open_as(browser, live_server, users.county_editor)
    page = county.new_page()
    act.page = page
    page.goto(f"{url}/review/")
    assert "两处要素须整改后再提交复验。" in page.locator("#returned ~ div").first.inner_text()
    act.start("county answers and resubmits")
    act.click("a:has-text('整改并提交复验')")
    findings = list(catalog.findings.filter(source="reviewer").order_by("pk"))
    # The first finding is about the whole item: its elements open on request.
    act.click(f"#finding-{findings[0].pk} summary:has-text('修改该事项的要素')")
    act.fill(f"input[name=f{findings[0].pk}-subject]", "农安县民政局社会救助科")
    act.fill(f"input[name=f{findings[1].pk}-deadline]", "制定或获取信息之日起10个工作日内")
    act.fill(f"textarea[name=f{findings[1].pk}-answer]", "已按标准改正时限。")
    act.click("button[name=resubmit]")
    assert "提交后目录锁定" in page.content()
    act.click("button:has-text('确认提交复验')")
    catalog.refresh_from_db()
    assert catalog.status == S.ENTERED
    first.refresh_from_db()
    assert first.subject == "农安县民政局社会救助科"
    county.close()

    reviewer = open_as(browser, live_server, users.reviewer)
    page = reviewer.new_page()
    act.page = page
    page.goto(f"{url}/review/")
    act.start("reviewer verifies and accepts")
    act.click(f"a[href='/review/catalogs/{catalog.pk}/verify/']")
    assert page.locator("ins:has-text('社会救助科')").count() == 1
    for finding in findings:
        act.check(f"input[name=f{finding.pk}-verdict][value=verified]")
    act.click("button:has-text('保存核验结果')")
    act.click("button:has-text('开始验收')")
    # No 运行自动检查: 提交复验 checked the new publication already.
    act.check("input[name=decision][value=accept]")
    act.fill("textarea[name=note]", "整改到位，同意通过验收。")
    act.click("button:has-text('作出验收结论')")
    catalog.refresh_from_db()
    assert catalog.status == S.ACCEPTED
    assert set(
        Finding.objects.filter(pk__in=[f.pk for f in findings]).values_list("state", flat=True)
    ) == {FindingState.VERIFIED}
    reviewer.close()

    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "staff-clicks.json").write_text(
        json.dumps(act.counts, ensure_ascii=False, indent=2)
    )
    assert act.counts["record one finding"] <= 3
    assert act.counts["county answers and resubmits"] <= 7
    assert act.counts["reviewer verifies and accepts"] <= 8
