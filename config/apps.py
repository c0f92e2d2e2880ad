"""The admin site: django.contrib.admin with our site class (Django's documented way to replace
admin.site), for Chinese titles, the workflow dashboard as the admin's home page, and the second
factor (TOTP, django-otp) at login.

The site class lives here, not in guides.admin: importing that package registers ModelAdmins on
admin.site, which must already exist when it does.
"""

from functools import wraps

from axes.apps import AppConfig as AxesAppConfig
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import path, reverse
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig


class YibaoAdminSite(admin.AdminSite):
    site_header = "医保办事指南 · 内容管理"
    site_title = "医保办事指南管理"
    index_title = "工作台"
    index_template = "admin/dashboard.html"
    # Username, password and, for accounts with two-factor login on, the code (guides/admin/twofactor.py).
    login_template = "admin/two_factor_login.html"

    @property
    def login_form(self):  # type: ignore[override]  # imported late: the form module imports models
        from guides.admin.twofactor import TwoFactorLoginForm

        return TwoFactorLoginForm

    def index(self, request, extra_context=None):
        from guides.admin.dashboard import dashboard

        return super().index(request, {**dashboard(request), **(extra_context or {})})

    def has_permission(self, request):
        """Active staff, and, for an account with two-factor login on, a session that gave its code:
        a session started some other way (or before the device was added) must log in again."""
        from guides.admin.twofactor import needs_code

        return super().has_permission(request) and not needs_code(request)

    def admin_view(self, view, cacheable=False):
        """With OTP_REQUIRED, staff without two-factor login are sent to turn it on before any other
        admin page (logging out excepted)."""
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def inner(request, *args, **kwargs):
            from guides.admin.twofactor import must_set_up

            if must_set_up(request) and request.path != reverse("admin:logout", current_app=self.name):
                return redirect("admin:two_factor")
            return checked(request, *args, **kwargs)

        return inner

    def get_urls(self):
        from guides.admin.twofactor import two_factor_view

        setup = super().admin_view(two_factor_view)  # not self.admin_view: it is where OTP_REQUIRED sends staff
        return [path("two-factor/", setup, name="two_factor"), *super().get_urls()]


class YibaoAdminConfig(AdminConfig):
    default_site = "config.apps.YibaoAdminSite"

    def ready(self):
        super().ready()  # autodiscover: django-otp's TOTPDevice admin registers itself
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # Its pages are English (field help, fieldsets) and let anyone with the permission read the
        # secret keys; staff use the 两步验证 page instead, and superusers remove devices there.
        if admin.site.is_registered(TOTPDevice):
            admin.site.unregister(TOTPDevice)


class YibaoAxesConfig(AxesAppConfig):
    """django-axes (login lockout) under a Chinese name, for the permission lists in the admin."""

    verbose_name = "登录锁定"


class YibaoTOTPConfig(TOTPAppConfig):
    """django-otp's TOTP devices under Chinese names, for the permission lists in the admin."""

    verbose_name = "两步验证"

    def ready(self):
        super().ready()
        # Its model's names are plain English strings, not marked for translation. Only the names
        # read at run time change: migrations compare Meta's original_attrs, which stay as they are.
        meta = self.get_model("TOTPDevice")._meta
        meta.verbose_name = "手机验证器"
        meta.verbose_name_plural = "手机验证器"
