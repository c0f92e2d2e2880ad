"""The review workflow in the admin, shared by articles and figures.

- An 编辑 edits a published row freely: the save becomes its pending change (the form shows the
  pending version next time), and the public keeps the published version.
- "保存并提交审核" hands a draft or a pending change to the 审核; the review screen
  (<id>/review/) shows the difference from the published version, the checks before publishing,
  the record of earlier steps, and the buttons: approve or send back with a comment (审核),
  submit, withdraw or discard (编辑).
The steps themselves are in guides.workflow; this module only adds the screens.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from .. import workflow
from ..models import DRAFT, PUBLISHED, WORKFLOW_CHOICES, PendingChange, ReviewEvent
from ..prepublish import blocking, checks_for
from .bases import ModelAdminMixin
from .revisions import field_changes

SUBMIT = "_submit_review"


class WorkflowAdminMixin(ModelAdminMixin):
    """For ModelAdmins of rows with a draft → review → published state (articles, figures)."""

    def is_publisher(self, request: HttpRequest) -> bool:
        raise NotImplementedError

    # ------------------------------------------------------------ the change form

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        as_pending = bool(obj is not None and obj.pk and workflow.is_published(obj) and not self.is_publisher(request))
        pending = workflow.pending_for(obj) if as_pending else None
        return type(form.__name__, (form,), {"saves_as_pending": as_pending, "pending": pending})

    def save_model(self, request, obj, form, change):
        stored = workflow.stored_state(obj) if change else None
        if change and stored == PUBLISHED and not self.is_publisher(request):
            data = workflow.to_data(type(obj), form.cleaned_data)
            workflow.keep_pending(obj, data, request.user, form.cleaned_data["base_version"])
            request._kept_pending = True
            form.save_m2m = lambda: None  # the published row's relations stay as they are
            return
        if getattr(request, "_recovering", False):
            setattr(obj, workflow.state_field(obj), DRAFT)  # a recovered row comes back as a draft
        elif not self.is_publisher(request):
            setattr(obj, workflow.state_field(obj), stored or DRAFT)  # 编辑 never change a state by saving
        elif workflow.state_of(obj) == PUBLISHED and stored != PUBLISHED and hasattr(obj, "reviewed_figures"):
            workflow.record_review(obj, timezone.localdate())  # a 审核 publishing directly reviews it
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if getattr(request, "_kept_pending", False):
            return
        super().save_related(request, form, formsets, change)

    def response_change(self, request, obj):
        if getattr(request, "_kept_pending", False):
            if SUBMIT in request.POST:
                return self.submit_and_go_to_review(request, obj)
            self.message_user(
                request,
                f"已保存修改稿：“{obj}”的公开版本没有变。修改稿要提交审核、审核通过后才会替换公开版本。",
                messages.SUCCESS,
            )
            if "_continue" in request.POST:
                return HttpResponseRedirect(request.path)
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        if SUBMIT in request.POST:
            return self.submit_and_go_to_review(request, obj)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if SUBMIT in request.POST:
            return self.submit_and_go_to_review(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def submit_and_go_to_review(self, request, obj) -> HttpResponse:
        try:
            workflow.submit(obj, request.user)
        except workflow.WorkflowError as exc:
            self.message_user(request, f"已保存，但没有提交审核：{exc}", messages.WARNING)
        else:
            self.message_user(request, f"已保存并提交审核：“{obj}”。审核会收到通知。", messages.SUCCESS)
        return HttpResponseRedirect(self.review_url(obj))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.model._default_manager.filter(pk=object_id).first() if object_id else None
        extra_context = {**(extra_context or {}), "workflow": self.workflow_context(request, obj)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def workflow_context(self, request, obj) -> dict:
        events = workflow.events_of(obj) if obj is not None else []
        last = events[0] if events else None
        return {
            "publisher": self.is_publisher(request),
            "state": workflow.state_of(obj) if obj is not None else DRAFT,
            "published": obj is not None and workflow.is_published(obj),
            "pending": workflow.pending_for(obj) if obj is not None else None,
            "sent_back": last if last is not None and last.action == ReviewEvent.SENT_BACK else None,
            "review_url": self.review_url(obj) if obj is not None else "",
            "submit": SUBMIT,
        }

    # ------------------------------------------------------------ the review screen

    def review_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_review", args=[obj.pk])

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        urls = [
            path("<path:object_id>/review/", self.admin_site.admin_view(self.review_view), name=f"{prefix}_review"),
        ]
        return urls + super().get_urls()

    @staticmethod
    def seen(obj, pending: PendingChange | None) -> str:
        """What the screen showed: the row's version and the pending change's, to refuse a decision
        about something that changed meanwhile."""
        return f"{obj.version}:{pending.version if pending else 0}"

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        publisher = self.is_publisher(request)
        error, comment = "", ""
        if request.method == "POST":
            comment = request.POST.get("comment", "")[:2000]
            error = self.decide(request, obj, request.POST.get("action", ""), comment)
            if not error:
                if request.POST.get("action") == "approve":
                    return HttpResponseRedirect(
                        reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
                    )
                return HttpResponseRedirect(request.path)
            obj.refresh_from_db()
        pending = workflow.pending_for(obj)
        published = workflow.is_published(obj)
        state = pending.state if pending is not None else workflow.state_of(obj)
        if pending is not None:
            proposed = workflow.proposed_data(obj, pending)
            changes = field_changes(self.model, workflow.row_data(obj), proposed, context=True)
        else:
            changes = field_changes(self.model, {}, workflow.row_data(obj), context=True) if not published else []
        to_decide = pending is not None or not published
        found = checks_for(obj) if to_decide else []
        context = {
            **self.admin_site.each_context(request),
            "title": f"审核：{obj}",
            "opts": self.opts,
            "original": obj,
            "pending": pending,
            "published": published,
            "state": state,
            "state_label": dict(WORKFLOW_CHOICES)[state],
            "changes": changes,
            "checks": found,
            "blocked": bool(blocking(found)),
            "events": workflow.events_of(obj),
            "publisher": publisher,
            "can_edit": self.has_change_permission(request, obj),
            "to_decide": to_decide,
            "seen": self.seen(obj, pending),
            "error": error,
            "comment": comment,
            "change_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]),
            "is_figure": self.opts.model_name == "policyentry",
            "preview_url": (
                reverse("admin:guides_article_preview", args=[obj.pk]) if self.opts.model_name == "article" else ""
            ),
        }
        return TemplateResponse(request, "admin/guides/review.html", context)

    def decide(self, request: HttpRequest, obj, action: str, comment: str) -> str:
        """Take one step; return a Chinese error ("" when done). What was typed stays on screen."""
        pending = workflow.pending_for(obj)
        if request.POST.get("seen") != self.seen(obj, pending):
            return "你打开这个页面之后，内容又被修改了（下面显示的是最新的区别和检查结果）。请重新看过再决定。"
        steps = {
            "approve": (
                True,
                lambda: workflow.approve(obj, request.user, comment, verify=request.POST.get("verify") == "yes"),
                "已审核通过并发布。",
            ),
            "send_back": (
                True,
                lambda: workflow.send_back(obj, request.user, comment),
                "已退回给编辑，附上了你的意见。",
            ),
            "submit": (False, lambda: workflow.submit(obj, request.user, comment), "已提交审核。"),
            "withdraw": (False, lambda: workflow.withdraw(obj, request.user), "已撤回，可以继续修改。"),
            "discard": (False, lambda: workflow.discard(obj, request.user), "已放弃修改稿，公开版本没有变。"),
        }
        if action not in steps:
            return "请选择一个操作。"
        needs_publisher, step, done = steps[action]
        if needs_publisher and not self.is_publisher(request):
            return "只有审核可以审核通过或退回。"
        if not needs_publisher and not self.has_change_permission(request, obj):
            return "你没有修改这条内容的权限。"
        try:
            step()
        except workflow.WorkflowError as exc:
            return str(exc)
        self.message_user(request, done, messages.SUCCESS)
        return ""
