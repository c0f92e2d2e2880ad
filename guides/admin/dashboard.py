"""The admin's home: short lists of what is waiting for this person, each with its count.

My drafts (and changes sent back to me), waiting for my review (审核) or my submissions waiting
(编辑), due for periodic review, and readers' error reports. A fixed number of queries, whatever
the amount of content.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from ..models import DRAFT, PUBLISHED, REVIEW, Article, PendingChange, PolicyEntry
from . import board
from .roles import can_publish, can_verify

SHOWN = 5


@dataclass
class Item:
    label: str
    url: str
    note: str
    when: datetime.datetime | None = None


@dataclass
class Section:
    title: str
    help: str
    items: list[Item] = field(default_factory=list)
    more_url: str = ""
    total: int | None = None  # when the items are only the first of a longer list

    @property
    def count(self) -> int:
        return len(self.items) if self.total is None else self.total

    @property
    def shown(self) -> list[Item]:
        return self.items[:SHOWN]


def admin_url(obj, view: str) -> str:
    return reverse(f"admin:guides_{obj._meta.model_name}_{view}", args=[obj.pk])


def pending_items(changes, models_by_type) -> list[Item]:
    items = []
    for change in changes:
        model = models_by_type[change.content_type_id]
        url = reverse(f"admin:guides_{model._meta.model_name}_review", args=[change.object_id])
        note = f"{model._meta.verbose_name}的修改稿 · {change.author or '某位编辑'} · {change.get_state_display()}"
        items.append(Item(change.object_repr, url, note, change.updated_at))
    return items


def row_items(rows, note: str) -> list[Item]:
    return [
        Item(str(row), admin_url(row, "review"), f"{row._meta.verbose_name} · {note}", row.updated_at) for row in rows
    ]


def by_newest(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: i.when or timezone.now(), reverse=True)


def dashboard(request: HttpRequest) -> dict:
    user = request.user
    types = ContentType.objects.get_for_models(Article, PolicyEntry)
    models_by_type = {ct.pk: model for model, ct in types.items()}
    figures = PolicyEntry.objects.select_related("region")
    articles = Article.objects.select_related("region")
    changes = list(
        PendingChange.objects.filter(content_type__in=types.values()).select_related("author").order_by("-updated_at")
    )
    mine = Q(pk__in=Article.history.filter(history_user=user).values("id"))
    my_figures = Q(pk__in=PolicyEntry.history.filter(history_user=user).values("id"))

    drafts = Section(
        "我的草稿",
        "自己写过、还没提交的内容，以及被退回的修改。",
        more_url=reverse("admin:guides_article_changelist") + "?status__exact=draft",
    )
    drafts.items = by_newest(
        row_items(articles.filter(mine, status=DRAFT)[:50], "草稿")
        + row_items(figures.filter(my_figures, state=DRAFT)[:50], "草稿")
        + pending_items([c for c in changes if c.author_id == user.pk and c.state == DRAFT], models_by_type)
    )
    sections = [drafts]

    waiting = []
    if can_publish(request):
        waiting += row_items(articles.filter(status=REVIEW)[:50], "待审核")
    if can_verify(request):
        waiting += row_items(figures.filter(state=REVIEW)[:50], "待审核")
    publishable = {types[Article].pk} if can_publish(request) else set()
    publishable |= {types[PolicyEntry].pk} if can_verify(request) else set()
    waiting += pending_items(
        [c for c in changes if c.state == REVIEW and c.content_type_id in publishable], models_by_type
    )
    if publishable:
        more = reverse("admin:guides_article_changelist") + "?status__exact=review"
        sections.append(Section("等我审核", "编辑提交的新内容和对已发布内容的修改。", by_newest(waiting), more))
    else:
        submitted = row_items(articles.filter(mine, status=REVIEW)[:50], "待审核")
        submitted += row_items(figures.filter(my_figures, state=REVIEW)[:50], "待审核")
        submitted += pending_items([c for c in changes if c.author_id == user.pk and c.state == REVIEW], models_by_type)
        sections.append(Section("我提交的、等待审核", "审核通过或退回时会通知你。", by_newest(submitted)))

    today = timezone.localdate()
    due = Section(
        "到期需要重新审核",
        f"超过 {settings.ARTICLE_REVIEW_DAYS} 天没有审核的问答，引用的数字变了的问答，"
        f"和超过 {settings.FIGURE_MAX_AGE_DAYS} 天没有核实的数字。",
        more_url=reverse("guides_freshness"),
    )
    article_cutoff = today - datetime.timedelta(days=settings.ARTICLE_REVIEW_DAYS)
    old_articles = articles.filter(status=PUBLISHED).filter(Q(reviewed_on__lt=article_cutoff) | Q(reviewed_on=None))
    rereview, overdue = board.articles_to_rereview(today, SHOWN), board.figures_overdue(today, SHOWN)
    due.items = (
        [
            Item(str(a), admin_url(a, "change"), f"问答 · 上次审核 {a.reviewed_on or '从未'}")
            for a in old_articles.order_by("reviewed_on")[:SHOWN]
        ]
        + [Item(str(r.article), admin_url(r.article, "change"), "问答 · 引用的数字变了") for r in rereview.items]
        + [Item(str(e), admin_url(e, "change"), f"数字 · 上次核实 {e.verified_on}") for e in overdue.items]
    )
    due.total = old_articles.count() + rereview.total + overdue.total
    sections.append(due)

    errors = Section(
        "读者报告的错误", "读者在页面上报告数字有误、还没处理的。", more_url=reverse("admin:guides_feedback_changelist")
    )
    errors.items = [
        Item(r["name"], r["url"], f"{r['kind_label']} · {r['count']} 条报告") for r in board.reported_error_rows()
    ]
    sections.append(errors)
    return {"dashboard": sections, "board_url": reverse("guides_freshness")}
