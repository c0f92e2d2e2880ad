import os
import shutil

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.test import Client, override_settings

from guides.models import Article, PolicyEntry, Region, Topic
from tests import demo_snapshot
from tests.browsing import STAFF_PASSWORD
from tests.factories import make_policy_entry, make_region, make_staff, restore_staff_groups
from tests.reading import Page, read

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


SITE_URL = "https://yibao.example"


@pytest.fixture(scope="session", autouse=True)
def test_settings():
    """For the whole session: templates render without running collectstatic first (test_static runs
    the real thing); whitenoise looks a static file up when asked instead of listing a local
    STATIC_ROOT for every test client (a collected staticfiles/ holds hundreds of files); passwords
    are hashed with a fast hasher, since hashing is not under test; links start with SITE_URL; the page
    cache is off except where its own tests turn it on (the demo content is put back with raw SQL)."""
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        WHITENOISE_AUTOREFRESH=True,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SITE_URL=SITE_URL,
        PAGE_CACHE_SECONDS=0,  # tests/test_page_cache.py turns it on
    ):
        yield


@pytest.fixture
def redis_caches() -> dict:
    """CACHES for a real Redis (REDIS_URL; CI starts one), one database per test worker: the page cache's
    published state is one key, which parallel workers with their own test databases must not share."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL names a Redis server (CI starts one)")
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    location = f"{url.rsplit('/', 1)[0]}/{1 + worker}"
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}}


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker) -> list[demo_snapshot.Table]:
    """The rows a real `load_demo` adds, read once per test session (the load itself is undone)."""
    with django_db_blocker.unblock():
        return demo_snapshot.take()


@receiver(post_migrate)
def put_back_staff_groups(sender, **kwargs) -> None:
    """A transactional test (the browser tests, say) ends by emptying every table; Django then puts
    back permissions and content types (post_migrate) but not the groups the migrations made, which
    every later test of the session expects."""
    if sender.label == "guides":
        restore_staff_groups()


_module_demo = {"in_place": False}


@pytest.fixture
def demo(db, demo_rows):
    """The demo content, exactly as `make run` loads it (put back from the session's snapshot, unless
    the module's shared copy is already there)."""
    if not _module_demo["in_place"]:
        demo_snapshot.restore(demo_rows)


@pytest.fixture(scope="module")
def demo_content(demo_rows, django_db_blocker):
    """The demo content put back once per test module, inside a transaction undone at the module's
    end (each test still runs in its own savepoint), so page tests do not each put it back. From the
    first test that asks for it to the module's end, every test of the module sees it."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_snapshot.restore(demo_rows)
        _module_demo["in_place"] = True
        yield
        _module_demo["in_place"] = False
        transaction.set_rollback(True)


@pytest.fixture
def shared_demo(demo_content, db):
    """The demo content, as `make run` loads it, shared by the tests of one module (what a test changes
    is undone after it, as always)."""


def demo_urls() -> list[str]:
    """Every public page of the demo content (and one that is not there)."""
    urls = ["/", "/topics/", "/cihui/", "/calculator/", "/nanchang/calculator/", "/hezhou/calculator/"]
    urls += ["/zhuanyi/?from=nanchang&to=hezhou&scheme=employee", "/search/?q=补缴", "/no-such-page/"]
    urls += [r.get_absolute_url() for r in Region.objects.exclude(kind=Region.NATIONAL)]
    urls += [t.get_absolute_url() for t in Topic.objects.all()]
    urls += [a.get_absolute_url() for a in Article.objects.published().select_related("region")]
    return urls


@pytest.fixture(scope="session")
def demo_site(demo_rows, django_db_blocker) -> dict[str, Page]:
    """Every public page of the demo content as an anonymous visitor reads it, read once per session
    for the tests that only read them all (titles, <h1>s, structured data, phone links)."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not _module_demo["in_place"]:
            demo_snapshot.restore(demo_rows)
        client = Client()
        pages = {url: read(client.get(url)) for url in demo_urls()}
        transaction.set_rollback(True)
    return pages


@pytest.fixture
def site(transactional_db, live_server, demo_rows) -> str:
    """The live server's address, with the demo content (as `make run` loads it). The cache is
    shared with the live server thread (feedback's rate limit counts there), so it starts empty."""
    demo_snapshot.restore(demo_rows)
    cache.clear()
    return live_server.url


@pytest.fixture
def staff_site(site) -> str:
    """The live server with the demo content and a reviewer （审核）, laoli, who can log in with a password."""
    reviewer = make_staff("审核", "laoli")
    reviewer.set_password(STAFF_PASSWORD)
    reviewer.save()
    return site


@pytest.fixture
def editor(db) -> User:
    """A member of 编辑: writes drafts; what they change on published content waits for a 审核."""
    return make_staff("编辑", "xiaowang")


@pytest.fixture
def reviewer(db) -> User:
    """A member of 审核: approves, publishes and verifies."""
    return make_staff("审核", "laoli")


@pytest.fixture
def national(db) -> Region:
    return make_region("national", name="全国", kind=Region.NATIONAL)


@pytest.fixture
def city(national) -> Region:
    """南昌, directly under the nation (no province)."""
    return make_region("nanchang", name="南昌", parent=national)


@pytest.fixture
def fee(national) -> PolicyEntry:
    """The national resident fee, 400 元/年, verified."""
    return make_policy_entry(national, "resident_fee", "400", source_title="2026年度居民医保缴费标准")


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
