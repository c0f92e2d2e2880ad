"""`load_demo` run again on unchanged demo content writes nothing; a changed demo row is put back."""

from io import StringIO

import pytest
from django.core.management import call_command

from guides.models import Article, GlossaryTerm, PolicyEntry, Region, SearchSynonym, SearchToken, ServiceChannel, Topic

MODELS = (Region, Topic, PolicyEntry, ServiceChannel, SearchSynonym, GlossaryTerm, Article)


def rows_as_stored() -> dict[str, object]:
    """Every demo row's version and last-modified time, the history of each kind, and the search index."""
    state: dict[str, object] = {}
    for model in MODELS:
        stamp = ["pk", "version"] + (["updated_at"] if any(f.name == "updated_at" for f in model._meta.fields) else [])
        state[model.__name__] = list(model.objects.order_by("pk").values_list(*stamp))
        state[f"{model.__name__} history"] = model.history.count()
    state["search tokens"] = list(SearchToken.objects.order_by("pk").values_list("pk", flat=True))
    return state


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_reloading_unchanged_demo_content_writes_nothing(demo):
    before = rows_as_stored()

    said = load_demo()

    assert rows_as_stored() == before
    assert "内容没有变化，没有写入" in said


@pytest.mark.django_db
def test_reloading_puts_back_a_changed_demo_figure_and_article_and_leaves_the_rest_alone(demo):
    rate = PolicyEntry.objects.get(region__slug="nanchang", key="employee_employer_rate")
    article = Article.objects.filter(region__slug="nanchang").order_by("pk").first()
    title = article.title
    PolicyEntry.objects.filter(pk=rate.pk).update(value="7")  # someone edited the demo rows
    Article.objects.filter(pk=article.pk).update(title="改过的问题")
    before = rows_as_stored()

    said = load_demo()

    assert PolicyEntry.objects.get(pk=rate.pk).value == "6.8"
    assert Article.objects.get(pk=article.pk).title == title
    assert "本次写入 2 条" in said
    after = rows_as_stored()
    assert after["PolicyEntry history"] == before["PolicyEntry history"] + 1
    assert after["Article history"] == before["Article history"] + 1
    assert PolicyEntry.objects.get(pk=rate.pk).version == rate.version + 1
    assert Article.objects.get(pk=article.pk).version == article.version + 1
    for model in (Region, Topic, ServiceChannel, SearchSynonym, GlossaryTerm):
        assert after[model.__name__] == before[model.__name__], model.__name__
        assert after[f"{model.__name__} history"] == before[f"{model.__name__} history"], model.__name__
    unchanged = [row for row in before["Article"] if row[0] != article.pk]
    assert [row for row in after["Article"] if row[0] != article.pk] == unchanged
