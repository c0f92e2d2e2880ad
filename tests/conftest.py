import os
import shutil

import pytest
from django.core.management import call_command
from django.db import transaction

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render templates without running collectstatic first (see test_static for the real thing)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SITE_URL = "https://yibao.example"


@pytest.fixture
def demo(db):
    """The demo content, exactly as `make run` loads it."""
    call_command("load_demo", verbosity=0)


@pytest.fixture(scope="module")
def demo_content(django_db_setup, django_db_blocker):
    """The demo content loaded once per test module, inside a transaction undone at the module's end
    (each test still runs in its own savepoint), so page tests do not each reload it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def shared_demo(demo_content, db):
    """The demo content, as `make run` loads it, shared by the tests of one module (read-only use)."""


@pytest.fixture
def site(transactional_db, live_server) -> str:
    """The live server's address, with the demo content loaded (as `make run` does). The cache is
    shared with the live server thread (feedback's rate limit counts there), so it starts empty."""
    from django.core.cache import cache

    call_command("load_demo", verbosity=0)
    cache.clear()
    return live_server.url


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Real headless Chromium (Debian's). A missing browser fails the test; it never skips."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if not os.path.exists(path):
        pytest.fail(f"Chromium not found at {path}: install Debian's chromium or set CHROMIUM_PATH")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
