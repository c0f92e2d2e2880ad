"""Load the demo regions, figures, channels, topics and Q&A articles from guides/demo/.

Idempotent: rows are matched on their natural keys and updated in place, so running it twice
leaves one copy of everything. It is a command, not a data migration, so demo rows never ship
to production by accident.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
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


class Command(BaseCommand):
    help = "载入演示数据（地区、政策数据、办事渠道、主题和问答），可重复运行。"

    @transaction.atomic
    def handle(self, *args, **options) -> None:
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
            )

    def load_regions(self) -> dict[str, Region]:
        regions: dict[str, Region] = {}
        for row in read_json("regions.json"):
            region, _ = Region.objects.update_or_create(
                slug=row["slug"],
                defaults={
                    "name": row["name"],
                    "kind": row["kind"],
                    "parent": regions.get(row["parent"]) if row.get("parent") else None,
                    "summary": row.get("summary", ""),
                    "order": row.get("order", 0),
                },
            )
            regions[region.slug] = region
        return regions

    def load_topics(self) -> dict[str, Topic]:
        topics = {}
        for row in read_json("topics.json"):
            topic, _ = Topic.objects.update_or_create(
                slug=row["slug"],
                defaults={"name": row["name"], "description": row.get("description", ""), "order": row.get("order", 0)},
            )
            topics[topic.slug] = topic
        return topics

    def load_figures(self, regions: dict[str, Region]) -> int:
        rows = read_json("figures.json")
        for row in rows:
            region = regions[row["region"]]
            entry = PolicyEntry.objects.filter(
                region=region, key=row["key"], effective_from=row["effective_from"]
            ).first() or PolicyEntry(region=region, key=row["key"])
            for field in POLICY_ENTRY_FIELDS[2:]:  # region and key are set above
                setattr(entry, field, row.get(field) or (None if field == "effective_to" else ""))
            entry.state = PolicyEntry.PUBLISHED  # the demo's figures stand for approved ones
            self.save_valid(entry, f"{row['region']}/{row['key']}")
        return len(rows)

    def load_channels(self, regions: dict[str, Region]) -> int:
        rows = read_json("channels.json")
        for i, row in enumerate(rows):
            ServiceChannel.objects.update_or_create(
                region=regions[row["region"]],
                name=row["name"],
                defaults={
                    "kind": row["kind"],
                    "key": row.get("key", ""),
                    "detail": row.get("detail", ""),
                    "address": row.get("address", ""),
                    "hours": row.get("hours", ""),
                    "url": row.get("url", ""),
                    "note": row.get("note", ""),
                    "order": row.get("order", i),
                },
            )
        return len(rows)

    def load_synonyms(self) -> int:
        rows = read_json("synonyms.json")
        for row in rows:
            first = row["words"].split()[0]
            synonym = SearchSynonym.objects.filter(words__startswith=first).first() or SearchSynonym()
            synonym.words, synonym.note = row["words"], row.get("note", "")
            self.save_valid(synonym, f"synonyms/{first}")
        return len(rows)

    def load_glossary(self) -> int:
        rows = read_json("glossary.json")
        for i, row in enumerate(rows):
            term = GlossaryTerm.objects.filter(slug=row["slug"]).first() or GlossaryTerm(slug=row["slug"])
            term.term = row["term"]
            term.aliases = row.get("aliases", "")
            term.explanation = row["explanation"]
            term.link_in_articles = row.get("link_in_articles", True)
            term.order = row.get("order", i)
            self.save_valid(term, f"glossary/{row['slug']}")
        return len(rows)

    def load_articles(self, regions: dict[str, Region], topics: dict[str, Topic]) -> int:
        loaded: list[tuple[Article, dict[str, str]]] = []
        regions_with_parents = {r.pk: r for r in Region.objects.select_related("parent__parent")}
        today = timezone.localdate()
        for path in sorted((DEMO_DIR / "articles").glob("*/*.md")):
            meta, body = parse_article(path)
            region = regions[path.parent.name]
            article = Article.objects.filter(region=region, slug=path.stem).first() or Article(
                region=region, slug=path.stem
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
            self.save_valid(article, str(path.relative_to(DEMO_DIR)))
            article.topics.set([topics[slug] for slug in split_list(meta.get("topics", ""))])
            loaded.append((article, meta))
        by_path = {f"{a.region.slug}/{a.slug}": a for a, _ in loaded}
        for article, meta in loaded:
            try:
                article.related.set([by_path[ref] for ref in split_list(meta.get("related", ""))])
            except KeyError as exc:
                raise CommandError(f"{article.region.slug}/{article.slug}: related article {exc} not found") from None
        return len(loaded)

    def save_valid(self, obj, label: str) -> None:
        try:
            obj.full_clean()
        except ValidationError as exc:
            raise CommandError(f"{label}: {exc.messages}") from None
        obj.save()
