"""POST /feedback/: "这个回答有帮助吗？" and "报告数字有误" from any article, region guide or estimate.

Without JavaScript: a 303 back to the page with ?feedback=thanks#feedback, or a small Chinese page
with the form, the messages and what was typed (400; 429 past the hourly limit). With htmx: the
feedback section itself (includes/feedback.html), thanked or with its messages. htmx swaps only
2xx answers by default, so those partials come with 200 whatever went wrong.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from ..feedback import FeedbackForm, over_limit, page_seen, shown, thanks_url
from ..htmx import HtmxHttpRequest


def feedback(request: HtmxHttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = render(request, "guides/feedback.html", {"not_allowed": True}, status=405)
        response["Allow"] = "POST"
        return response
    data = request.POST.copy()
    data["page"] = page_seen(request, data.get("page", ""))
    form = FeedbackForm(data)
    if not form.is_valid():
        return answer(request, form, status=400)
    if over_limit(request):
        return answer(request, form, status=429, limited=True)
    form.save()
    if request.htmx:
        return render(request, "includes/feedback.html", {"fb": shown(form, thanks=True)})
    return HttpResponseRedirect(thanks_url(form.cleaned_data["page"]), status=303)


def answer(request: HtmxHttpRequest, form: FeedbackForm, *, status: int, limited: bool = False) -> HttpResponse:
    state = shown(form, limited=limited)
    if request.htmx:
        return render(request, "includes/feedback.html", {"fb": state})
    back = form.target.page if form.target is not None else reverse("guides:home")
    context = {
        "fb": state,
        "back": back,
        "back_to_page": form.target is not None,
        "per_hour": settings.FEEDBACK_PER_HOUR,
    }
    return render(request, "guides/feedback.html", context, status=status)
