"""Security settings and headers: check --deploy on the README's production environment, the
headers every response carries, a strict Content-Security-Policy on public pages and a looser one
only under /admin/, and links staff enter that are never anything but http(s)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import make_staff

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "yibao.example",
    "SITE_URL": "https://yibao.example",
    "BEHIND_HTTPS_PROXY": "true",
    "SECURE_COOKIES": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_SSL_REDIRECT": "true",
    "EMAIL_HOST": "smtp.yibao.example",  # without it workflow notices go nowhere: mail.E001
}


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    # Checks do not connect to the database; SQLite keeps the run independent of CI's PostgreSQL.
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a real deployment has no such thing.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {**inherited, "DATABASE_URL": "sqlite:///db.sqlite3", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_check_deploy_is_silent_with_the_readme_production_environment():
    result = check_deploy(**PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_still_warns_without_https_settings():
    result = check_deploy(**{**PRODUCTION_ENV, "SECURE_HSTS_SECONDS": "0", "SECURE_SSL_REDIRECT": "false"})
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


@pytest.fixture
def production(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_plain_http_is_redirected_to_https_with_hsts_on(production, shared_demo):
    response = Client().get("/", headers={"x-forwarded-proto": "http"})
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"

    response = Client().get("/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_hsts_is_off_by_default(shared_demo):
    assert "Strict-Transport-Security" not in Client().get("/", secure=True)


def assert_security_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
        assert f"{feature}=()" in policy


def csp(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {words[0]: words[1:] for words in directives if words}


STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


@pytest.mark.parametrize("url", ["/", "/nanchang/", "/calculator/", "/search/?q=补缴", "/cihui/", "/no-such-page/"])
def test_public_pages_and_404_carry_the_strict_policy_and_headers(shared_demo, url):
    response = Client().get(url)
    assert response.status_code == (404 if url == "/no-such-page/" else 200)
    assert_security_headers(response)
    policy = csp(response)
    for directive, values in STRICT.items():
        assert policy[directive] == values, directive
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_htmx_is_told_not_to_eval_or_inject_styles(shared_demo):
    html = Client().get("/calculator/").content.decode()
    assert """<meta name="htmx-config" content='{"allowEval":false,"includeIndicatorStyles":false}'>""" in html


def test_the_admin_alone_may_use_inline_scripts_and_styles(db):
    client = Client()
    client.force_login(make_staff(superuser=True))
    for url in ("/admin/login/", "/admin/", "/admin/guides/policyentry/"):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        assert_security_headers(response)
        policy = csp(response)
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["frame-ancestors"] == ["'self'"]  # the article preview frames an admin page
        assert policy["object-src"] == ["'none'"]
        assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_static_files_carry_the_headers_too(db, settings):
    settings.WHITENOISE_USE_FINDERS = True  # a fresh checkout has no collected staticfiles/
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert_security_headers(response)
    assert csp(response)["script-src"] == ["'self'"]
