"""Staff Markdown → safe HTML, and live policy figures inside it.

Markdown is rendered once on save and cleaned by nh3 (the Ammonia sanitiser): only the tags and
attributes a Q&A answer needs survive, so nothing a staff member types can run script in a
citizen's browser. Figure tokens such as ``{{ resident_fee }}`` pass through as text and are
replaced at view time, so a changed figure reaches every page at once. A worked example,
``{{ case scheme=resident lapsed_years=2 show=waiting_months }}``, is computed at view time by the
estimator's rules (see calculator.examples).
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

# {{ key }} with a registry key inside: lower-case letters, digits and underscores. Validation
# uses the looser pattern, so a typo such as {{ resident-fee }} is refused instead of showing braces.
TOKEN_RE = re.compile(r"\{\{\s*(case\s[^{}]*?|[A-Za-z0-9_]+)\s*\}\}")
ANY_TOKEN_RE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
TAG_RE = re.compile(r"(<[^>]*>)")
CASE_TOKEN_RE = re.compile(r"^case\s+(.*)$", re.DOTALL)


def is_case_token(token: str) -> bool:
    """A worked example, ``{{ case … }}``, rather than a figure key."""
    return bool(CASE_TOKEN_RE.match(token.strip()))


def unknown_tokens(text: str) -> list[str]:
    """Tokens that are neither a registry key nor a worked example, e.g. typos."""
    from .figures import REGISTRY

    return [t for t in figure_tokens(text) if t not in REGISTRY and not is_case_token(t)]


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
    """Everything a Markdown text writes between {{ and }}, stripped, in order of first appearance.

    Well-formed tokens are keys; anything else (a typo, Chinese words) is returned as written so
    validation can name it.
    """
    seen: dict[str, None] = {}
    for match in ANY_TOKEN_RE.finditer(text or ""):
        seen.setdefault(match.group(1).strip(), None)
    return list(seen)


def replace_tokens(html: str, render: Callable[[str, bool], str]) -> str:
    """Replace each token in already-sanitised HTML with ``render(key)`` (trusted, our own HTML).

    Only text between tags is touched: a token typed inside a link's address stays inert text
    rather than splicing markup into an attribute. ``render`` is told whether the token sits
    inside a link's text, so it can avoid nesting a link in a link.
    """
    parts = TAG_RE.split(html)
    in_link = 0
    for i, part in enumerate(parts):
        if i % 2:  # odd items are tags: track whether the text that follows sits inside a link
            if part.startswith("<a ") or part == "<a>":
                in_link += 1
            elif part == "</a>":
                in_link = max(0, in_link - 1)
            continue
        inside = in_link > 0
        parts[i] = TOKEN_RE.sub(lambda m, inside=inside: render(m.group(1), inside), part)
    return "".join(parts)
