"""Signed preview links: a draft as the public will see it, for someone without an account."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing

from .models import Article

PREVIEW_SALT = "guides.article.preview"


def preview_token(article: Article) -> str:
    return signing.dumps({"article": article.pk}, salt=PREVIEW_SALT, compress=True)


def article_from_token(token: str) -> int:
    """The article id in a preview link; raises signing.BadSignature (or SignatureExpired)."""
    max_age = datetime.timedelta(hours=settings.PREVIEW_LINK_HOURS)
    return signing.loads(token, salt=PREVIEW_SALT, max_age=max_age)["article"]
