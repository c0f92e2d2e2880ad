"""Public pages, one module per subject: pages (home, guides, articles, topics), search, transfer,
glossary and feedback."""

from .feedback import feedback
from .glossary import glossary
from .pages import (
    article,
    home,
    national_article,
    page_not_found,
    preview,
    region,
    robots_txt,
    topic,
    topics,
)
from .search import search
from .transfer import transfer

__all__ = [
    "article",
    "feedback",
    "glossary",
    "home",
    "national_article",
    "page_not_found",
    "preview",
    "region",
    "robots_txt",
    "search",
    "topic",
    "topics",
    "transfer",
]
