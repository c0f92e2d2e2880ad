"""Small factory functions for test data (djangoproject.com's checklists style)."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth.models import Group, User
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
        user.groups.add(Group.objects.get(name=group))
    return user


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
