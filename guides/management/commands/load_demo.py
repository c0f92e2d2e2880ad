"""Load the demo regions, figures, channels, topics and Q&A articles from guides/demo/.

Idempotent and quiet: rows are matched on their natural keys and written only when new or
different from the demo files, so running it twice leaves one copy of everything and the second
run writes nothing (no history row, no version bump, no search re-index), while a demo row
someone changed is put back. It is a command, not a data migration, so demo rows never ship to
production by accident.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone

from guides.models import (
    POLICY_ENTRY_FIELDS,
    Article,
    GlossaryTerm,
    PolicyEntry,
    Region,
    SearchSynonym,
    ServiceChannel,
    Topic,
)
from guides.workflow import figure_snapshot

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
PUBLISHED_AT = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.UTC)
# Kept by the row itself, not by the demo files: never a reason to write.
OWN_FIELDS = {"id", "version", "created_at", "updated_at", "body_html"}


def read_json(name: str) -> list[dict]:
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def parse_article(path: Path) -> tuple[dict[str, str], str]:
    """Split a Markdown file into its `key: value` front matter and its body."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise CommandError(f"{path}: missing front matter")
    head, _, body = text[4:].partition("\n---\n")
    meta = {}
    for line in head.splitlines():
        if line.strip():
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
    return meta, body.strip() + "\n"


def split_list(value: str) -> list[str]:
    return [item.strip() for item in value.replace(",", ",").split(",") if item.strip()]


def field_values(obj: models.Model) -> dict[str, object]:
    """The row's own content as comparable Python values ("2026-01-01" and a date compare equal)."""
    return {
        f.attname: f.to_python(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.attname not in OWN_FIELDS
    }


def stored[M: models.Model](obj: M) -> tuple[M, dict[str, object] | None]:
    """A row found (or started) for a demo entry, with what the database holds for it (None: new)."""
    return obj, (None if obj.pk is None else field_values(obj))


class Command(BaseCommand):
    help = "载入演示数据（地区、政策数据、办事渠道、主题和问答），可重复运行。"

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        self.written = 0
        regions = self.load_regions()
        topics = self.load_topics()
        figures = self.load_figures(regions)
        channels = self.load_channels(regions)
        synonyms = self.load_synonyms()
        terms = self.load_glossary()
        articles = self.load_articles(regions, topics)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"演示数据已载入：{len(regions)} 个地区，{figures} 条政策数据，{channels} 个办事渠道，"
                f"{len(topics)} 个主题，{synonyms} 组搜索同义词，{terms} 个词汇，{articles} 篇问答。"
                + (f"本次写入 {self.written} 条新的或改动过的内容。" if self.written else "内容没有变化，没有写入。")
            )

    def load_regions(self) -> dict[str, Region]:
        regions: dict[str, Region] = {}
        for row in read_json("regions.json"):
            region, before = stored(Region.objects.filter(slug=row["slug"]).first() or Region(slug=row["slug"]))
            region.name = row["name"]
            region.kind = row["kind"]
            region.parent = regions.get(row["parent"]) if row.get("parent") else None
            region.summary = row.get("summary", "")
            region.order = row.get("order", 0)
            self.save_changed(region, before, f"regions/{row['slug']}")
            regions[region.slug] = region
        return regions

    def load_topics(self) -> dict[str, Topic]:
        topics = {}
        for row in read_json("topics.json"):
            topic, before = stored(Topic.objects.filter(slug=row["slug"]).first() or Topic(slug=row["slug"]))
            topic.name, topic.description = row["name"], row.get("description", "")
            topic.order = row.get("order", 0)
            self.save_changed(topic, before, f"topics/{row['slug']}")
            topics[topic.slug] = topic
        return topics

    def load_figures(self, regions: dict[str, Region]) -> int:
        rows = read_json("figures.json")
        for row in rows:
            region = regions[row["region"]]
            entry, before = stored(
                PolicyEntry.objects.filter(region=region, key=row["key"], effective_from=row["effective_from"]).first()
                or PolicyEntry(region=region, key=row["key"])
            )
            for field in POLICY_ENTRY_FIELDS[2:]:  # region and key are set above
                setattr(entry, field, row.get(field) or (None if field == "effective_to" else ""))
            entry.state = PolicyEntry.PUBLISHED  # the demo's figures stand for approved ones
            self.save_changed(entry, before, f"{row['region']}/{row['key']}")
        return len(rows)

    def load_channels(self, regions: dict[str, Region]) -> int:
        rows = read_json("channels.json")
        for i, row in enumerate(rows):
            region = regions[row["region"]]
            channel, before = stored(
                ServiceChannel.objects.filter(region=region, name=row["name"]).first()
                or ServiceChannel(region=region, name=row["name"])
            )
            for field in ("kind", "key", "detail", "address", "hours", "url", "note"):
                setattr(channel, field, row.get(field, ""))
            channel.order = row.get("order", i)
            self.save_changed(channel, before, f"channels/{row['region']}/{row['name']}")
        return len(rows)

    def load_synonyms(self) -> int:
        rows = read_json("synonyms.json")
        for row in rows:
            first = row["words"].split()[0]
            synonym, before = stored(SearchSynonym.objects.filter(words__startswith=first).first() or SearchSynonym())
            synonym.words, synonym.note = row["words"], row.get("note", "")
            self.save_changed(synonym, before, f"synonyms/{first}")
        return len(rows)

    def load_glossary(self) -> int:
        rows = read_json("glossary.json")
        for i, row in enumerate(rows):
            term, before = stored(
                GlossaryTerm.objects.filter(slug=row["slug"]).first() or GlossaryTerm(slug=row["slug"])
            )
            term.term = row["term"]
            term.aliases = row.get("aliases", "")
            term.explanation = row["explanation"]
            term.link_in_articles = row.get("link_in_articles", True)
            term.order = row.get("order", i)
            self.save_changed(term, before, f"glossary/{row['slug']}")
        return len(rows)

    def load_articles(self, regions: dict[str, Region], topics: dict[str, Topic]) -> int:
        loaded: list[tuple[Article, dict[str, str]]] = []
        regions_with_parents = {r.pk: r for r in Region.objects.select_related("parent__parent")}
        today = timezone.localdate()
        for path in sorted((DEMO_DIR / "articles").glob("*/*.md")):
            meta, body = parse_article(path)
            region = regions[path.parent.name]
            article, before = stored(
                Article.objects.filter(region=region, slug=path.stem).first() or Article(region=region, slug=path.stem)
            )
            article.title = meta["title"]
            article.short_answer = meta["short_answer"]
            article.body = body
            article.status = Article.PUBLISHED
            article.published_at = article.published_at or PUBLISHED_AT
            article.reviewed_on = datetime.date.fromisoformat(meta.get("reviewed_on") or "2026-11-01")
            article.featured = meta.get("featured", "false").lower() == "true"
            article.order = int(meta.get("order") or 0)
            # The demo's articles stand for approved ones: remember the figures they were read with.
            lineage = regions_with_parents.get(region.pk, region)
            article.reviewed_figures = figure_snapshot(article, PolicyEntry.objects.for_region(lineage, today))
            self.save_changed(article, before, str(path.relative_to(DEMO_DIR)))
            article.topics.set([topics[slug] for slug in split_list(meta.get("topics", ""))])
            loaded.append((article, meta))
        by_path = {f"{a.region.slug}/{a.slug}": a for a, _ in loaded}
        for article, meta in loaded:
            try:
                article.related.set([by_path[ref] for ref in split_list(meta.get("related", ""))])
            except KeyError as exc:
                raise CommandError(f"{article.region.slug}/{article.slug}: related article {exc} not found") from None
        return len(loaded)

    def save_changed(self, obj: models.Model, before: dict[str, object] | None, label: str) -> None:
        """Check and save a demo row that is new or differs from what is stored; leave an unchanged
        one alone, so it keeps its version, its updated_at and its history."""
        if before is not None and field_values(obj) == before:
            return
        try:
            obj.full_clean()  # also normalises (a figure's value, a synonym's words)
        except ValidationError as exc:
            raise CommandError(f"{label}: {exc.messages}") from None
        if before is not None and field_values(obj) == before:
            return
        obj.save()
        self.written += 1
