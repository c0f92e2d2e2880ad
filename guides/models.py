"""Regions, policy figures, topics, service channels and Q&A articles.

One PolicyEntry is one sourced figure. The guide pages, the articles' live figures and the
estimator all read figures through `PolicyEntry.objects.for_region()`, so a figure is typed
once and shown everywhere.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from calculator.rules.core import Fact  # pure Python: the one figure-with-source type

from .figures import KEY_CHOICES, FigureSpec, FigureValueError, Value, get_spec, key_choices
from .links import http_url, link_error
from .markdown import channel_keys, figure_tokens, is_case_token, render_markdown, unknown_tokens
from .prepared import Param, Prepared
from .search_index import article_tokens

CHANNEL_KEY_VALIDATOR = RegexValidator(r"^[a-z][a-z0-9_]*$", "引用名只能用小写英文字母、数字和下划线，并以字母开头。")

# Slugs that would shadow the site's own URLs at /<region>/ or /<region>/<article>/.
RESERVED_SLUGS = {
    "admin",
    "api",
    "calculator",
    "static",
    "media",
    "topics",
    "wenda",
    "preview",
    "sitemap.xml",
    "robots.txt",
    "national",
    "search",
    "zhuanyi",
    "cihui",
    "feedback",
}


def normalise_newlines(obj: models.Model) -> None:
    """Browsers send textarea lines ending in CRLF; store LF only, so a re-save is not a change and
    the compare view shows real differences."""
    for field in obj._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(obj, field.attname)
            if isinstance(value, str) and "\r" in value:
                setattr(obj, field.attname, value.replace("\r\n", "\n").replace("\r", "\n"))


class VersionedModel(models.Model):
    """A row staff edit: each save raises `version` (so an edit based on an older one is refused)
    and keeps plain LF line endings."""

    version = models.PositiveIntegerField("版本", default=1, editable=False)

    if TYPE_CHECKING:  # simple-history's names, which it ships no types for
        history: ClassVar[Any]  # the manager of the row's history records (each model's HistoricalRecords)
        _history_user: Any  # who the next save's history record names
        _change_reason: str  # and why

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        normalise_newlines(self)
        bump_version(self)
        super().save(*args, **kwargs)


def bump_version(obj: VersionedModel) -> None:
    """Every update raises `version`, so an edit based on an older version can be refused."""
    if obj._state.adding or obj.pk is None:
        return
    # Count from the stored row, not the instance: a revert starts from an old copy.
    stored = type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
    obj.version = (stored if stored is not None else obj.version or 0) + 1


class Region(VersionedModel):
    NATIONAL, PROVINCE, CITY = "national", "province", "city"
    KIND_CHOICES = [(NATIONAL, "全国"), (PROVINCE, "省/自治区"), (CITY, "城市")]

    name = models.CharField("名称", max_length=40)
    slug = models.SlugField("网址名", max_length=40, unique=True, help_text="英文或拼音，例如 nanchang。")
    parent = models.ForeignKey(
        "self", verbose_name="上级地区", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField("层级", max_length=10, choices=KIND_CHOICES, default=CITY)
    summary = models.TextField("简介", blank=True, help_text="地区指南页开头的一两句话，纯文字。")
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords(verbose_name="地区历史")

    class Meta:
        verbose_name = verbose_name_plural = "地区"
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind != self.NATIONAL and self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": "这个网址名已被网站使用，请换一个。"})
        if self.kind == self.NATIONAL and self.parent_id:
            raise ValidationError({"parent": "全国不能有上级地区。"})
        if self.kind != self.NATIONAL and not self.parent_id:
            raise ValidationError({"parent": "省和城市必须选择上级地区。"})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": "上级地区不能是它自己或它的下级。"})
            ancestor = ancestor.parent

    def lineage(self) -> list[Region]:
        """This region, then its province, then the nation: the order figures fall back in."""
        chain: list[Region] = []
        node: Region | None = self
        while node is not None and len(chain) < 5:
            chain.append(node)
            node = node.parent
        return chain

    def lineage_ids(self) -> list[int]:
        return [r.pk for r in self.lineage()]

    def get_absolute_url(self) -> str:
        if self.kind == self.NATIONAL:
            return reverse("guides:home")
        return reverse("guides:region", args=[self.slug])

    @property
    def is_national(self) -> bool:
        return self.kind == self.NATIONAL


class PolicyEntryQuerySet(models.QuerySet):
    def live(self) -> PolicyEntryQuerySet:
        """Figures a 审核 has approved: the only ones the public pages and the estimator read."""
        return self.filter(state=PolicyEntry.PUBLISHED)

    def in_force(self, on: datetime.date) -> PolicyEntryQuerySet:
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on)

    def overdue(self, today: datetime.date) -> PolicyEntryQuerySet:
        """Figures last checked before `overdue_cutoff(today)` (PolicyEntry.is_overdue, as a query)."""
        return self.filter(verified_on__lt=overdue_cutoff(today))

    def for_region(self, region: Region, on: datetime.date) -> dict[str, PolicyEntry]:
        """The figure in force for each key on `on`, falling back city → province → national.

        One query whatever the number of keys; `region` should come with its parents loaded
        (select_related("parent__parent")) to keep it at one.
        """
        chain = region.lineage_ids()
        return nearest_in_force(self.live().in_force(on).filter(region__in=chain).select_related("region"), chain, on)

    def for_lineage(self, region: Region) -> list[PolicyEntry]:
        """Every approved period of every figure of the region and the regions it falls back to (one
        query), in the model's order. No join to the regions: the lineage's own Region objects are put
        in place (`region` should come with its parents loaded)."""
        entries = lineage_entries(region.lineage())
        entries.sort(key=lambda e: (e.region.order, e.key, -e.effective_from.toordinal()))  # Meta.ordering
        return entries


def lineage_entries(lineage: Sequence[Region]) -> list[PolicyEntry]:
    """Every approved period of every figure of `lineage` (a region and the regions it falls back to),
    in no order: one query, compiled once per process (guides/prepared.py), with no join to the regions
    (the given Region objects are put in place)."""
    regions = {r.pk: r for r in lineage}
    entries = lineage_query(len(regions)).run(**{f"r{i}": pk for i, pk in enumerate(regions)})
    for entry in entries:
        entry.region = regions[entry.region_id]
    return entries


@functools.cache
def lineage_query(size: int) -> Prepared:
    """`PolicyEntry.objects.live().filter(region__in=<size region ids>).order_by()`, prepared."""
    field = PolicyEntry._meta.get_field("region")
    regions = [Param(f"r{i}", field, -7_000_001 - i) for i in range(size)]

    def build(**ids: int) -> models.QuerySet:
        return PolicyEntry.objects.live().filter(region__in=list(ids.values())).order_by()

    return Prepared(build, *regions)


def nearest_in_force(entries: Iterable[PolicyEntry], chain: Sequence[int], on: datetime.date) -> dict[str, PolicyEntry]:
    """The fallback city → province → national, in its one home: of `entries`, for each key, the
    figure in force on `on` from the first region of `chain` (region ids, nearest first) that has one.
    Entries of regions outside the chain are ignored."""
    depth = {pk: i for i, pk in enumerate(chain)}
    best: dict[str, PolicyEntry] = {}
    for entry in entries:
        d = depth.get(entry.region_id)
        if d is None or not entry.in_force_on(on):
            continue
        current = best.get(entry.key)
        if current is None or d < depth[current.region_id]:
            best[entry.key] = entry
    return best


def overdue_cutoff(today: datetime.date) -> datetime.date:
    """Figures last checked before this day are overdue for a check (FIGURE_MAX_AGE_DAYS): the one
    home of the rule, read by `is_overdue`, the `overdue` query, the admin filter and the board."""
    return today - datetime.timedelta(days=settings.FIGURE_MAX_AGE_DAYS)


# The columns that make up one figure: shared by the admin form, the spreadsheet import and load_demo.
POLICY_ENTRY_FIELDS = (
    "region", "key", "value", "effective_from", "effective_to", "source_title", "source_issuer",
    "source_url", "verified_on", "status", "note",
)  # fmt: skip

# Where a row is in the review workflow: the same three states for articles and figures.
DRAFT, REVIEW, PUBLISHED = "draft", "review", "published"
WORKFLOW_CHOICES = [(DRAFT, "草稿"), (REVIEW, "待审核"), (PUBLISHED, "已发布")]


class PolicyEntry(VersionedModel):
    VERIFIED, UNVERIFIED = "verified", "unverified"
    STATUS_CHOICES = [(VERIFIED, "已核实"), (UNVERIFIED, "待核实")]
    DRAFT, REVIEW, PUBLISHED = DRAFT, REVIEW, PUBLISHED

    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.PROTECT, related_name="figures")
    key = models.CharField("数据项", max_length=40, choices=key_choices, db_index=True)
    value = models.CharField(
        "数值", max_length=40, help_text="金额填元，比例填百分数(6.8 表示 6.8%)，日期填 年-月-日。"
    )
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True, help_text="留空表示一直有效，直到有新数据。")
    source_title = models.CharField("来源文件或文号", max_length=200)
    source_issuer = models.CharField("发布单位", max_length=100, blank=True)
    source_url = models.URLField("来源链接", blank=True)
    verified_on = models.DateField("核实日期")
    status = models.CharField("核实状态", max_length=12, choices=STATUS_CHOICES, default=UNVERIFIED)
    note = models.CharField("说明", max_length=300, blank=True, help_text="公开显示，例如不同来源的说法不一致。")
    state = models.CharField(
        "发布状态",
        max_length=10,
        choices=WORKFLOW_CHOICES,
        default=DRAFT,
        help_text="只有审核通过（已发布）的数据才会在网站和估算器里使用。",
    )
    updated_at = models.DateTimeField("最后修改", auto_now=True)

    objects = PolicyEntryQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="政策数据历史")

    class Meta:
        verbose_name = verbose_name_plural = "政策数据"
        ordering = ["region__order", "key", "-effective_from"]
        indexes = [models.Index(fields=["key", "region", "effective_from"])]
        permissions = [("verify_policyentry", "可以核实政策数据，审核通过新数据和修改")]

    def __str__(self) -> str:
        return f"{self.region} · {self.spec.label if self.key in dict(KEY_CHOICES) else self.key}"

    @property
    def spec(self) -> FigureSpec:
        return get_spec(self.key)

    @property
    def typed_value(self) -> Value:
        return self.spec.parse(self.value)

    @property
    def display_value(self) -> str:
        return self.spec.display(self.typed_value)

    @property
    def is_live(self) -> bool:
        return self.state == self.PUBLISHED

    @property
    def year(self) -> int | None:
        """The year a year-labelled figure (annual, or a resident cover year) is for."""
        return self.effective_from.year if self.spec.year_labelled else None

    @property
    def source(self) -> str:
        """The document cited, with its issuer: 赣医保发〔2025〕9号（江西省医疗保障局）."""
        return f"{self.source_title}（{self.source_issuer}）" if self.source_issuer else self.source_title

    def as_fact(self, today: datetime.date, place: Region | None = None, *, shown_for: int | None = None) -> Fact:
        """This figure as the rules, the pages, the estimate and the API see it.

        `place` is the region asked about: a province's or the nation's figure standing in for it
        says so (沿用). `shown_for` is the year a page shows it for: a year-labelled figure of an
        earlier year then says that year's own figure is not entered yet.
        """
        return Fact(
            key=self.key,
            label=self.spec.label,
            value=self.typed_value,
            display=self.display_value,
            source=self.source,
            verified_on=self.verified_on,
            status=self.status,
            overdue=self.is_overdue(today),
            source_url=http_url(self.source_url),  # never a javascript: link, whatever the table holds
            level=self.region.kind,
            region=self.region.name,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            year=self.year,
            used_for=shown_for if self.year is not None else None,
            note=self.note,
            inherited_from=self.region.name if place is not None and self.region_id != place.pk else "",
        )

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """A figure not re-checked within FIGURE_MAX_AGE_DAYS may no longer be current."""
        return self.verified_on < overdue_cutoff(today or timezone.localdate())

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            spec = get_spec(self.key)
        except FigureValueError as exc:
            errors["key"] = str(exc)
        else:
            try:
                self.value = spec.normalise(self.value)
            except FigureValueError as exc:
                errors["value"] = f"{spec.label}：{exc}"
        starts = self.effective_from
        if "key" not in errors and spec.year_labelled and starts and (starts.month, starts.day) != (1, 1):
            errors["effective_from"] = (
                f"“{spec.label}”按年度录入，生效日期请填所属年度的1月1日，例如 {starts.year}-01-01。"
            )
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = "失效日期不能早于生效日期。"
        if self.verified_on and self.verified_on > timezone.localdate():
            errors["verified_on"] = "核实日期不能晚于今天。"
        if bad_link := link_error(self.source_url):
            errors["source_url"] = bad_link
        if errors:
            raise ValidationError(errors)
        if self.region_id and self.effective_from:
            overlapping = self.overlapping().first()
            if overlapping is not None:
                period = (
                    f"{overlapping.effective_from.isoformat()} 至 {overlapping.effective_to.isoformat()} 已有一条"
                    if overlapping.effective_to
                    else f"{overlapping.effective_from.isoformat()} 起已有一条长期有效的数据"
                )
                raise ValidationError(
                    f"同一地区的这项数据在 {period}"
                    f"（数值 {overlapping.value}）。请先给旧数据填上失效日期，或调整生效日期。"
                )

    def overlapping(self) -> PolicyEntryQuerySet:
        """Approved entries for the same region and key whose periods overlap this one.

        A figure not yet approved may start inside an open-ended approved one: approval ends the
        older one the day before (`predecessor`). Unapproved figures never block each other.
        """
        qs = PolicyEntry.objects.live().filter(region_id=self.region_id, key=self.key).exclude(pk=self.pk)
        qs = qs.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))
        if self.effective_to:
            qs = qs.filter(effective_from__lte=self.effective_to)
        predecessor = None if self.is_live else self.predecessor()
        return qs.exclude(pk=predecessor.pk) if predecessor is not None else qs

    def predecessor(self) -> PolicyEntry | None:
        """The approved, open-ended figure this one replaces from its effective date, if any."""
        if not (self.region_id and self.key and self.effective_from):
            return None
        return (
            PolicyEntry.objects.live()
            .filter(region_id=self.region_id, key=self.key, effective_to__isnull=True)
            .filter(effective_from__lt=self.effective_from)
            .exclude(pk=self.pk)
            .first()
        )


class Topic(VersionedModel):
    name = models.CharField("名称", max_length=30, unique=True)
    slug = models.SlugField("网址名", max_length=40, unique=True)
    description = models.CharField("简介", max_length=200, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords(verbose_name="主题历史")

    class Meta:
        verbose_name = verbose_name_plural = "主题"
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("guides:topic", args=[self.slug])


class ServiceChannel(VersionedModel):
    KIND_CHOICES = [
        ("hotline", "电话"),
        ("app", "手机应用"),
        ("wechat", "微信/小程序"),
        ("website", "网上办事"),
        ("office", "线下窗口"),
    ]

    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES)
    name = models.CharField("名称", max_length=60)
    key = models.CharField(
        "引用名",
        max_length=40,
        blank=True,
        validators=[CHANNEL_KEY_VALIDATOR],
        help_text="小写英文和下划线，例如 yibao_hotline。文章里写 {{ channel yibao_hotline }}，"
        "显示离文章地区最近的同名渠道，改一次号码，所有文章一起更新。",
    )
    detail = models.CharField("号码或说明", max_length=200, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    hours = models.CharField("办公时间", max_length=100, blank=True)
    url = models.URLField("链接", blank=True)
    note = models.CharField("能办什么", max_length=200, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords(verbose_name="办事渠道历史")

    class Meta:
        verbose_name = verbose_name_plural = "办事渠道"
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "key"], condition=~Q(key=""), name="channel_unique_key_per_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.name}"

    def clean(self) -> None:
        if bad_link := link_error(self.url):
            raise ValidationError({"url": bad_link})


class ArticleQuerySet(models.QuerySet):
    def published(self, now: datetime.datetime | None = None) -> ArticleQuerySet:
        """Live articles (`Article.public_state` is LIVE), as a query."""
        now = now or timezone.now()
        return self.filter(Article.not_taken_down(now), status=Article.PUBLISHED, published_at__lte=now)


class Article(VersionedModel):
    DRAFT, REVIEW, PUBLISHED = DRAFT, REVIEW, PUBLISHED
    STATUS_CHOICES = WORKFLOW_CHOICES

    title = models.CharField("问题", max_length=80, help_text="用市民会问的话，例如“南昌医保断缴了怎么补缴？”")
    slug = models.SlugField("网址名", max_length=80, help_text="拼音或英文，发布后不要再改。")
    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.PROTECT, related_name="articles")
    topics = models.ManyToManyField(Topic, verbose_name="主题", related_name="articles", blank=True)
    short_answer = models.CharField(
        "简短回答", max_length=160, help_text="先给结论，一两句话；也用作搜索结果里的摘要。"
    )
    body = models.TextField(
        "正文(Markdown)", blank=True, help_text="用 {{ 数据项 }} 插入实时数据，例如 {{ resident_fee }}。"
    )
    body_html = models.TextField(editable=False, blank=True)
    related = models.ManyToManyField("self", verbose_name="相关问题", symmetrical=False, blank=True)
    status = models.CharField("状态", max_length=10, choices=STATUS_CHOICES, default=DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, help_text="填将来的时间即定时发布。")
    unpublish_at = models.DateTimeField("下线时间", null=True, blank=True, help_text="到这个时间自动下线。")
    reviewed_on = models.DateField("最近审核日期", null=True, blank=True)
    reviewed_figures = models.JSONField(
        "审核时引用的数字",
        default=dict,
        blank=True,
        editable=False,
        help_text="审核通过时正文引用的每个数据项和它当时的数值，用来判断之后数字是否真的变了。",
    )
    featured = models.BooleanField("首页常见问题", default=False)
    order = models.PositiveIntegerField("排序", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("最后修改", auto_now=True)

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="问答历史", m2m_fields=[topics, related], excluded_fields=["body_html"])

    class Meta:
        verbose_name = verbose_name_plural = "问答文章"
        ordering = ["order", "-published_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["region", "slug"], name="article_unique_slug_per_region")]
        permissions = [("publish_article", "可以审核、发布和下线问答文章")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        stored = self.stored_row()
        self.body_html = render_markdown(self.body)
        if self.status == self.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)  # VersionedModel: bumps the version
        if stored is not None and (stored["region_id"], stored["slug"]) != (self.region_id, self.slug):
            self.keep_old_address(stored)
        if stored is None or any(stored[f] != getattr(self, f) for f in self.SEARCHED_FIELDS):
            SearchToken.index(self)

    SEARCHED_FIELDS = ("title", "short_answer", "body")  # what site search reads (guides.search_index)

    def stored_row(self) -> dict | None:
        """What the database holds for this article before this save: its address and searched text."""
        if self.pk is None:
            return None
        fields = ("region_id", "slug", "published_at", *self.SEARCHED_FIELDS)
        return Article.objects.filter(pk=self.pk).values(*fields).first()

    def keep_old_address(self, old: dict) -> None:
        """A published article's old address keeps working as a 301 to the new one."""
        # An article moved back to an old address must not redirect to itself.
        ArticleRedirect.objects.filter(region_id=self.region_id, old_slug=self.slug, article=self).delete()
        if old["published_at"] is not None:  # never public: nobody can have linked to the old address
            ArticleRedirect.objects.update_or_create(
                region_id=old["region_id"], old_slug=old["slug"], defaults={"article": self}
            )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        from calculator import examples  # the estimator checks worked examples; it imports this module

        unknown = unknown_tokens(self.body)
        cases = [token for token in figure_tokens(self.body) if is_case_token(token)]
        problems = [msg for token in cases for msg in examples.errors(token, timezone.localdate())]
        if unknown:
            problems.insert(0, "正文里有不存在的数据项：" + "、".join(unknown) + "。请从数据项列表中选择。")
        if self.region_id:
            from .channels import missing_channel_keys

            missing = missing_channel_keys(self.region, channel_keys(self.body))
            if missing:
                problems.append(
                    "正文里引用的办事渠道不存在：" + "、".join(missing) + "。本地区、所在省和全国都没有这个引用名的"
                    "渠道，请先在“办事渠道”里填好引用名，或改成已有的引用名。"
                )
        if problems:
            errors["body"] = " ".join(problems)
        if self.region_id and not self.region.is_national and self.slug in RESERVED_SLUGS:
            errors["slug"] = "这个网址名已被网站使用，请换一个。"
        if self.published_at and self.unpublish_at and self.unpublish_at <= self.published_at:
            errors["unpublish_at"] = "下线时间必须晚于发布时间。"
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        if self.region.is_national:
            return reverse("guides:national_article", args=[self.slug])
        return reverse("guides:article", args=[self.region.slug, self.slug])

    # Where an approved article stands with the public. The one home of "is it live?": the
    # `published()` query, `is_live`, the admin's status column and the content board read these.
    SCHEDULED, LIVE, TAKEN_DOWN = "scheduled", "live", "taken_down"
    PUBLIC_LABELS = {SCHEDULED: "定时发布", LIVE: "已发布", TAKEN_DOWN: "已下线"}

    @staticmethod
    def not_taken_down(now: datetime.datetime) -> Q:
        return Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now)

    def public_state(self, now: datetime.datetime | None = None) -> str:
        """DRAFT or REVIEW until approved; then SCHEDULED before its publish time, LIVE, and
        TAKEN_DOWN from its take-down time (`published()` is the same rule as a query)."""
        now = now or timezone.now()
        if self.status != self.PUBLISHED:
            return self.status
        if self.published_at is None or self.published_at > now:
            return self.SCHEDULED
        if self.unpublish_at is not None and self.unpublish_at <= now:
            return self.TAKEN_DOWN
        return self.LIVE

    def is_live(self, now: datetime.datetime | None = None) -> bool:
        return self.public_state(now) == self.LIVE


class SearchToken(models.Model):
    """One token (a two-character piece or a word) of an article, for site search (guides.search)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="search_tokens")
    token = models.CharField(max_length=20)
    in_head = models.BooleanField(default=False)  # in the question or the short answer

    class Meta:
        verbose_name = verbose_name_plural = "搜索索引词"
        constraints = [models.UniqueConstraint(fields=["article", "token"], name="search_token_once_per_article")]
        indexes = [models.Index(fields=["token", "article", "in_head"], name="search_token_lookup")]

    def __str__(self) -> str:
        return self.token

    @staticmethod
    def index(article: Article) -> None:
        """Replace the article's tokens with those of its current text."""
        SearchToken.objects.filter(article=article).delete()
        SearchToken.objects.bulk_create(
            [
                SearchToken(article=article, token=token, in_head=head)
                for token, head in article_tokens(article).items()
            ],
            batch_size=2000,
        )


class ArticleRedirect(models.Model):
    """An address an article had before its slug or region changed: answered with a 301 to the article."""

    region = models.ForeignKey(Region, verbose_name="原地区", on_delete=models.CASCADE, related_name="+")
    old_slug = models.SlugField("原网址名", max_length=80)
    article = models.ForeignKey(Article, verbose_name="文章", on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "旧网址转向"
        constraints = [models.UniqueConstraint(fields=["region", "old_slug"], name="redirect_unique_old_address")]

    def __str__(self) -> str:
        return f"{self.region.slug}/{self.old_slug}/ → {self.article}"


class SearchSynonym(VersionedModel):
    """Words citizens use for the same thing; a search for any of them finds all of them."""

    words = models.CharField(
        "同义词", max_length=200, help_text="用空格或顿号分开，第一个写规范说法，例如：断缴 断交 断保 停保 断了"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("最后修改", auto_now=True)

    history = HistoricalRecords(verbose_name="搜索同义词历史")

    class Meta:
        verbose_name = verbose_name_plural = "搜索同义词"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.words

    @property
    def terms(self) -> list[str]:
        return split_words(self.words)

    def clean(self) -> None:
        terms = self.terms
        if len(terms) < 2:
            raise ValidationError({"words": "至少填两个词，用空格或顿号分开。"})
        self.words = " ".join(dict.fromkeys(terms))


def split_words(text: str) -> list[str]:
    """ "断缴、断交 断保" → ["断缴", "断交", "断保"]: spaces, 、，, and ; all separate words."""
    return [w for w in re.split(r"[\s、，,；;/]+", (text or "").strip().lower()) if w]


class SearchMiss(models.Model):
    """A search that found nothing, counted so staff can write the missing answer. No visitor data."""

    query = models.CharField("搜索词", max_length=100, unique=True)
    count = models.PositiveIntegerField("次数", default=1)
    first_seen = models.DateTimeField("第一次", auto_now_add=True)
    last_seen = models.DateTimeField("最近一次", default=timezone.now)
    handled = models.BooleanField("已处理", default=False, help_text="已经补写了回答，或者不需要回答。")

    class Meta:
        verbose_name = verbose_name_plural = "没搜到的词"
        ordering = ["handled", "-count", "-last_seen"]

    def __str__(self) -> str:
        return self.query


class GlossaryTerm(VersionedModel):
    """A word of the trade with a plain explanation; its first use in an article links here."""

    term = models.CharField("词语", max_length=20, unique=True)
    slug = models.SlugField("网址名", max_length=40, unique=True, help_text="拼音或英文，用作词汇表里的锚点。")
    aliases = models.CharField(
        "别的说法", max_length=100, blank=True, help_text="市民常用的其他写法，用空格或顿号分开，例如：断交 断保 停保"
    )
    explanation = models.TextField("解释", help_text="一两句大白话，不写具体数字（数字随政策变化，放在政策数据里）。")
    link_in_articles = models.BooleanField("在文章里自动加链接", default=True)
    order = models.PositiveIntegerField("排序", default=0)
    updated_at = models.DateTimeField("最后修改", auto_now=True)

    history = HistoricalRecords(verbose_name="词汇表历史")

    class Meta:
        verbose_name = verbose_name_plural = "词汇表"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.term

    @property
    def alias_list(self) -> list[str]:
        return [a for a in split_words(self.aliases) if a != self.term]

    def get_absolute_url(self) -> str:
        return reverse("guides:glossary") + f"#{self.slug}"


class Feedback(models.Model):
    """ "这个回答有帮助吗？" and "报告数字有误" from citizens: page, answer and time, never who sent it."""

    HELPFUL, UNHELPFUL, ERROR = "yes", "no", "error"
    ANSWER_CHOICES = [(HELPFUL, "有帮助"), (UNHELPFUL, "没帮助"), (ERROR, "报告数字有误")]

    page = models.CharField("页面", max_length=300)
    answer = models.CharField("反馈", max_length=10, choices=ANSWER_CHOICES)
    comment = models.TextField("留言", max_length=500, blank=True)
    article = models.ForeignKey(
        Article, verbose_name="文章", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    region = models.ForeignKey(
        Region, verbose_name="地区", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    handled = models.BooleanField("已处理", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "读者反馈"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_answer_display()} · {self.page}"


class PendingChange(models.Model):
    """An 编辑's edit of a published article or figure, waiting for a 审核.

    The public keeps reading the published row until a 审核 approves; then `data` (the edited
    fields, as the form cleaned them) is written to the row. One pending change per row: editing
    again updates it. `base_version` is the row's version the edit started from, so an approval
    never silently overwrites a change made to the row since.
    """

    DRAFT, REVIEW = DRAFT, REVIEW
    STATE_CHOICES = [(DRAFT, "草稿"), (REVIEW, "待审核")]

    content_type = models.ForeignKey(ContentType, verbose_name="内容类型", on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField("内容编号")
    object_repr = models.CharField("内容", max_length=200)
    data = models.JSONField("修改后的内容", default=dict)
    base_version = models.PositiveIntegerField("基于的版本")
    version = models.PositiveIntegerField("修改稿版本", default=1)
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待审修改"
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="one_pending_change_per_row")]

    def __str__(self) -> str:
        return self.object_repr

    @classmethod
    def for_object(cls, obj: models.Model) -> PendingChange | None:
        content_type = ContentType.objects.get_for_model(obj)
        return cls.objects.filter(content_type=content_type, object_id=obj.pk).first()


class ReviewEvent(models.Model):
    """One step of the review workflow, for the record, the notices and the 编辑's to-do list."""

    SUBMITTED, APPROVED, SENT_BACK, WITHDRAWN = "submitted", "approved", "sent_back", "withdrawn"
    ACTION_CHOICES = [(SUBMITTED, "提交审核"), (APPROVED, "审核通过"), (SENT_BACK, "退回修改"), (WITHDRAWN, "撤回")]

    content_type = models.ForeignKey(ContentType, verbose_name="内容类型", on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField("内容编号")
    object_repr = models.CharField("内容", max_length=200)
    action = models.CharField("操作", max_length=10, choices=ACTION_CHOICES)
    comment = models.TextField("意见", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "审核记录"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="review_event_lookup")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.object_repr}"


class PreviewLink(models.Model):
    """A signed preview link given to someone without an account: it expires, and staff can withdraw it."""

    article = models.ForeignKey(Article, verbose_name="文章", on_delete=models.CASCADE, related_name="preview_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    revoked_at = models.DateTimeField("撤回时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤回人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "预览链接"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.article} · {self.created_at:%Y-%m-%d %H:%M}"

    def is_active(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class ContentState(models.Model):
    """One row: how far the public pages' content has moved on, for the page cache (config/pagecache.py).

    `generation` rises whenever anything a public page shows is saved or deleted, and when a scheduled
    time (an article's publish or unpublish time) passes; cached pages are stored under it, so a rise
    retires every stored page at once, in every process and on every app server. `changed_at` is when it
    last rose (pages' Last-Modified). `check_at` is the next moment the generation must rise by itself:
    the next scheduled time, or at once after a change (the next reader works out the next scheduled time).
    """

    generation = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)
    check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "页面缓存状态"
        default_permissions = ()

    def __str__(self) -> str:
        return f"第 {self.generation} 代"
