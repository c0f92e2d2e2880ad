"""Create (or reset) one 编辑 and one 审核 account for trying the staff workflow on a local run.

Local use only: the passwords are printed, so the command refuses to run unless DEBUG is on.
Running it again gives both accounts new passwords and puts them back in their one group.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from guides.siteurl import absolute_url

# Letters and digits that cannot be mistaken for each other when copied by eye (no 0/O, 1/l/I).
ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# (group made by the migrations, username, name shown in the admin, what the account may do)
ACCOUNTS = (
    ("编辑", "bianji", "演示编辑", "写问答、录入数据，提交审核"),
    ("审核", "shenhe", "演示审核", "审核通过或退回，发布，核实数据"),
)


class Command(BaseCommand):
    help = "本机试用：创建（或重设）一个编辑账号和一个审核账号，并打印它们的密码。DEBUG 关闭时拒绝运行。"

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "demo_staff 只能在本机试用时运行（DEBUG=true）：它会把账号密码打印出来，不能用在正式网站上。"
                "正式网站请用 manage.py createsuperuser 创建管理员，再在后台给同事开账号。"
            )
        made = self.make_accounts()
        admin = absolute_url(reverse("admin:index"))
        lines = ["演示账号已准备好（密码只显示这一次，再运行一次会换新密码）："]
        for (group, username, _, can), password in zip(ACCOUNTS, made, strict=True):
            lines.append(f"  {group}：用户名 {username}  密码 {password}  （{can}）")
        lines.append(f"登录后台：{admin}（先运行 make run）")
        self.stdout.write("\n".join(lines))

    @transaction.atomic
    def make_accounts(self) -> list[str]:
        User = get_user_model()
        passwords = []
        for group_name, username, full_name, _ in ACCOUNTS:
            try:
                group = Group.objects.get(name=group_name)
            except Group.DoesNotExist:
                raise CommandError(f"找不到用户组“{group_name}”：请先运行 manage.py migrate。") from None
            user = User.objects.filter(username=username).first() or User(username=username)
            user.first_name = full_name
            user.email = user.email or f"{username}@example.com"  # workflow notices go to the console
            user.is_staff, user.is_active, user.is_superuser = True, True, False
            password = "".join(secrets.choice(ALPHABET) for _ in range(16))  # about 93 bits
            validate_password(password, user)
            user.set_password(password)
            user.save()
            user.groups.set([group])
            user.user_permissions.clear()
            passwords.append(password)
        return passwords
