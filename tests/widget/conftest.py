"""Browser fixtures: Debian's Chromium driven by Playwright (no browser downloads)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.servers import REPO_ROOT
from tests.widget.chat import DESKTOP, PHONE, Chat

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE = REPO_ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Not for the session: while Playwright's sync API is
    started, its event loop counts as running in the thread, so a later module's
    `asyncio.run` fails; under pytest-xdist any module can come after a browser one."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: run `make widget-test-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _new_chat(browser, demo_url, request, **context_options):
    context = browser.new_context(**({"viewport": DESKTOP} | context_options))
    context.set_default_timeout(30_000)
    page = context.new_page()
    chat = Chat(page, demo_url)
    request.addfinalizer(context.close)
    return chat


@pytest.fixture
def chat(browser, demo_server, request):
    """A fresh visitor (own browser context, so own storage) on the demo page, at desktop size."""
    chat = _new_chat(browser, demo_server.url, request)
    yield chat
    chat.assert_no_page_errors()


@pytest.fixture
def phone_chat(browser, demo_server, request):
    """A fresh visitor on a 375 px wide touch phone."""
    chat = _new_chat(browser, demo_server.url, request, **PHONE)
    yield chat
    chat.assert_no_page_errors()


@pytest.fixture
def new_chat(browser, request):
    """Factory: new_chat(page_url, **context_options) -> Chat, for pages other than the demo."""
    return lambda url, **options: _new_chat(browser, url, request, **options)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `make widget-build` (npm ci installs axe-core)")
    return AXE.read_text()
