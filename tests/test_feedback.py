"""Feedback from citizens: "这个回答有帮助吗？" and "报告数字有误" on articles, guides and estimates.

A plain POST form that works without JavaScript (303 back to the page with a thank-you), with htmx
(the section swaps in place), CSRF-protected, rate-limited per visitor, and storing page, answer,
comment, the page's article and region and the time — never anything about who sent it.
"""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from config.settings import cache_from_url
from guides.feedback import client_address, rate_key
from guides.models import Article, Feedback, Region
from tests.factories import make_article
from tests.reading import text_of

ESTIMATE = "/nanchang/calculator/?region=nanchang&scheme=resident&lapsed_years=2&paid_on=2026-11-23"
STORED_FIELDS = {"id", "page", "answer", "comment", "article", "region", "created_at", "handled"}
VISITOR = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "WeChat-Test-Browser/8.0"}


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    """The rate limit lives in the (per-process) cache: every test starts with a clean count."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def nanchang_article(shared_demo) -> Article:
    return Article.objects.published().select_related("region").filter(region__slug="nanchang").order_by("pk").first()


@pytest.fixture
def national_article(shared_demo) -> Article:
    return Article.objects.published().select_related("region").filter(region__kind=Region.NATIONAL).first()


def send(client, page: str, answer: str, comment: str = "", **extra):
    return client.post("/feedback/", {"page": page, "answer": answer, "comment": comment}, **{**VISITOR, **extra})


def textarea(response, element_id: str) -> str:
    found = re.search(rf'<textarea id="{element_id}"[^>]*>(.*?)</textarea>', response.content.decode(), re.S)
    assert found, f"no textarea #{element_id}"
    return unescape(found.group(1))


def feedback_section(response) -> str:
    found = re.search(r'<section id="feedback".*?</section>', response.content.decode(), re.S)
    assert found, "no feedback section on the page"
    return found.group(0)


def assert_nothing_about_the_visitor(row: Feedback) -> None:
    assert {f.name for f in Feedback._meta.concrete_fields} == STORED_FIELDS
    for field in Feedback._meta.concrete_fields:
        value = str(getattr(row, field.attname))
        assert VISITOR["REMOTE_ADDR"] not in value
        assert "WeChat-Test-Browser" not in value


# --------------------------------------------------------------------------------------------
# Storing what the citizen said, and only that


def test_a_citizen_who_found_a_nanchang_answer_helpful_is_counted_against_that_article(client, nanchang_article):
    page = nanchang_article.get_absolute_url()

    response = send(client, page, "yes")

    assert response.status_code == 303
    assert response["Location"] == f"{page}?feedback=thanks#feedback"
    row = Feedback.objects.get()
    assert (row.page, row.answer, row.comment) == (page, "yes", "")
    assert row.article == nanchang_article
    assert row.region.slug == "nanchang"
    assert row.handled is False
    assert_nothing_about_the_visitor(row)


def test_a_citizen_unhappy_with_a_region_guide_leaves_a_comment_tied_to_that_region(client, shared_demo):
    response = send(client, "/hezhou/", "no", "没说清楚要带什么材料。")

    assert response.status_code == 303
    row = Feedback.objects.get()
    assert (row.page, row.answer, row.comment) == ("/hezhou/", "no", "没说清楚要带什么材料。")
    assert row.article is None
    assert row.region.slug == "hezhou"
    assert_nothing_about_the_visitor(row)


def test_a_wrong_figure_on_an_estimate_is_reported_with_the_answer_the_citizen_saw(client, shared_demo):
    response = send(client, ESTIMATE, "error", "居民医保个人缴费标准应该是 400 元，见南昌医保局 2026 年通知。")

    assert response.status_code == 303
    assert response["Location"] == f"{ESTIMATE}&feedback=thanks#feedback"
    row = Feedback.objects.get()
    assert row.page == ESTIMATE
    assert row.answer == "error"
    assert row.comment.startswith("居民医保个人缴费标准")
    assert row.article is None
    assert row.region.slug == "nanchang"
    assert_nothing_about_the_visitor(row)


def test_feedback_on_a_national_answer_belongs_to_that_article(client, national_article):
    assert send(client, national_article.get_absolute_url(), "yes").status_code == 303

    row = Feedback.objects.get()
    assert row.article == national_article
    assert row.region.is_national


def test_the_city_chosen_on_the_plain_estimator_is_the_region_of_the_feedback(client, shared_demo):
    assert send(client, "/calculator/?region=hezhou&scheme=flexible&lapse_months=4", "no").status_code == 303
    assert Feedback.objects.get().region.slug == "hezhou"

    assert send(client, "/calculator/", "yes").status_code == 303
    assert Feedback.objects.get(page="/calculator/").region is None


def test_article_and_region_come_from_the_page_never_from_ids_in_the_form(client, nanchang_article):
    other = Region.objects.get(slug="hezhou")
    client.post(
        "/feedback/",
        {"page": "/nanchang/", "answer": "yes", "article": nanchang_article.pk, "region": other.pk, "handled": "on"},
    )

    row = Feedback.objects.get()
    assert row.region.slug == "nanchang"
    assert row.article is None
    assert row.handled is False


def test_an_article_page_is_stored_without_its_tracking_query_and_the_thanks_flag_is_never_stored(
    client, nanchang_article
):
    page = nanchang_article.get_absolute_url()
    send(client, f"{page}?from=singlemessage&isappinstalled=0", "yes")
    send(client, f"{ESTIMATE}&feedback=thanks", "yes")

    assert set(Feedback.objects.values_list("page", flat=True)) == {page, ESTIMATE}


def test_the_citizen_lands_back_on_the_article_with_a_thank_you_instead_of_the_form(client, nanchang_article):
    response = send(client, nanchang_article.get_absolute_url(), "no", "看不懂")

    back = client.get(response["Location"])

    assert back.status_code == 200
    section = feedback_section(back)
    assert "谢谢你的反馈" in section
    assert 'role="status"' in section
    assert 'name="answer"' not in section
    assert nanchang_article.title in text_of(back)


def test_an_estimate_keeps_its_own_query_string_on_the_way_back(client, shared_demo):
    response = send(client, ESTIMATE, "yes")

    back = client.get(response["Location"])

    assert back.status_code == 200
    assert back.wsgi_request.GET["lapsed_years"] == "2"
    assert "谢谢你的反馈" in feedback_section(back)
    assert "估算结果" in text_of(back)


def test_any_other_value_of_the_thanks_flag_shows_the_form(client, nanchang_article):
    response = client.get(nanchang_article.get_absolute_url() + "?feedback=%3Cscript%3E")

    section = feedback_section(response)
    assert "谢谢你的反馈" not in section
    assert 'name="answer" value="yes"' in section
    assert "<script>" not in section


# --------------------------------------------------------------------------------------------
# The form on the pages


def hidden_page(response) -> str:
    values = re.findall(r'<input type="hidden" name="page" value="([^"]*)">', feedback_section(response))
    assert len(values) == 2, "both forms carry the page"
    assert values[0] == values[1]
    return unescape(values[0])


def test_every_article_guide_and_estimate_asks_whether_the_answer_helped(client, nanchang_article):
    for url in (nanchang_article.get_absolute_url(), "/nanchang/", "/nanchang/calculator/", ESTIMATE):
        response = client.get(url)
        section = feedback_section(response)
        assert "这个回答有帮助吗？" in section, url
        assert "报告数字有误" in section, url
        assert 'action="/feedback/"' in section and 'hx-post="/feedback/"' in section
        assert 'name="csrfmiddlewaretoken"' in section
        assert hidden_page(response) == url, url
        assert 'name="answer" value="yes"' in section and 'name="answer" value="no"' in section
        assert 'name="answer" value="error"' in section
        assert re.search(
            r'<textarea id="feedback-report-comment" name="comment" maxlength="500"[^>]* required', section
        )


def test_a_very_long_estimate_address_is_replaced_by_the_estimators_own_address(client, shared_demo):
    response = client.get(ESTIMATE + "&x=" + "9" * 300)

    assert hidden_page(response) == "/nanchang/calculator/"


def test_a_draft_preview_shows_no_feedback_form(client, nanchang_article):
    from guides.previews import preview_token

    response = client.get(f"/preview/{preview_token(nanchang_article)}/")

    assert response.status_code == 200
    assert 'id="feedback"' not in response.content.decode()


# --------------------------------------------------------------------------------------------
# Refused input: Chinese messages, what was typed kept, nothing stored


def test_a_comment_over_500_characters_is_refused_and_kept(client, nanchang_article):
    long_comment = "太长" * 251  # 502 characters

    response = send(client, nanchang_article.get_absolute_url(), "no", long_comment)

    assert response.status_code == 400
    assert "留言最多 500 个字，现在是 502 个字" in text_of(response)
    assert textarea(response, "feedback-comment") == long_comment
    assert not Feedback.objects.exists()


def test_line_breaks_count_once_as_the_browser_counts_them(client, nanchang_article):
    comment = "甲" * 498 + "\r\n" + "乙"  # 500 characters in the textarea, 501 as sent

    assert send(client, nanchang_article.get_absolute_url(), "no", comment).status_code == 303
    assert Feedback.objects.get().comment == "甲" * 498 + "\n乙"


def test_reporting_a_wrong_figure_needs_a_comment_saying_which(client, nanchang_article):
    response = send(client, nanchang_article.get_absolute_url(), "error", "   ")

    assert response.status_code == 400
    assert "请写明哪个数字有误，以及你认为正确的是多少。" in text_of(response)
    assert '<details class="feedback-report" open>' in response.content.decode()
    assert not Feedback.objects.exists()


def test_an_unknown_answer_is_refused_in_chinese(client, nanchang_article):
    response = send(client, nanchang_article.get_absolute_url(), "maybe", "还行吧")

    assert response.status_code == 400
    assert "请选择“有帮助”或“没帮助”。" in text_of(response)
    assert textarea(response, "feedback-comment") == "还行吧"
    assert not Feedback.objects.exists()


BAD_PAGES = {
    "absolute": ("https://evil.example/nanchang/", "只能对本站的问答、地区指南和估算页面提交反馈"),
    "scheme-relative": ("//evil.example/nanchang/", "只能对本站的问答、地区指南和估算页面提交反馈"),
    "backslash": ("/\\evil.example/", "只能对本站的问答、地区指南和估算页面提交反馈"),
    "javascript": ("javascript:alert(1)", "只能对本站的问答、地区指南和估算页面提交反馈"),
    "unknown": ("/nanchang/no-such-question/", "这个页面现在没有公开"),
    "not-a-public-page": ("/admin/", "只能对本站的问答、地区指南和估算页面提交反馈"),
    "search": ("/search/?q=x", "只能对本站的问答、地区指南和估算页面提交反馈"),
    "no-region": ("/atlantis/", "这个页面现在没有公开"),
    "control": ("/nanchang/\x07", "页面地址含有不允许的字符"),
    "newline": ("/nanchang/\r\nSet-Cookie: x=1", "页面地址含有不允许的字符"),
    "too-long": ("/nanchang/?" + "a" * 300, "页面地址太长（最多 300 个字符）"),
    "missing": ("", "缺少页面地址"),
}


@pytest.mark.parametrize("page, message", BAD_PAGES.values(), ids=BAD_PAGES.keys())
def test_feedback_about_a_page_that_is_not_ours_or_not_public_is_refused(client, shared_demo, page, message):
    response = send(client, page, "no", "我写的留言")

    assert response.status_code == 400
    assert message in text_of(response)
    assert textarea(response, "feedback-comment") == "我写的留言"
    assert re.search(r'<a href="/">回到首页</a>', response.content.decode())
    assert 'evil.example/nanchang/"' not in response.content.decode().split("</section>")[-1]
    assert not Feedback.objects.exists()


def test_feedback_about_a_draft_is_refused(client, shared_demo):
    draft = make_article(Region.objects.get(slug="nanchang"), "cao-gao-wenti", status=Article.DRAFT)

    response = send(client, draft.get_absolute_url(), "error", "第二段的数字不对")

    assert response.status_code == 400
    assert "这个页面现在没有公开，无法对它提交反馈。" in text_of(response)
    assert textarea(response, "feedback-report-comment") == "第二段的数字不对"
    assert not Feedback.objects.exists()


def test_the_refusal_page_links_back_to_the_page_when_the_page_was_fine(client, nanchang_article):
    page = nanchang_article.get_absolute_url()

    response = send(client, page, "error", "")

    assert response.status_code == 400
    assert f'<a href="{page}">回到你刚才看的页面</a>' in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


# --------------------------------------------------------------------------------------------
# CSRF, methods


def test_a_post_without_the_csrf_token_is_refused_with_a_chinese_page(nanchang_article):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/feedback/", {"page": nanchang_article.get_absolute_url(), "answer": "yes"})

    assert response.status_code == 403
    assert "页面停留太久，请刷新后再提交" in text_of(response)
    assert '<a href="/">回到首页</a>' in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_post_with_the_token_from_the_page_goes_through_csrf(nanchang_article):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(nanchang_article.get_absolute_url())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', feedback_section(page)).group(1)

    response = strict.post(
        "/feedback/", {"page": nanchang_article.get_absolute_url(), "answer": "yes", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 303
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "head"])
def test_feedback_is_only_ever_posted(client, shared_demo, method):
    response = getattr(client, method)("/feedback/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    if method == "get":
        assert "反馈要从页面上提交" in text_of(response)
    else:
        assert response.content == b""


# --------------------------------------------------------------------------------------------
# Rate limit


def test_a_visitor_past_the_hourly_limit_gets_a_429_with_the_comment_kept(client, nanchang_article, settings):
    settings.FEEDBACK_PER_HOUR = 3
    page = nanchang_article.get_absolute_url()
    for _ in range(3):
        assert send(client, page, "yes").status_code == 303

    response = send(client, page, "error", "缴费基数下限写错了")

    assert response.status_code == 429
    assert "提交得太频繁了" in text_of(response)
    assert textarea(response, "feedback-report-comment") == "缴费基数下限写错了"
    assert Feedback.objects.count() == 3

    other = send(client, page, "yes", REMOTE_ADDR="198.51.100.20")
    assert other.status_code == 303
    assert Feedback.objects.count() == 4


def test_refused_input_does_not_use_up_the_limit(client, nanchang_article, settings):
    settings.FEEDBACK_PER_HOUR = 1
    for _ in range(3):
        assert send(client, "//evil.example/", "yes").status_code == 400

    assert send(client, nanchang_article.get_absolute_url(), "yes").status_code == 303


def test_a_made_up_forwarded_for_header_does_not_escape_the_limit(client, nanchang_article, settings):
    settings.FEEDBACK_PER_HOUR = 1
    page = nanchang_article.get_absolute_url()
    assert send(client, page, "yes", HTTP_X_FORWARDED_FOR="10.0.0.1").status_code == 303

    assert send(client, page, "yes", HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 429


def test_behind_the_https_proxy_the_address_the_proxy_appended_is_the_visitor(rf, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = rf.post("/feedback/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_address(request) == "203.0.113.7"

    settings.SECURE_PROXY_SSL_HEADER = None
    assert client_address(request) == "127.0.0.1"


def test_the_rate_limit_key_hides_the_address_and_changes_every_hour():
    noon = datetime.datetime(2026, 11, 23, 12, 5, tzinfo=datetime.UTC)
    key = rate_key("203.0.113.7", noon)

    assert "203.0.113.7" not in key and re.fullmatch(r"feedback-rate:[0-9a-f]{64}", key)
    assert key == rate_key("203.0.113.7", noon + datetime.timedelta(minutes=50))
    assert key != rate_key("203.0.113.7", noon + datetime.timedelta(hours=1))
    assert key != rate_key("203.0.113.8", noon)


# --------------------------------------------------------------------------------------------
# With htmx


def test_with_htmx_the_section_is_answered_with_the_thank_you_only(client, nanchang_article):
    response = send(client, nanchang_article.get_absolute_url(), "no", "没讲清楚", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode().strip()
    assert body.startswith('<section id="feedback"') and body.endswith("</section>")
    assert "<html" not in body
    assert "谢谢你的反馈" in body and "autofocus" in body
    assert Feedback.objects.get().answer == "no"


def test_with_htmx_a_mistake_comes_back_in_the_section_with_the_text_kept(client, nanchang_article):
    response = send(client, nanchang_article.get_absolute_url(), "error", "", HTTP_HX_REQUEST="true")

    assert response.status_code == 200  # htmx swaps only 2xx answers
    body = response.content.decode().strip()
    assert body.startswith('<section id="feedback"')
    assert "请写明哪个数字有误" in body
    assert 'aria-invalid="true" autofocus' in body
    assert not Feedback.objects.exists()


def test_with_htmx_the_limit_message_comes_back_in_the_section(client, nanchang_article, settings):
    settings.FEEDBACK_PER_HOUR = 0

    response = send(client, nanchang_article.get_absolute_url(), "no", "第三次", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "提交得太频繁了" in response.content.decode()
    assert textarea(response, "feedback-comment") == "第三次"
    assert not Feedback.objects.exists()


def test_with_htmx_the_estimate_on_screen_is_the_one_stored(client, shared_demo):
    """The estimator rewrites its address as the answer changes; htmx reports the address shown."""
    send(
        client,
        "/nanchang/calculator/",
        "yes",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{ESTIMATE}",
    )
    send(
        client,
        "/nanchang/calculator/",
        "no",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example/nanchang/calculator/?scheme=employee",
    )

    assert list(Feedback.objects.order_by("pk").values_list("page", flat=True)) == [ESTIMATE, "/nanchang/calculator/"]


# --------------------------------------------------------------------------------------------
# Settings


def test_the_cache_is_this_process_unless_a_shared_redis_is_named():
    assert cache_from_url("")["BACKEND"].endswith("LocMemCache")
    redis = cache_from_url("redis://cache.internal:6379/1")
    assert redis == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},  # a silent host costs ½ s, not a hang
    }
    with pytest.raises(ImproperlyConfigured):
        cache_from_url("memcached://x")
