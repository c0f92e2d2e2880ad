"""Citizens' feedback ("这个回答有帮助吗？" and "报告数字有误"): the form, which page it is about,
and the per-visitor rate limit.

Nothing here identifies a visitor. The page comes from the form but is only accepted when it is a
public page of this site (a live article, a region guide or the estimator); the article and the
region are looked up from it on the server, never taken from the form. The rate limit counts
submissions in Django's cache under a key that is an HMAC (keyed with SECRET_KEY) of the client
address and the current hour, so the address itself is never stored and the key changes hourly.
"""

from __future__ import annotations

import dataclasses
import logging
from urllib.parse import unquote, urlsplit

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, Max, Q, QuerySet, Value, When
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import Article, Feedback, Region

log = logging.getLogger(__name__)

PAGE_MAX = 300
COMMENT_MAX = 500
THANKS_PARAM = "feedback"  # ?feedback=thanks: the page shows the thank-you (no-JS round trip)
THANKS_VALUE = "thanks"
RATE_SALT = "guides.feedback.rate"

# Which kind of page a piece of feedback is about, by the public URL that shows it.
ARTICLE_VIEWS = {"guides:article", "guides:national_article"}
REGION_VIEWS = {"guides:region"}
ESTIMATE_VIEWS = {"calculator:estimate", "calculator:region_estimate"}

NOT_OUR_PAGE = "只能对本站的问答、地区指南和估算页面提交反馈。请回到你看的页面再提交一次。"
NOT_PUBLIC = "这个页面现在没有公开，无法对它提交反馈。"


@dataclasses.dataclass(frozen=True)
class Target:
    """A public page feedback may be about: its address as stored, and what it shows."""

    page: str
    article: Article | None = None
    region: Region | None = None


def without_thanks(query: str) -> str:
    """The query string minus our own ?feedback= flag, every other parameter byte for byte."""
    kept = [part for part in query.split("&") if part and part.split("=", 1)[0] != THANKS_PARAM]
    return "&".join(kept)


def split_local_path(raw: str) -> tuple[str, str]:
    """(path, query) of a local address such as /nanchang/calculator/?scheme=resident.

    Refuses anything a browser could take for another site (//host, /\\host, scheme:), control
    characters, spaces and non-ASCII (request.get_full_path() is always percent-encoded), and a
    fragment. Raises forms.ValidationError with a Chinese message.
    """
    if len(raw) > PAGE_MAX:
        raise forms.ValidationError(f"页面地址太长（最多 {PAGE_MAX} 个字符）。", code="max_length")
    if any(not 0x21 <= ord(char) <= 0x7E for char in raw):
        raise forms.ValidationError("页面地址含有不允许的字符。", code="invalid")
    if not raw.startswith("/") or raw.startswith("//") or "\\" in raw or "#" in raw:
        raise forms.ValidationError(NOT_OUR_PAGE, code="not_local")
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        raise forms.ValidationError(NOT_OUR_PAGE, code="not_local")
    return parts.path, parts.query


def find_target(raw: str) -> Target:
    """The public page `raw` names, with its article and region looked up here.

    Articles must be live (a draft's or a taken-down article's address is refused); region
    guides and region estimators must name a region that is not the nation. The estimator keeps
    its query string (it is the answer the citizen saw), other pages keep only their path.
    """
    path, query = split_local_path(raw)
    try:
        match = resolve(unquote(path))
    except Resolver404:
        raise forms.ValidationError(NOT_OUR_PAGE, code="unknown") from None
    view, kwargs = match.view_name, match.kwargs
    places = Region.objects.exclude(kind=Region.NATIONAL)
    if view in ARTICLE_VIEWS:
        live = Article.objects.published().select_related("region")
        if view == "guides:national_article":
            live = live.filter(region__kind=Region.NATIONAL)
        else:
            live = live.exclude(region__kind=Region.NATIONAL).filter(region__slug=kwargs["region_slug"])
        found = live.filter(slug=kwargs["slug"]).first()
        if found is None:
            raise forms.ValidationError(NOT_PUBLIC, code="not_public")
        return Target(page=path, article=found, region=found.region)
    if view in REGION_VIEWS:
        found = places.filter(slug=kwargs["region_slug"]).first()
        if found is None:
            raise forms.ValidationError(NOT_PUBLIC, code="not_public")
        return Target(page=path, region=found)
    if view in ESTIMATE_VIEWS:
        region = None
        if "region_slug" in kwargs:
            region = places.filter(slug=kwargs["region_slug"]).first()
            if region is None:
                raise forms.ValidationError(NOT_PUBLIC, code="not_public")
        query = without_thanks(query)
        # The city chosen in the form is the one the answer was for (the page follows it).
        chosen = QueryDict(query).get("region", "")
        if chosen and (region is None or chosen != region.slug):
            region = places.filter(slug=chosen).first() or region
        return Target(page=f"{path}?{query}" if query else path, region=region)
    raise forms.ValidationError(NOT_OUR_PAGE, code="unknown")


class CommentField(forms.CharField):
    """Text as typed, with line breaks counted as one character each, as the browser's maxlength
    counts them (browsers send a typed line break as CR LF)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class FeedbackForm(forms.Form):
    page = forms.CharField(
        max_length=PAGE_MAX,
        strip=False,
        error_messages={
            "required": "缺少页面地址，请回到你看的页面再提交一次。",
            "max_length": f"页面地址太长（最多 {PAGE_MAX} 个字符）。",
            "null_characters_not_allowed": "页面地址含有不允许的字符。",
        },
    )
    answer = forms.ChoiceField(
        choices=Feedback.ANSWER_CHOICES,
        error_messages={
            "required": "请选择“有帮助”或“没帮助”。",
            "invalid_choice": "请选择“有帮助”或“没帮助”。",
        },
    )
    comment = CommentField(
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea,
        error_messages={
            "max_length": f"留言最多 {COMMENT_MAX} 个字，现在是 %(show_value)d 个字，请删短一些。",
            "null_characters_not_allowed": "留言里有不允许的字符，请删掉后再提交。",
        },
    )

    target: Target | None = None

    def clean_page(self) -> str:
        self.target = find_target(self.cleaned_data["page"])
        return self.target.page

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("answer") == Feedback.ERROR and not data.get("comment"):
            self.add_error("comment", "请写明哪个数字有误，以及你认为正确的是多少。")
        return data

    def save(self) -> Feedback:
        """Store page, answer, comment and the page's article and region; nothing about the visitor."""
        assert self.target is not None
        return Feedback.objects.create(
            page=self.target.page,
            answer=self.cleaned_data["answer"],
            comment=self.cleaned_data["comment"],
            article=self.target.article,
            region=self.target.region,
        )


def page_seen(request: HttpRequest, posted: str) -> str:
    """The page the citizen is looking at. With htmx the estimator rewrites the address as the
    answer changes (hx-push-url), so the address htmx reports for the same page is the answer
    actually shown; without htmx it is the page the form was rendered on."""
    htmx = getattr(request, "htmx", None)
    current = htmx.current_url_abs_path if htmx else None
    if current and len(current) <= PAGE_MAX and urlsplit(current).path == urlsplit(posted).path:
        return current
    return posted


def thanks_url(page: str) -> str:
    """Back to the page with the thank-you shown, the page's own query string kept as it was."""
    return f"{page}{'&' if '?' in page else '?'}{THANKS_PARAM}={THANKS_VALUE}#feedback"


# ---------------------------------------------------------------- rate limit


def client_address(request: HttpRequest) -> str:
    """The visitor's address as this server sees it: REMOTE_ADDR.

    Behind the HTTPS proxy (BEHIND_HTTPS_PROXY=true, the only case where the app trusts proxy
    headers) REMOTE_ADDR is the proxy's own address, so the last X-Forwarded-For entry — the one
    the proxy itself appended — is used instead. Entries before it are whatever the client sent
    and are never trusted. With no trusted proxy X-Forwarded-For is ignored altogether.
    """
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def rate_key(address: str, now=None) -> str:
    hour = (now or timezone.now()).strftime("%Y%m%d%H")
    return "feedback-rate:" + salted_hmac(RATE_SALT, f"{address}|{hour}", algorithm="sha256").hexdigest()


def over_limit(request: HttpRequest) -> bool:
    """Count one submission for this visitor in this hour; True once they are past the limit."""
    key = rate_key(client_address(request))
    try:
        cache.add(key, 0, timeout=3600)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=3600)
            count = 1
    except Exception:  # the cache (Redis) is down: take the feedback rather than refuse everyone
        log.warning("feedback rate limit: cache unreachable", exc_info=True)
        return False
    return count > settings.FEEDBACK_PER_HOUR


# ---------------------------------------------------------------- for staff


def page_kind() -> Case:
    """问答 / 估算器 / 地区指南, from what the feedback row holds (one SQL expression)."""
    return Case(
        When(article__isnull=False, then=Value("article")),
        When(page__contains="/calculator/", then=Value("estimate")),
        default=Value("region"),
    )


KIND_FILTERS = {
    "article": Q(article__isnull=False),
    "estimate": Q(article__isnull=True, page__contains="/calculator/"),
    "region": Q(article__isnull=True) & ~Q(page__contains="/calculator/"),
}
KIND_LABELS = {"article": "问答", "region": "地区指南", "estimate": "估算器"}


def reported_errors() -> QuerySet:
    """Unhandled 报告数字有误, counted per article, region guide and region estimator (one query)."""
    return (
        Feedback.objects.filter(answer=Feedback.ERROR, handled=False)
        .annotate(kind=page_kind())
        .values("kind", "article_id", "article__title", "region_id", "region__name")
        .annotate(count=Count("id"), latest=Max("created_at"))
        .order_by("-count", "-latest")
    )


# ---------------------------------------------------------------- what the form shows


@dataclasses.dataclass(frozen=True)
class Shown:
    """The feedback section's state after a submission: what the citizen typed, kept in the form
    they typed it in, with the Chinese messages beside it; or the thank-you."""

    page: str
    thanks: bool = False
    limited: bool = False
    main_comment: str = ""
    error_comment: str = ""
    main_errors: tuple[str, ...] = ()
    error_errors: tuple[str, ...] = ()
    page_errors: tuple[str, ...] = ()

    @property
    def report_open(self) -> bool:
        """The 报告数字有误 box stays open when that is the form the citizen used."""
        return bool(self.error_comment or self.error_errors)


ECHO_MAX = 2000  # what a crafted oversized post gets back, at most


def shown(form: FeedbackForm, *, thanks: bool = False, limited: bool = False) -> Shown:
    data = form.data
    page = form.target.page if form.target is not None else str(data.get("page", ""))[:PAGE_MAX]
    if thanks:
        return Shown(page=page, thanks=True)
    is_report = data.get("answer") == Feedback.ERROR
    comment = str(data.get("comment", ""))[:ECHO_MAX]
    comment_errors = messages_of(form, "comment")
    answer_errors = messages_of(form, "answer")
    return Shown(
        page=page,
        limited=limited,
        main_comment="" if is_report else comment,
        error_comment=comment if is_report else "",
        main_errors=() if is_report else answer_errors + comment_errors,
        error_errors=comment_errors if is_report else (),
        page_errors=messages_of(form, "page"),
    )


def messages_of(form: FeedbackForm, name: str) -> tuple[str, ...]:
    """A field's error messages as text (an ErrorList yields each message, never the error itself)."""
    return tuple(str(message) for message in form.errors.get(name, ()))
