"""The content board: what needs a 审核's or 编辑's attention."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from ..markdown import figure_tokens
from ..models import Article, PolicyEntry, Region


def freshness_view(request: HttpRequest) -> HttpResponse:
    """What needs a reviewer's attention: stale or unverified figures, scheduled items, articles
    whose embedded figures changed after their last review, and deleted items that can be restored."""
    if not request.user.has_perm("guides.view_policyentry"):
        raise PermissionDenied
    today = timezone.localdate()
    now = timezone.now()
    cutoff = today - datetime.timedelta(days=settings.FIGURE_MAX_AGE_DAYS)
    figures = PolicyEntry.objects.select_related("region")
    overdue = list(figures.in_force(today).filter(verified_on__lt=cutoff).order_by("verified_on"))
    unverified = list(figures.in_force(today).filter(status=PolicyEntry.UNVERIFIED).order_by("region__order", "key"))
    future_figures = list(figures.filter(effective_from__gt=today).order_by("effective_from"))
    articles = Article.objects.select_related("region__parent__parent")
    scheduled = list(articles.filter(status=Article.PUBLISHED, published_at__gt=now).order_by("published_at"))
    ending = list(articles.filter(status=Article.PUBLISHED, unpublish_at__gt=now).order_by("unpublish_at"))
    return TemplateResponse(
        request,
        "admin/guides/freshness.html",
        {
            **admin.site.each_context(request),
            "title": "内容工作台：需要核实和处理的内容",
            "max_age": settings.FIGURE_MAX_AGE_DAYS,
            "overdue": overdue,
            "unverified": unverified,
            "future_figures": future_figures,
            "scheduled": scheduled,
            "ending": ending,
            "stale_articles": articles_with_changed_figures(today),
            "deleted": deleted_items(),
            "reported_errors": reported_error_rows(),
        },
    )


def reported_error_rows() -> list[dict]:
    """Unhandled 报告数字有误 per article, region guide and estimator, each with a link to the
    feedback list filtered to it (one query)."""
    from urllib.parse import urlencode

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


def articles_with_changed_figures(today: datetime.date) -> list[tuple[Article, list[PolicyEntry]]]:
    """Articles whose embedded figures were changed after the article was last reviewed."""
    regions = {r.pk: r for r in Region.objects.select_related("parent__parent")}
    entries_by_region: dict[int, dict[str, PolicyEntry]] = {}
    in_force = list(PolicyEntry.objects.in_force(today).select_related("region"))
    for region in regions.values():
        depth = {r.pk: i for i, r in enumerate(region.lineage())}
        best: dict[str, PolicyEntry] = {}
        for entry in in_force:
            if entry.region_id in depth and (
                entry.key not in best or depth[entry.region_id] < depth[best[entry.key].region_id]
            ):
                best[entry.key] = entry
        entries_by_region[region.pk] = best
    result = []
    for article in Article.objects.exclude(body="").order_by("region__order", "title"):
        keys = figure_tokens(article.body)
        entries = entries_by_region.get(article.region_id, {})
        reviewed = article.reviewed_on or datetime.date.min
        changed = [entries[k] for k in keys if k in entries and timezone.localdate(entries[k].updated_at) > reviewed]
        if changed:
            result.append((article, changed))
    return result


def deleted_items() -> list:
    """The last saved copy of each deleted article or figure, newest first, for recovery."""
    items = []
    for model in (Article, PolicyEntry):
        live = set(model.objects.values_list("pk", flat=True))
        seen = set()
        for record in model.history.filter(history_type="-").order_by("-history_date")[:100]:
            if record.id in live or record.id in seen:
                continue
            seen.add(record.id)
            history_url = f"admin:{model._meta.app_label}_{model._meta.model_name}_history"
            items.append(
                {
                    "kind": model._meta.verbose_name,
                    "name": str(record.instance),
                    "deleted_at": record.history_date,
                    "by": record.history_user,
                    "url": reverse(history_url, args=[record.id]),
                }
            )
    return sorted(items, key=lambda item: item["deleted_at"], reverse=True)
