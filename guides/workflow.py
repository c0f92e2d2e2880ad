"""The review workflow for articles and figures, without the admin: states, pending changes of
published rows, submitting, approving and sending back, and what an approval records.

States (the same for both): draft → review → published. An 编辑 never writes a published row:
the edit is kept as a PendingChange until a 审核 approves it, and the public keeps reading the
published row meanwhile. A row that was never published is its own draft. The screens are in
guides.admin.workflow; the checks an approval must pass are in guides.prepublish.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from . import notices
from .markdown import figure_tokens
from .models import DRAFT, PUBLISHED, REVIEW, Article, PendingChange, PolicyEntry, ReviewEvent
from .prepublish import blocking, checks_for

# Fields an approval never copies from a pending change: bookkeeping, not content.
NOT_CONTENT = {"id", "version", "updated_at", "created_at", "body_html", "reviewed_figures"}


# The rows that go through review.
type Reviewed = Article | PolicyEntry


class WorkflowError(Exception):
    """A workflow step that cannot be taken now; the message is for staff, in Chinese."""


def state_field(obj: Reviewed) -> str:
    return "status" if isinstance(obj, Article) else "state"


def state_of(obj: Reviewed) -> str:
    return getattr(obj, state_field(obj))


def stored_state(obj: Reviewed) -> str | None:
    """The row's state in the database now (it may have changed since `obj` was read)."""
    return type(obj)._default_manager.filter(pk=obj.pk).values_list(state_field(obj), flat=True).first()


def is_published(obj: Reviewed) -> bool:
    return state_of(obj) == PUBLISHED


def figure_snapshot(article: Article, entries: dict[str, PolicyEntry]) -> dict[str, dict]:
    """What the article's figure tokens showed when it was reviewed: {key: {"value", "entry"}}.

    `entries` are the figures in force for the article's region (`PolicyEntry.objects.for_region`).
    Stored in `Article.reviewed_figures`; the content board compares today's values with it, so
    only a real change of value asks for a new review.
    """
    return {
        key: {"value": entries[key].value, "entry": entries[key].pk}
        for key in figure_tokens(article.body)
        if key in entries
    }


def record_review(article: Article, today: datetime.date) -> None:
    """An approval reads the article with today's figures: remember the date and what it showed."""
    from .models import Region

    region = Region.objects.select_related("parent__parent").get(pk=article.region_id)
    article.reviewed_on = today
    article.reviewed_figures = figure_snapshot(article, PolicyEntry.objects.for_region(region, today))


# ---------------------------------------------------------------- edits as data


def content_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in [*model._meta.concrete_fields, *model._meta.many_to_many] if f.editable and f.name not in NOT_CONTENT
    ]


def to_data(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """Cleaned form values as JSON: rows by primary key, dates as ISO text."""
    data: dict[str, Any] = {}
    fields = {f.name: f for f in content_fields(model)}
    for name, value in values.items():
        if name not in fields:
            continue
        if fields[name].many_to_many:
            data[name] = sorted(v.pk for v in value)
        elif isinstance(value, models.Model):
            data[name] = value.pk
        elif isinstance(value, datetime.date):  # dates and datetimes
            data[name] = value.isoformat()
        elif isinstance(value, str):  # as the row will store it (VersionedModel: LF line endings)
            data[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        else:
            data[name] = value
    return data


def from_data(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    """The inverse of to_data, as form initial values: pks for relations, dates as dates."""
    values: dict[str, Any] = {}
    for field in content_fields(model):
        if field.name not in data:
            continue
        value = data[field.name]
        if field.many_to_many:
            values[field.name] = list(value)
        elif field.is_relation:
            values[field.name] = value
        else:
            values[field.name] = field.to_python(value)
    return values


def proposed_data(obj: models.Model, pending: PendingChange) -> dict[str, Any]:
    """The row's content with the pending change over it (a change holds only what the form edited)."""
    return {**row_data(obj), **pending.data}


def row_data(obj: models.Model) -> dict[str, Any]:
    """The row's content in the same shape as a pending change's data."""
    values: dict[str, Any] = {}
    for field in content_fields(type(obj)):
        if field.many_to_many:
            values[field.name] = list(getattr(obj, field.name).all()) if obj.pk else []
        elif field.is_relation:
            values[field.name] = getattr(obj, field.attname)
        else:
            values[field.name] = getattr(obj, field.attname)
    return to_data(type(obj), values)


def apply_data(obj: models.Model, data: dict[str, Any]) -> dict[str, list[int]]:
    """Write `data` onto `obj` in memory; return the many-to-many values to set after saving."""
    many: dict[str, list[int]] = {}
    fields = {f.name: f for f in content_fields(type(obj))}
    for name, value in from_data(type(obj), data).items():
        field = fields[name]
        if field.many_to_many:
            many[name] = value
        else:
            setattr(obj, field.attname, value)
    return many


# ---------------------------------------------------------------- steps


def pending_for(obj: Reviewed) -> PendingChange | None:
    return PendingChange.for_object(obj) if obj.pk else None


def proposed(obj: Reviewed) -> tuple[Reviewed, dict[str, list[int]] | None, PendingChange | None]:
    """The row as it would be after approval: a copy with the pending change applied (if any) and
    its many-to-many values (None: unchanged), and the pending change."""
    pending = pending_for(obj)
    if pending is None:
        return obj, None, None
    copy = type(obj)._default_manager.get(pk=obj.pk)
    many = apply_data(copy, pending.data)
    return copy, many, pending


@transaction.atomic
def keep_pending(obj: Reviewed, data: dict[str, Any], user, base_version: int) -> PendingChange:
    """Save an 编辑's edit of a published row as its pending change (created, or updated in place)."""
    content_type = ContentType.objects.get_for_model(obj)
    pending = PendingChange.objects.select_for_update().filter(content_type=content_type, object_id=obj.pk).first()
    if pending is None:
        pending = PendingChange(content_type=content_type, object_id=obj.pk, state=PendingChange.DRAFT)
    else:
        pending.version += 1
    pending.data = data
    pending.base_version = base_version
    pending.author = user
    pending.object_repr = str(obj)[:200]
    pending.save()
    return pending


def log(obj: Reviewed, action: str, user, comment: str = "", *, notify: bool = False) -> ReviewEvent:
    """Record a step; with `notify`, e-mail the people it concerns once the transaction commits."""
    event = ReviewEvent.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        action=action,
        comment=comment.strip(),
        user=user,
    )
    if notify:
        notices.notify(event, obj)
    return event


def events_of(obj: Reviewed) -> list[ReviewEvent]:
    content_type = ContentType.objects.get_for_model(obj)
    return list(ReviewEvent.objects.filter(content_type=content_type, object_id=obj.pk).select_related("user")[:20])


def set_row_state(obj: Reviewed, state: str, user) -> None:
    setattr(obj, state_field(obj), state)
    obj._history_user = user
    obj.save(update_fields=[state_field(obj), "version", "updated_at"])


@transaction.atomic
def submit(obj: Reviewed, user, comment: str = "") -> ReviewEvent:
    """提交审核: the pending change of a published row, or the draft row itself."""
    pending = pending_for(obj)
    if pending is not None:
        if pending.state == PendingChange.REVIEW:
            raise WorkflowError("这份修改已经提交审核了，正在等待审核。")
        pending.state, pending.submitted_at = PendingChange.REVIEW, timezone.now()
        pending.save(update_fields=["state", "submitted_at"])
    elif state_of(obj) == DRAFT:
        set_row_state(obj, REVIEW, user)
    elif state_of(obj) == REVIEW:
        raise WorkflowError("已经提交审核了，正在等待审核。")
    else:
        raise WorkflowError("这条内容已经发布，也没有待审核的修改，不需要提交。")
    return log(obj, ReviewEvent.SUBMITTED, user, comment, notify=True)


@transaction.atomic
def withdraw(obj: Reviewed, user) -> ReviewEvent:
    """The 编辑 takes a submission back to keep working on it."""
    pending = pending_for(obj)
    if pending is not None and pending.state == PendingChange.REVIEW:
        pending.state = PendingChange.DRAFT
        pending.save(update_fields=["state"])
    elif pending is None and state_of(obj) == REVIEW:
        set_row_state(obj, DRAFT, user)
    else:
        raise WorkflowError("没有正在等待审核的提交，无法撤回。")
    return log(obj, ReviewEvent.WITHDRAWN, user)


@transaction.atomic
def send_back(obj: Reviewed, user, comment: str) -> ReviewEvent:
    """退回修改, with the reason: back to draft for the 编辑, nothing reaches the public."""
    if not comment.strip():
        raise WorkflowError("退回时请写明需要修改什么，编辑会在通知和编辑页面上看到这段意见。")
    pending = pending_for(obj)
    if pending is not None:
        pending.state = PendingChange.DRAFT
        pending.save(update_fields=["state"])
    elif state_of(obj) in (REVIEW, DRAFT):
        if state_of(obj) == REVIEW:
            set_row_state(obj, DRAFT, user)
    else:
        raise WorkflowError("这条内容已经发布，也没有待审核的修改，没有可以退回的内容。")
    return log(obj, ReviewEvent.SENT_BACK, user, comment, notify=True)


@transaction.atomic
def approve(
    obj: Reviewed, user, comment: str = "", *, verify: bool = False, today: datetime.date | None = None
) -> ReviewEvent:
    """审核通过: the pending change is written to the row, or the draft row is published.

    For a figure, `verify` records that the 审核 checked the value against its document today
    (已核实); otherwise a figure an 编辑 entered or changed stays 待核实 in public.

    Refused (WorkflowError) when a blocking pre-publish check fails; the caller shows the checks.
    """
    today = today or timezone.localdate()
    row = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    target, many, pending = proposal = proposed(row)
    found = checks_for(row, today=today, proposal=proposal)
    if blocking(found):
        raise WorkflowError("还有必须先解决的问题：" + "；".join(c.message for c in blocking(found)))
    setattr(target, state_field(target), PUBLISHED)
    if isinstance(target, Article):
        record_review(target, today)
    elif verify:
        target.status, target.verified_on = PolicyEntry.VERIFIED, today
    if isinstance(target, PolicyEntry) and pending is None and (predecessor := target.predecessor()) is not None:
        # the open-ended figure this one replaces ends the day before
        predecessor.effective_to = target.effective_from - datetime.timedelta(days=1)
        predecessor._history_user = user
        predecessor._change_reason = f"由 {target.effective_from.isoformat()} 起的新数据接替"
        predecessor.save()
    try:
        target.full_clean()
    except ValidationError as exc:  # rolls back the predecessor's end date too
        raise WorkflowError("保存不了：" + "；".join(exc.messages)) from None
    target._history_user = user
    target._change_reason = "审核通过"
    target.save()
    for name, pks in (many or {}).items():
        getattr(target, name).set(pks)
    if pending is not None:
        pending.delete()
    return log(target, ReviewEvent.APPROVED, user, comment, notify=True)


@transaction.atomic
def discard(obj: Reviewed, user) -> None:
    """Throw away the pending change of a published row; the published version stays as it is."""
    pending = pending_for(obj)
    if pending is None:
        raise WorkflowError("没有待审核的修改稿可以放弃。")
    pending.delete()
    log(obj, ReviewEvent.WITHDRAWN, user, "放弃了修改稿")


def as_proposed(article: Article) -> Article:
    """The article as it will read once its pending change is approved (itself if it has none),
    for previews: body rendered, topics and related questions as proposed. Never saved."""
    from .markdown import render_markdown
    from .models import Topic

    pending = pending_for(article)
    if pending is None:
        return article
    many = apply_data(article, pending.data)
    article.body_html = render_markdown(article.body)
    # Django's (private) prefetch cache, where the page's templates will look for these relations.
    cache = article.__dict__.setdefault("_prefetched_objects_cache", {})
    if "topics" in many:
        cache["topics"] = Topic.objects.filter(pk__in=many["topics"])
    if "related" in many:
        cache["related"] = Article.objects.published().filter(pk__in=many["related"]).select_related("region")
    return article
