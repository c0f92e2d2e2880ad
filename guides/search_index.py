"""What site search matches an article on: its question and short answer, then its plain text.

Kept apart from guides.search (query parsing and ranking) so the model can build the index on
save without importing the search view's code.
"""

from __future__ import annotations

import re

from django.utils.html import strip_tags

from .figures import REGISTRY
from .markdown import TOKEN_RE, is_case_token, render_markdown

SPACE_RE = re.compile(r"\s+")


def plain(text: str) -> str:
    return SPACE_RE.sub(" ", text).strip().lower()


def search_fields(article) -> tuple[str, str]:
    """(head, text): lower-cased question + short answer, and head + body as plain text.

    Figure tokens read as their labels (a search for 缴费标准 finds an article quoting the fee);
    worked examples and channel tokens drop out.
    """

    def label(match: re.Match) -> str:
        token = match.group(1).strip()
        if is_case_token(token):
            return " "
        spec = REGISTRY.get(token)
        return f" {spec.label} " if spec else " "

    head = plain(f"{article.title} {article.short_answer}")
    body_html = article.body_html or render_markdown(article.body)
    body = plain(TOKEN_RE.sub(label, strip_tags(body_html)))
    return head, f"{head} {body}"
