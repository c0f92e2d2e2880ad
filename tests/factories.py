"""Small factory functions for test data (djangoproject.com's checklists style)."""

from __future__ import annotations

import datetime
import importlib
import itertools

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.utils import timezone

from guides.figures import REGISTRY
from guides.models import Article, PolicyEntry, Region, Topic

_seq = itertools.count(1)


def make_region(slug: str | None = None, *, name: str | None = None, kind: str = Region.CITY, parent=None) -> Region:
    n = next(_seq)
    slug = slug or f"region-{n}"
    if kind != Region.NATIONAL and parent is None:
        parent = Region.objects.filter(kind=Region.NATIONAL).first() or make_region("national", kind=Region.NATIONAL)
    return Region.objects.create(slug=slug, name=name or f"地区{n}", kind=kind, parent=parent)


def make_policy_entry(region: Region, key: str, value: str, **fields) -> PolicyEntry:
    # Year-labelled figures (average wage, resident fees) are entered for this year unless a test says otherwise.
    yearly = key in REGISTRY and REGISTRY[key].year_labelled
    fields.setdefault("effective_from", datetime.date(timezone.localdate().year if yearly else 2020, 1, 1))
    fields.setdefault("source_title", "测试文件〔2026〕1号")
    fields.setdefault("source_issuer", "测试局")
    fields.setdefault("verified_on", datetime.date(2026, 11, 1))
    fields.setdefault("status", PolicyEntry.VERIFIED)
    fields.setdefault("state", PolicyEntry.PUBLISHED)
    entry = PolicyEntry(region=region, key=key, value=value, **fields)
    entry.full_clean()
    entry.save()
    return entry


def make_staff(
    group: str | None = None, username: str | None = None, full_name: str = "", *, superuser: bool = False
) -> User:
    """A staff member in one of the migrations' groups (编辑 or 审核), or in none; tests log in with
    force_login, so no password is hashed."""
    user = User.objects.create(
        username=username or f"user-{group}-{next(_seq)}", first_name=full_name, is_staff=True, is_superuser=superuser
    )
    if group:
        if not Group.objects.filter(name=group).exists():
            restore_staff_groups()
        user.groups.add(Group.objects.get(name=group))
    return user


def restore_staff_groups() -> None:
    """Run the migrations' group steps again when an earlier transactional test flushed the groups.

    Every transactional test ends by emptying all tables; Django re-creates permissions after that,
    but not rows made by data migrations. (Serialized rollback cannot bring them back for the browser
    tests: the Playwright fixtures give the test a different database connection object.)
    """
    if (
        Group.objects.filter(name__in=["编辑", "审核"]).count() == 2
        and Group.objects.filter(permissions__codename="view_historicalregion").exists()
    ):
        return
    steps = [
        ("0002_staff_groups", "create_groups"),
        ("0004_staff_permissions_for_new_content", "add_permissions"),
        ("0005_workflow_revisions_versions", "grant_permissions"),
    ]
    for name, function in steps:
        migration = importlib.import_module(f"guides.migrations.{name}")
        state = MigrationLoader(connection).project_state(("guides", name))
        getattr(migration, function)(state.apps, None)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_topic(slug: str = "bujiao", name: str = "补缴") -> Topic:
    return Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def make_article(region: Region, slug: str | None = None, **fields) -> Article:
    n = next(_seq)
    fields.setdefault("title", f"测试问题{n}?")
    fields.setdefault("short_answer", f"测试问题{n}的简短回答。")
    fields.setdefault("body", "## 说明\n\n正文。")
    fields.setdefault("status", Article.PUBLISHED)
    if fields["status"] == Article.PUBLISHED:
        fields.setdefault("published_at", timezone.now() - datetime.timedelta(days=1))
    fields.setdefault("reviewed_on", datetime.date(2026, 11, 1))
    topics = fields.pop("topics", [])
    article = Article(region=region, slug=slug or f"wenti-{n}", **fields)
    article.full_clean()
    article.save()
    if topics:
        article.topics.set(topics)
    return article


def unsaved_article(region: Region, body: str, **fields) -> Article:
    """An article as a form would build it before full_clean(): for checking what is refused."""
    fields = {"slug": "x", "title": "问题？", "short_answer": "回答。", **fields}
    return Article(region=region, body=body, **fields)


def make_draft(region: Region, **fields) -> Article:
    return make_article(region, status=Article.DRAFT, **fields)


def today() -> datetime.date:
    return timezone.localdate()


def make_jiangxi() -> tuple[Region, Region, Region]:
    """全国 → 江西省 → 南昌， the way the demo nests them."""
    nation = make_region("national", name="全国", kind=Region.NATIONAL)
    province = make_region("jiangxi", name="江西省", kind=Region.PROVINCE, parent=nation)
    city = make_region("nanchang", name="南昌", kind=Region.CITY, parent=province)
    return nation, province, city


def make_fresh_entry(region: Region, key: str, value: str, **fields) -> PolicyEntry:
    """A figure verified today (so never shown as possibly out of date)."""
    fields.setdefault("verified_on", today())
    return make_policy_entry(region, key, value, **fields)


def validation_errors(obj) -> dict[str, list[str]]:
    """The messages full_clean() refuses `obj` with, by field."""
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    return excinfo.value.message_dict
