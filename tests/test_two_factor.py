"""Two-factor login for staff (两步验证, django-otp TOTP): turning it on and off, the login that asks
for the code, code guessing locked out by django-axes, OTP_REQUIRED, and the lockout page's wait."""

from __future__ import annotations

import datetime
from base64 import b32encode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from guides.admin.twofactor import WRONG_CODE, WRONG_LOGIN
from tests.factories import logged_in, make_staff
from tests.reading import reads
from tests.test_admin_chinese import english

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
SETUP = "/admin/two-factor/"
PASSWORD = "正确的长密码-Otp-2026"


def staff(username: str = "wang", *, superuser: bool = False):
    user = make_staff("编辑" if not superuser else None, username, superuser=superuser)
    user.set_password(PASSWORD)
    user.save()
    return user


def with_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """What the phone shows now. Each test step starts afresh: a code is accepted once per 30-second
    step and a wrong one throttles the next check for a second (django-otp), so clear both here."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 1) % 10**6:06d}"


def log_in(username: str, password: str = PASSWORD, code: str | None = None, address: str = "10.0.0.1"):
    data = {"username": username, "password": password}
    if code is not None:
        data["otp_token"] = code
    client = Client()
    return client.post(LOGIN, data, REMOTE_ADDR=address), client


def let_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


# --------------------------------------------------------------------------------------------
# Turning it on


def test_the_setup_page_shows_a_qr_code_and_the_secret_to_type_in_chinese():
    user = staff()
    client = logged_in(user)

    response = client.get(SETUP)

    page = response.content.decode()
    device = TOTPDevice.objects.get(user=user)
    secret = b32encode(device.bin_key).decode()
    assert response.status_code == 200
    assert not device.confirmed
    assert "<svg" in page and "two-factor-qr" in page and "<script" not in page.split("<svg", 1)[1].split("</svg>")[0]
    assert secret[:4] + " " + secret[4:8] in page  # grouped by four for typing
    assert reads(response, "开启两步验证") and reads(response, "动态验证码")
    assert not english(page, {"wang"}), english(page, {"wang"})
    # The same pending device on a second visit: the QR code the phone scanned stays valid.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_staff_reach_the_setup_page_from_the_admin_header():
    page = logged_in(staff()).get("/admin/").content.decode()

    assert f'<a href="{SETUP}">两步验证</a>' in page


def test_an_unconfirmed_device_does_not_count_at_login():
    user = staff()
    logged_in(user).get(SETUP)  # scanned, never confirmed

    response, _ = log_in("wang")

    assert let_in(response)


def test_a_wrong_code_does_not_turn_it_on():
    user = staff()
    client = logged_in(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(SETUP, {"action": "confirm", "code": wrong_code(device)})

    assert response.status_code == 200
    assert reads(response, WRONG_CODE)
    assert "<svg" in response.content.decode()  # still there to scan
    device.refresh_from_db()
    assert not device.confirmed


def test_the_right_code_turns_it_on_and_keeps_this_session_in():
    user = staff()
    client = logged_in(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(SETUP, {"action": "confirm", "code": current_code(device)})

    assert let_in(response)
    device.refresh_from_db()
    assert device.confirmed
    home = client.get("/admin/")
    assert home.status_code == 200 and reads(home, "两步验证已开启")
    assert reads(client.get(SETUP), "两步验证已开启")


# --------------------------------------------------------------------------------------------
# Logging in


def test_an_account_without_a_device_logs_in_with_its_password_alone():
    staff()
    response, client = log_in("wang")

    assert let_in(response)
    assert client.get("/admin/").status_code == 200


def test_an_account_with_a_device_logs_in_with_password_and_code():
    device = with_device(staff())

    response, client = log_in("wang", code=current_code(device))

    assert let_in(response)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "wrong"], ids=["missing", "short", "letters", "wrong"])
def test_a_missing_or_wrong_code_is_refused_in_chinese_keeping_the_username(code):
    device = with_device(staff())
    typed = wrong_code(device) if code == "wrong" else code

    response, client = log_in("wang", code=typed)

    page = response.content.decode()
    assert response.status_code == 200
    assert reads(response, WRONG_LOGIN)
    assert 'value="wang"' in page
    assert "_auth_user_id" not in client.session
    assert not english(page, {"wang"})


def test_a_wrong_code_reads_exactly_like_a_wrong_password():
    device = with_device(staff())

    wrong_password, _ = log_in("wang", password="not-the-password!", code=current_code(device))
    wrong_code_only, _ = log_in("wang", code=wrong_code(device), address="10.0.0.2")

    def errors(response) -> str:
        return response.content.decode().split('id="content-main"')[0].split('id="content"')[1]

    assert errors(wrong_password) == errors(wrong_code_only)


def test_a_code_is_accepted_only_once():
    device = with_device(staff())
    code = current_code(device)

    assert let_in(log_in("wang", code=code)[0])
    assert log_in("wang", code=code)[0].status_code == 200  # replayed: refused


def test_wrong_codes_count_as_failed_logins_and_lock_the_account():
    device = with_device(staff())
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response, _ = log_in("wang", code=wrong_code(device), address=f"10.0.1.{n}")
        assert response.status_code == 200
    counted = sum(a.failures_since_start for a in AccessAttempt.objects.filter(username="wang"))
    assert counted == settings.AXES_FAILURE_LIMIT - 1

    fifth, _ = log_in("wang", code=wrong_code(device), address="10.0.1.9")
    assert fifth.status_code == 429

    # Locked: not even the right password and code get in, from yet another address.
    response, client = log_in("wang", code=current_code(device), address="10.0.2.1")
    assert response.status_code == 429 and reads(response, "暂时不能登录")
    assert "_auth_user_id" not in client.session


def test_a_session_that_never_gave_the_code_is_sent_to_log_in():
    user = staff()
    with_device(user)
    client = logged_in(user)  # force_login: no code given

    response = client.get("/admin/")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --------------------------------------------------------------------------------------------
# OTP_REQUIRED


def test_with_otp_required_staff_without_a_device_go_to_the_setup_page_first(settings):
    settings.OTP_REQUIRED = True
    client = logged_in(staff())

    for url in ("/admin/", "/admin/guides/article/", "/admin/guides/freshness/", "/admin/password_change/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == SETUP, url
    setup = client.get(SETUP)
    assert setup.status_code == 200 and reads(setup, "本网站要求所有工作人员开启两步验证")
    assert client.post("/admin/logout/").status_code == 200  # logging out is always allowed


def test_with_otp_required_staff_who_turned_it_on_use_the_admin(settings):
    settings.OTP_REQUIRED = True
    device = with_device(staff())

    response, client = log_in("wang", code=current_code(device))

    assert let_in(response)
    assert client.get("/admin/guides/article/").status_code == 200


def test_without_otp_required_the_setup_page_is_only_offered(settings):
    settings.OTP_REQUIRED = False
    client = logged_in(staff())

    assert client.get("/admin/").status_code == 200


# --------------------------------------------------------------------------------------------
# Turning it off


def verified_client(user, device: TOTPDevice) -> Client:
    _, client = log_in(user.username, code=current_code(device), address="10.0.3.1")
    return client


def test_turning_it_off_needs_a_current_code():
    user = staff()
    device = with_device(user)
    client = verified_client(user, device)

    refused = client.post(SETUP, {"action": "disable", "code": wrong_code(device)})
    assert refused.status_code == 200 and reads(refused, WRONG_CODE)
    assert reads(refused, "两步验证已开启") and not english(refused.content.decode(), {"wang"})
    assert TOTPDevice.objects.filter(user=user).exists()

    response = client.post(SETUP, {"action": "disable", "code": current_code(device)})
    assert response.status_code == 302 and response["Location"] == SETUP
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert let_in(log_in("wang", address="10.0.3.2")[0])  # the password alone again


def test_a_superuser_turns_off_a_staff_members_two_factor_login():
    admin_user = staff("guanliyuan", superuser=True)
    with_device(staff("wang"))
    client = logged_in(admin_user)

    listed = client.get(SETUP)
    assert reads(listed, "关闭 wang 的两步验证")
    assert not english(listed.content.decode(), {"wang", "guanliyuan"})
    wang = TOTPDevice.objects.get(user__username="wang").user

    response = client.post(SETUP, {"action": "remove", "user": wang.pk})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=wang).exists()


def test_only_a_superuser_turns_off_someone_elses():
    other = staff("li")
    with_device(other)
    client = logged_in(staff("wang"))

    assert "关闭 li 的两步验证" not in client.get(SETUP).content.decode()
    assert client.post(SETUP, {"action": "remove", "user": other.pk}).status_code == 403
    assert TOTPDevice.objects.filter(user=other).exists()


def test_the_command_turns_it_off_when_nobody_can_log_in(capsys):
    with_device(staff("guanliyuan", superuser=True))

    call_command("remove_two_factor", "guanliyuan")

    assert "已关闭 guanliyuan 的两步验证" in capsys.readouterr().out
    assert not TOTPDevice.objects.exists()
    with pytest.raises(CommandError, match="没有用户名为 nobody 的账号"):
        call_command("remove_two_factor", "nobody")


# --------------------------------------------------------------------------------------------
# Chinese names, and the lockout page's wait


def test_its_permissions_are_named_in_chinese():
    from guides.admin.people import permission_label

    label = permission_label(Permission.objects.get(codename="delete_totpdevice"))

    assert label == "两步验证 · 手机验证器 · 可以删除"


def test_the_lockout_page_names_the_wait_the_setting_gives(settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
    staff()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response, _client = log_in("wang", password="wrong-password!", address="10.0.4.1")

    assert response.status_code == 429
    assert reads(response, "请 30 分钟后再试")
    assert "15 分钟" not in response.content.decode()
