"""Preview links: a draft as the public will see it, for someone without an account.

Each link is a `PreviewLink` row, so staff can see who shared what and withdraw it. The address
carries the row's id, signed with a salt and stamped with the row's creation time: ids cannot be
guessed, a link's address is the same every time the preview screen shows it, and the signature
itself runs out after PREVIEW_LINK_HOURS (as the row's `expires_at` does). Tokens of the former
{"article": id} form name no link and are refused as invalid.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.utils import timezone

from .models import Article, PreviewLink

PREVIEW_SALT = "guides.article.preview"

EXPIRED = "expired"
REVOKED = "revoked"


class LinkGone(Exception):
    """A genuine link that no longer opens: `reason` is EXPIRED or REVOKED."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _StampedSigner(signing.TimestampSigner):
    """Signs with a fixed time (the link's creation) instead of the clock's."""

    def __init__(self, issued: datetime.datetime, **kwargs) -> None:
        super().__init__(**kwargs)
        self.issued = issued

    def timestamp(self) -> str:
        return signing.b62_encode(int(self.issued.timestamp()))


def link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.PREVIEW_LINK_HOURS)


def create_link(article: Article, user: User | None = None) -> PreviewLink:
    """A new link to `article`, valid for PREVIEW_LINK_HOURS from now."""
    return PreviewLink.objects.create(article=article, created_by=user, expires_at=timezone.now() + link_lifetime())


def token_for(link: PreviewLink) -> str:
    return _StampedSigner(link.created_at, salt=PREVIEW_SALT).sign_object({"link": link.pk})


def preview_token(article: Article, user: User | None = None) -> str:
    """Creates a link to `article` and returns its token (the part of /preview/<token>/)."""
    return token_for(create_link(article, user))


def revoke(link: PreviewLink, user: User) -> None:
    link.revoked_at = timezone.now()
    link.revoked_by = user
    link.save(update_fields=["revoked_at", "revoked_by"])


def link_from_token(token: str) -> PreviewLink:
    """The link a token names, if it still opens.

    Raises signing.BadSignature for a forged, garbled or old-style token and for a link that no
    longer exists (its article was deleted); LinkGone for a link that was withdrawn (whatever its
    age) or has expired, by its row or by its signature's age.
    """
    try:
        payload = signing.loads(token, salt=PREVIEW_SALT, max_age=link_lifetime())
        too_old = False
    except signing.SignatureExpired:
        payload = signing.loads(token, salt=PREVIEW_SALT)  # genuine but old: withdrawn or expired?
        too_old = True
    pk = payload.get("link") if isinstance(payload, dict) else None
    if type(pk) is not int:
        raise signing.BadSignature("not a preview link")
    link = PreviewLink.objects.filter(pk=pk).first()
    if link is None:
        raise signing.BadSignature("no such preview link")
    if link.revoked_at is not None:
        raise LinkGone(REVOKED)
    if too_old or not link.is_active():
        raise LinkGone(EXPIRED)
    return link
