"""Site search in Chinese: query normalisation, segmentation with a synonym dictionary, ranking.

Why n-grams and a synonym dictionary rather than jieba
------------------------------------------------------
Citizens type short, colloquial queries ("断交了怎么办", "南昌 转医保") into a small, specialised
site. What makes them find the answer is knowing that 断交 means 断缴 and 转医保 means 转移接续 —
a synonym list that content staff keep in the admin (`SearchSynonym`) — not a general-purpose
word segmenter. So a query is cut by greedy longest match against the synonym words and a short
list of domain words; what is left becomes overlapping character bigrams (个人账户余额 → 个人 人账
账户 户余 余额), so a partial phrase still matches. This is plain Python:

- no 50 MB dictionary loaded into every worker, nothing to download or keep in step with jieba's
  releases, and no segmentation of the articles themselves to keep consistent with the query side;
- the same results on SQLite and PostgreSQL: an article holds a word when it holds all the word's
  two-character pieces (`SearchToken`, built on save by `guides.search_index`), looked up through
  an index on the token; both databases compare whole tokens, with no full-text dictionaries,
  stemmers or collation rules involved, and no scan of every article's text (the benchmark's
  10,000 articles were 300–450 ms a search that way on PostgreSQL).

Ranking is one SQL query of portable Django expressions over the matching tokens, grouped by
article: per term group a CASE that is 1 when the article holds any of the group's words (and one
for its question and short answer); results
are ordered by the number of groups matched, then the region (the one named in the query or the
one the citizen came from, then its province, then national answers), then hits in the question
(with no region known, hits in the question come before the national answers' head start).
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from .models import Article, Region, SearchMiss, SearchSynonym, split_words
from .search_index import WORD_RE as TOKEN_RE
from .search_index import bigrams, word_tokens

MAX_QUERY = 100  # characters kept of a query (SearchMiss.query holds 100)
MAX_GROUPS = 8  # term groups searched; words past these still show in the box but do not rank
SUGGESTIONS = 5

# Dropped from queries. Synonym words are matched first, so 断了 and 没交 survive although 了 and
# 没有 are here; a longer domain word wins over a stop word it contains (交多少年, 多久能报销).
STOP_WORDS = frozenset(
    split_words(
        "的 了 吗 呢 啊 吧 呀 么 怎么 怎么办 怎样 如何 什么 为什么 可以 可不可以 能 能不能 会 会不会 要 需要 "
        "我 我的 我们 你 是 是不是 在 和 与 或 还 还能 有 有没有 没有 多少 哪里 哪儿 请问 一下 这个 那个 就 都 "
        "全国"
    )
)

# Domain words kept whole instead of being cut into bigrams (医保卡 rather than 医保 + 保卡).
KNOWN_WORDS = frozenset(
    split_words(
        "医保 医疗保险 社保 医保卡 社保卡 统筹 统筹基金 报销 缴费 参保 参保凭证 缴费基数 基数 年限 "
        "退休 异地就医 备案 门诊 住院 大病保险 家庭共济 失业 失业金 失业保险金 集中参保期 身份证 材料 窗口 "
        "热线 电话 手机 网上 线上 线下 办理 单位 公司 学生 老人 低保 医疗救助"
    )
)

# 江西省 → 江西, 广西壮族自治区 → 广西, 南昌市 → 南昌: the short forms citizens type.
REGION_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "自治州", "地区", "省", "市")

SPACE_RE = re.compile(r"\s+")
# Personal data is never logged: ID and phone numbers and e-mail addresses become "…". A number
# is 6+ digits in a row (an ID card's final X included), or 10+ digits in groups split by spaces
# or dashes (138 1234 5678, 0791-8888-6666) — short numbers such as 12393 2026 stay.
DIGITS_RE = re.compile(r"\d{6,}x?")
GROUPED_RE = re.compile(r"\d+(?:[ \-]\d+)+")
EMAIL_RE = re.compile(r"(?<!\S)\S*@\S*")  # from a word's start only: linear on any input
REDACTED = "…"
# Full-width ASCII letters and digits (Ａ, ｂ, １) → half-width; the ideographic space → a space.
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code - 0xFEE0).isalnum()}
FULL_WIDTH[0x3000] = ord(" ")


def _printable(char: str) -> bool:
    # Control characters (NUL: PostgreSQL refuses it), lone surrogates, format and private-use
    # characters have no business in a query.
    return unicodedata.category(char) not in ("Cc", "Cs", "Cf", "Co", "Cn") or char in "\t\n\r"


def redact(text: str) -> str:
    """Replace what could identify a person (ID, phone numbers, e-mail) with "…"."""
    text = DIGITS_RE.sub(REDACTED, EMAIL_RE.sub(REDACTED, text))
    return GROUPED_RE.sub(lambda m: REDACTED if sum(c.isdigit() for c in m.group()) >= 10 else m.group(), text)


def normalise(q: object) -> str:
    """A query as searched, shown and (on a miss) recorded: printable, half-width, lower-case,
    single-spaced, with personal data redacted, at most MAX_QUERY characters. Never raises."""
    if q is None:
        return ""
    text = (q if isinstance(q, str) else str(q))[: MAX_QUERY * 20]  # bounds the work on absurd input
    text = "".join(c if _printable(c) else " " for c in text)
    text = text.translate(FULL_WIDTH).lower()
    text = SPACE_RE.sub(" ", text).strip()
    text = SPACE_RE.sub(" ", redact(text)).strip()
    return text[:MAX_QUERY].strip()


# --- Parsing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    regions: tuple[Region, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()  # each: the term, then its synonyms

    @property
    def terms(self) -> list[str]:
        return [group[0] for group in self.groups]

    @property
    def words(self) -> list[str]:
        return [word for group in self.groups for word in group]


def synonym_rows(synonyms: Iterable) -> list[list[str]]:
    """SearchSynonym objects or plain word lists → lists of lower-cased words."""
    rows = []
    for row in synonyms:
        words = row.terms if isinstance(row, SearchSynonym) else split_words(" ".join(row))
        if words:
            rows.append(words)
    return rows


def region_aliases(region: Region) -> set[str]:
    """南昌 → {南昌, 南昌市}; 江西省 → {江西省, 江西}; 广西壮族自治区 → {广西壮族自治区, 广西, 广西省}."""
    name = region.name.strip().lower()
    short = name
    for suffix in REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            short = name[: -len(suffix)]
            break
    aliases = {name, short}
    aliases.add(short + ("省" if region.kind == Region.PROVINCE else "市"))
    return {a for a in aliases if len(a) >= 2}


def parse(q: str, synonyms: Iterable, regions: Iterable[Region]) -> ParsedQuery:
    """The regions a (normalised) query names and its term groups.

    Greedy longest match against region names, synonym words, domain words and stop words; the
    rest of each Chinese run becomes bigrams (3+ characters) or stays whole (2); a lone
    character counts only when it is the whole query. ASCII words stay whole.
    """
    text = normalise(q)
    rows = synonym_rows(synonyms)
    expand: dict[str, tuple[str, ...]] = {}
    for words in rows:
        for word in words:
            # A word in two rows expands to both rows' words.
            expand[word] = tuple(dict.fromkeys((*expand.get(word, ()), *words)))
    by_alias: dict[str, Region] = {}
    for region in regions:
        if region.is_national:
            continue  # 全国 is a stop word: national answers are always searched
        for alias in region_aliases(region):
            by_alias.setdefault(alias, region)
    vocab: dict[str, str] = dict.fromkeys(STOP_WORDS, "stop")
    vocab.update(dict.fromkeys(KNOWN_WORDS, "word"))
    vocab.update(dict.fromkeys(expand, "word"))  # synonyms beat stop words (断了, 没交)
    vocab.update(dict.fromkeys(by_alias, "region"))
    longest = max(map(len, vocab), default=1)

    terms: list[str] = []
    named: list[Region] = []

    def take_rest(rest: str) -> None:
        if len(rest) >= 3:
            terms.extend(bigrams(rest))
        elif len(rest) == 2:
            terms.append(rest)

    for match in TOKEN_RE.finditer(text):
        if match.group("word"):
            word = match.group("word")
            kind = vocab.get(word)
            if kind == "region":
                named.append(by_alias[word])
            elif len(word) >= 2 or word in expand:
                terms.append(word)
            continue
        run, i, rest = match.group("cjk"), 0, ""
        while i < len(run):
            for size in range(min(longest, len(run) - i), 0, -1):
                piece = run[i : i + size]
                kind = vocab.get(piece)
                if kind is not None:
                    break
            else:
                rest += run[i]
                i += 1
                continue
            take_rest(rest)
            rest = ""
            if kind == "region":
                named.append(by_alias[piece])
            elif kind == "word":
                terms.append(piece)
            i += size
        take_rest(rest)

    if not terms and not named and len(text) == 1 and TOKEN_RE.fullmatch(text):
        terms.append(text)  # a single character is searched only when it is all there is

    groups: list[tuple[str, ...]] = []
    seen: set[frozenset[str]] = set()
    for term in terms:
        group = (term, *[w for w in expand.get(term, ()) if w != term])
        key = frozenset(group)
        if key not in seen:
            seen.add(key)
            groups.append(group)
    return ParsedQuery(text=text, regions=tuple(dict.fromkeys(named)), groups=tuple(groups[:MAX_GROUPS]))


# --- Searching ----------------------------------------------------------------------------------


@dataclass
class SearchResults:
    query: ParsedQuery
    articles: list[Article] = field(default_factory=list)
    total: int = 0
    all_terms_matched: bool = False
    region: Region | None = None  # the region ranked first: named in the query, else the page's
    from_region: Region | None = None  # the validated ?region= of the page the citizen came from
    offset: int = 0

    @property
    def region_only(self) -> bool:
        """The query named a place and nothing else: that place's answers, its guide on top."""
        return bool(self.query.regions) and not self.query.groups

    @property
    def is_miss(self) -> bool:
        """Nothing answers every word: worth telling staff (zero results, or only partial ones)."""
        return bool(self.query.text) and not (self.total and self.all_terms_matched)


def vocabulary() -> tuple[list[list[str]], list[Region]]:
    """Synonym rows and regions, in one query (a UNION of the two small tables)."""
    synonyms = SearchSynonym.objects.order_by().values_list(
        "pk", "words", Value(""), Value("synonym"), Value(None, output_field=IntegerField())
    )
    regions = Region.objects.order_by().values_list("pk", "name", "slug", "kind", "parent_id")
    rows, places = [], []
    for pk, name, slug, kind, parent_id in synonyms.union(regions, all=True):
        if kind == "synonym":
            words = split_words(name)
            if words:
                rows.append(words)
        else:
            places.append(Region(pk=pk, name=name, slug=slug, kind=kind, parent_id=parent_id))
    return rows, places


def group_matches(groups: Sequence[Sequence[str]]) -> tuple[list, list, list[str]]:
    """Per term group, whether an article holds it (anywhere, and in its question or short answer),
    as aggregate expressions over the article's matching tokens, and every token looked up.

    A word is held when all its tokens are (a bigram word is one token; 转移接续 needs 转移, 移接
    and 接续); a group is held when any of its words is.
    """
    tokens: set[str] = set()
    matched, heads = [], []
    for group in groups:
        anywhere, in_head = [], []
        for word in group:
            need = word_tokens(word)
            if not need:
                continue
            tokens.update(need)
            held = Q(search_tokens__token__in=need)
            anywhere.append(Q(GreaterThan(Count("search_tokens", filter=held), len(need) - 1)))
            in_head.append(
                Q(GreaterThan(Count("search_tokens", filter=held & Q(search_tokens__in_head=True)), len(need) - 1))
            )
        matched.append(one_if(reduce(operator.or_, anywhere)) if anywhere else Value(0, output_field=IntegerField()))
        heads.append(one_if(reduce(operator.or_, in_head)) if in_head else Value(0, output_field=IntegerField()))
    return matched, heads, sorted(tokens)


def one_if(condition) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def total_of(expressions: list):
    return reduce(operator.add, expressions) if expressions else Value(0, output_field=IntegerField())


def region_rank(chosen: Sequence[Region], places: Sequence[Region]) -> Case | Value:
    """3: a chosen region; 2: its province (or, for a chosen province, its cities); 1: national."""
    chosen_ids = {r.pk for r in chosen}
    near_ids = {r.parent_id for r in chosen if r.parent_id} | {r.pk for r in places if r.parent_id in chosen_ids}
    national_ids = {r.pk for r in places if r.kind == Region.NATIONAL}
    near_ids -= chosen_ids | national_ids
    whens = []
    if chosen_ids:
        whens.append(When(region_id__in=sorted(chosen_ids), then=Value(3)))
    if near_ids:
        whens.append(When(region_id__in=sorted(near_ids), then=Value(2)))
    if national_ids:
        whens.append(When(region_id__in=sorted(national_ids), then=Value(1)))
    if not whens:
        return Value(0, output_field=IntegerField())
    return Case(*whens, default=Value(0), output_field=IntegerField())


def find_region(slug: object, places: Sequence[Region]) -> Region | None:
    """A ?region= value: an existing region other than the nation, else None (ignored)."""
    if isinstance(slug, Region):
        slug = slug.slug
    if not isinstance(slug, str) or not slug:
        return None
    return next((r for r in places if r.slug == slug and not r.is_national), None)


def search(q: object, region: object = None, limit: int = 20, offset: int = 0) -> SearchResults:
    """Live articles for a query, best first, with the total and whether any answers every term.

    Three queries whatever the content: the vocabulary (synonyms and regions), the ranked page's
    ids with the total (a window count), and those articles. A page past the last one falls back
    to the first.
    """
    text = normalise(q)
    rows, places = vocabulary()
    parsed = parse(text, rows, places)
    from_region = find_region(region, places)
    chosen = list(parsed.regions) or ([from_region] if from_region else [])
    results = SearchResults(query=parsed, region=chosen[0] if chosen else None, from_region=from_region)
    if not parsed.groups and not parsed.regions:
        return results

    qs = Article.objects.published()
    if parsed.groups:
        matched, heads, tokens = group_matches(parsed.groups)
        # Only the articles holding one of the query's tokens are read, through the token index.
        qs = qs.filter(search_tokens__token__in=tokens)
        qs = qs.annotate(groups=total_of(matched), heads=total_of(heads)).filter(groups__gte=1)
    else:  # only a place: its own answers (a province's include its cities')
        ids = {r.pk for r in parsed.regions}
        qs = qs.filter(Q(region_id__in=ids) | Q(region__parent_id__in=ids)).annotate(
            groups=Value(0, output_field=IntegerField()), heads=Value(0, output_field=IntegerField())
        )
    qs = qs.annotate(rank=region_rank(chosen, places), total=Window(Count("pk")))
    # A known region comes before hits in the question; with none known, an answer about the
    # words (in its question) comes before a national answer that only mentions them.
    near = ("-rank", "-heads") if chosen else ("-heads", "-rank")
    # Ranked as narrow rows (id and scores), then the page's articles are read by id: carrying the
    # articles' text through the grouping and sorting of thousands of matches costs ten times more.
    ranked = qs.order_by("-groups", *near, "order", "pk").values_list("pk", "groups", "total")

    limit, offset = max(1, int(limit)), max(0, int(offset))
    page = list(ranked[offset : offset + limit])
    if not page and offset:
        page, offset = list(ranked[:limit]), 0
    if page:
        articles = (
            Article.objects.select_related("region")
            .only("title", "slug", "short_answer", "order", "region", "region__name", "region__slug", "region__kind")
            .in_bulk([pk for pk, _, _ in page])
        )
        results.articles = [articles[pk] for pk, _, _ in page if pk in articles]
        results.offset = offset
        # The first row of the first page matched the most groups; a later page asks for it.
        best = ranked.values_list("groups", flat=True).first() if offset else page[0][1]
        results.total = page[0][2]
        results.all_terms_matched = best == len(parsed.groups)
    return results


def suggest(q: object, region: object = None) -> list[Article]:
    """Up to five questions for the box as one types (never recorded as a miss)."""
    return search(q, region, limit=SUGGESTIONS).articles


# --- Searches that found nothing ------------------------------------------------------------------


def record_miss(q: object) -> SearchMiss | None:
    """Count a search that found no answer to every word, for staff to write the missing answer.

    Only the normalised, redacted query is kept — never the visitor's address, browser, cookies
    or the page they came from. Safe when two visitors miss on the same words at once.
    """
    text = normalise(q)
    if not text:
        return None
    now = timezone.now()
    bump = {"count": F("count") + 1, "last_seen": now}
    if SearchMiss.objects.filter(query=text).update(**bump):
        return None
    try:
        with transaction.atomic():
            return SearchMiss.objects.create(query=text, count=1, last_seen=now)
    except IntegrityError:  # created by a concurrent request in between
        SearchMiss.objects.filter(query=text).update(**bump)
        return None


# --- The no-result page ---------------------------------------------------------------------------


def closest_topics(parsed: ParsedQuery, topics: Iterable) -> list:
    """Topics whose name or description shares a word or a bigram with the query, else all."""
    topics = list(topics)
    probes = set(parsed.words)
    for match in TOKEN_RE.finditer(parsed.text):
        run = match.group("cjk")
        if run:
            probes.update(bigrams(run) if len(run) > 1 else [run])
    probes = {p for p in probes if p not in STOP_WORDS}
    close = [t for t in topics if any(p in f"{t.name} {t.description}".lower() for p in probes)]
    return close or topics
