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
from html import escape

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
TOKEN_RE = re.compile(r"\{\{\s*(case\s[^{}]*?|channel\s[^{}]*?|[A-Za-z0-9_]+)\s*\}\}")
ANY_TOKEN_RE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
TAG_RE = re.compile(r"(<[^>]*>)")
CASE_TOKEN_RE = re.compile(r"^case\s+(.*)$", re.DOTALL)
# {{ channel yibao_hotline }}: the nearest service channel with that key (city → province → national).
CHANNEL_TOKEN_RE = re.compile(r"^channel\s+(.*)$", re.DOTALL)


def is_case_token(token: str) -> bool:
    """A worked example, ``{{ case … }}``, rather than a figure key."""
    return bool(CASE_TOKEN_RE.match(token.strip()))


def is_channel_token(token: str) -> bool:
    """A service channel, ``{{ channel yibao_hotline }}``, rather than a figure key."""
    return bool(CHANNEL_TOKEN_RE.match(token.strip()))


def channel_key(token: str) -> str:
    """The key a channel token names: "channel yibao_hotline" → "yibao_hotline"."""
    match = CHANNEL_TOKEN_RE.match(token.strip())
    return match.group(1).strip() if match else ""


def channel_keys(text: str) -> list[str]:
    """The channel keys a Markdown text names, in order of first appearance. Whether each exists
    depends on the article's region, so Article.clean checks them against the database."""
    return list(dict.fromkeys(channel_key(t) for t in figure_tokens(text) if is_channel_token(t)))


def unknown_tokens(text: str) -> list[str]:
    """Tokens that are neither a registry key, a worked example nor a channel, e.g. typos."""
    from .figures import REGISTRY

    return [t for t in figure_tokens(text) if t not in REGISTRY and not is_case_token(t) and not is_channel_token(t)]


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


# ---------------------------------------------------------------- text nodes: phone numbers and glossary terms

# A phone number a citizen can tap: a landline with its area code (0791-12393), a five-digit public
# service number starting 123 (12393 医保, 12333 人社, 12366 税务, 12345 政务), or a mobile. Never the
# tail of a longer number, an amount (1,148.40; 12345.67 元), a date (2026-02-28) or a year.
PHONE_RE = re.compile(
    r"(?<![0-9A-Za-z_.,#&/+\-－])"
    r"(0\d{2,3}[-－]\d{5,8}|123\d{2}|1[3-9]\d{9})"
    r"(?![0-9A-Za-z_]|[.,]\d|\s*[元年月日号天%％])"
)
WHOLE_TOKEN_RE = re.compile(r"(\{\{.*?\}\})", re.DOTALL)
START_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
# Where a glossary link would be wrong: inside another link, a heading, or code.
NO_TERM_LINK_TAGS = frozenset({"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre"})


def phone_href(number: str) -> str:
    """ "0791-12393" → "tel:079112393"."""
    return "tel:" + re.sub(r"\D", "", number)


def link_phone_numbers(escaped_text: str) -> str:
    """Wrap each phone number of already-escaped text (no tags) in a tel: link."""
    return PHONE_RE.sub(lambda m: f'<a href="{phone_href(m.group(0))}">{m.group(0)}</a>', escaped_text)


def map_text(html: str, change: Callable[[str], str], skip: frozenset[str] = frozenset({"a"})) -> str:
    """Apply `change` to the text between tags of sanitised HTML, except inside the `skip` elements
    and inside our {{ tokens }} (whose parameters may hold numbers). The tag-splitting approach of
    `replace_tokens`: attributes are never touched."""
    parts = TAG_RE.split(html)
    depth = 0
    for i, part in enumerate(parts):
        if i % 2:
            match = START_TAG_RE.match(part)
            if match and match.group(2).lower() in skip and not part.endswith("/>"):
                depth = max(0, depth - 1) if match.group(1) else depth + 1
            continue
        if depth == 0 and part:
            pieces = WHOLE_TOKEN_RE.split(part)
            parts[i] = "".join(piece if j % 2 else change(piece) for j, piece in enumerate(pieces))
    return "".join(parts)


def link_phones(html: str) -> str:
    """Every phone number typed in an article's text becomes a tel: link (not inside another link)."""
    return map_text(html, link_phone_numbers)


def link_terms(html: str, terms: list[tuple[str, str]]) -> str:
    """Link the first use of each glossary entry in sanitised HTML to its explanation.

    `terms` are (word, href) pairs, a term and each of its aliases sharing the term's href; one
    link per href, at whichever of its words comes first. Longer words win (固定待遇等待期 before
    待遇等待期). Text inside links, headings and code is left alone.
    """
    href_of: dict[str, str] = {}
    for word, href in terms:
        if word:
            href_of.setdefault(escape(word, quote=False), href)
    if not href_of:
        return html
    pattern = re.compile("|".join(re.escape(w) for w in sorted(href_of, key=len, reverse=True)))
    linked: set[str] = set()

    def wrap(match: re.Match) -> str:
        href = href_of[match.group(0)]
        if href in linked:
            return match.group(0)
        linked.add(href)
        return f'<a class="term" href="{escape(href)}">{match.group(0)}</a>'

    return map_text(html, lambda text: pattern.sub(wrap, text), NO_TERM_LINK_TAGS)
