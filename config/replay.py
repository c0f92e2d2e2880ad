"""Stored pages served before Django runs: the page cache's fast path (config/pagecache.py has the rest).

With a shared Redis (`CACHE_URL=redis://…`), each app-server process keeps its own copy of the last
`COPIES` public pages it served from the page cache, exactly as Django answered them with the visitor's
CSRF token cut out, and answers the next anonymous GET of the same address from that copy without
running Django. Freshness costs one Redis read per request, of the content state that
config/pagecache.py publishes after every committed change: a copy is served only while the state's
generation is the one it was made under, its day has not ended and no scheduled time has passed.

What differs per visitor is made afresh by the rules of the middlewares that make it in Django:
- the CSRF token and cookie (CsrfViewMiddleware): the visitor's own secret masked anew, or a new
  secret and cookie for a visitor without one;
- ETag and Last-Modified (config/caching.py, config/pagecache.py);
- gzip for clients that accept it (GZipMiddleware). The token goes in an uncompressed block of its own,
  so it is never compressed together with the page (BREACH).
Everything else goes to Django, which also makes new copies: HEAD and other methods, conditional
requests (Django answers the 304s and 412s), htmx, staff (a session cookie), a CSRF cookie Django
would replace, an address with no current copy, and every request while Redis cannot be read.
tests/test_replay.py holds each answer equal to the one Django gives for the same request.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import struct
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, lru_cache
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseBase
from django.http.cookie import parse_cookie
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware
from django.middleware.gzip import re_accepts_gzip
from django.utils.http import quote_etag

from . import pagecache
from .caching import CSRF_INPUT, fresh_etag

log = logging.getLogger(__name__)

COPIES = 128  # per process: at most a few MB
# Headers made afresh for each answer; the rest are kept as Django sent them.
MADE_PER_ANSWER = {"set-cookie", "content-length", "content-encoding", "etag", "last-modified", "x-cache"}
GZIP_MIN_LENGTH = 200  # GZipMiddleware leaves shorter bodies alone
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, unknown OS
ACCEPTS_GZIP = re.compile(re_accepts_gzip.pattern)  # GZipMiddleware's test, without its lazy wrapper
CONDITIONAL = {"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE"}

Start = Callable[..., Any]


@dataclass(frozen=True)
class Copy:
    generation: int
    day: tuple[float, float]  # [midnight, next midnight) of the day it was made on
    status: str
    headers: list[tuple[str, str]]
    parts: list[bytes]  # the body cut at each CSRF token; one part for a page without a form
    etag: str  # of the body without its tokens, as config.caching gives a visitor who keeps their cookie
    deflated: list[bytes]  # each part compressed on its own, so parts and tokens can be joined in any gzip

    @property
    def has_token(self) -> bool:
        return len(self.parts) > 1


class StoredPages:
    """The WSGI application in front of Django's (config/wsgi.py)."""

    def __init__(self, app: Callable[[dict, Start], Iterable[bytes]], *, clock: Callable[[], float] = time.time):
        self.app = app
        self.clock = clock
        self.copies: OrderedDict[tuple, Copy] = OrderedDict()
        self.lock = threading.Lock()  # for threaded workers: eviction and reordering touch the same dict
        self.served = 0  # answers given from a copy (tests and benchmarks read it)

    def __call__(self, environ: dict, start_response: Start) -> Iterable[bytes]:
        shared = pagecache.shared_state()
        visit = self.address(environ) if shared is not None else None
        if shared is None or visit is None:
            return self.app(environ, start_response)
        key, secret = visit
        copy = self.copies.get(key)
        if copy is not None:
            answer = self.answer(copy, environ, shared, secret)
            if answer is not None:
                with self.lock:
                    if key in self.copies:
                        self.copies.move_to_end(key)
                    self.served += 1
                status, headers, body = answer
                start_response(status, headers)
                return [body]
        return self.copy_of_django(key, environ, start_response)

    @staticmethod
    def address(environ: dict) -> tuple[tuple, bytes | None] | None:
        """What a stored page is kept under (everything Django's page cache keys on, and the headers that
        could change the scheme or host it sees) with the visitor's well-formed CSRF secret if they have
        one, or None when Django must answer."""
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_HX_REQUEST" in environ:
            return None
        if not CONDITIONAL.isdisjoint(environ):
            return None  # Django's ConditionalGetMiddleware decides on 304 or 412
        secret = None
        if "HTTP_COOKIE" in environ:
            cookies = parse_cookie(environ["HTTP_COOKIE"])
            if settings.SESSION_COOKIE_NAME in cookies:
                return None  # staff see fresh pages
            secret = cookies.get(settings.CSRF_COOKIE_NAME)
            if secret is not None and not is_secret(secret):
                return None  # Django would replace it (a malformed or an old masked cookie)
        return tuple(environ.get(name) for name in ADDRESS), secret.encode() if secret is not None else None

    def answer(self, copy: Copy, environ: dict, shared: pagecache.SharedState, kept: bytes | None) -> tuple | None:
        now = self.clock()
        if not copy.day[0] <= now < copy.day[1]:
            return None
        try:
            state = shared.read()
        except Exception:  # Redis down: Django serves as if the cache were off, and logs it
            return None
        if state is None or state[0] != copy.generation or (state[2] is not None and now >= state[2]):
            return None
        headers = copy.headers.copy()
        if copy.has_token:
            keeps = kept is not None
            secret = kept if kept is not None else random_chars(CSRF_SECRET_LENGTH)
            token = mask(secret)
            body = token.join(copy.parts)
            headers.append(("Set-Cookie", csrf_cookie(secret, now)))
        else:
            body, keeps = copy.parts[0], True
        # A new cookie: the tag of the new token, which no later visit will match, and no date
        # (config.caching.set_page_etag).
        etag = copy.etag if keeps else fresh_etag(token)
        stamp = pagecache.last_modified_at(state[1], copy.day[0], now) if keeps else None
        if stamp is not None:
            headers.append(("Last-Modified", stamp))
        if len(body) >= GZIP_MIN_LENGTH and ACCEPTS_GZIP.search(environ.get("HTTP_ACCEPT_ENCODING", "")):
            body = gzipped(copy, body)
            etag = "W/" + etag
            headers.append(("Content-Encoding", "gzip"))
        headers += [("ETag", etag), ("Content-Length", str(len(body))), ("X-Cache", "hit")]
        return copy.status, headers, body

    def copy_of_django(self, key: tuple, environ: dict, start_response: Start) -> Iterable[bytes]:
        """Django answers; a stored page's answer is kept as this address's copy."""
        seen: list = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info)

        response = self.app(environ, capture)
        served_for = environ.get(pagecache.REPLAYABLE)
        if served_for is not None and seen and seen[0].startswith("200 ") and isinstance(response, HttpResponse):
            (state, now), (status, headers) = served_for, seen
            try:
                copy = make_copy(state, now, status, headers, response.content)
            except Exception:  # the visitor still gets Django's answer; the next one tries again
                log.exception("no copy made of %s", environ.get("PATH_INFO"))
                copy = None
            if copy is not None:
                with self.lock:
                    self.copies[key] = copy
                    self.copies.move_to_end(key)
                    while len(self.copies) > COPIES:
                        self.copies.popitem(last=False)
        return response


ADDRESS = (
    "wsgi.url_scheme",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
)


def make_copy(
    state: pagecache.State, now: Any, status: str, headers: list[tuple[str, str]], content: bytes
) -> Copy | None:
    cookies = [value for name, value in headers if name.lower() == "set-cookie"]
    if any(not value.startswith(f"{settings.CSRF_COOKIE_NAME}=") for value in cookies):
        return None  # per-visitor state beyond the form token (the page cache stores no such page)
    encoding = next((value for name, value in headers if name.lower() == "content-encoding"), None)
    if encoding == "gzip":
        content = gzip.decompress(content)
    elif encoding is not None:
        return None
    parts, at = [], 0
    for match in CSRF_INPUT.finditer(content):
        parts.append(content[at : match.end(1)])
        at = match.start(2)
    parts.append(content[at:])
    midnight = pagecache.start_of_day(now)
    tomorrow = midnight + timedelta(days=1)  # wall-clock arithmetic: the next midnight
    return Copy(
        generation=state.generation,
        day=(midnight.timestamp(), tomorrow.timestamp()),
        status=status,
        headers=[(name, value) for name, value in headers if name.lower() not in MADE_PER_ANSWER],
        parts=parts,
        etag=quote_etag(hashlib.md5(b"".join(parts), usedforsecurity=False).hexdigest()),
        deflated=deflate_parts(parts),
    )


# gzip: one member whose deflate stream is the parts, each compressed on its own (no back-references
# across them), with each token between them as a stored block.


def deflate_parts(parts: list[bytes]) -> list[bytes]:
    out = []
    for index, part in enumerate(parts):
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        last = index == len(parts) - 1
        out.append(compressor.compress(part) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
    return out


def gzipped(copy: Copy, body: bytes) -> bytes:
    if copy.has_token:
        token = body[len(copy.parts[0]) : len(copy.parts[0]) + 2 * CSRF_SECRET_LENGTH]
        stored = b"\x00" + struct.pack("<HH", len(token), len(token) ^ 0xFFFF) + token
        stream = stored.join(copy.deflated)
    else:
        stream = copy.deflated[0]
    return GZIP_HEADER + stream + struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)


# The CSRF token and cookie, as django.middleware.csrf makes them (tests/test_replay.py checks Django
# accepts them), without its per-character random choice.

CHARS = CSRF_ALLOWED_CHARS.encode()
POSITION = {char: index for index, char in enumerate(CHARS)}
KEEP = 256 - 256 % len(CHARS)  # random bytes below this map evenly onto the characters
TO_CHAR = bytes(CHARS[byte % len(CHARS)] for byte in range(KEEP)) + bytes(256 - KEEP)
DROP = bytes(range(KEEP, 256))
SECRET = re.compile(rf"[{re.escape(CSRF_ALLOWED_CHARS)}]{{{CSRF_SECRET_LENGTH}}}")


def is_secret(value: str) -> bool:
    return SECRET.fullmatch(value) is not None


def random_chars(length: int) -> bytes:
    chars = b""
    while len(chars) < length:
        chars += os.urandom(length + 8).translate(TO_CHAR, DROP)
    return chars[:length]


def mask(secret: bytes) -> bytes:
    """A fresh token for the secret: a random mask, then each secret character shifted by the mask's."""
    pad = random_chars(len(secret))
    size = len(CHARS)
    return pad + bytes(CHARS[(POSITION[s] + POSITION[p]) % size] for s, p in zip(secret, pad, strict=True))


def csrf_cookie(secret: bytes, now: float) -> str:
    """The Set-Cookie value CsrfViewMiddleware gives this secret: made by Django once a second (its
    expiry date changes by the second) with a stand-in of the same shape, which is then swapped."""
    return cookie_pattern(int(now)).replace(STAND_IN, secret.decode(), 1)


STAND_IN = "A" * CSRF_SECRET_LENGTH


@lru_cache(maxsize=2)
def cookie_pattern(second: int) -> str:
    response = HttpResponseBase()
    csrf_middleware()._set_csrf_cookie(  # type: ignore[attr-defined]  # Django's own cookie rules
        SimpleNamespace(META={"CSRF_COOKIE": STAND_IN}), response
    )
    return response.cookies[settings.CSRF_COOKIE_NAME].OutputString()


@receiver(setting_changed)
def forget_cookie_pattern(setting: str, **kwargs: Any) -> None:
    if setting.startswith("CSRF_COOKIE"):
        cookie_pattern.cache_clear()


@cache
def csrf_middleware() -> CsrfViewMiddleware:
    return CsrfViewMiddleware(lambda request: HttpResponse())
