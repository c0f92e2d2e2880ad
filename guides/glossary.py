"""The glossary as articles use it: the words whose first use links to /cihui/#<slug>."""

from __future__ import annotations

from .models import GlossaryTerm


def article_terms() -> list[tuple[str, str]]:
    """(word, href) for every term and alias that links in articles, in one query."""
    pairs: list[tuple[str, str]] = []
    for term in GlossaryTerm.objects.filter(link_in_articles=True).only("term", "slug", "aliases"):
        href = term.get_absolute_url()
        pairs.append((term.term, href))
        pairs.extend((alias, href) for alias in term.alias_list)
    return pairs
