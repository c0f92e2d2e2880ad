"""The admin login in real Chromium: five wrong passwords lock the account with the Chinese 429 page
(styled, no console error, no CSP violation), and a staff member with two-factor login gets in with
the code from their phone — and can turn it on from the admin in the first place."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browsing import RECORD_VIOLATIONS, STAFF_PASSWORD, field, visit

pytestmark = pytest.mark.browser

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def watched(desktop):
    """The page, and every console error and CSP violation it meets. The console's "failed to load
    resource" lines name only a status (the refused logins answer 429 on purpose, and Chromium asks
    admin pages, which name no icon, for /favicon.ico): resources are checked by address instead."""
    problems: list[str] = []
    desktop.add_init_script(RECORD_VIOLATIONS)
    desktop.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" and "status of" not in m.text else None
    )
    desktop.on("pageerror", lambda e: problems.append(str(e)))
    # A resource that fails to load, by address (the console names only its status); the pages
    # themselves are left out: the refused login answers 429 on purpose.
    desktop.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    return desktop, problems


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__violations")


def submit_login(page: Page, password: str, code: str = "") -> int:
    """Fill the admin login form and send it; the status of the page it answers with."""
    page.get_by_label("用户名").fill("laoli")
    field(page, "密码").fill(password)
    if code:
        page.get_by_label("动态验证码").fill(code)
    with page.expect_navigation() as answered:
        page.get_by_role("button", name="登录").click()
    return answered.value.status


def code_for(key: bytes) -> str:
    return f"{totp(key):06d}"


def test_five_wrong_passwords_lock_the_login_with_a_chinese_page(staff_site, watched):
    page, problems = watched
    statuses = []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        visit(page, staff_site, LOGIN)
        statuses.append(submit_login(page, "wrong-password-guess"))
        if statuses[-1] == 200:
            expect(page.locator(".errornote")).to_contain_text("用户名、密码或动态验证码不对")
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    # The sixth, with the right password: the lockout page, not the admin.
    visit(page, staff_site, LOGIN)
    assert submit_login(page, STAFF_PASSWORD) == 429

    expect(page.get_by_role("heading", level=1)).to_have_text("暂时不能登录")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    expect(page.locator("main")).to_contain_text(f"请 {minutes} 分钟后再试")
    expect(page.locator("main")).to_contain_text("联系网站管理员解锁")
    expect(page).to_have_title(re.compile("^暂时不能登录"))
    # Styled by the site's stylesheet (the fault pages' frame), not a bare browser page.
    assert page.evaluate("document.styleSheets.length") >= 1
    header_style = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header_style not in ("rgba(0, 0, 0, 0)", "transparent"), header_style
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # site.css resets it
    assert violations(page) == [] and problems == [], (violations(page), problems)


def test_staff_with_two_factor_log_in_with_the_code_from_their_phone(staff_site, watched):
    page, problems = watched
    laoli = TOTPDevice.objects.create(user=User.objects.get(username="laoli"), name="手机验证器", confirmed=True)

    visit(page, staff_site, LOGIN)
    assert submit_login(page, STAFF_PASSWORD) == 200  # no code: refused, the username kept
    expect(page.locator(".errornote")).to_contain_text("用户名、密码或动态验证码不对")
    expect(page.get_by_label("用户名")).to_have_value("laoli")

    assert submit_login(page, STAFF_PASSWORD, code_for(laoli.bin_key)) == 200  # lands on the admin's home
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    assert page.url.endswith("/admin/")
    assert violations(page) == [] and problems == [], (violations(page), problems)


def test_staff_turn_on_two_factor_from_the_admin_header(staff_site, watched):
    page, problems = watched
    visit(page, staff_site, LOGIN)
    submit_login(page, STAFF_PASSWORD)
    page.locator("#user-tools").get_by_role("link", name="两步验证").click()

    expect(page.get_by_role("heading", name="开启两步验证")).to_be_visible()
    qr = page.locator("svg.two-factor-qr")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 120  # big enough to scan from the screen
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    page.get_by_label("动态验证码").fill(code_for(b32decode(secret)))
    page.get_by_role("button", name="开启两步验证").click()

    expect(page.locator(".messagelist")).to_contain_text("两步验证已开启")
    assert TOTPDevice.objects.get(user__username="laoli").confirmed
    assert violations(page) == [] and problems == [], (violations(page), problems)
