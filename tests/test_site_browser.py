"""The built site in a real browser: Debian's Chromium driven by Playwright.

Skipped when Playwright or /usr/bin/chromium is missing (`.ci/run` installs
both). Never downloads a browser. Every request that would leave 127.0.0.1 is
blocked and fails the test; so does any console error.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kbtool.config import load_config
from kbtool.site import build_site
from kbtool.site.serve import SiteServer


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Kept article bodies go to a cache folder of this module's own, not the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
        yield


CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.browser

WIDGET_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Product page</title></head>
<body><main><h1>Settings</h1>
<div id="help" data-kbtool-widget="account/security" data-title="Hjälp"></div>
</main><script src="_static/widget.js" defer></script></body></html>
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium)")
    pytest.importorskip("playwright.sync_api")
    out = tmp_path_factory.mktemp("browser") / "site"
    config, _ = load_config(REPO)
    result = build_site(config, out=out, search=True)
    assert result.search_index, result.warnings
    (out / "widget-test.html").write_text(WIDGET_PAGE, encoding="utf-8")
    server = SiteServer(out, 0)
    server.start()
    yield server
    server.stop()


class Browser:
    def __init__(self, context: Any, base: str) -> None:
        self.context = context
        self.base = base
        self.errors: list[str] = []
        self.outside: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, path: str) -> Any:
        page = self.context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.goto(self.base + path)
        return page


@pytest.fixture(scope="module")
def browser(server: SiteServer) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="kbtool-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        try:
            yield Browser(context, server.url)
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def clean(browser: Browser) -> Iterator[Browser]:
    browser.errors.clear()
    browser.outside.clear()
    yield browser
    assert browser.errors == [], "console errors"
    assert browser.outside == [], "requests left 127.0.0.1"


def test_home_search_finds_an_article_and_the_click_lands_on_it(clean: Browser) -> None:
    page = clean.open("en/")
    page.fill("#q", "forgot password")
    link = page.locator("[data-results] a", has_text="Reset your password").first
    link.wait_for(timeout=15_000)
    link.click()
    page.wait_for_url("**/en/account/reset-password/")
    assert page.locator("h1").inner_text() == "Reset your password"


def test_chinese_search_finds_a_chinese_article(clean: Browser) -> None:
    page = clean.open("zh-cn/")
    page.fill("#q", "密码")
    link = page.locator("[data-results] a", has_text="重置您的密码").first
    link.wait_for(timeout=15_000)
    assert "/zh-cn/account/reset-password/" in str(link.get_attribute("href"))


def test_search_page_filters_by_section(clean: Browser) -> None:
    page = clean.open("en/search/?q=widget&section=Troubleshooting")
    page.locator("[data-results] li").first.wait_for(timeout=15_000)
    hrefs = [a.get_attribute("href") for a in page.locator("[data-results] a").all()]
    assert hrefs and all("/en/troubleshooting/" in str(h) for h in hrefs)


def test_language_switcher_goes_to_the_translation(clean: Browser) -> None:
    page = clean.open("en/account/reset-password/")
    page.click("details.lang summary")
    page.click("details.lang a[hreflang=sv]")
    page.wait_for_url("**/sv/account/reset-password/")
    assert page.locator("html").get_attribute("lang") == "sv"


def test_contact_form_suggests_articles_while_typing(clean: Browser) -> None:
    page = clean.open("en/contact/")
    page.locator("#subject").press_sequentially("forgot my password", delay=20)
    suggestion = page.locator("[data-suggestions] a").first
    suggestion.wait_for(timeout=10_000)
    titles = page.locator("[data-suggestions] a").all_inner_texts()
    assert "Reset your password" in titles and len(titles) <= 3
    assert page.locator("[data-suggest]").is_visible()


def test_widget_js_renders_a_product_areas_articles(clean: Browser) -> None:
    page = clean.open("widget-test.html")
    page.locator("#help nav a").first.wait_for(timeout=10_000)
    titles = page.locator("#help nav a").all_inner_texts()
    assert "Återställ ditt lösenord" in titles
    assert page.locator("#help h2").inner_text() == "Hjälp"
    href = page.locator("#help nav a").first.get_attribute("href")
    assert href and href.startswith(clean.base + "sv/")


def test_pages_have_no_console_errors(clean: Browser) -> None:
    for path in ("", "en/", "sv/account/", "zh-cn/account/reset-password/", "404.html"):
        clean.open(path).close()
