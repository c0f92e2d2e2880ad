"""The content board: a to-do list for 审核 and 编辑, grouped by what to do, and the page of
what changes on a given day.

Each group is a short list (at most `SHOWN` rows, then a link to the whole filtered list) built by
a function the admin's home page can call too: `articles_to_rereview`, `figures_overdue`,
`figures_unverified`, `upcoming_changes`, `scheduled_items`, `reported_errors`, `deleted`. Each reads
a fixed number of queries, whatever the amount of content.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from ..figures import REGISTRY
from ..markdown import figure_tokens
from ..models import Article, PolicyEntry
from ..usage import CHANGING_STATES, NO_VALUE, RegionTree, changes_on, human, resolve, same_value, upcoming_change_days

SHOWN = 10


@dataclass
class Rows:
    """A group's first rows, how many there are in all, and where the whole list is."""

    items: list
    total: int
    more_url: str = ""

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


def cut(items: list, limit: int | None, more_url: str = "") -> Rows:
    return Rows(items if limit is None else items[:limit], len(items), more_url)


def changelist(model_name: str, **params) -> str:
    url = reverse(f"admin:guides_{model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def ids_url(model_name: str, rows) -> str:
    """The admin list of exactly these rows (the admin accepts id__in=1,2,3)."""
    return changelist(model_name, id__in=",".join(str(pk) for pk in rows))


# --------------------------------------------------------------------------------------------
# 重新审核这些问答（数字变了）


@dataclass(frozen=True)
class ValueChange:
    key: str
    old: str | None  # stored values
    new: str | None

    @property
    def label(self) -> str:
        return REGISTRY[self.key].label

    @property
    def old_display(self) -> str:
        return human(self.key, self.old)

    @property
    def new_display(self) -> str:
        return human(self.key, self.new)


@dataclass
class Rereview:
    article: Article
    baseline: datetime.date | None  # the last approval
    changes: list[ValueChange] = field(default_factory=list)


def snapshot_value(item) -> str | None:
    if isinstance(item, dict):
        value = item.get("value")
        return None if value is None else str(value)
    return None if item is None else str(item)


def articles_to_rereview(today: datetime.date, limit: int | None = SHOWN) -> Rows:
    """Published articles whose figures show a different VALUE today than when they were approved.

    The values at approval are `Article.reviewed_figures` (guides.workflow.figure_snapshot). An
    article approved before those were kept is compared with the figures in force on its
    `reviewed_on` day (the periods as they are stored now). A figure saved again with the same
    value, or replaced by a new period with the same value, flags nothing. Three queries.
    """
    now = timezone.now()
    tree = RegionTree()
    by_key: dict[str, list[PolicyEntry]] = {}
    for entry in (
        PolicyEntry.objects.live()
        .filter(effective_from__lte=today)
        .only("id", "region_id", "key", "value", "effective_from", "effective_to")
    ):
        by_key.setdefault(entry.key, []).append(entry)
    articles = (
        Article.objects.filter(status=Article.PUBLISHED)
        .filter(Article.not_taken_down(now))
        .exclude(body="")
        .only("id", "title", "slug", "region_id", "body", "reviewed_on", "reviewed_figures", "published_at", "order")
        .order_by("region__order", "order", "pk")
    )
    found = []
    for article in articles:
        keys = [k for k in figure_tokens(article.body) if k in REGISTRY]
        if not keys:
            continue
        chain = tree.chain(article.region_id)
        snapshot = article.reviewed_figures if isinstance(article.reviewed_figures, dict) else {}
        baseline = article.reviewed_on or (timezone.localdate(article.published_at) if article.published_at else None)
        if not snapshot and baseline is None:
            continue
        row = Rereview(article, baseline)
        for key in keys:
            candidates = by_key.get(key, [])
            if snapshot:
                old = snapshot_value(snapshot.get(key))
            else:
                assert baseline is not None  # an article with neither was skipped above
                then = resolve(key, chain, baseline, candidates)
                old = then.value if then else None
            now_entry = resolve(key, chain, today, candidates)
            new = now_entry.value if now_entry else None
            if not same_value(key, old, new):
                row.changes.append(ValueChange(key, old, new))
        if row.changes:
            found.append(row)
    tree.attach(row.article for row in found)
    return cut(found, limit, ids_url("article", (row.article.pk for row in found)))


# --------------------------------------------------------------------------------------------
# Figures to check


def live_in_force(today: datetime.date):
    return PolicyEntry.objects.live().in_force(today).select_related("region")


def figure_rows(rows, limit: int | None, url: str) -> Rows:
    items = list(rows[:limit] if limit else rows)
    for entry in items:
        entry.shown = human(entry.key, entry.value)  # never raises on an odd stored value
    return Rows(items, rows.count(), url)


def figures_overdue(today: datetime.date, limit: int | None = SHOWN) -> Rows:
    """Approved figures in force whose last check is older than FIGURE_MAX_AGE_DAYS, oldest first."""
    rows = live_in_force(today).overdue(today).order_by("verified_on", "pk")
    url = changelist("policyentry", in_force="now", overdue="yes", state__exact=PolicyEntry.PUBLISHED)
    return figure_rows(rows, limit, url)


def figures_unverified(today: datetime.date, limit: int | None = SHOWN) -> Rows:
    """Approved figures in force still marked 待核实."""
    rows = live_in_force(today).filter(status=PolicyEntry.UNVERIFIED).order_by("region__order", "key", "pk")
    url = changelist(
        "policyentry", in_force="now", status__exact=PolicyEntry.UNVERIFIED, state__exact=PolicyEntry.PUBLISHED
    )
    return figure_rows(rows, limit, url)


# --------------------------------------------------------------------------------------------
# 即将生效的新数字 and 定时发布和下线


@dataclass(frozen=True)
class ChangeDay:
    day: datetime.date
    figures: int
    pending: int  # not yet approved

    @property
    def url(self) -> str:
        return f"{reverse('guides_changes')}?{urlencode({'on': self.day.isoformat()})}"


def upcoming_changes(today: datetime.date, limit: int | None = SHOWN) -> Rows:
    """Days on which figures entered ahead take effect, soonest first (one query)."""
    days = [
        ChangeDay(row["effective_from"], row["figures"], row["pending"])
        for row in PolicyEntry.objects.filter(effective_from__gt=today, state__in=CHANGING_STATES)
        .values("effective_from")
        .annotate(figures=Count("id"), pending=Count("id", filter=Q(state=PolicyEntry.REVIEW)))
        .order_by("effective_from")
    ]
    return cut(days, limit, changelist("policyentry", in_force="future"))


@dataclass(frozen=True)
class Scheduled:
    article: Article
    at: datetime.datetime
    action: str  # 发布 | 下线


def scheduled_items(now: datetime.datetime, limit: int | None = SHOWN) -> Rows:
    """Approved articles that go up or come down later, soonest first (one query)."""
    articles = Article.objects.filter(status=Article.PUBLISHED).filter(
        Q(published_at__gt=now) | Q(unpublish_at__gt=now)
    )
    events = []
    for article in articles.only("id", "title", "published_at", "unpublish_at"):
        if article.published_at and article.published_at > now:
            events.append(Scheduled(article, article.published_at, "发布"))
        if article.unpublish_at and article.unpublish_at > now:
            events.append(Scheduled(article, article.unpublish_at, "下线"))
    events.sort(key=lambda e: (e.at, e.article.pk))
    return cut(events, limit, ids_url("article", dict.fromkeys(e.article.pk for e in events)))


# --------------------------------------------------------------------------------------------
# 读者报告的错误


def reported_error_rows() -> list[dict]:
    """Unhandled 报告数字有误 per article, region guide and estimator, each with a link to the
    feedback list filtered to it (one query)."""
    from ..feedback import KIND_LABELS, reported_errors

    base = reverse("admin:guides_feedback_changelist")
    rows = []
    for row in reported_errors():
        params = {"answer__exact": "error", "handled__exact": "0", "kind": row["kind"]}
        if row["kind"] == "article":
            name = row["article__title"]
            params["article__id__exact"] = row["article_id"]
        else:
            page = "医保指南" if row["kind"] == "region" else "补缴估算"
            name = f"{row['region__name']}{page}" if row["region__name"] else f"{page}（没有选城市）"
            if row["region_id"]:
                params["region__id__exact"] = row["region_id"]
            else:
                params["region__isnull"] = "True"
        rows.append({**row, "name": name, "kind_label": KIND_LABELS[row["kind"]], "url": f"{base}?{urlencode(params)}"})
    return rows


def reported_errors(limit: int | None = SHOWN) -> Rows:
    return cut(reported_error_rows(), limit, changelist("feedback", answer__exact="error", handled__exact="0"))


# --------------------------------------------------------------------------------------------
# 可以恢复的已删除内容


def deleted_items(limit: int | None = None) -> list[dict]:
    """The last saved copy of each deleted article or figure, newest first, for recovery (five queries)."""
    regions = None
    items = []
    for model in (Article, PolicyEntry):
        live = set(model.objects.order_by().values_list("pk", flat=True))
        seen = set()
        records = model.history.filter(history_type="-").select_related("history_user").order_by("-history_date")
        history_url = f"admin:{model._meta.app_label}_{model._meta.model_name}_history"
        for record in records[:100]:
            if record.id in live or record.id in seen:
                continue
            seen.add(record.id)
            if model is PolicyEntry:  # named as PolicyEntry.__str__ does, without a query per row
                regions = regions if regions is not None else RegionTree().by_id
                region = regions.get(record.region_id)
                label = REGISTRY[record.key].label if record.key in REGISTRY else record.key
                name = f"{region.name if region else '已删除的地区'} · {label}"
            else:  # Article.__str__; record.instance would read its excluded body_html back, a query a row
                name = record.title
            items.append(
                {
                    "kind": model._meta.verbose_name,
                    "name": name,
                    "deleted_at": record.history_date,
                    "by": record.history_user,
                    "url": reverse(history_url, args=[record.id]),
                }
            )
    items.sort(key=lambda item: item["deleted_at"], reverse=True)
    return items[:limit] if limit else items


def deleted(limit: int | None = SHOWN) -> Rows:
    return cut(deleted_items(), limit, f"{reverse('guides_freshness')}?{urlencode({'show': 'deleted'})}")


# --------------------------------------------------------------------------------------------
# The board


# Groups whose whole list has no admin list of its own: the board shows them in full on request.
EXPANDABLE = {"deleted": "可以恢复的已删除内容"}


def freshness_view(request: HttpRequest) -> HttpResponse:
    """The content board: what to do, group by group, each a short list with its count."""
    if not request.user.has_perm("guides.view_policyentry"):
        raise PermissionDenied
    today, now = timezone.localdate(), timezone.now()
    show = request.GET.get("show", "")
    problem = ""
    if show and show not in EXPANDABLE:
        problem = "没有这一组内容，下面显示的是整个工作台。"
        show = ""
    return TemplateResponse(
        request,
        "admin/guides/freshness.html",
        {
            **admin.site.each_context(request),
            "title": "内容工作台：要做的事",
            "max_age": settings.FIGURE_MAX_AGE_DAYS,
            "problem": problem,
            "rereview": articles_to_rereview(today),
            "overdue": figures_overdue(today),
            "unverified": figures_unverified(today),
            "upcoming": upcoming_changes(today),
            "scheduled": scheduled_items(now),
            "reported_errors": reported_errors(),
            "deleted": deleted(None if show == "deleted" else SHOWN),
            "changes_url": reverse("guides_changes"),
        },
    )


# --------------------------------------------------------------------------------------------
# 某天会有什么变化


EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


class ChangesForm(forms.Form):
    on = forms.DateField(
        label="日期",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "不是有效的日期。请按 年-月-日 填写，例如 2027-01-01。"},
    )

    def clean_on(self):
        day = self.cleaned_data.get("on")
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError("超出范围。请填写 2000 年到 2099 年之间的日期。")
        return day


def changes_view(request: HttpRequest) -> HttpResponse:
    """What changes on a day: the figures entered ahead that take effect then, what each replaces,
    and the articles whose wording changes. Without a day: the next day with a change."""
    if not request.user.has_perm("guides.view_policyentry"):
        raise PermissionDenied
    today = timezone.localdate()
    upcoming = upcoming_change_days(today, limit=SHOWN)
    default = upcoming[0] if upcoming else today
    if "on" in request.GET:
        form = ChangesForm(request.GET)
        day = (form.cleaned_data["on"] or default) if form.is_valid() else None
    else:
        form, day = ChangesForm(initial={"on": default}), default
    changes = changes_on(day) if day else []
    articles = {use.article.pk for change in changes for use in change.articles}
    return TemplateResponse(
        request,
        "admin/guides/board/changes.html",
        {
            **admin.site.each_context(request),
            "title": f"{day.year}年{day.month}月{day.day}日会有什么变化" if day else "某天会有什么变化",
            "form": form,
            "day": day,
            "today": today,
            "upcoming": upcoming,
            "changes": changes,
            "article_count": len(articles),
            "no_value": NO_VALUE,
            "changes_url": reverse("guides_changes"),
        },
    )
