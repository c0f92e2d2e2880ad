"""Operations: the health check, the nginx example, the restore drill, and rotating SECRET_KEY.

README: "Deploying on PostgreSQL with several app servers" and "Operations".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings

from guides.models import Article
from guides.previews import preview_token
from tests.factories import logged_in, make_article, make_region, make_staff

ROOT = Path(__file__).resolve().parent.parent
NGINX_EXAMPLE = ROOT / "config" / "nginx.example.conf"

OLD_KEY = "old-secret-key-for-rotation-tests-0123456789-abcdefghijklmnop"
NEW_KEY = "new-secret-key-for-rotation-tests-9876543210-qrstuvwxyzabcdef"


# --------------------------------------------------------------------------------------------
# /healthz


@pytest.mark.django_db
def test_the_health_check_says_ok_in_plain_text_and_is_never_stored(client):
    answer = client.get("/healthz")

    assert answer.status_code == 200
    assert answer.content == b"ok\n"
    assert answer["Content-Type"] == "text/plain; charset=utf-8"
    assert answer["Cache-Control"] == "no-store"
    assert not answer.has_header("ETag")
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_the_health_check_answers_503_when_the_database_does_not(client, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refused)
    answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.content == b"database unreachable\n"
    assert answer["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_the_health_check_is_not_redirected_to_https_unlike_pages(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_robots_disallow_the_health_check_and_the_sitemap_leaves_it_out(client):
    assert "Disallow: /healthz" in client.get("/robots.txt").content.decode().splitlines()
    assert "healthz" not in client.get("/sitemap-pages.xml").content.decode()


# --------------------------------------------------------------------------------------------
# config/nginx.example.conf


def test_the_nginx_example_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if nginx is None:
        if os.environ.get("CI") or os.environ.get("DATABASE_URL", "").startswith("postgres"):
            pytest.fail("nginx is not installed (.ci/run installs nginx-light)")
        pytest.skip("nginx is not installed here")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-subj", "/CN=yibao.example", "-days", "1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (
        NGINX_EXAMPLE.read_text()
        .replace("/etc/letsencrypt/live/yibao.example/fullchain.pem", str(cert))
        .replace("/etc/letsencrypt/live/yibao.example/privkey.pem", str(key))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    assert str(cert) in site and str(key) in site  # the paths really were replaced
    (tmp_path / "site.conf").write_text(site)
    mime = Path(nginx).resolve().parent.parent / "etc" / "nginx" / "mime.types"
    mime = mime if mime.exists() else Path("/etc/nginx/mime.types")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n  include {mime};\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )

    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_the_nginx_example_passes_the_client_address_the_app_trusts():
    conf = NGINX_EXAMPLE.read_text()
    # guides.feedback.client_address reads the last X-Forwarded-For entry behind the proxy.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert conf.count("server 127.0.0.1:80") >= 2  # two app servers in the upstream


# --------------------------------------------------------------------------------------------
# scripts/restore-drill


@pytest.mark.django_db  # so the test database exists, and is what connection names (never the real one)
def test_the_restore_drill_restores_a_dump_that_matches_and_serves_the_home_page():
    if connection.vendor != "postgresql":
        pytest.skip("the restore drill needs PostgreSQL (CI runs the suite on it)")
    s = connection.settings_dict
    assert s["NAME"].startswith("test_")
    auth = quote(s["USER"], safe="") + (":" + quote(s["PASSWORD"], safe="") if s["PASSWORD"] else "")
    url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "restore-drill")],
        env={**os.environ, "DATABASE_URL": url, "PLAIN_STATIC": "true"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "行数一致 row counts equal" in done.stdout
    assert "迁移已全部应用 migrate --check: ok" in done.stdout
    assert "首页可以打开 home page renders: 200" in done.stdout
    assert "结果：通过。" in done.stdout
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", [f"{s['NAME'][:40]}_drill_%"])
        assert cursor.fetchone()[0] == 0  # the scratch database is gone


# --------------------------------------------------------------------------------------------
# Rotating SECRET_KEY (SECRET_KEY_FALLBACKS)


@pytest.fixture
def draft() -> Article:
    city = make_region("nanchang", name="南昌")
    return make_article(city, "caogao", title="轮换密钥时的草稿问题？", short_answer="先看结论。", status=Article.DRAFT)


@pytest.mark.django_db
def test_a_preview_link_made_under_the_old_key_opens_while_it_is_a_fallback_then_stops(draft):
    with override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[]):
        path = f"/preview/{preview_token(draft)}/"
        assert "轮换密钥时的草稿问题" in Client().get(path).content.decode()

    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
        during = Client().get(path)
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        after = Client().get(path)

    assert during.status_code == 200
    assert "轮换密钥时的草稿问题" in during.content.decode()
    assert after.status_code == 404  # as any address that is not a link: the Chinese not-found page
    assert "页面没有找到" in after.content.decode()
    assert "轮换密钥时的草稿问题" not in after.content.decode()


@pytest.mark.django_db
def test_staff_stay_logged_in_through_a_key_rotation():
    with override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[]):
        visited, away = logged_in(make_staff("编辑", "xiaowang")), logged_in(make_staff("审核", "laoli"))

    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
        assert visited.get("/admin/").status_code == 200  # the session moves to the new key here
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        assert visited.get("/admin/").status_code == 200
        # Someone who did not come by while the old key was a fallback logs in again.
        assert away.get("/admin/").status_code == 302


def test_secret_key_fallbacks_are_read_from_the_environment_space_or_comma_separated():
    done = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY_FALLBACKS": " k1, k2 k3,"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == "['k1', 'k2', 'k3']", done.stderr
