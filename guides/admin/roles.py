"""Who may do what: 编辑 write drafts and propose changes; 审核 approve, publish and verify.

The groups are created by migrations 0002, 0004 and 0005; the admin asks these two questions."""

from __future__ import annotations

from django.http import HttpRequest


def can_publish(request: HttpRequest) -> bool:
    return request.user.has_perm("guides.publish_article")


def can_verify(request: HttpRequest) -> bool:
    return request.user.has_perm("guides.verify_policyentry")
