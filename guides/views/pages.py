"""Public pages: home, region guides, Q&A articles, topics, sitemap and robots.txt.

Every page reads a fixed number of queries however much content there is: lists come with
select_related / prefetch_related and figures come in one query through `for_region`.
"""

from __future__ import annotations

import datetime
import functools
import html
import operator
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.core import signing
from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from calculator import examples
from calculator.facts import facts_for
from calculator.rules import Fact
from config.pagecache import public_page

from ..channels import lineage_channels, nearest_by_key
from ..figures import GROUPS, KEY_FIGURES, REGISTRY
from ..glossary import article_terms, article_terms_column, terms_from_column
from ..markdown import channel_key, is_case_token, is_channel_token, link_phones, link_terms, replace_tokens
from ..models import Article, ArticleRedirect, PolicyEntry, Region, ServiceChannel, Topic, nearest_in_force
from ..pagination import ListPage, paginate
from ..prepared import Param, Prepared, now_stand_in
from ..previews import LinkGone, link_from_token
from ..siteurl import absolute_url
from ..workflow import as_proposed


def breadcrumbs_ld(request: HttpRequest, crumbs: list[tuple[str, str]]) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": absolute_url(url, request)}
            for i, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def faq_ld(request: HttpRequest, article: Article, answer: str) -> dict:
    """FAQPage structured data for one question, on its own page only, with the answer as shown there.

    List pages (home, guides, topics) mark up no questions: each question is marked up once, on
    the page whose visible text is its answer (search engines' rules for FAQ markup).
    """
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": article.title,
                "url": absolute_url(article.get_absolute_url(), request),
                "acceptedAnswer": {"@type": "Answer", "text": answer},
            }
        ],
    }


def visible_answer(article: Article, body_html: str) -> str:
    """The answer as the page shows it: the short answer, then the body's text."""
    return " ".join([*article.short_answer.split(), *body_words(body_html)])


@functools.lru_cache(maxsize=256)
def body_words(body_html: str) -> tuple[str, ...]:
    """The words of a body's text (a pure function of the HTML, so remembered: parsing tags is slow)."""
    return tuple(html.unescape(strip_tags(body_html)).split())


def home_crumbs(*, national: bool = False) -> list[tuple[str, str]]:
    """The trail every page starts with: the home page, then for national questions their list."""
    crumbs = [("首页", reverse("guides:home"))]
    return [*crumbs, ("全国通用问答", reverse("guides:topics"))] if national else crumbs


def region_crumbs(region: Region) -> list[tuple[str, str]]:
    crumbs = home_crumbs()
    for node in reversed(region.lineage()):
        if not node.is_national:
            crumbs.append((node.name, node.get_absolute_url()))
    return crumbs


def regions_with_parents():
    return Region.objects.select_related("parent__parent")


def live_articles():
    return Article.objects.published().select_related("region")


HOME_CITIES = 4  # cities listed under each province on the home page


@public_page
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    regions = list(Region.objects.select_related("parent"))
    provinces = [r for r in regions if r.kind == Region.PROVINCE]
    cities = {p.pk: [r for r in regions if r.parent_id == p.pk and r.kind == Region.CITY] for p in provinces}
    featured = list(live_articles().filter(featured=True).order_by("region__order", "order")[:12])
    topics = list(Topic.objects.all())
    return render(
        request,
        "guides/home.html",
        {
            # A province's first HOME_CITIES cities; its guide lists them all (the home page stays
            # small on a phone with 333 cities).
            "provinces": [(p, cities[p.pk][:HOME_CITIES], len(cities[p.pk])) for p in provinces],
            "featured": featured,
            "topics": topics,
        },
    )


def shown_today(entries: dict[str, PolicyEntry], keys, today: datetime.date, place: Region) -> list[Fact]:
    """The figures in force for `keys` as the guide shows them today, in that order."""
    return [entries[k].as_fact(today, place, shown_for=today.year) for k in keys if k in entries]


def shown_figures(entries: dict[str, PolicyEntry], today: datetime.date, place: Region):
    """Figures in force, grouped as the guide shows them."""
    groups = []
    for title, keys in GROUPS:
        rows = shown_today(entries, keys, today, place)
        if rows:
            groups.append((title, rows))
    return groups


@dataclass(frozen=True)
class ShownPeriod:
    """A stretch of days on which a region's page showed one figure (its own or an inherited one)."""

    entry: PolicyEntry
    start: datetime.date
    end: datetime.date | None  # None: still shown
    inherited: bool  # the figure is the province's or the nation's


def earlier_figures(
    lineage: list[Region], entries: dict[str, PolicyEntry], today: datetime.date, lineage_entries: list[PolicyEntry]
):
    """For each figure in force, what the region's page showed before, newest first.

    Worked out from every approved period of the region and the regions it falls back to
    (`lineage_entries`, PolicyEntry.objects.for_lineage), so when a city gets its own figure the
    history keeps the province's or the nation's value it used before. Returns [(current period,
    [earlier periods])] for figures that changed.
    """
    chain = [r.pk for r in lineage]
    periods: dict[str, list[PolicyEntry]] = {}
    for entry in lineage_entries:
        if entry.key in entries and entry.effective_from <= today:
            periods.setdefault(entry.key, []).append(entry)
    history = []
    for key, current in entries.items():
        shown = shown_periods(periods.get(key, []), chain, today)
        if len(shown) > 1 and shown[-1].entry.pk == current.pk:
            history.append((shown[-1], shown[-2::-1]))
    return history


def shown_periods(candidates: list[PolicyEntry], chain: list[int], today: datetime.date) -> list[ShownPeriod]:
    """What a region showed for one key from its first figure until today, oldest first: on each
    day the nearest region's figure in force (days with none are left out)."""
    one_day = datetime.timedelta(days=1)
    starts = sorted(
        {e.effective_from for e in candidates}
        | {e.effective_to + one_day for e in candidates if e.effective_to is not None and e.effective_to < today}
    )
    shown: list[ShownPeriod] = []
    for i, start in enumerate(starts):
        entry = next(iter(nearest_in_force(candidates, chain, start).values()), None)  # candidates: one key
        if entry is None:
            continue
        end = starts[i + 1] - one_day if i + 1 < len(starts) else None
        if shown and shown[-1].entry.pk == entry.pk and shown[-1].end == start - one_day:
            shown[-1] = ShownPeriod(entry, shown[-1].start, end, shown[-1].inherited)
        else:
            shown.append(ShownPeriod(entry, start, end, entry.region_id != chain[0]))
    return shown


INHERITED_SHOWN = 15  # general questions listed on a region's guide


@public_page
@require_safe
def region(request: HttpRequest, region_slug: str) -> HttpResponse:
    # One query for the region and its cities (a province lists them), one for every approved period
    # of its figures: those in force today and the ones they replaced come from the same rows.
    found = list(regions_with_parents().filter(Q(slug=region_slug) | Q(parent__slug=region_slug)))
    place = next((r for r in found if r.slug == region_slug and r.kind != Region.NATIONAL), None)
    if place is None:
        raise Http404("No Region matches the given query.")
    today = timezone.localdate()
    lineage = place.lineage()
    periods = PolicyEntry.objects.for_lineage(place)
    entries = nearest_in_force(periods, place.lineage_ids(), today)
    articles = list(
        live_articles().filter(region__in=lineage).prefetch_related("topics").order_by("region__kind", "order", "pk")
    )
    own = [a for a in articles if a.region_id == place.pk]
    inherited = [a for a in articles if a.region_id != place.pk]
    by_topic: dict[Topic, list[Article]] = {}
    untopical: list[Article] = []
    for article in own:
        topics = list(article.topics.all())
        for topic in topics:
            by_topic.setdefault(topic, []).append(article)
        if not topics:
            untopical.append(article)
    channels = lineage_channels(place)
    crumbs = region_crumbs(place)
    changes = earlier_figures(lineage, entries, today, periods)
    return render(
        request,
        "guides/region.html",
        {
            "region": place,
            "search_region": place,
            "figure_groups": shown_figures(entries, today, place),
            "key_figures": shown_today(entries, KEY_FIGURES, today, place),
            "topic_groups": sorted(by_topic.items(), key=lambda item: (item[0].order, item[0].slug)),
            "untopical": untopical,
            # The nation's and the province's questions, the first few: at national scale there are hundreds,
            # and /topics/ and the province's guide list them all.
            "inherited": inherited[:INHERITED_SHOWN],
            "inherited_more": max(len(inherited) - INHERITED_SHOWN, 0),
            "children": [r for r in found if r.parent_id == place.pk] if place.kind == Region.PROVINCE else [],
            "channels": channels,
            "hotline": nearest_by_key(channels).get("yibao_hotline")
            or next((c for c in channels if c.kind == "hotline"), None),
            "app": next((c for c in channels if c.kind in ("app", "wechat")), None),
            "changes": changes,
            "crumbs": crumbs,
            "jsonld": [breadcrumbs_ld(request, crumbs)],
        },
    )


def row_values(row: Model) -> tuple:
    """Everything a row holds: the part of a cache key that keeps a stored result honest, whether the
    row was saved (version raised) or changed by an update that bypassed save()."""
    return _row_getter(type(row))(row)


@functools.cache
def _row_getter(model: type[Model]) -> Callable[[Model], tuple]:
    """Reads every concrete field of a `model` row in one call (row_values is called for every figure
    period and channel on each article page)."""
    return operator.attrgetter(*(field.attname for field in model._meta.concrete_fields))


class BodyCache:
    """The bodies `render_body` made lately, in this process, under a key holding everything they are
    made from: the article's pk, version and sanitised HTML, its regions, the glossary terms, every
    figure period and channel of its regions (all their values, as read from the database for this
    very request), the day and the language. A staff edit anywhere changes what the next request reads,
    so its key, so a stored body is never shown after an edit; nothing needs invalidating. Bounded:
    the least recently used body goes first."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.entries: OrderedDict[tuple, tuple[str, tuple[Fact, ...]]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> tuple[str, tuple[Fact, ...]] | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple, value: tuple[str, tuple[Fact, ...]]) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


BODIES = BodyCache()


def render_body(
    article: Article,
    lineage_entries: list[PolicyEntry],
    today: datetime.date,
    channels: list[ServiceChannel] | None = None,
    terms: list[tuple[str, str]] | None = None,
):
    """`make_body`, remembered (BodyCache) under everything it is made from: the same HTML and figures."""
    channels = lineage_channels(article.region) if channels is None else channels
    terms = article_terms() if terms is None else terms
    key = (
        article.pk,
        article.version,
        article.body_html,
        tuple(row_values(r) for r in article.region.lineage()),
        tuple(terms),
        tuple(row_values(e) for e in lineage_entries),
        tuple(row_values(c) for c in channels),
        today,
        get_language(),
    )
    found = BODIES.get(key)
    if found is None:
        html, used = make_body(article, lineage_entries, today, channels, terms)
        found = (html, tuple(used))
        BODIES.put(key, found)
    return found[0], list(found[1])


def make_body(
    article: Article,
    lineage_entries: list[PolicyEntry],
    today: datetime.date,
    channels: list[ServiceChannel],
    terms: list[tuple[str, str]],
):
    """The article's HTML with live figures, worked examples and service channels, and the figures
    it used in order (for the source list).

    Only figures that exist get a number, so each [n] points at the n-th source entry. Worked
    examples are computed by the estimator's rules with every period of the region's figures,
    built from the same entries, so an article costs one figure query however many it has.
    `{{ channel key }}` shows the nearest channel with that key from `channels` (the lineage's
    channels, nearest first; read here in one query when not given). Before the tokens are filled
    in, the first use of each glossary term links to /cihui/ and typed phone numbers become tel:
    links, so neither touches the figures and examples our tokens produce.
    """
    by_key = nearest_by_key(channels)
    channel_inline = get_template("includes/channel_inline.html")
    entries = nearest_in_force(lineage_entries, article.region.lineage_ids(), today)
    used: list[Fact] = []
    index: dict[str, int] = {}
    inline = get_template("includes/figure_inline.html")
    case_inline = get_template("includes/case_inline.html")
    facts = None

    def render_token(token: str, in_link: bool) -> str:
        nonlocal facts
        if is_case_token(token):
            facts = facts or facts_for(article.region, lineage_entries)
            worked = examples.work(token, facts, today)
            estimator = (
                "" if article.region.is_national else reverse("calculator:region_estimate", args=[article.region.slug])
            )
            shown = {"worked": worked, "link": estimator and not in_link and worked.query, "estimator": estimator}
            return case_inline.render(shown).strip()
        if is_channel_token(token):
            key = channel_key(token)
            return channel_inline.render({"channel": by_key.get(key), "key": key, "link": not in_link}).strip()
        key = token
        entry = entries.get(key)
        if entry is not None and key not in index:
            used.append(entry.as_fact(today, article.region, shown_for=today.year))
            index[key] = len(used)
        spec = REGISTRY.get(key)
        context = {
            "figure": used[index[key] - 1] if entry is not None else None,
            "number": index.get(key),
            "label": spec.label if spec else key,
            "link": not in_link,
        }
        return inline.render(context).strip()

    html = link_phones(link_terms(article.body_html, terms))
    html = replace_tokens(html, render_token)
    return html, used


def article_page(request: HttpRequest, article: Article, *, preview: bool = False) -> HttpResponse:
    """An article's page; a preview shows it as it will read once its pending change is approved."""
    if preview:
        article = as_proposed(article)
    today = timezone.localdate()
    channels = lineage_channels(article.region)  # one query: the body's channel tokens and the footer
    terms = terms_from_column(article.glossary) if hasattr(article, "glossary") else None  # read with the article
    body_html, figures = render_body(article, PolicyEntry.objects.for_lineage(article.region), today, channels, terms)
    crumbs = home_crumbs(national=True) if article.region.is_national else region_crumbs(article.region)
    crumbs.append((article.title, article.get_absolute_url()))
    response = render(
        request,
        "guides/article.html",
        {
            "article": article,
            "search_region": None if article.region.is_national else article.region,
            "hotline": nearest_by_key(channels).get("yibao_hotline"),
            "body_html": body_html,
            "figures": figures,
            "related": list(article.related.all()),
            "topics": list(article.topics.all()),
            "crumbs": crumbs,
            "preview": preview,
            "jsonld": [
                faq_ld(request, article, visible_answer(article, body_html)),
                breadcrumbs_ld(request, crumbs),
            ],
        },
    )
    if preview:
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def related_articles(now: datetime.datetime | None = None):
    """Related questions as the page lists them: their texts are not read."""
    return Article.objects.published(now).select_related("region").defer("body", "body_html", "reviewed_figures")


def article_rows(now: datetime.datetime | None = None):
    """Live articles with their region chain and the glossary terms their bodies link, in one query."""
    return (
        Article.objects.published(now)
        .annotate(glossary=article_terms_column())
        .select_related("region__parent__parent")
    )


@functools.cache
def prepared_article(national: bool) -> Prepared:
    """`article_rows()` at an address (a region's slug and the article's, or a national article's
    slug), compiled once per process; `live_article` adds its topics and related questions."""
    now = Param("now", Article._meta.get_field("published_at"), now_stand_in())
    slug = Param("slug", Article._meta.get_field("slug"), "\x00article-slug")
    region_slug = Param("region_slug", Region._meta.get_field("slug"), "\x00region-slug")

    def build(now: datetime.datetime, slug: str, region_slug: str = "") -> QuerySet:
        rows = article_rows(now)
        if national:
            return rows.filter(region__kind=Region.NATIONAL, slug=slug)[:1]
        return rows.filter(region__slug=region_slug, slug=slug)[:1]

    return Prepared(build, now, slug) if national else Prepared(build, now, slug, region_slug)


@functools.cache
def prepared_topics() -> Prepared:
    """An article's topics as `prefetch_related("topics")` reads them, compiled once."""
    article = Param("article", Article._meta.pk, -7_200_001)
    return Prepared(lambda article: Topic.objects.filter(articles=article), article)


@functools.cache
def prepared_related() -> Prepared:
    """An article's live related questions as `Prefetch("related", related_articles())` reads them."""
    now = Param("now", Article._meta.get_field("published_at"), now_stand_in())
    article = Param("article", Article._meta.pk, -7_300_001)
    through = Article.related.through
    return Prepared(
        lambda now, article: related_articles(now).filter(
            pk__in=through.objects.filter(from_article=article).values("to_article")
        ),
        now,
        article,
    )


def prefetched(model: type[Model], rows: list) -> QuerySet:
    """A queryset already holding `rows`, as prefetch_related leaves in an object's cache."""
    queryset: QuerySet = QuerySet(model=model)
    queryset._result_cache = rows
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    return queryset


def live_article(slug: str, region_slug: str | None = None) -> Article | None:
    """The live article at an address, as `article_rows()` reads it, with its topics and live related
    questions (`related_articles`) in its prefetch cache: three prepared queries."""
    now = timezone.now()
    if region_slug is None:
        found = prepared_article(True).run(now=now, slug=slug)
    else:
        found = prepared_article(False).run(now=now, slug=slug, region_slug=region_slug)
    if not found:
        return None
    article = found[0]
    article._prefetched_objects_cache = {
        "topics": prefetched(Topic, prepared_topics().run(article=article.pk)),
        "related": prefetched(Article, prepared_related().run(now=now, article=article.pk)),
    }
    return article


@public_page
@require_safe
def article(request: HttpRequest, region_slug: str, slug: str) -> HttpResponse:
    found = live_article(slug, region_slug)
    if found is not None and not found.region.is_national:
        return article_page(request, found)
    return moved_or_missing(request, region_slug, slug)


def moved_or_missing(request: HttpRequest, region_slug: str, slug: str) -> HttpResponse:
    """An address with no live article: a 301 only to where this very question now lives, or to
    the general answer that applies to the region; never to another city's article. Otherwise a
    404 that points to the region's guide."""
    # One query for the region, whether the address was this region's question before (its live
    # article's id) and whether the region has the question at all, live or not.
    place = (
        regions_with_parents()
        .filter(slug=region_slug)
        .annotate(
            moved_to=Subquery(
                ArticleRedirect.objects.filter(region=OuterRef("pk"), old_slug=slug, article__in=live_articles())
                .order_by("pk")
                .values("article_id")[:1]
            ),
            has_own=Exists(Article.objects.filter(region=OuterRef("pk"), slug=slug)),
        )
        .first()
    )
    if place is None:
        return page_not_found(request)
    moved = live_articles().filter(pk=place.moved_to).first() if place.moved_to is not None else None
    if moved is not None:
        return HttpResponsePermanentRedirect(moved.get_absolute_url())
    if place.is_national:  # /national/<slug>/ is the national article's old-style address
        general = live_articles().filter(region=place, slug=slug).first()
    elif place.has_own:
        general = None  # this region's own question, not live (draft, scheduled, taken down)
    else:  # a question asked under the city whose answer is the province's or the nation's
        ancestors = [r for r in place.lineage() if r.pk != place.pk]
        general = live_articles().filter(region__in=ancestors, slug=slug).order_by("-region__kind").first()
    if general is not None:
        return HttpResponsePermanentRedirect(general.get_absolute_url())
    return page_not_found(request, region=None if place.is_national else place)


def preview_queryset():
    """Any article, whatever its status: for staff previews and signed preview links only."""
    return Article.objects.select_related("region__parent__parent").prefetch_related(
        "topics", Prefetch("related", queryset=Article.objects.published().select_related("region"))
    )


@require_safe
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """A draft exactly as the public will see it, for someone holding a signed link that staff have
    neither withdrawn nor let expire (410 then, saying which; 404 for a link that never was)."""
    try:
        link = link_from_token(token)
    except LinkGone as gone:
        page = render(request, "guides/preview_expired.html", {"reason": gone.reason}, status=410)
        page["X-Robots-Tag"] = "noindex, nofollow"
        return page
    except signing.BadSignature:
        raise Http404("预览链接无效") from None
    found = get_object_or_404(preview_queryset(), pk=link.article_id)
    return article_page(request, found, preview=True)


@public_page
@require_safe
def national_article(request: HttpRequest, slug: str) -> HttpResponse:
    found = live_article(slug)
    if found is not None:
        return article_page(request, found)
    national = Region.objects.filter(kind=Region.NATIONAL).first()
    return moved_or_missing(request, national.slug, slug) if national else page_not_found(request)


@public_page(params=["page"])
@require_safe
def topics(request: HttpRequest) -> HttpResponse:
    all_topics = list(Topic.objects.all())
    listed = paginate(request, live_articles().filter(region__kind=Region.NATIONAL).order_by("order", "pk"))
    if not isinstance(listed, ListPage):
        return listed
    return render(
        request,
        "guides/topics.html",
        {
            "topics": all_topics,
            "national": listed.rows,
            "listed": listed,
            "crumbs": home_crumbs(national=True),
        },
    )


@public_page(params=["page"])
@require_safe
def topic(request: HttpRequest, topic_slug: str) -> HttpResponse:
    current = get_object_or_404(Topic, slug=topic_slug)
    listed = paginate(
        request, current.articles.published().select_related("region").order_by("region__order", "order", "pk")
    )
    if not isinstance(listed, ListPage):
        return listed
    groups: dict[Region, list[Article]] = {}
    for a in listed.rows:
        groups.setdefault(a.region, []).append(a)
    crumbs = [*home_crumbs(), (current.name, current.get_absolute_url())]
    return render(
        request,
        "guides/topic.html",
        {
            "topic": current,
            "groups": list(groups.items()),
            "listed": listed,
            "crumbs": crumbs,
            "jsonld": [breadcrumbs_ld(request, crumbs)],
        },
    )


@public_page
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /api/",
        "Disallow: /healthz",  # the health check (guides/views/health.py)
        f"Sitemap: {absolute_url('/sitemap.xml', request)}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(
    request: HttpRequest, exception: Exception | None = None, *, region: Region | None = None
) -> HttpResponse:
    """A Chinese 404 with the search box, the city guides, and the guide of the region the address named."""
    context = {"regions": list(Region.objects.filter(kind=Region.CITY)), "missing_in": region, "search_region": region}
    return render(request, "404.html", context, status=404)
