"""Reading pages as a person does, for the tests: the visible text, whitespace aside."""

from __future__ import annotations

import re
from html import unescape


def text_of(html: str) -> str:
    """What a person reads: scripts and styles dropped, tags dropped, entities decoded,
    whitespace squashed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def reads(response, text: str) -> bool:
    """Whether the page reads `text`, whatever whitespace or markup sits between its pieces."""
    return squash(text) in squash(text_of(response.content.decode()))
