"""Login protection for the admin: a password of at least 12 characters, and django-axes locking an
account, or an address, for 15 minutes after 5 wrong passwords — refused before any hashing."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import make_staff

LOGIN = "/admin/login/?next=/admin/"
GOOD = "正确的长密码-Lock-2024"
LOCKED_OUT = "密码错误的次数太多"


def staff_with_password(username: str) -> User:
    user = make_staff(superuser=True, username=username)
    user.set_password(GOOD)
    user.save()
    return user


def log_in(username: str, password: str, address: str = "10.0.0.1"):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_an_eleven_character_password_is_refused_in_chinese():
    with pytest.raises(ValidationError) as refused:
        validate_password("kx7#Rq2!mZp")  # 11 characters, otherwise unremarkable
    messages = " ".join(refused.value.messages)
    assert "12" in messages and "密码" in messages, messages
    assert "password" not in messages.lower()


def test_a_twelve_character_password_is_accepted():
    validate_password("kx7#Rq2!mZp9")  # raises if refused


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_against_the_right_one():
    staff_with_password("wang")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in("wang", "wrong-password!", address="10.0.0.1")
        assert response.status_code == 200  # the login page again, with its error
        assert LOCKED_OUT not in response.content.decode()
    # The fifth wrong password already answers with the lockout page.
    assert log_in("wang", "wrong-password!", address="10.0.0.1").status_code == 429

    # The sixth, with the right password and from another address: the account itself is locked.
    response = log_in("wang", GOOD, address="10.0.0.2")
    page = response.content.decode()
    assert response.status_code == 429
    assert LOCKED_OUT in page and "15 分钟" in page and "管理员" in page
    assert "<script" not in page
    assert "_auth_user_id" not in response.client.session


@pytest.mark.django_db
def test_a_locked_account_does_not_lock_out_another_account_elsewhere():
    staff_with_password("wang")
    staff_with_password("li")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("wang", "wrong-password!", address="10.0.0.1")
    assert log_in("wang", GOOD, address="10.0.0.1").status_code == 429
    assert logged_in(log_in("li", GOOD, address="10.0.0.9"))


@pytest.mark.django_db
def test_a_successful_login_starts_the_count_again():
    staff_with_password("wang")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in("wang", "wrong-password!")
    assert logged_in(log_in("wang", GOOD))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in("wang", "wrong-password!").status_code == 200
    assert logged_in(log_in("wang", GOOD))


@pytest.mark.django_db
def test_five_wrong_passwords_from_one_address_lock_that_address():
    staff_with_password("wang")
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(f"guess-{n}", "wrong-password!", address="10.0.0.66")
    # A real account with its right password, from that address: refused.
    assert log_in("wang", GOOD, address="10.0.0.66").status_code == 429
    # The same account from another address: let in.
    assert logged_in(log_in("wang", GOOD, address="10.0.0.7"))


@pytest.mark.django_db
def test_a_locked_out_attempt_is_refused_before_any_password_is_hashed():
    staff_with_password("wang")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("wang", "wrong-password!")
    with (
        mock.patch.object(MD5PasswordHasher, "verify", autospec=True, side_effect=MD5PasswordHasher.verify) as verify,
        mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode) as encode,
    ):
        assert log_in("wang", GOOD).status_code == 429
        assert log_in("nobody-at-all", "wrong-password!").status_code == 429  # the address is locked too
        assert verify.call_count == 0 and encode.call_count == 0
        # The check can tell: an attempt that is not locked out is hashed.
        log_in("li", "wrong-password!", address="10.0.0.3")
        assert verify.call_count + encode.call_count >= 1


def test_the_lockout_lasts_fifteen_minutes_and_answers_429():
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_HTTP_RESPONSE_CODE == 429
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_the_address_behind_the_proxy_is_the_one_the_proxy_appended(rf, settings):
    from axes.helpers import get_client_ip_address

    request = rf.post(LOGIN, REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    settings.SECURE_PROXY_SSL_HEADER = None
    assert get_client_ip_address(request) == "10.1.1.1"  # no proxy: forwarded headers are ignored
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert get_client_ip_address(request) == "203.0.113.5"
