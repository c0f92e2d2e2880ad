"""The admin site: django.contrib.admin with our site class (Django's documented way to replace
admin.site), for Chinese titles and the workflow dashboard as the admin's home page.

The site class lives here, not in guides.admin: importing that package registers ModelAdmins on
admin.site, which must already exist when it does.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class YibaoAdminSite(admin.AdminSite):
    site_header = "医保办事指南 · 内容管理"
    site_title = "医保办事指南管理"
    index_title = "工作台"
    index_template = "admin/dashboard.html"

    def index(self, request, extra_context=None):
        from guides.admin.dashboard import dashboard

        return super().index(request, {**dashboard(request), **(extra_context or {})})


class YibaoAdminConfig(AdminConfig):
    default_site = "config.apps.YibaoAdminSite"


class YibaoAxesConfig(AxesAppConfig):
    """django-axes (login lockout) under a Chinese name, for the permission lists in the admin."""

    verbose_name = "登录锁定"
