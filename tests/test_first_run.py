"""A newcomer's first run: links follow the address the site is served on when SITE_URL is unset
(`PORT=8100 make run`), SITE_URL decides when set, and `make demo-staff` gives two working accounts."""

import json
import re
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from guides.siteurl import absolute_url
from tests.reading import sitemap_sections

LOCAL = "localhost:8100"  # what the browser sends after `PORT=8100 make run`
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"


def canonical(response) -> str:
    (href,) = re.findall(r'<link rel="canonical" href="([^"]*)">', response.content.decode())
    return href


def breadcrumb_items(response) -> list[str]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    crumbs = [json.loads(b) for b in blocks if '"BreadcrumbList"' in b]
    return [item["item"] for data in crumbs for item in data["itemListElement"]]


def sitemap_locations(client, host: str) -> list[str]:
    """Every <loc> of the sitemap index and of the sections it names."""
    locations = []
    for path in ["/sitemap.xml", *sitemap_sections(client, HTTP_HOST=host)]:
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200
        locations += [el.text for el in ET.fromstring(response.content).iter(SITEMAP)]
    return locations


@pytest.mark.django_db
def test_without_site_url_the_pages_sitemap_and_robots_name_the_address_they_were_asked_on(client, settings):
    settings.SITE_URL = ""

    page = client.get("/cihui/", HTTP_HOST=LOCAL)

    assert canonical(page) == f"http://{LOCAL}/cihui/"
    assert f'<meta property="og:url" content="http://{LOCAL}/cihui/">' in page.content.decode()
    assert breadcrumb_items(page) == [f"http://{LOCAL}/", f"http://{LOCAL}/cihui/"]
    locations = sitemap_locations(client, LOCAL)
    assert f"http://{LOCAL}/cihui/" in locations
    assert all(loc.startswith(f"http://{LOCAL}/") for loc in locations)
    assert f"Sitemap: http://{LOCAL}/sitemap.xml" in client.get("/robots.txt", HTTP_HOST=LOCAL).content.decode()


@pytest.mark.django_db
def test_with_site_url_set_no_host_header_changes_the_canonical_address(client, settings):
    settings.SITE_URL = "https://yibao.example"

    page = client.get("/cihui/", HTTP_HOST=LOCAL)

    assert canonical(page) == "https://yibao.example/cihui/"
    assert breadcrumb_items(page) == ["https://yibao.example/", "https://yibao.example/cihui/"]
    locations = sitemap_locations(client, LOCAL)
    assert "https://yibao.example/cihui/" in locations
    assert all(loc.startswith("https://yibao.example/") for loc in locations)
    robots = client.get("/robots.txt", HTTP_HOST=LOCAL).content.decode()
    assert "Sitemap: https://yibao.example/sitemap.xml" in robots
    assert LOCAL not in robots


def test_an_emailed_link_names_site_url_or_else_the_local_address(settings):
    settings.SITE_URL = ""
    settings.LOCAL_URL = "http://127.0.0.1:8100"
    assert absolute_url("/admin/") == "http://127.0.0.1:8100/admin/"

    settings.SITE_URL = "https://yibao.example"
    assert absolute_url("/admin/") == "https://yibao.example/admin/"


@pytest.mark.django_db
def test_demo_staff_is_refused_in_chinese_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="只能在本机试用时运行（DEBUG=true）"):
        call_command("demo_staff", stdout=StringIO())

    assert not User.objects.exists()


@pytest.fixture
def local_run(settings):
    """DEBUG on, as `make demo-staff` runs; a fast password hasher, since hashing is not under test."""
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def printed_accounts(output: str) -> dict[str, tuple[str, str]]:
    """{group: (username, password)} from what demo_staff printed."""
    return {group: (user, pw) for group, user, pw in re.findall(r"(\S+)：用户名 (\S+)  密码 (\S+)", output)}


def signs_in(username: str, password: str) -> bool:
    """Through the admin's login form, as a person would (the lockout backend needs the request)."""
    client = Client()
    client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    return client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_demo_staff_prints_an_editor_and_a_reviewer_who_can_sign_in_to_the_admin(local_run, settings):
    settings.SITE_URL = ""
    settings.LOCAL_URL = "http://127.0.0.1:8100"
    out = StringIO()

    call_command("demo_staff", stdout=out)

    accounts = printed_accounts(out.getvalue())
    assert set(accounts) == {"编辑", "审核"}
    assert "登录后台：http://127.0.0.1:8100/admin/" in out.getvalue()
    for group, (username, password) in accounts.items():
        assert len(password) >= 16
        user = User.objects.get(username=username)
        assert [g.name for g in user.groups.all()] == [group]
        assert user.is_staff and not user.is_superuser
        assert signs_in(username, password), group


@pytest.mark.django_db
def test_running_demo_staff_again_gives_new_passwords_to_the_same_two_accounts(local_run):
    first, second = StringIO(), StringIO()

    call_command("demo_staff", stdout=first)
    call_command("demo_staff", stdout=second)

    before, after = printed_accounts(first.getvalue()), printed_accounts(second.getvalue())
    assert User.objects.count() == 2
    for group, (username, old_password) in before.items():
        assert after[group][0] == username
        assert after[group][1] != old_password
        assert not signs_in(username, old_password)
        assert signs_in(username, after[group][1])
