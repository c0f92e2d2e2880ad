"""Turn off a staff member's two-factor login (两步验证), for a lost or replaced phone.

    manage.py remove_two_factor USERNAME

For when nobody can do it in the admin (a superuser on /admin/two-factor/ can): the only superuser
lost their phone, say. The account then logs in with its password alone and can turn it on again.
django-otp ships no such command (only otp_static's addstatictoken, for an app we do not install).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "关闭一个账号的两步验证（手机丢了或换了）。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"没有用户名为 {username} 的账号。") from None
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        if removed:
            self.stdout.write(f"已关闭 {username} 的两步验证。TA 下次登录只需要密码。")
        else:
            self.stdout.write(f"{username} 没有开启两步验证，没有要关闭的。")
