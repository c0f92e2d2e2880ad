"""The demo content `make run` loads: loaded again it changes nothing, it holds enough questions, its
figures are the fixture's, and it names only known figures.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import models, transaction
from django.db.models.fields import AutoFieldMixin

from guides.management.commands.load_demo import DEMO_DIR
from guides.markdown import unknown_tokens
from guides.models import Article, PolicyEntry, Region, ServiceChannel, Topic
from tests import demo_snapshot


def content_counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "figures": PolicyEntry.objects.count(),
        "articles": Article.objects.count(),
        "channels": ServiceChannel.objects.count(),
        "topics": Topic.objects.count(),
        "article_topics": Article.topics.through.objects.count(),
        "related": Article.related.through.objects.count(),
    }


@pytest.mark.django_db
def test_loading_the_demo_again_changes_nothing(demo):
    first = content_counts()

    call_command("load_demo", verbosity=0)

    assert content_counts() == first
    assert first["regions"] == len(json.loads((DEMO_DIR / "regions.json").read_text(encoding="utf-8")))
    assert first["figures"] == len(json.loads((DEMO_DIR / "figures.json").read_text(encoding="utf-8")))
    assert first["channels"] == len(json.loads((DEMO_DIR / "channels.json").read_text(encoding="utf-8")))
    assert first["articles"] == len(list((DEMO_DIR / "articles").glob("*/*.md")))


@pytest.mark.django_db
def test_loading_the_demo_again_puts_back_a_changed_figure(demo):
    rate = PolicyEntry.objects.get(region__slug="nanchang", key="employee_employer_rate")
    PolicyEntry.objects.filter(pk=rate.pk).update(value="7")

    call_command("load_demo", verbosity=0)

    assert PolicyEntry.objects.get(pk=rate.pk).value == "6.8"


@pytest.mark.django_db
def test_the_demo_has_enough_questions(demo):
    published = Article.objects.published()

    assert published.filter(region__slug="nanchang").count() >= 10
    assert published.filter(region__slug="hezhou").count() >= 10
    assert published.filter(region__kind=Region.NATIONAL).count() >= 5
    assert published.filter(featured=True).exists()
    assert not Article.objects.exclude(pk__in=published).exists()
    for article in published:
        assert article.short_answer and article.reviewed_on, article.slug
        assert article.topics.exists(), article.slug


@pytest.mark.django_db
def test_the_demo_figures_are_the_fixtures(demo):
    rows = json.loads((DEMO_DIR / "figures.json").read_text(encoding="utf-8"))

    for row in rows:
        figure = PolicyEntry.objects.get(
            region__slug=row["region"], key=row["key"], effective_from=row["effective_from"]
        )
        label = f"{row['region']}/{row['key']}/{row['effective_from']}"
        assert row["status"] in (PolicyEntry.VERIFIED, PolicyEntry.UNVERIFIED), label
        assert figure.status == row["status"], label
        assert figure.value == figure.spec.normalise(row["value"]), label
        assert figure.source_title == row["source_title"], label
        figure.full_clean()


@pytest.mark.django_db
def test_demo_articles_name_only_known_figures(demo):
    for article in Article.objects.all():
        unknown = unknown_tokens(article.body)
        assert not unknown, f"{article.region.slug}/{article.slug}: {unknown}"
        article.full_clean()


def test_demo_files_name_only_known_figures():
    for path in sorted((DEMO_DIR / "articles").glob("*/*.md")):
        unknown = unknown_tokens(path.read_text(encoding="utf-8"))
        assert not unknown, f"{path.relative_to(DEMO_DIR)}: {unknown}"


def comparable(model) -> list[tuple]:
    """The model's rows in any order, every column but the row's own id (on PostgreSQL the order in
    which load_demo records related questions in their history, so those rows' ids, may differ from
    run to run) and the times a save stamps (history dates, auto_now)."""
    stamped = (models.DateTimeField,)
    fields = [
        f.attname
        for f in model._meta.concrete_fields
        if not (isinstance(f, stamped) and (f.auto_now or f.auto_now_add or callable(f.default)))
        and f.name != "history_date"
        and not (f.primary_key and isinstance(f, AutoFieldMixin))
    ]
    return sorted(model._base_manager.values_list(*fields), key=repr)


@pytest.mark.django_db
def test_the_demo_the_tests_use_is_exactly_what_load_demo_writes(demo_rows):
    every_model = demo_snapshot.model_tables()
    with transaction.atomic():  # a real run, undone
        demo_snapshot.restart_ids(every_model)
        call_command("load_demo", verbosity=0)
        real = {m._meta.db_table: comparable(m) for m in every_model}
        transaction.set_rollback(True)

    demo_snapshot.restore(demo_rows)

    put_back = {m._meta.db_table: comparable(m) for m in every_model}
    assert {t: len(rows) for t, rows in put_back.items()} == {t: len(rows) for t, rows in real.items()}
    assert put_back == real
    assert len(put_back["guides_searchtoken"]) > 10_000  # the search index, history and m2m tables too
    assert len(put_back["guides_historicalarticle"]) >= len(put_back["guides_article"]) > 40
    assert put_back["guides_article_related"]
