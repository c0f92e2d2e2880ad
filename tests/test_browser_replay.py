"""A page replayed before Django (config/replay.py), in real Chromium on a phone: the gzip stream with the
token in a block of its own decodes, and the token and cookie it carries let the citizen send feedback."""

from __future__ import annotations

import urllib.request

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import cache
from django.db import connections
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

from config import pagecache
from config.replay import StoredPages
from guides.models import Article, Feedback
from tests import demo_snapshot
from tests.browsing import TIMEOUT_MS

pytestmark = pytest.mark.browser


@pytest.fixture
def replaying_site(transactional_db, demo_rows, settings, redis_caches):
    """A live server whose WSGI application is the replay layer in front of Django, as in production,
    with the page cache on a real Redis."""
    settings.PAGE_CACHE_SECONDS = 3600
    settings.CACHES = redis_caches
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1", "localhost"]
    demo_snapshot.restore(demo_rows)
    cache.clear()
    pagecache.content_changed()  # autocommit: published at once
    front: list[StoredPages] = []

    def in_front(app):
        front.append(StoredPages(StaticFilesHandler(app)))
        return front[0]

    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    thread = LiveServerThread("127.0.0.1", static_handler=in_front, connections_override=shared)
    thread.daemon = True
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}", front[0]
    finally:
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()


def test_a_citizen_reads_a_replayed_answer_and_sends_feedback_with_its_token(replaying_site, phone):
    site, front = replaying_site
    article = Article.objects.published().filter(region__slug="nanchang").order_by("pk").first()
    path = article.get_absolute_url()
    with urllib.request.urlopen(site + path) as first:  # another visitor: Django answers, a copy is made
        assert first.headers["X-Cache"] == "miss"

    phone.set_default_timeout(TIMEOUT_MS)
    response = phone.goto(site + path)

    assert front.served == 1, "the phone got the copy"
    assert response is not None and response.headers["x-cache"] == "hit"
    assert response.headers["content-encoding"] == "gzip", "Chromium asks for gzip and decodes the spliced stream"
    expect(phone.get_by_role("heading", level=1)).to_have_text(article.title)
    section = phone.get_by_role("region", name="这个回答有帮助吗？")
    section.get_by_label("想补充几句吗？（可以不填）").fill("回放的页面也能提交。")
    section.get_by_role("button", name="有帮助", exact=True).tap()
    expect(section.get_by_role("status")).to_have_text("谢谢你的反馈，我们已经收到，会据此改进内容。")
    row = Feedback.objects.get()
    assert (row.page, row.answer, row.comment) == (path, "yes", "回放的页面也能提交。")
