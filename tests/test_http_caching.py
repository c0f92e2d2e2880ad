"""What browsers and proxies are told: HTML comes gzipped to clients that accept it, every page
carries an ETag and a repeat visit with it gets 304 and no body (never a stale page after staff
change something), and Cache-Control says revalidate every time (private where the page holds a
CSRF token or the visitor is staff, never stored for the admin, previews or a server error).
"""

from __future__ import annotations

import gzip
from urllib.parse import urlencode

import pytest
from django.http import HttpRequest, HttpResponse

from config.caching import CSRF_INPUT, cache_control_for
from guides.models import Article, Region
from tests.estimates import CASES, page
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
ESTIMATE = "/nanchang/calculator/?" + urlencode(CASES["case2_flexible_4_months_personal"])


def directives(response) -> set[str]:
    return {d.strip() for d in response.headers.get("Cache-Control", "").split(",") if d.strip()}


def revisit(client, url: str, **headers):
    """A visitor's second look: the first visit gave them the CSRF cookie, the second the page's ETag."""
    client.get(url, headers=headers)
    return client.get(url, headers=headers)


# Compression


@pytest.mark.parametrize("url", ["/nanchang/", "/jiangxi/", ESTIMATE])
def test_pages_come_gzipped_to_a_browser_that_accepts_it_and_read_the_same(client, shared_demo, url):
    plain = client.get(url)
    zipped = client.get(url, headers=GZIP)

    assert zipped.status_code == plain.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    unzipped = gzip.decompress(zipped.content)
    # The CSRF token is masked afresh on every page: compare what is around it.
    assert strip_token(unzipped) == strip_token(plain.content)
    assert len(zipped.content) < 0.4 * len(unzipped), f"{url}: {len(zipped.content)} of {len(unzipped)} bytes"


def test_a_client_that_does_not_accept_gzip_gets_plain_html_with_vary(client, shared_demo):
    response = client.get("/nanchang/")

    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"<html" in response.content


def test_static_files_are_left_to_whitenoise(client, shared_demo, settings):
    settings.WHITENOISE_USE_FINDERS = True  # a fresh checkout has no collected staticfiles/
    response = client.get("/static/css/site.css", headers=GZIP)

    assert response.status_code == 200
    assert "no-cache" not in directives(response)
    body = b"".join(response.streaming_content)
    if response.headers.get("Content-Encoding") == "gzip":  # whitenoise's own .gz, compressed once
        body = gzip.decompress(body)
    assert b"{" in body and not body.startswith(b"\x1f\x8b")


# Conditional GETs


@pytest.mark.parametrize("headers", [{}, GZIP], ids=["plain", "gzip"])
def test_a_repeat_visit_with_the_etag_gets_304_and_no_body(client, shared_demo, headers):
    first = revisit(client, "/nanchang/", **headers)
    assert first.status_code == 200
    etag = first.headers["ETag"]

    again = client.get("/nanchang/", headers={**headers, "If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"].removeprefix("W/") == etag.removeprefix("W/")
    assert "no-cache" in directives(again)


def test_a_page_with_a_new_csrf_cookie_is_never_answered_304(client, shared_demo):
    # The first visit sets the CSRF cookie: a cached copy of another secret's page would fail to send feedback.
    first = client.get("/nanchang/")
    assert "csrftoken" in first.cookies
    client.cookies.clear()

    again = client.get("/nanchang/", headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 200


def test_after_staff_change_the_region_summary_the_old_etag_gets_the_new_page(client, shared_demo):
    etag = revisit(client, "/nanchang/").headers["ETag"]
    Region.objects.filter(slug="nanchang").update(summary="这是刚改过的南昌简介。")

    response = client.get("/nanchang/", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "这是刚改过的南昌简介。" in response.content.decode()
    assert response.headers["ETag"] != etag


def test_after_staff_change_an_articles_short_answer_the_old_etag_gets_the_new_page(client, shared_demo):
    article = Article.objects.published().filter(region__slug="nanchang").first()
    url = article.get_absolute_url()
    etag = revisit(client, url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    Article.objects.filter(pk=article.pk).update(short_answer="刚改过的简短回答。")

    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "刚改过的简短回答。" in response.content.decode()


def test_the_estimator_fragment_gets_its_own_etag_and_304(client, shared_demo):
    case = CASES["case2_flexible_4_months_personal"]
    fragment = page(client, "nanchang", case, HX_Request="true")
    full = revisit(client, ESTIMATE)
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.headers["ETag"] != full.headers["ETag"]

    again = page(client, "nanchang", case, HX_Request="true", If_None_Match=fragment.headers["ETag"])
    # The full page's tag does not stand for the fragment.
    other = page(client, "nanchang", case, HX_Request="true", If_None_Match=full.headers["ETag"])

    assert again.status_code == 304
    assert other.status_code == 200
    assert 'id="estimator"' in other.content.decode()


def test_head_answers_with_the_headers_and_no_body(client, shared_demo):
    response = client.head("/nanchang/")

    assert response.status_code == 200
    assert response.content == b""
    assert "no-cache" in directives(response)


# Cache-Control


def test_a_public_page_without_a_form_may_be_stored_anywhere_but_is_revalidated(client, shared_demo):
    response = client.get("/")

    assert directives(response) == {"no-cache"}
    assert "Cookie" not in response.headers.get("Vary", "")


@pytest.mark.parametrize("url", ["/nanchang/", ESTIMATE])
def test_a_page_holding_a_csrf_token_is_never_public(client, shared_demo, url):
    response = client.get(url)

    assert b"csrfmiddlewaretoken" in response.content
    assert directives(response) == {"private", "no-cache"}
    assert "Cookie" in response.headers["Vary"]


def test_staff_pages_and_the_admin_are_never_stored(client, shared_demo):
    client.force_login(make_staff(superuser=True))

    public = client.get("/nanchang/")
    admin = client.get("/admin/")

    assert {"private", "no-store"} <= directives(public)
    assert {"private", "no-store"} <= directives(admin)
    assert "ETag" not in public.headers


def test_a_missing_page_is_revalidated_and_a_server_error_never_stored(client, shared_demo):
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "no-cache" in directives(missing)

    assert cache_control_for(HttpRequest(), HttpResponse(status=500)) == {"private": True, "no_store": True}


def strip_token(body: bytes) -> bytes:
    return CSRF_INPUT.sub(rb"\1\2", body)
