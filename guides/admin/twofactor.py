"""Two-factor login for staff (两步验证): a TOTP authenticator app on their phone, with django-otp.

- Staff turn it on for their own account on /admin/two-factor/: scan the QR code (or type the
  secret) into an authenticator app, then type one current code; only a confirmed device counts.
  They turn it off there too, with a current code. A superuser sees who has it on and can remove a
  device there (a lost phone); `manage.py remove_two_factor USERNAME` does it without the admin.
- The admin login asks accounts with a confirmed device for the 6-digit code after checking the
  password. A wrong or missing code is refused with the same message as a wrong password (it must not
  tell a guesser the password was right), and counts as a failed login for django-axes.
- OTP_REQUIRED=true sends staff without a device to the setup page before any other admin page.
"""

from __future__ import annotations

from base64 import b32encode

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

WRONG_LOGIN = (
    "用户名、密码或动态验证码不对。请注意大小写；开启了两步验证的账号还要填手机验证器里现在显示的 6 位动态验证码。"
)
WRONG_CODE = "动态验证码不对。请输入手机验证器里现在显示的 6 位数字（每 30 秒换一次）。"
DEVICE_NAME = "手机验证器"


def confirmed_device(user) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _verified(request: HttpRequest) -> bool:
    """True when this session gave a code at login (django-otp's OTPMiddleware reads the session)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _has_device(request: HttpRequest) -> bool:
    """Whether the logged-in user has a confirmed device, read once per request."""
    if not hasattr(request, "_two_factor_device"):
        request._two_factor_device = confirmed_device(request.user) is not None  # type: ignore[attr-defined]
    return request._two_factor_device  # type: ignore[attr-defined]


def needs_code(request: HttpRequest) -> bool:
    """The user has two-factor login on, but this session never gave a code: not let in."""
    return request.user.is_authenticated and not _verified(request) and _has_device(request)


def must_set_up(request: HttpRequest) -> bool:
    """OTP_REQUIRED and this staff member has no device yet: the setup page comes first."""
    user = request.user
    return (
        settings.OTP_REQUIRED
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and not _verified(request)
        and not _has_device(request)
    )


def check_code(device: TOTPDevice, code: str) -> bool:
    """Verify a code against the device, locked against a concurrent check (django-otp's throttling
    and its refusal of a code already used both live on the row)."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == device.digits):
        return False
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return locked.verify_token(code)


def code_field(required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label="动态验证码",
        required=required,
        help_text=help_text,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )


class TwoFactorLoginForm(AdminAuthenticationForm):
    """The admin login: the password first (Django and django-axes), then, for an account with a
    confirmed device, its current code."""

    error_messages = {**AdminAuthenticationForm.error_messages, "invalid_login": WRONG_LOGIN}

    otp_token = code_field(required=False, help_text="开启了两步验证的账号才要填。")

    def clean(self):
        cleaned = super().clean()  # raises invalid_login for a wrong password or a non-staff account
        user = self.get_user()
        device = confirmed_device(user) if user is not None else None
        if device is not None:
            if not check_code(device, cleaned.get("otp_token") or ""):
                # django-axes counts failures from this signal: code guessing is locked out too.
                user_login_failed.send(
                    sender=__name__, credentials={"username": cleaned.get("username")}, request=self.request
                )
                self.user_cache = None
                raise self.get_invalid_login_error()
            # django-otp keeps it in the session when Django logs the user in (user_logged_in).
            user.otp_device = device  # type: ignore[attr-defined]
        return cleaned


class CodeForm(forms.Form):
    code = code_field()

    def __init__(self, device: TOTPDevice | None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if self.device is None or not check_code(self.device, code):
            raise forms.ValidationError(WRONG_CODE, code="wrong_code")
        return code


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (segno writes only its own markup)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, svgclass="two-factor-qr", lineclass=None, title="用手机验证器扫描这个二维码"
    )
    return mark_safe(svg)  # noqa: S308  (segno's SVG: numbers and our escaped title only)


def grouped_secret(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def two_factor_view(request: HttpRequest) -> HttpResponse:
    """Turn two-factor login on (scan, confirm with a code) or off (a code); superusers also remove
    other staff members' devices."""
    user = request.user
    device = confirmed_device(user)
    action = request.POST.get("action") if request.method == "POST" else None

    if action == "remove":
        return remove_view(request)
    if device is None:
        pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if pending is None:
            pending = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        form = CodeForm(pending, request.POST if action == "confirm" else None)
        if action == "confirm" and form.is_valid():
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            django_otp.login(request, pending)  # this session counts as having given a code
            messages.success(request, "两步验证已开启。以后登录时，除了密码还要输入手机验证器里的动态验证码。")
            return redirect("admin:index")
        context = {"pending": pending, "qr_code": qr_code_svg(pending), "secret": grouped_secret(pending)}
    else:
        form = CodeForm(device, request.POST if action == "disable" else None)
        if action == "disable" and form.is_valid():
            TOTPDevice.objects.filter(user=user).delete()
            messages.success(request, "两步验证已关闭。以后登录只需要密码。")
            return redirect("admin:two_factor")
        context = {"device": device}

    others = []
    if user.is_superuser:
        others = list(
            TOTPDevice.objects.filter(confirmed=True)
            .exclude(user=user)
            .select_related("user")
            .order_by("user__username")
        )
    return TemplateResponse(
        request,
        "admin/two_factor.html",
        {
            **admin.site.each_context(request),
            "title": "两步验证",
            "form": form,
            "others": others,
            "required": settings.OTP_REQUIRED,
            **context,
        },
    )


def remove_view(request: HttpRequest) -> HttpResponse:
    """A superuser turns off someone else's two-factor login (a lost or replaced phone)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    owner = get_object_or_404(User, pk=request.POST.get("user"))
    removed, _ = TOTPDevice.objects.filter(user=owner).delete()
    if removed:
        messages.success(request, f"已关闭 {owner.get_username()} 的两步验证。TA 下次登录只需要密码，可以再自己开启。")
    return redirect("admin:two_factor")
