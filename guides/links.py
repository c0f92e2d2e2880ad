"""Which addresses staff may enter as links, checked on save and again when a page renders them.

Only http: and https: addresses become links. Checked in the models' clean(), so every path that
calls full_clean (the admin, spreadsheet import, a shell) is refused; and a value that reached the
table some other way is still never rendered (`http_url` here, used by the models' as_fact and the
templates' `http_url` filter).
"""

from urllib.parse import urlsplit

LINK_SCHEMES = ("http", "https")
LINK_SCHEME_MESSAGE = "链接只能以 https:// 或 http:// 开头。"


def http_url(value: object) -> str:
    """The address when it is an http(s) URL, else "": a javascript: or data: address is never rendered."""
    text = str(value or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed [ in the host
        return ""
    return text if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else ""


def link_error(value: str) -> str:
    """The Chinese message for a link staff may not save, or "" when it is fine (or empty)."""
    return LINK_SCHEME_MESSAGE if value and not http_url(value) else ""
