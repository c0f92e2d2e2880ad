"""Where a policy figure is used, and what changes on a given day. No admin imports.

- `figure_usage(entry)`: the articles whose text would show this very figure (its region's, and
  those of regions below it that fall back to it), the articles whose worked examples read its key,
  and the estimator's rules that read the key — found in the rules' source, not kept by hand.
- `changes_on(day)`: the figures entered ahead that take effect on `day`, each with the value it
  replaces (the region's own, or the one it inherited from its province or the nation) and the
  articles whose wording changes with it; `upcoming_change_days(today)` lists such days.

Every function reads a fixed number of queries (regions, figures, articles) however much content
there is; the fallback city → province → national is worked out in memory by `models.nearest_in_force`.
"""

from __future__ import annotations

import ast
import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from .figures import REGISTRY, FigureValueError
from .markdown import figure_tokens, is_case_token
from .models import Article, PolicyEntry, Region, nearest_in_force

NO_VALUE = "（没有数据）"

# --------------------------------------------------------------------------------------------
# Human-readable values


def human(key: str, raw: str | None) -> str:
    """A stored value as the site shows it ("6.8%", "是", "2026年1月1日", "400 元/年")."""
    if raw is None:
        return NO_VALUE
    spec = REGISTRY.get(key)
    if spec is None:
        return raw
    try:
        return spec.display(spec.parse(raw))
    except FigureValueError:
        return raw


def same_value(key: str, a: str | None, b: str | None) -> bool:
    """Whether two stored values mean the same ("400" and "400.00" do; a re-save changes nothing)."""
    if a is None or b is None:
        return a is b
    spec = REGISTRY.get(key)
    if spec is not None:
        try:
            return spec.parse(a) == spec.parse(b)
        except FigureValueError:
            pass
    return a.strip() == b.strip()


def entry_display(entry: PolicyEntry | None) -> str:
    return NO_VALUE if entry is None else human(entry.key, entry.value)


# --------------------------------------------------------------------------------------------
# Regions and fallback, in memory


class RegionTree:
    """Every region (one query), with parents linked so `lineage()` reads no more."""

    def __init__(self, regions: Iterable[Region] | None = None) -> None:
        rows = list(Region.objects.all() if regions is None else regions)
        self.by_id: dict[int, Region] = {r.pk: r for r in rows}
        for region in rows:
            if region.parent_id in self.by_id:
                region.parent = self.by_id[region.parent_id]  # a cached relation: no query
        self.ordered = sorted(rows, key=lambda r: (r.order, r.slug))

    def chain(self, region_id: int) -> list[int]:
        """The region's id, then its province's, then the nation's."""
        ids: list[int] = []
        node = self.by_id.get(region_id)
        while node is not None and len(ids) < 5:
            ids.append(node.pk)
            node = self.by_id.get(node.parent_id) if node.parent_id is not None else None
        return ids

    def below(self, region_id: int) -> list[Region]:
        """The region and every region under it, in the site's order."""
        return [r for r in self.ordered if region_id in self.chain(r.pk)]

    def attach(self, objects: Iterable) -> None:
        """Give figures and articles their region from the tree (no query when a template reads it)."""
        for obj in objects:
            if obj.region_id in self.by_id:
                obj.region = self.by_id[obj.region_id]


def showing_regions(
    entry: PolicyEntry, day: datetime.date, tree: RegionTree, others: Iterable[PolicyEntry]
) -> list[Region]:
    """The regions whose pages show `entry` on `day`: its own, and those below it with no nearer
    figure for the key in force (`others` are approved figures; the entry itself may be a draft)."""
    nearer = {e.region_id for e in others if e.key == entry.key and e.pk != entry.pk and e.in_force_on(day)}
    result = []
    for region in tree.below(entry.region_id):
        chain = tree.chain(region.pk)
        between = chain[: chain.index(entry.region_id)]
        if not any(rid in nearer for rid in between):
            result.append(region)
    return result


def resolve(key: str, chain: list[int], day: datetime.date, entries: Iterable[PolicyEntry]) -> PolicyEntry | None:
    """The figure a region with lineage `chain` shows for `key` on `day`: its own, else the nearest above."""
    return nearest_in_force((e for e in entries if e.key == key), chain, day).get(key)


# --------------------------------------------------------------------------------------------
# The estimator's rules that read each key, from their source


RULES_DIR = Path(__file__).resolve().parents[1] / "calculator" / "rules"

# What each module of calculator/rules is about, in staff's words. A test checks that every module
# has a label, so a new module of rules is named here when it is added.
MODULE_LABELS = {
    "core": "共用规则（等待期从哪天算起等）",
    "arrears": "补缴金额和滞纳金",
    "employee": "职工医保",
    "flexible": "灵活就业人员",
    "resident": "城乡居民医保",
    "switch": "职工医保和居民医保切换",
    "transfer": "转移接续页面（/zhuanyi/）",
}


@dataclass(frozen=True)
class Rule:
    """A function of calculator/rules that reads a figure."""

    module: str
    name: str

    @property
    def label(self) -> str:
        return MODULE_LABELS.get(self.module, self.module)

    @property
    def path(self) -> str:
        return f"calculator/rules/{self.module}.py"

    def __str__(self) -> str:
        return f"{self.module}.{self.name}"


def _keys_in(node: ast.AST, constants: dict[str, set[str]]) -> set[str]:
    """Registry keys a piece of code names: as string literals, or through a named constant
    (``RATES = ("employee_employer_rate", …)``, also when imported from another rules module)."""
    keys: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value in REGISTRY:
            keys.add(sub.value)
        elif isinstance(sub, ast.Name) and sub.id in constants:
            keys |= constants[sub.id]
    return keys


@functools.cache
def rules_by_key() -> dict[str, tuple[Rule, ...]]:
    """{key: the functions of calculator/rules that read it}, from the rules' source.

    A rule reads a figure by naming its key: ``read("resident_fee")``, ``read.show(…)``,
    ``_figure(there, "transfer_origin_days")`` or a module constant such as ``BASE_KEYS``. Read from
    the code, so it cannot drift from it; tests check it against the keys real estimates read.
    """
    trees = {path.stem: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(RULES_DIR.glob("*.py"))}
    trees.pop("__init__", None)
    # Module constants first (two rounds: a constant may be built from an imported one).
    constants: dict[str, dict[str, set[str]]] = {name: {} for name in trees}
    for _round in range(2):
        for name, tree in trees.items():
            scope = dict(constants[name])
            for stmt in tree.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.level == 1 and stmt.module in constants:
                    for alias in stmt.names:
                        imported = constants[stmt.module].get(alias.name)
                        if imported:
                            scope[alias.asname or alias.name] = imported
            for stmt in tree.body:
                if isinstance(stmt, ast.Assign):
                    targets, value = stmt.targets, stmt.value
                elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                    targets, value = [stmt.target], stmt.value
                else:
                    continue
                if isinstance(value, ast.Dict):
                    continue  # a table keyed by figure (labels, say) reads no figure
                keys = _keys_in(value, scope)
                for target in targets:
                    if isinstance(target, ast.Name) and keys:
                        scope[target.id] = keys
            constants[name] = scope
    found: dict[str, set[Rule]] = {}
    for name, tree in trees.items():
        functions: list[tuple[str, ast.AST]] = []
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append((stmt.name, stmt))
            elif isinstance(stmt, ast.ClassDef):
                functions += [
                    (f"{stmt.name}.{f.name}", f)
                    for f in stmt.body
                    if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                ]
        for function_name, node in functions:
            for key in _keys_in(node, constants[name]):
                found.setdefault(key, set()).add(Rule(name, function_name))
    order = list(MODULE_LABELS)
    return {
        key: tuple(sorted(rules, key=lambda r: (order.index(r.module) if r.module in order else 99, r.name)))
        for key, rules in found.items()
    }


def rules_for(key: str) -> tuple[Rule, ...]:
    return rules_by_key().get(key, ())


def rule_groups(key: str) -> list[tuple[str, list[Rule]]]:
    """The rules reading `key`, grouped under their module's label."""
    groups: dict[str, list[Rule]] = {}
    for rule in rules_for(key):
        groups.setdefault(rule.label, []).append(rule)
    return list(groups.items())


# --------------------------------------------------------------------------------------------
# Worked examples: which keys an example reads


def example_keys(token: str, region: Region, entries: list[PolicyEntry], day: datetime.date) -> set[str]:
    """The figure keys a ``{{ case … }}`` example reads for `region` on `day` (`entries`: every
    period of the region's lineage). A case that cannot be worked out still names what it read."""
    from calculator import examples
    from calculator.facts import facts_for
    from calculator.forms import CaseForm
    from calculator.rules.core import MissingFigure, NeedsAnswer, Reader
    from calculator.rules.switch import estimate_for

    try:
        example = examples.parse(token)
    except ValueError:
        return set()
    form = CaseForm(example.query(day))
    if not form.is_valid():
        return set()
    reader = Reader(facts_for(region, entries), day)
    keys: set[str] = set()
    try:
        estimate_for(form.to_case(), reader)
    except MissingFigure as exc:
        keys.add(exc.key)
    except NeedsAnswer:
        pass
    return keys | {fact.key for fact in reader.used.values()}


class ExampleReader:
    """Works out which keys each article's examples read, once per (region, example)."""

    def __init__(self, tree: RegionTree, entries: list[PolicyEntry], day: datetime.date) -> None:
        self.tree, self.entries, self.day = tree, entries, day
        self.cache: dict[tuple[int, str, int | None], set[str]] = {}

    def keys(self, article: Article, extra: PolicyEntry | None = None) -> set[str]:
        tokens = [t for t in figure_tokens(article.body) if is_case_token(t)]
        if not tokens:
            return set()
        chain = self.tree.chain(article.region_id)
        lineage = [e for e in self.entries if e.region_id in chain]
        if extra is not None and extra.region_id in chain and all(e.pk != extra.pk for e in lineage):
            lineage.append(extra)  # a figure not yet approved: read as if it were
        self.tree.attach(lineage)
        region = self.tree.by_id[article.region_id]
        found: set[str] = set()
        for token in tokens:
            cache_key = (article.region_id, token, extra.pk if extra is not None else None)
            if cache_key not in self.cache:
                self.cache[cache_key] = example_keys(token, region, lineage, self.day)
            found |= self.cache[cache_key]
        return found


# --------------------------------------------------------------------------------------------
# Articles


def article_state(article: Article, now: datetime.datetime | None = None) -> str:
    """草稿 / 待审核 / 已发布, or 定时发布 / 已下线 for a published article not live now."""
    now = now or timezone.now()
    if article.status != Article.PUBLISHED:
        return article.get_status_display()
    if article.published_at and article.published_at > now:
        return "定时发布"
    if article.unpublish_at and article.unpublish_at <= now:
        return "已下线"
    return "已发布"


@dataclass(frozen=True)
class ArticleUse:
    """An article whose page shows a figure: in its text, in a worked example, or both."""

    article: Article
    in_text: bool
    in_example: bool
    state: str

    @property
    def published(self) -> bool:
        return self.article.status == Article.PUBLISHED

    @property
    def live(self) -> bool:
        return self.state == "已发布"


def candidate_articles(region_ids: Iterable[int], keys: Iterable[str]):
    """Articles of these regions whose body may name one of `keys` or hold a worked example (one query)."""
    words = Q(body__contains="case")
    for key in set(keys):
        words |= Q(body__contains=key)
    return (
        Article.objects.filter(region__in=list(region_ids))
        .filter(words)
        .only("id", "title", "slug", "region_id", "body", "status", "published_at", "unpublish_at", "order")
        .order_by("region__order", "order", "pk")
    )


def article_uses(
    articles: Iterable[Article],
    key: str,
    regions: Iterable[int],
    examples_reader: ExampleReader,
    extra: PolicyEntry | None = None,
) -> list[ArticleUse]:
    """Of `articles`, those of `regions` that show `key`: as a figure token or through an example."""
    wanted = set(regions)
    now = timezone.now()
    uses = []
    for article in articles:
        if article.region_id not in wanted:
            continue
        in_text = key in figure_tokens(article.body)
        in_example = key in examples_reader.keys(article, extra)
        if in_text or in_example:
            uses.append(ArticleUse(article, in_text, in_example, article_state(article, now)))
    return uses


# --------------------------------------------------------------------------------------------
# Where a figure is used


@dataclass
class Usage:
    """Where one figure is used, worked out for the day `on` (today, or the day it starts or ends)."""

    entry: PolicyEntry
    on: datetime.date
    when: str  # "today" | "future" | "past"
    regions: list[Region]
    articles: list[ArticleUse]
    rules: list[tuple[str, list[Rule]]] = field(default_factory=list)

    @property
    def example_articles(self) -> list[ArticleUse]:
        return [u for u in self.articles if u.in_example]

    @property
    def published_count(self) -> int:
        return sum(1 for u in self.articles if u.published)

    @property
    def rule_count(self) -> int:
        return sum(len(rules) for _, rules in self.rules)


def usage_day(entry: PolicyEntry, today: datetime.date) -> tuple[datetime.date, str]:
    """The day to look at: today while the figure is in force, else the first or last day it is."""
    if entry.effective_from > today:
        return entry.effective_from, "future"
    if entry.effective_to is not None and entry.effective_to < today:
        return entry.effective_to, "past"
    return today, "today"


def figure_usage(entry: PolicyEntry, today: datetime.date | None = None) -> Usage:
    """Where `entry` is used: three queries (regions, figures, articles), whatever the content."""
    today = today or timezone.localdate()
    on, when = usage_day(entry, today)
    tree = RegionTree()
    below = [r.pk for r in tree.below(entry.region_id)]
    wanted = set(below) | set(tree.chain(entry.region_id))
    entries = list(PolicyEntry.objects.live().filter(region__in=wanted))
    regions = showing_regions(entry, on, tree, entries)
    region_ids = [r.pk for r in regions]
    articles = list(candidate_articles(region_ids, [entry.key]))
    tree.attach(articles)
    uses = article_uses(articles, entry.key, region_ids, ExampleReader(tree, entries, on), extra=entry)
    return Usage(entry, on, when, regions, uses, rule_groups(entry.key))


def usage_context(entry: PolicyEntry | None) -> dict:
    """Context for templates/admin/guides/includes/figure_usage.html on a figure's change form."""
    if entry is None or entry.pk is None or entry.key not in REGISTRY:
        return {}
    return {"usage": figure_usage(entry)}


# --------------------------------------------------------------------------------------------
# What changes on a day


@dataclass
class FigureChange:
    """A figure that takes effect on a day, with what it replaces and the articles it rewords."""

    entry: PolicyEntry
    old: PolicyEntry | None  # what the region showed the day before
    articles: list[ArticleUse]

    @property
    def approved(self) -> bool:
        return self.entry.state == PolicyEntry.PUBLISHED

    @property
    def inherited(self) -> bool:
        """The region had no figure of its own before: this one replaces its province's or the nation's."""
        return self.old is not None and self.old.region_id != self.entry.region_id

    @property
    def new_display(self) -> str:
        return entry_display(self.entry)

    @property
    def old_display(self) -> str:
        return entry_display(self.old)

    @property
    def same_value(self) -> bool:
        return self.old is not None and same_value(self.entry.key, self.old.value, self.entry.value)


CHANGING_STATES = (PolicyEntry.PUBLISHED, PolicyEntry.REVIEW)


def changes_on(day: datetime.date) -> list[FigureChange]:
    """Figures approved or waiting for approval that take effect on `day` (four queries)."""
    changes = list(
        PolicyEntry.objects.filter(effective_from=day, state__in=CHANGING_STATES).order_by("region__order", "key")
    )
    if not changes:
        return []
    tree = RegionTree()
    tree.attach(changes)
    wanted: set[int] = set()
    for change in changes:
        wanted |= {r.pk for r in tree.below(change.region_id)} | set(tree.chain(change.region_id))
    entries = [e for e in PolicyEntry.objects.live().filter(region__in=wanted) if e.pk not in {c.pk for c in changes}]
    tree.attach(entries)
    before = day - datetime.timedelta(days=1)
    shown = {c.pk: showing_regions(c, day, tree, entries) for c in changes}
    articles = list(
        candidate_articles(
            {r.pk for regions in shown.values() for r in regions}, [c.key for c in changes]
        ).select_related(None)
    )
    tree.attach(articles)
    reader = ExampleReader(tree, entries, day)
    result = []
    for change in changes:
        old = resolve(change.key, tree.chain(change.region_id), before, entries)
        region_ids = [r.pk for r in shown[change.pk]]
        uses = article_uses(articles, change.key, region_ids, reader, extra=change)
        result.append(FigureChange(change, old, uses))
    return result


def upcoming_change_days(today: datetime.date, limit: int | None = None) -> list[datetime.date]:
    """Future days on which an approved or pending figure takes effect, soonest first (one query)."""
    days = (
        PolicyEntry.objects.filter(effective_from__gt=today, state__in=CHANGING_STATES)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .distinct()
    )
    return list(days[:limit] if limit else days)
