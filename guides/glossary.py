"""The glossary as articles use it: the words whose first use links to /cihui/#<slug>."""

from __future__ import annotations

import json

from django.db import connection
from django.db.models import F, QuerySet, StringAgg, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, JSONObject
from django.urls import reverse

from .models import GlossaryTerm, split_words


def article_terms() -> list[tuple[str, str]]:
    """(word, href) for every term and alias that links in articles, in one query."""
    pairs: list[tuple[str, str]] = []
    for term in GlossaryTerm.objects.filter(link_in_articles=True).only("term", "slug", "aliases"):
        href = term.get_absolute_url()
        pairs.append((term.term, href))
        pairs.extend((alias, href) for alias in term.alias_list)
    return pairs


def article_terms_column() -> RawSQL:
    """The terms that link in articles as one text value (a JSON list), to read alongside another row
    (`.annotate(glossary=article_terms_column())`) instead of in a query of their own; turn it into
    (word, href) pairs with `terms_from_column`. The subquery's SQL is the same on every request, so
    it is compiled once per database (compiling it took longer than running it)."""
    database = connection.vendor
    if database not in _compiled:
        sql, params = terms_query().query.get_compiler(connection=connection).as_sql()
        _compiled[database] = (f"({sql})", tuple(params))
    sql, params = _compiled[database]
    return RawSQL(sql, params, output_field=TextField())


_compiled: dict[str, tuple[str, tuple]] = {}


def terms_query() -> QuerySet:
    """The query behind `article_terms_column`: one row, every linking term as JSON, comma-separated."""
    fields = {name: F(name) for name in ("order", "pk", "term", "slug", "aliases")}
    as_json = Cast(JSONObject(**fields), output_field=TextField())
    all_terms = (
        GlossaryTerm.objects.filter(link_in_articles=True)
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(terms=StringAgg(as_json, Value(",")))
        .values("terms")
    )
    return all_terms[:1]


def terms_from_column(column: str | None) -> list[tuple[str, str]]:
    """`article_terms_column`'s value → the (word, href) pairs `article_terms` gives."""
    pairs: list[tuple[str, str]] = []
    base = reverse("guides:glossary")
    rows = json.loads(f"[{column or ''}]")  # in no particular order: not every database orders an aggregate
    for row in sorted(rows, key=lambda row: (row["order"], row["pk"])):
        href = f"{base}#{row['slug']}"
        pairs.append((row["term"], href))
        pairs.extend((alias, href) for alias in split_words(row["aliases"]) if alias != row["term"])
    return pairs
