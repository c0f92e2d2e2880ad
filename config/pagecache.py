"""The server-side cache of anonymous public pages, never stale.

A view opts in with `@public_page` (naming the query parameters its page may vary on; any other
parameter, and the page is not stored). `PageCacheMiddleware` then serves that URL from the cache to
visitors without a session (staff always get a fresh page) and stores what the view answered.

Freshness comes from one database row, `guides.ContentState`, read on every cacheable request (one
small query). Its `generation` is part of the cache key and rises:
- whenever a row that public pages show is saved or deleted (signals, below; bulk writes that send no
  signal call `content_changed()` themselves);
- when a scheduled time passes (an article's publish or unpublish time): the row says when to look next;
- and the local date is part of the key, so pages roll over at midnight (figures take effect by the day,
  and "可能已过期" counts days).
The row lives in the database, so a change made through any process or app server retires every
stored page everywhere, whichever cache backend holds them (locmem per process, or a shared Redis).
The release (a hash of the code and templates) is in the key too, so a deploy never serves pages
rendered by the old code.

A page with the feedback form carries a CSRF token tied to the visitor's cookie: it is stored with the
token blanked and each visitor gets their own, exactly as if the page had been rendered for them.
If the cache cannot be reached (Redis down), pages are rendered as if it were off.

With a shared Redis (`CACHE_URL=redis://…`) the row's state is also published there, after the
writer's transaction commits and by every request that reads the row, so config/replay.py can serve
stored pages before Django runs, checking freshness with one Redis read instead of the database.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache as default_cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import F, Min, Q
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.http import http_date

from .caching import CSRF_INPUT

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

log = logging.getLogger(__name__)

CSRF_HOLE = b"\x00csrf\x00"
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "X-Robots-Tag",
    "Content-Security-Policy",
    "Vary",
    "X-Frame-Options",
)
STARTED = timezone.now()
# Set in the WSGI environ when the answer is a stored page (or one just stored): the state and time it
# was served for, which the replay layer (config/replay.py) keeps with its copy.
REPLAYABLE = "yibao.page_cache"


def public_page[V: Callable[..., Any]](view: V | None = None, *, params: Iterable[str] = ()) -> Any:
    """Mark a view's page as the same for every anonymous visitor, and storable in the page cache
    when its query string holds no parameter but `params`."""

    def mark(func: V) -> V:
        func.page_cache_params = frozenset(params)  # type: ignore[attr-defined]
        return func

    return mark(view) if view is not None else mark


@dataclass(frozen=True)
class State:
    generation: int
    changed_at: datetime.datetime
    check_at: datetime.datetime | None = None  # the next moment the generation must rise by itself


def content_changed() -> None:
    """Retire every stored page: something public pages show was written. Runs inside the writer's
    transaction, so pages are retired exactly when the change becomes visible."""
    from guides.models import ContentState

    now = timezone.now()
    updated = ContentState.objects.filter(pk=1).update(generation=F("generation") + 1, changed_at=now, check_at=now)
    if not updated:
        ContentState.objects.get_or_create(pk=1, defaults={"changed_at": now, "check_at": now})
    if shared_state() is not None:
        transaction.get_connection().page_state_unpublished = True
        transaction.on_commit(publish_committed_state, robust=True)


def current_state(now: datetime.datetime) -> State:
    """The generation in force now; moves it on (once, whoever gets there first) when a scheduled time
    has passed, and notes the next one."""
    from guides.models import ContentState

    found = state_query().run()  # on every cacheable request: compiled once (guides/prepared.py)
    row = found[0] if found else None
    if row is None:
        content_changed()
        return current_state(now)
    generation, changed_at, check_at = row
    if check_at is None or now < check_at:
        return State(generation, changed_at, check_at)
    ahead = next_scheduled_time(now)
    mine = ContentState.objects.filter(pk=1, generation=generation)
    if check_at == changed_at:  # the first reader after a change: only the next scheduled time is new
        mine.update(check_at=ahead)
        return State(generation, changed_at, ahead)
    passed = mine.update(generation=generation + 1, changed_at=check_at, check_at=ahead)
    return State(generation + 1, check_at, ahead) if passed else current_state(now)


# The state shared through Redis, for config/replay.py.

STATE_KEY = "yibao:pagecache:state"
# How long a published state stands unless a request that reads the row refreshes it: the bound on
# how long a change committed by a process that cannot publish (no CACHE_URL, Redis unreachable at that
# moment, killed between commit and publish) can go unseen by the replay layer.
STATE_SECONDS = 1.0
# Publish only forward: a slow reader that read the row before a writer's commit must not put back the
# generation the writer retired. The same generation may be written again (its check_at only moves on).
PUBLISH = """
local current = redis.call('GET', KEYS[1])
if current and tonumber(string.match(current, '^%d+')) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""


class SharedState:
    """The content state in Redis: written with `publish`, read by the replay layer with `read`, one
    round trip on a connection each thread keeps open (no pool, no health-check ping)."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self.script = self.client.register_script(PUBLISH)
        self.local = threading.local()
        self.get_command = self.connection().pack_command("GET", STATE_KEY)

    def connection(self) -> Any:
        local = self.local
        if getattr(local, "pid", None) != os.getpid():  # new, or inherited by a forked worker
            local.connection, local.pid = self.client.connection_pool.make_connection(), os.getpid()
        return local.connection

    def publish(self, state: State) -> None:
        value = f"{state.generation} {state.changed_at.timestamp()!r} "
        value += repr(state.check_at.timestamp()) if state.check_at is not None else "-"
        self.script(keys=[STATE_KEY], args=[state.generation, value, int(STATE_SECONDS * 1000)])

    def read(self) -> tuple[int, float, float | None] | None:
        """(generation, changed_at, check_at) as numbers, or None when nothing is published."""
        connection = self.connection()
        try:
            connection.send_packed_command(self.get_command, check_health=False)
            raw = connection.read_response()
        except BaseException:
            connection.disconnect()  # the next read connects afresh
            raise
        if raw is None:
            return None
        generation, changed_at, check_at = raw.split()
        return int(generation), float(changed_at), None if check_at == b"-" else float(check_at)


@receiver(setting_changed)
def forget_shared_state(setting: str, **kwargs: Any) -> None:
    if setting in ("CACHES", "PAGE_CACHE_SECONDS"):
        shared_state.cache_clear()


@cache
def shared_state() -> SharedState | None:
    """The shared state when the default cache is a Redis and the page cache is on, else None."""
    caches = settings.CACHES["default"]
    if not settings.PAGE_CACHE_SECONDS or not caches["BACKEND"].endswith(".RedisCache"):
        return None
    return SharedState(caches["LOCATION"])


def publish(state: State) -> None:
    shared = shared_state()
    if shared is None:
        return
    try:
        shared.publish(state)
    except Exception:  # Redis down: the replay layer cannot read either, and serves nothing stale
        log.warning("page cache state not published", exc_info=True)


def publish_committed_state() -> None:
    """After a writer's commit: publish the row as it now stands (whichever writer's commit is newest).
    Once for all the changes of a transaction (a bulk load saves hundreds of rows)."""
    writer = transaction.get_connection()
    if not getattr(writer, "page_state_unpublished", True):
        return
    writer.page_state_unpublished = False
    found = state_query().run()
    if found:
        publish(State(*found[0]))


@cache
def state_query() -> Any:
    from guides.models import ContentState
    from guides.prepared import Prepared

    return Prepared(lambda: ContentState.objects.filter(pk=1).values_list("generation", "changed_at", "check_at"))


def next_scheduled_time(now: datetime.datetime) -> datetime.datetime | None:
    """The next moment an article goes live or comes down: at that moment pages must change by themselves."""
    from guides.models import Article

    times = Article.objects.filter(status=Article.PUBLISHED).aggregate(
        publish=Min("published_at", filter=Q(published_at__gt=now)),
        unpublish=Min("unpublish_at", filter=Q(unpublish_at__gt=now)),
    )
    ahead = [t for t in times.values() if t is not None]
    return min(ahead) if ahead else None


@cache
def release() -> str:
    """Which code renders the pages: RELEASE when set, otherwise a hash of the Python code, templates
    and the static files' manifest, so pages stored by an older deploy are never served."""
    if os.environ.get("RELEASE"):
        return os.environ["RELEASE"][:40]
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha1(usedforsecurity=False)
    files = [
        *(base / "templates").rglob("*.html"),
        *(p for app in ("config", "guides", "calculator") for p in (base / app).rglob("*.py")),
        Path(settings.STATIC_ROOT) / "staticfiles.json",
    ]
    for path in sorted(files):
        if path.is_file():
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def storable_params(request: HttpRequest) -> frozenset[str] | None:
    """The parameters the requested page may vary on, or None when it is not a public page."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return getattr(match.func, "page_cache_params", None)


class PageCacheMiddleware:
    """Inside CsrfViewMiddleware (so a stored page's form gets this visitor's token and cookie), outside
    the rest; see the module's docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not self.applies(request):
            return self.get_response(request)
        now = timezone.now()
        state = current_state(now)
        publish(state)
        key = self.key(request, state, now)
        try:
            stored = default_cache.get(key)
        except Exception:  # the cache is down: serve as if it were off, and say so in the log
            log.warning("page cache unreachable; serving uncached", exc_info=True)
            return self.get_response(request)
        if stored is not None:
            request.META[REPLAYABLE] = (state, now)
            return self.answer(request, stored, state)
        response = self.get_response(request)
        if request.method == "GET" and self.storable(request, response):
            request.META[REPLAYABLE] = (state, now)
            entry = self.entry(response)
            try:
                default_cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            except Exception:
                log.warning("page cache unreachable; page not stored", exc_info=True)
            response.headers["X-Cache"] = "miss"
            set_last_modified(response, state, now)
        return response

    @staticmethod
    def applies(request: HttpRequest) -> bool:
        if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
            return False
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "HX-Request" in request.headers:
            return False  # staff see fresh pages; htmx fragments differ from the page
        params = storable_params(request)
        return params is not None and set(request.GET) <= params

    @staticmethod
    def key(request: HttpRequest, state: State, now: datetime.datetime) -> str:
        # The host and scheme: without SITE_URL, canonical links follow the address asked on.
        url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        day = timezone.localdate(now).isoformat()
        return (
            "page:"
            + hashlib.sha1(f"{release()}|{state.generation}|{day}|{url}".encode(), usedforsecurity=False).hexdigest()
        )

    @staticmethod
    def storable(request: HttpRequest, response: HttpResponseBase) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.has_header("Cache-Control")  # a view that set its own (private, no-store) opts out
            and not any(name != settings.CSRF_COOKIE_NAME for name in response.cookies)
        )

    @staticmethod
    def entry(response: HttpResponseBase) -> dict:
        content = response.content  # type: ignore[attr-defined]  # not streaming
        return {
            "content": CSRF_INPUT.sub(rb"\1" + CSRF_HOLE + rb"\2", content),
            "headers": {name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
        }

    @staticmethod
    def answer(request: HttpRequest, stored: dict, state: State) -> HttpResponse:
        content = stored["content"]
        if CSRF_HOLE in content:  # this visitor's own token; CsrfViewMiddleware sets their cookie
            content = content.replace(CSRF_HOLE, get_token(request).encode())
        response = HttpResponse(content)
        for name, value in stored["headers"].items():
            response.headers[name] = value
        response.headers["X-Cache"] = "hit"
        set_last_modified(response, state, timezone.now())
        return response


def last_modified(state: State, now: datetime.datetime) -> str | None:
    """The page cannot have changed since its content last did, the day began or this code started.

    HTTP dates have whole seconds: within the second of a change a later change could carry the same
    date, so none is given until that second is over (the ETag still answers conditional requests)."""
    return last_modified_at(state.changed_at.timestamp(), start_of_day(now).timestamp(), now.timestamp())


def start_of_day(now: datetime.datetime) -> datetime.datetime:
    """Local midnight before `now`: stored pages roll over then."""
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def last_modified_at(changed_at: float, midnight: float, now: float) -> str | None:
    """`last_modified` on POSIX timestamps (the replay layer's clock)."""
    since = max(changed_at, midnight, STARTED.timestamp())
    if now - math.floor(since) < 1:
        return None
    return http_date(since)


def set_last_modified(response: HttpResponseBase, state: State, now: datetime.datetime) -> None:
    stamp = last_modified(state, now)
    if stamp is not None:
        response.headers["Last-Modified"] = stamp


def connect(app_label: str, ignored: Iterable[str]) -> None:
    """Every save, delete and many-to-many change of `app_label`'s models retires the stored pages,
    except for the models named in `ignored` (feedback, drafts awaiting review, logs, derived indexes)
    and history rows. Connected model by model, so other models keep Django's fast bulk delete."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    skip = {*ignored, "ContentState"}

    def changed(sender: type, **kwargs: Any) -> None:
        content_changed()

    def m2m(sender: type, action: str, **kwargs: Any) -> None:
        if action.startswith("post_"):
            content_changed()

    for model in apps.get_app_config(app_label).get_models():
        name = model._meta.object_name or ""
        if name in skip or name.startswith("Historical"):
            continue
        post_save.connect(changed, sender=model, dispatch_uid=f"pagecache-save-{name}", weak=False)
        post_delete.connect(changed, sender=model, dispatch_uid=f"pagecache-delete-{name}", weak=False)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(m2m, sender=through, dispatch_uid=f"pagecache-m2m-{name}-{field.name}", weak=False)
