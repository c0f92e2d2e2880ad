"""Stored pages served before Django (config/replay.py): every answer is the one Django would give for
the same request, and no committed change, scheduled time, new day or Redis fault lets a copy stand."""

from __future__ import annotations

import gzip
import re
import time
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _unmask_cipher_token
from django.test import RequestFactory
from django.utils import timezone

import config.wsgi
from config import pagecache, replay
from config.caching import fresh_etag
from tests.factories import logged_in, make_staff
from tests.test_page_cache import ARTICLE, CACHED_PAGES, demo_article, edit

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"  # a visitor's CSRF cookie


@pytest.fixture
def front(demo, settings, redis_caches) -> replay.StoredPages:
    """The demo content, the page cache on a real Redis (emptied, the state published afresh) and the
    replay layer in front of a Django handler, as config/wsgi.py builds it."""
    settings.PAGE_CACHE_SECONDS = 3600
    settings.CACHES = redis_caches
    cache.clear()
    pagecache.content_changed()
    pagecache.publish_committed_state()  # the test's transaction never commits
    return replay.StoredPages(WSGIHandler())


@dataclass
class Answer:
    status: str
    headers: list[tuple[str, str]]
    raw: bytes

    def __getitem__(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    @property
    def body(self) -> bytes:
        return gzip.decompress(self.raw) if self["Content-Encoding"] == "gzip" else self.raw

    @property
    def token(self) -> str:
        found = TOKEN.search(self.body)
        assert found, "the page has a form token"
        return found.group(1).decode()

    @property
    def cookie(self) -> str | None:
        value = self["Set-Cookie"]
        return value.split(";")[0].removeprefix("csrftoken=") if value else None


def call(app, method: str = "GET", path: str = ARTICLE, data: dict | None = None, **headers) -> Answer:
    """A request through a WSGI application, as gunicorn makes it (without the test client's shortcuts)."""
    factory = RequestFactory()
    if method == "POST":
        request = factory.post(path, data or {}, headers=headers)
    else:
        request = factory.generic(method, path, headers=headers)
    seen: list = []
    # Django closes the database connection when a request ends; the test's transaction must survive it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = app(request.environ, lambda status, headers, exc_info=None: seen.extend([status, headers]))
        raw = b"".join(result)
        getattr(result, "close", lambda: None)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return Answer(seen[0], seen[1], raw)


def replayed(front: replay.StoredPages, *args, **headers) -> Answer:
    before = front.served
    answer = call(front, *args, **headers)
    assert front.served == before + 1, "answered from the copy"
    return answer


def from_django(front: replay.StoredPages, *args, **headers) -> Answer:
    before = front.served
    answer = call(front, *args, **headers)
    assert front.served == before, "answered by Django"
    return answer


def comparable(answer: Answer, *, fresh_cookie: bool) -> tuple:
    """What must be equal between two answers to the same request: everything but the token, the cookie's
    value and expiry date, the length of a gzipped body, the Date, and a new cookie's one-off ETag."""
    per_answer = {"date", "set-cookie", "content-length" if answer["Content-Encoding"] else ""}
    if fresh_cookie:
        per_answer.add("etag")
    headers = sorted((name.lower(), value) for name, value in answer.headers if name.lower() not in per_answer)
    cookie = re.sub(r"^csrftoken=\w+; expires=[^;]+;", "", answer["Set-Cookie"] or "")
    return answer.status, headers, cookie, TOKEN.sub(b"T", answer.body)


# ------------------------------------------------------------------ the same answer as Django's


@pytest.mark.parametrize("url", CACHED_PAGES)
@pytest.mark.parametrize("cookie", ["none", "kept"])
@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_replayed_page_is_the_answer_django_gives(front, url, cookie, encoding):
    headers = {"Accept-Encoding": "gzip, deflate, br"} if encoding == "gzip" else {}
    if cookie == "kept":
        headers["Cookie"] = f"csrftoken={SECRET}"
    first = from_django(front, path=url, **headers)
    django = call(front.app, path=url, **headers)  # Django's own page cache, for the same request

    copy = replayed(front, path=url, **headers)

    assert (first["X-Cache"], django["X-Cache"], copy["X-Cache"]) == ("miss", "hit", "hit")
    fresh = cookie == "none" and TOKEN.search(copy.body) is not None
    assert comparable(copy, fresh_cookie=fresh) == comparable(django, fresh_cookie=fresh)
    if TOKEN.search(copy.body):
        secret = copy.cookie if cookie == "none" else SECRET
        assert _unmask_cipher_token(copy.token) == secret, "the token is the cookie's secret, masked"
        assert copy.cookie == (SECRET if cookie == "kept" else copy.cookie) and len(copy.cookie or "") == 32
    if fresh:
        assert copy["ETag"].removeprefix("W/") == fresh_etag(copy.token.encode())
        assert copy["Last-Modified"] is None
    assert int(copy["Content-Length"]) == len(copy.raw)


def test_each_visitor_gets_a_new_token_and_cookie_and_the_token_is_accepted(front):
    call(front)
    a, b = replayed(front), replayed(front)
    assert a.cookie != b.cookie and a.token != b.token

    sent = call(front, "POST", "/feedback/", {"page": ARTICLE, "answer": "yes", "csrfmiddlewaretoken": b.token},
                Cookie=f"csrftoken={b.cookie}")  # fmt: skip
    crossed = call(front, "POST", "/feedback/", {"page": ARTICLE, "answer": "yes", "csrfmiddlewaretoken": a.token},
                   Cookie=f"csrftoken={b.cookie}")  # fmt: skip
    assert (sent.status[:3], crossed.status[:3]) == ("303", "403")


def test_a_visitor_keeping_their_cookie_can_revalidate_and_gets_a_304_from_django(front):
    call(front, Cookie=f"csrftoken={SECRET}")
    copy = replayed(front, Cookie=f"csrftoken={SECRET}")

    again = from_django(front, Cookie=f"csrftoken={SECRET}", If_None_Match=copy["ETag"])

    assert again.status.startswith("304") and again.raw == b""


def test_gzip_keeps_the_token_out_of_the_compressed_stream(front):
    """BREACH reads secrets through compressed sizes: the token travels in a stored (uncompressed) block."""
    call(front)
    copy = replayed(front, Accept_Encoding="gzip")

    assert copy.token.encode() in copy.raw


# ------------------------------------------------------------------ what Django must answer


@pytest.mark.parametrize(
    "method, headers",
    [
        ("HEAD", {}),
        ("GET", {"If-None-Match": '"x"'}),
        ("GET", {"If-Modified-Since": "Tue, 24 Nov 2026 00:00:00 GMT"}),
        ("GET", {"HX-Request": "true"}),
        ("GET", {"Cookie": "csrftoken=short"}),  # Django replaces a malformed cookie
        ("GET", {"Cookie": f"csrftoken={'a' * 64}"}),  # and an old masked one
    ],
)
def test_requests_that_django_must_answer_pass_through(front, method, headers):
    call(front)
    replayed(front)

    answer = from_django(front, method, **headers)

    assert answer.status[:3] in ("200", "304")


def test_staff_pass_through_and_see_the_page_as_it_is_now(front):
    call(front)
    demo_article().__class__.objects.filter(pk=demo_article().pk).update(title="没发信号的改动？")
    session = logged_in(make_staff("编辑")).cookies["sessionid"].value

    staff = from_django(front, Cookie=f"sessionid={session}")

    assert "没发信号的改动".encode() in staff.body and staff["X-Cache"] is None


def test_a_page_django_does_not_store_gets_no_copy(front):
    for _ in range(2):
        from_django(front, path="/search/?q=断缴")
        from_django(front, path="/nanchang/?utm_source=x")


# ------------------------------------------------------------------ freshness


def test_a_committed_change_is_never_answered_from_the_old_copy(front, django_capture_on_commit_callbacks):
    call(front)
    replayed(front)

    with django_capture_on_commit_callbacks(execute=True):
        edit(demo_article(), title="提交后的新问题？")

    after = from_django(front)
    assert "提交后的新问题".encode() in after.body
    assert "提交后的新问题".encode() in replayed(front).body, "a new copy is made from the new page"


def test_a_change_is_published_once_after_its_transaction_commits(
    front, django_capture_on_commit_callbacks, monkeypatch
):
    published = []
    monkeypatch.setattr(pagecache, "publish", published.append)
    with django_capture_on_commit_callbacks(execute=True):
        for title in ("一？", "二？", "三？"):
            edit(demo_article(), title=title)
        assert published == [], "nothing before the commit"

    assert [state.generation for state in published] == [pagecache.current_state(timezone.now()).generation]


def test_a_change_nobody_published_is_seen_once_the_published_state_lapses(front, monkeypatch):
    """A writer that cannot publish (no CACHE_URL, killed after its commit) is seen within STATE_SECONDS."""
    monkeypatch.setattr(pagecache, "STATE_SECONDS", 0.2)
    call(front)  # Django publishes the state it reads, with the short lifetime
    edit(demo_article(), title="没人发布的改动？")  # the test's transaction never commits: nothing published

    time.sleep(0.3)

    assert "没人发布的改动".encode() in from_django(front).body


def test_a_scheduled_time_passing_sends_the_next_request_to_django(front):
    call(front)
    state = pagecache.current_state(timezone.now())
    soon = timezone.now() - timezone.timedelta(seconds=1)
    pagecache.shared_state().publish(pagecache.State(state.generation, state.changed_at, soon))

    from_django(front)  # Django looks at the database, moves the generation on if due, publishes

    assert replayed(front).status.startswith("200")


def test_a_new_day_sends_the_request_to_django(front):
    call(front)
    replayed(front)
    front.clock = lambda: time.time() + 86400

    from_django(front)


def test_nothing_is_replayed_while_redis_cannot_be_read(front, monkeypatch):
    call(front)

    def down(self):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(pagecache.SharedState, "read", down)
    assert from_django(front).status.startswith("200")


def test_pages_are_served_when_redis_is_unreachable_from_the_start(demo, settings):
    settings.PAGE_CACHE_SECONDS = 3600
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    front = replay.StoredPages(WSGIHandler())
    for _ in range(2):
        answer = from_django(front)
        assert answer.status.startswith("200") and answer["X-Cache"] is None


def test_the_published_state_only_moves_forward(front):
    shared = pagecache.shared_state()
    now = timezone.now()
    newest = shared.read()[0] + 10
    shared.publish(pagecache.State(newest, now, None))
    shared.publish(pagecache.State(newest - 1, now, None))  # a slow reader of the row before a commit
    assert shared.read() == (newest, now.timestamp(), None)

    ahead = now + timezone.timedelta(hours=1)
    shared.publish(pagecache.State(newest, now, ahead))  # the same generation learns its next scheduled time
    assert shared.read() == (newest, now.timestamp(), ahead.timestamp())


def test_each_process_keeps_a_bounded_number_of_copies(front, monkeypatch):
    monkeypatch.setattr(replay, "COPIES", 2)
    for url in ("/", "/nanchang/", "/jiangxi/"):
        call(front, path=url)

    assert len(front.copies) == 2
    from_django(front, path="/")  # the oldest copy went first


def test_the_wsgi_application_replays_only_with_a_shared_redis(demo, settings):
    settings.PAGE_CACHE_SECONDS = 3600  # with the default per-process cache
    app = config.wsgi.application
    assert isinstance(app, replay.StoredPages)
    before = app.served
    for _ in range(3):
        call(app, path="/nanchang/")
    assert app.served == before and app.copies == {}


def test_a_copy_that_cannot_be_made_leaves_the_visitor_with_djangos_answer(front, monkeypatch):
    def broken(*args):
        raise ValueError("unexpected page")

    monkeypatch.setattr(replay, "make_copy", broken)
    for _ in range(2):
        answer = from_django(front)
        assert answer.status.startswith("200") and b"csrfmiddlewaretoken" in answer.body
    assert front.copies == {}
