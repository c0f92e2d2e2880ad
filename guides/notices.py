"""E-mail notices of the review workflow: a submission to the 审核, a decision to the 编辑.

Sent after the transaction commits, through whatever EMAIL_BACKEND is configured (the console in
development; SMTP when EMAIL_HOST is set). A failing mail server never undoes a workflow step.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse

from .models import Article, ReviewEvent
from .siteurl import absolute_url

logger = logging.getLogger(__name__)


def reviewers_for(obj: models.Model):
    """Active staff who may approve this kind of content, with an e-mail address."""
    codename = "publish_article" if isinstance(obj, Article) else "verify_policyentry"
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    return users.filter(
        Q(is_superuser=True)
        | Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="guides")
        | Q(user_permissions__codename=codename, user_permissions__content_type__app_label="guides")
    ).distinct()


def submitter_of(event: ReviewEvent):
    """Who submitted what this decision is about: the latest submission before it."""
    submitted = (
        ReviewEvent.objects.filter(
            content_type=event.content_type, object_id=event.object_id, action=ReviewEvent.SUBMITTED, at__lte=event.at
        )
        .select_related("user")
        .order_by("-at", "-pk")
        .first()
    )
    return submitted.user if submitted is not None else None


def review_url(obj: models.Model) -> str:
    meta = obj._meta
    return absolute_url(reverse(f"admin:{meta.app_label}_{meta.model_name}_review", args=[obj.pk]))


def message_for(event: ReviewEvent, obj: models.Model) -> tuple[str, str, list[str]]:
    kind = obj._meta.verbose_name
    who = str(event.user or "系统")
    link = review_url(obj)
    if event.action == ReviewEvent.SUBMITTED:
        recipients = [u.email for u in reviewers_for(obj) if u != event.user]
        subject = f"待审核：{kind}《{event.object_repr}》"
        body = f"{who} 提交了{kind}《{event.object_repr}》，请审核。\n\n{event.comment}\n\n打开审核页面：{link}\n"
        return subject, body, recipients
    submitter = submitter_of(event)
    recipients = [submitter.email] if submitter is not None and submitter.email and submitter != event.user else []
    if event.action == ReviewEvent.APPROVED:
        subject = f"审核通过：{kind}《{event.object_repr}》"
        body = f"{who} 审核通过了{kind}《{event.object_repr}》，已经发布。\n\n{event.comment}\n\n{link}\n"
    else:
        subject = f"退回修改：{kind}《{event.object_repr}》"
        body = f"{who} 退回了{kind}《{event.object_repr}》，意见：\n\n{event.comment}\n\n修改后请重新提交：{link}\n"
    return subject, body, recipients


def notify(event: ReviewEvent, obj: models.Model) -> None:
    subject, body, recipients = message_for(event, obj)
    if not recipients:
        return

    def send() -> None:
        try:
            send_mail(f"[医保办事指南] {subject}", body, None, sorted(set(recipients)))
        except Exception:  # a mail outage must not undo the workflow step, only be logged
            logger.exception("workflow notice not sent: %s", subject)

    transaction.on_commit(send)
