"""A citizen's main paths in chromium: choose a place, open a catalog and an item, search,
switch elderly mode, download the xlsx, use the keyboard. Screenshots at phone and desktop
width land in tests/browser/screenshots/."""

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, horizontal_overflow, screenshot, set_mode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_choose_a_place_then_open_a_catalog_and_an_item(
    page, site, console_errors, width, viewport
):
    page.set_viewport_size(viewport)
    page.goto(site.url + "/")
    expect(page).to_have_title(re.compile("基层政务公开标准目录"))
    screenshot(page, f"{width}-01-home")

    # With JavaScript each level loads in place; the "下一步" button is not needed.
    expect(page.get_by_role("button", name="下一步")).to_be_hidden()
    page.get_by_label("市（州）", exact=True).select_option(label="长春市")
    expect(page.get_by_label("县（市、区）", exact=True)).to_be_enabled()
    page.get_by_label("县（市、区）", exact=True).select_option(label="农安县")
    expect(
        page.get_by_label("乡镇（街道）", exact=True).locator("option", has_text="农安镇")
    ).to_have_count(1)
    screenshot(page, f"{width}-02-home-chosen")
    page.get_by_role("button", name="查看所选地区").click()

    expect(page).to_have_url(re.compile(r"/regions/220122/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("长春市农安县")
    expect(page.get_by_text("农安县民政局").first).to_be_visible()
    assert horizontal_overflow(page) <= 0
    screenshot(page, f"{width}-03-county")

    page.get_by_role("link", name=site.catalogs.nongan_social.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(site.catalogs.nongan_social.title)
    # The draft edit made after publication is not shown.
    expect(page.get_by_text("尚未公开的草稿名称")).to_have_count(0)
    assert horizontal_overflow(page) <= 0
    content_width = page.locator("td.col-content").first.bounding_box()["width"]
    if width == "phone":  # a card: the content spans the card, not a table column
        assert content_width > viewport["width"] * 0.7
    else:
        assert content_width < viewport["width"] * 0.3
    screenshot(page, f"{width}-04-catalog")

    page.get_by_role("link", name="急难型临时救助对象名单").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("临时救助 · 急难型临时救助对象名单")
    expect(page.get_by_text("本地新增事项")).to_be_visible()
    expect(page.get_by_text("其他(乡镇广播)")).to_be_visible()
    expect(page.get_by_role("link", name="0431-83221234")).to_have_attribute(
        "href", "tel:043183221234"
    )
    assert horizontal_overflow(page) <= 0
    screenshot(page, f"{width}-05-item")
    assert console_errors == []


def test_the_chooser_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(site.url + "/")

    page.get_by_label("市（州）", exact=True).select_option(label="长春市")
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("县（市、区）", exact=True).select_option(label="农安县")
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("乡镇（街道）", exact=True).select_option(label="农安镇")
    screenshot(page, "phone-06-home-no-js")
    page.get_by_role("button", name="查看所选地区").click()

    expect(page).to_have_url(re.compile(r"/regions/220122100/$"))
    expect(page.get_by_role("link", name=site.catalogs.town_social.title)).to_be_visible()
    context.close()


def test_find_a_place_by_name(page, site):
    page.goto(site.url + "/")
    place = page.get_by_role("searchbox", name=re.compile("^地名"))
    place.fill("伏龙")
    place.press("Enter")

    link = page.get_by_role("link", name="伏龙泉镇", exact=True)
    expect(link).to_be_visible()
    expect(page.get_by_text("长春市 › 农安县 › 伏龙泉镇")).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("长春市农安县伏龙泉镇")
    expect(page.get_by_text("尚未公开社会救助和养老服务领域的目录")).to_be_visible()


@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_search_with_a_filter_keeps_it_in_the_url(page, site, console_errors, width, viewport):
    page.set_viewport_size(viewport)
    page.goto(site.url + "/search/")
    page.get_by_label("关键词").fill("救助")
    # The cascading picker: choosing a city fills its counties from the API.
    page.get_by_label("市（州）").select_option(label="长春市")
    page.get_by_label("县（市、区）").select_option(label="农安县")
    page.get_by_label("公开方式").select_option("依申请")
    page.get_by_role("button", name="应用筛选").click()

    expect(page).to_have_url(re.compile(r"q=%E6%95%91%E5%8A%A9"))
    assert "region=220122" in page.url and "method=%E4%BE%9D%E7%94%B3%E8%AF%B7" in page.url
    expect(page.get_by_role("heading", name=re.compile(r"找到 1 个公开事项"))).to_be_visible()
    results = page.locator(".result")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("急难型临时救助对象名单")
    # The form shows the filters it ran with.
    expect(page.get_by_label("县（市、区）")).to_have_value("220122")
    expect(page.get_by_label("公开方式")).to_have_value("依申请")
    assert horizontal_overflow(page) <= 0
    screenshot(page, f"{width}-07-search")

    page.get_by_role("link", name=re.compile("急难型临时救助对象名单")).click()
    expect(page).to_have_url(re.compile(str(site.local_item.public_id)))
    assert console_errors == []


def test_search_results_page_through_with_the_filters(page, site):
    page.goto(site.url + "/search/?region=2201&audience=%E5%85%A8%E7%A4%BE%E4%BC%9A")
    expect(page.locator("#results-heading")).to_contain_text("第 1/")

    page.get_by_role("navigation", name="搜索结果分页").get_by_role("link", name="下一页").click()

    assert "page=2" in page.url
    assert "region=2201" in page.url and "audience=" in page.url
    expect(page.locator("#results-heading")).to_contain_text("第 2/")


def font_size(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_elderly_mode_enlarges_text_is_remembered_and_keeps_pages_readable(
    page, site, console_errors, width, viewport
):
    page.set_viewport_size(viewport)
    catalog_url = f"{site.url}/catalogs/{site.catalogs.nongan_social.pk}/"
    page.goto(catalog_url)
    normal = font_size(page)
    line_height = page.evaluate(
        "parseFloat(getComputedStyle(document.body).lineHeight) / "
        "parseFloat(getComputedStyle(document.body).fontSize)"
    )
    assert line_height >= 1.5

    elder = page.get_by_role("button", name="长辈模式")
    expect(elder).to_have_attribute("aria-pressed", "false")
    elder.click()
    expect(elder).to_have_attribute("aria-pressed", "true")
    assert font_size(page) >= normal * 1.25
    # In large type the official table becomes one card per item, at any width.
    assert (
        page.locator(".official-table thead").evaluate("e => getComputedStyle(e).display") == "none"
    )
    assert horizontal_overflow(page) <= 0
    screenshot(page, f"{width}-08-catalog-elderly")

    page.reload()
    expect(page.get_by_role("button", name="长辈模式")).to_have_attribute("aria-pressed", "true")
    assert font_size(page) >= normal * 1.25

    page.get_by_role("button", name="特大").click()
    page.get_by_role("button", name="高对比度").click()
    page.goto(f"{site.url}/items/{site.first_item.public_id}/")
    assert font_size(page) >= normal * 1.5
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(0, 0, 0)"
    expect(page.get_by_role("button", name="高对比度")).to_have_attribute("aria-pressed", "true")
    assert horizontal_overflow(page) <= 0
    screenshot(page, f"{width}-09-item-xl-contrast")

    page.get_by_role("button", name="标准").click()
    page.get_by_role("button", name="高对比度").click()
    page.reload()
    assert font_size(page) == normal
    assert page.evaluate("document.documentElement.hasAttribute('data-contrast')") is False
    assert console_errors == []


def test_download_the_catalog_as_xlsx(page, site):
    catalog = site.catalogs.nongan_social
    page.goto(f"{site.url}/catalogs/{catalog.pk}/")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel 表格（标准格式）").click()
    download = download_info.value

    assert download.suggested_filename.endswith(".xlsx")
    assert catalog.title in download.suggested_filename
    workbook = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    cells = {str(cell.value) for row in workbook.active.iter_rows() for cell in row if cell.value}
    assert catalog.title in cells
    assert "急难型临时救助对象名单" in cells
    assert "尚未公开的草稿名称" not in cells


def test_the_catalog_prints_as_the_official_table(page, site):
    page.goto(f"{site.url}/catalogs/{site.catalogs.nongan_social.pk}/")
    page.emulate_media(media="print")

    assert page.locator(".site-header").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator(".toolbar").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator(".official-table").evaluate("e => getComputedStyle(e).display") == "table"
    assert (
        page.locator(".official-table thead").evaluate("e => getComputedStyle(e).display")
        == "table-header-group"
    )
    page.pdf(path=str(screenshot(page, "desktop-10-catalog-print").with_suffix(".pdf")))


def test_keyboard_reaches_the_skip_link_first_and_focus_is_visible(page, site):
    page.goto(f"{site.url}/catalogs/{site.catalogs.nongan_social.pk}/")

    page.keyboard.press("Tab")
    focused = page.evaluate_handle("document.activeElement")
    assert focused.evaluate("e => e.textContent.trim()") == "跳到主要内容"
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] > 0  # moved on screen when focused
    outline = focused.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert not outline.startswith("none")
    screenshot(page, "desktop-11-skip-link")

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Whatever takes focus next shows a visible ring.
    for _ in range(3):
        page.keyboard.press("Tab")
        ring = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; })()"
        )
        assert ring


def test_elderly_mode_switches_with_the_keyboard(page, site):
    page.goto(site.url + "/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # site name
    page.keyboard.press("Tab")  # 长辈模式
    assert page.evaluate("document.activeElement.textContent.trim()") == "长辈模式"
    page.keyboard.press("Enter")

    assert page.evaluate("document.documentElement.dataset.text") == "lg"


def test_a_returning_visitor_gets_large_type_before_anything_is_drawn(browser, site):
    context = browser.new_context(viewport=PHONE)
    set_mode(context, "elderly")
    # Note the text size at the moment <body> enters the document, before the first paint.
    context.add_init_script(
        "new MutationObserver((records, observer) => {"
        "  if (document.body) {"
        "    window.__textAtBody = document.documentElement.getAttribute('data-text');"
        "    observer.disconnect();"
        "  }"
        "}).observe(document, {childList: true, subtree: true});"
    )
    page = context.new_page()

    page.goto(site.url + "/")

    assert page.evaluate("window.__textAtBody") == "lg"
    assert font_size(page) == 20  # 125% of 16px
    context.close()
