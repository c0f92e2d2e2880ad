"""Checks before publishing: what a 审核 sees on the review screen before approving.

Blocking checks stop the approval (the page would be wrong or broken); warnings and notes are
shown for the 审核 to weigh. Each check reads the row as it would be after approval.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone

from .figures import REGISTRY
from .markdown import ANY_TOKEN_RE, figure_tokens
from .models import Article, PolicyEntry, Region

if TYPE_CHECKING:
    from .workflow import Reviewed

BLOCK, WARN, INFO = "block", "warn", "info"
LEVEL_LABELS = {BLOCK: "必须先解决", WARN: "请注意", INFO: "说明"}
FAR_FUTURE = datetime.timedelta(days=366)
PAST_GRACE = datetime.timedelta(minutes=10)
PUNCTUATION_RE = re.compile(r"[\s?？!！。，,、：:；;“”\"'‘’（）()《》]+")


@dataclass(frozen=True)
class Check:
    level: str
    message: str

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def blocks(self) -> bool:
        return self.level == BLOCK


def blocking(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.blocks]


def checks_for(row: Reviewed, *, today: datetime.date | None = None, proposal=None) -> list[Check]:
    """The checks for approving `row` (with its pending change applied, if it has one).

    `proposal` is `workflow.proposed(row)` when the caller has it already."""
    from .workflow import proposed

    today = today or timezone.localdate()
    target, _many, pending = proposal or proposed(row)
    found: list[Check] = []
    if pending is not None and pending.base_version != row.version:
        found.append(stale_base(row, pending.base_version))
    try:
        target.full_clean()
    except ValidationError as exc:
        found += [Check(BLOCK, message) for message in exc.messages]
    if isinstance(target, Article):
        found += article_checks(target, today)
    else:
        found += figure_checks(target, today, replacing=pending is None)
    order = {BLOCK: 0, WARN: 1, INFO: 2}
    return sorted(found, key=lambda c: order[c.level])


def stale_base(row: Reviewed, base_version: int) -> Check:
    later = row.history.filter(version__gt=base_version).select_related("history_user").order_by("history_date")
    who = "、".join(
        dict.fromkeys(
            f"{h.history_user or '系统'}（{timezone.localtime(h.history_date):%Y-%m-%d %H:%M}）" for h in later
        )
    )
    return Check(
        BLOCK,
        f"这份修改是在第 {base_version} 版上做的，之后已发布的版本又被改过（现在是第 {row.version} 版"
        f"{'，' + who + '修改' if who else ''}）。审核通过会覆盖那些修改：请退回给编辑，在最新版本上重新修改。",
    )


def same_question(title: str) -> str:
    return PUNCTUATION_RE.sub("", title or "").lower()


def raw_braces(text: str) -> bool:
    """{{ or }} left over after removing the well-formed tokens: a token not written completely."""
    rest = ANY_TOKEN_RE.sub("", text or "")
    return "{{" in rest or "}}" in rest


def article_checks(article: Article, today: datetime.date) -> list[Check]:
    found: list[Check] = []
    for label, text in (("问题", article.title), ("简短回答", article.short_answer)):
        if "{{" in (text or "") or "}}" in (text or ""):
            found.append(
                Check(BLOCK, f"{label}里有 {{{{ … }}}}：{label}不替换数据项，公众会看到原样的括号。请直接写文字。")
            )
    if raw_braces(article.body):
        found.append(Check(BLOCK, "正文里有没写完整的 {{ 或 }}，公众会看到原样的括号。请写成 {{ 数据项 }}。"))
    region = Region.objects.select_related("parent__parent").filter(pk=article.region_id).first()
    if region is not None:
        found += missing_figures(article, region, today)
        found += duplicates(article, region)
    found += publish_times(article)
    return found


def missing_figures(article: Article, region: Region, today: datetime.date) -> list[Check]:
    keys = [k for k in figure_tokens(article.body) if k in REGISTRY]
    if not keys:
        return []
    day = max(today, timezone.localdate(article.published_at)) if article.published_at else today
    entries = PolicyEntry.objects.for_region(region, day)
    missing = [REGISTRY[k].label for k in keys if k not in entries]
    if not missing:
        return []
    return [
        Check(
            BLOCK,
            f"{region.name}、所在省和全国都没有 {day.isoformat()} 适用的已发布数据：" + "、".join(missing) + "。"
            "页面上这些地方会显示“暂无数据”。请先录入并审核这些数据，或改写正文。",
        )
    ]


def publish_times(article: Article) -> list[Check]:
    now = timezone.now()
    found: list[Check] = []
    was_live = article.pk and Article.objects.filter(pk=article.pk, status=Article.PUBLISHED).exists()
    if article.published_at and not was_live and article.published_at < now - PAST_GRACE:
        found.append(
            Check(
                WARN,
                f"发布时间 {timezone.localtime(article.published_at):%Y-%m-%d %H:%M} 已经过去："
                "审核通过后立即发布，页面上的发布时间会显示这个过去的时间。",
            )
        )
    if article.published_at and article.published_at > now + FAR_FUTURE:
        found.append(
            Check(
                BLOCK,
                f"发布时间 {timezone.localtime(article.published_at):%Y-%m-%d %H:%M} 在一年以后，"
                "是不是年份填错了？请改正发布时间。",
            )
        )
    if article.unpublish_at and article.unpublish_at <= now:
        found.append(Check(BLOCK, "下线时间已经过去：审核通过后这篇问答也不会出现在网站上。请改正或清空下线时间。"))
    elif article.published_at and article.published_at > now:
        found.append(Check(INFO, f"定时发布：{timezone.localtime(article.published_at):%Y-%m-%d %H:%M} 起公开。"))
    return found


def duplicates(article: Article, region: Region) -> list[Check]:
    lineage = region.lineage()
    key = same_question(article.title)
    others = Article.objects.filter(region__in=lineage).exclude(pk=article.pk).select_related("region")
    found: list[Check] = []
    for other in others.only("pk", "title", "status", "region__name", "region__kind"):
        if same_question(other.title) != key:
            continue
        where = f"《{other.title}》（{other.region.name}，{other.get_status_display()}）"
        if other.region_id == article.region_id:
            found.append(Check(BLOCK, f"同一地区已经有同样的问题：{where}。请合并成一篇，或把问题问得不同。"))
        else:
            found.append(Check(WARN, f"上级地区已经有同样的问题：{where}。市民会在两个地方看到同一个问题。"))
    return found


def figure_checks(entry: PolicyEntry, today: datetime.date, *, replacing: bool) -> list[Check]:
    found: list[Check] = []
    if entry.status == PolicyEntry.UNVERIFIED:
        found.append(Check(WARN, "这条数据是“待核实”：公开页面和估算结果会标注待核实。"))
    elif entry.verified_on and entry.is_overdue(today):
        found.append(Check(WARN, f"核实日期 {entry.verified_on.isoformat()} 已经超过期限，公开页面会标“可能已过期”。"))
    if entry.effective_from and entry.effective_from > today:
        found.append(Check(INFO, f"{entry.effective_from.isoformat()} 起生效；在那之前，公众看到的仍是现在的数字。"))
    predecessor = entry.predecessor() if replacing and not entry.is_live else None
    if predecessor is not None and entry.effective_from:
        end = entry.effective_from - datetime.timedelta(days=1)
        found.append(
            Check(
                INFO,
                f"审核通过后，原来 {predecessor.effective_from.isoformat()} 起的数据（{predecessor.display_value}）"
                f"的失效日期会设为 {end.isoformat()}。",
            )
        )
    return found
