"""Staff Markdown → safe HTML, and live policy figures inside it.

Markdown is rendered once on save and cleaned by nh3 (the Ammonia sanitiser): only the tags and
attributes a Q&A answer needs survive, so nothing a staff member types can run script in a
citizen's browser. Figure tokens such as ``{{ resident_fee }}`` pass through as text and are
replaced at view time, so a changed figure reaches every page at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import markdown as md
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# {{ key }} with a registry key inside: lower-case letters, digits and underscores.
TOKEN_RE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
TAG_RE = re.compile(r"(<[^>]*>)")


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML. Raw HTML in the source is escaped or stripped, never run."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def figure_tokens(text: str) -> list[str]:
    """The figure keys a Markdown text embeds, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in TOKEN_RE.finditer(text or ""):
        seen.setdefault(match.group(1), None)
    return list(seen)


def replace_tokens(html: str, render: Callable[[str], str]) -> str:
    """Replace each token in already-sanitised HTML with ``render(key)`` (trusted, our own HTML).

    Only text between tags is touched: a token typed inside a link's address stays inert text
    rather than splicing markup into an attribute.
    """
    parts = TAG_RE.split(html)
    for i in range(0, len(parts), 2):  # even items are text, odd items are tags
        parts[i] = TOKEN_RE.sub(lambda m: render(m.group(1)), parts[i])
    return "".join(parts)
