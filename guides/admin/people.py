"""Users and groups, as django.contrib.auth's admin shows them, in Chinese.

Django stores permission names in English at migrate time ("Can add 问答文章"), so gettext never
sees them; the user and group forms label each permission from its codename and model instead
("医保指南内容 · 问答文章 · 可以添加"). The password form's warning, which Django appends to a
translated sentence as plain English, is given in Chinese.
"""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, Permission, User
from django.db import models
from django.utils.text import format_lazy

from . import display  # noqa: F401  (Chinese yes/no icons on these pages too)
from .bases import ModelAdminMixin

ACTIONS = {"add": "可以添加", "change": "可以修改", "delete": "可以删除", "view": "可以查看"}


def model_label(model: type[models.Model] | None) -> str:
    """A model's Chinese name, also for the models Django and simple-history make themselves."""
    if model is None:
        return "（已删除的数据类型）"
    history_of = getattr(model, "instance_type", None)  # simple-history's Historical… models
    if history_of is not None and hasattr(model, "history_id"):
        return f"{model_label(history_of)}的历史"
    owner = model._meta.auto_created  # the link table of a many-to-many field: the model it links from
    if isinstance(owner, type) and issubclass(owner, models.Model):
        for field in owner._meta.many_to_many:
            if field.remote_field.through is model:
                return f"{owner._meta.verbose_name}的{field.verbose_name}"
    return str(model._meta.verbose_name)


def permission_label(permission: Permission) -> str:
    content_type = permission.content_type
    try:
        app = apps.get_app_config(content_type.app_label).verbose_name
    except LookupError:
        app = content_type.app_label
    action, _, _rest = permission.codename.partition("_")
    name = ACTIONS.get(action) if permission.name.startswith("Can ") else None
    return f"{app} · {model_label(content_type.model_class())} · {name or permission.name}"


class PermissionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


class ChinesePermissionsMixin(ModelAdminMixin):
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.remote_field.model is Permission:
            kwargs.setdefault("form_class", PermissionsField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django's own value is lazy too; the stubs declare this subclass's attribute as str only.
    usable_password_help_text = format_lazy(  # type: ignore[assignment]
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        "停用后，这个用户现在的密码会被清除。",
    )


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(ChinesePermissionsMixin, UserAdmin):
    change_password_form = PasswordChangeForm


@admin.register(Group)
class StaffGroupAdmin(ChinesePermissionsMixin, GroupAdmin):
    pass
