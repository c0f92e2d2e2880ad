"""What site search matches an article on: the two-character pieces (bigrams) of its text.

Each article's distinct bigrams (and whole ASCII words, e.g. 12393 or app) are stored as rows of
`SearchToken`, marked when they occur in the question or short answer; single characters are
stored for the question and short answer only. A search looks tokens up through an index instead
of scanning every article's text, and SQLite and PostgreSQL give the same results because both
compare whole tokens. Rebuilt whenever an article is saved.
"""

from __future__ import annotations

import re

from django.utils.html import strip_tags

from .figures import REGISTRY
from .markdown import TOKEN_RE as FIGURE_TOKEN_RE
from .markdown import is_case_token, render_markdown

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A run of Chinese characters, or a word of other letters and digits.
WORD_RE = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>(?:(?![{CJK}])[^\W_])+)")
MAX_TOKEN = 20  # SearchToken.token's length


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens_of(text: str, *, single: bool = False) -> set[str]:
    """Distinct tokens of a lower-cased text: bigrams of Chinese runs, whole other words; with
    `single`, each Chinese character too."""
    found: set[str] = set()
    for match in WORD_RE.finditer(text.lower()):
        run = match.group("cjk")
        if run:
            found.update(bigrams(run))
            if single:
                found.update(run)
        else:
            found.add(match.group("word")[:MAX_TOKEN])
    return found


def word_tokens(word: str) -> tuple[str, ...]:
    """The tokens an article must hold to contain `word` (a query term or one of its synonyms):
    its bigrams, or the character itself for a one-character word (found in questions only)."""
    tokens = tokens_of(word)
    if not tokens and word.strip():
        tokens = tokens_of(word, single=True)
    return tuple(sorted(tokens))


def article_text(article) -> tuple[str, str]:
    """(head, body): the question and short answer, and the body as plain text in which figure
    tokens read as their labels (a search for 缴费标准 finds an article quoting the fee); worked
    examples and channel tokens drop out."""

    def label(match: re.Match) -> str:
        token = match.group(1).strip()
        if is_case_token(token):
            return " "
        spec = REGISTRY.get(token)
        return f" {spec.label} " if spec else " "

    head = f"{article.title} {article.short_answer}"
    body_html = article.body_html or render_markdown(article.body)
    return head, FIGURE_TOKEN_RE.sub(label, strip_tags(body_html))


def article_tokens(article) -> dict[str, bool]:
    """Each token of the article → whether it occurs in the question or short answer."""
    head, body = article_text(article)
    in_head = tokens_of(head, single=True)
    found = dict.fromkeys(tokens_of(body), False)
    found.update(dict.fromkeys(in_head, True))
    return found
