"""Preview links: made on the article's preview screen, opened without an account, withdrawn there.

A link opens the draft for PREVIEW_LINK_HOURS; once it expires or is withdrawn its address answers
410 with a page that says which; an address that never was a link (garbled, forged, or of the
former {"article": id} form) answers 404.
"""

from __future__ import annotations

import datetime
import re
import time
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission, User
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guides.models import Article, PreviewLink
from guides.previews import PREVIEW_SALT, preview_token, token_for
from tests.factories import (
    logged_in,
    make_article,
    make_draft,
    make_fresh_entry,
    make_jiangxi,
    make_region,
)
from tests.factories import make_staff as staff
from tests.reading import read, reads, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft() -> Article:
    city = make_region("nanchang", name="南昌")
    return make_article(city, "caogao", title="还没发布的草稿问题？", short_answer="先看结论。", status=Article.DRAFT)


@pytest.fixture
def other_editor() -> User:
    return staff("编辑", "xiaozhang")


def screen(article: Article) -> str:
    return f"/admin/guides/article/{article.pk}/preview/"


def create(client: Client, article: Article):
    return client.post(screen(article), {"action": "create"}, follow=True)


def revoke(client: Client, link: PreviewLink):
    return client.post(screen(link.article), {"action": "revoke", "link": str(link.pk)}, follow=True)


def newest_share_path(page) -> str:
    (url,) = re.findall(r'<input id="share" type="text" readonly value="([^"]+)"', page.content.decode())
    assert url.startswith("http://testserver/preview/")
    return url.removeprefix("http://testserver")


# --------------------------------------------------------------------------------------------
# Making and opening a link


def test_an_editor_generates_a_link_that_opens_the_draft_without_an_account(client, draft, editor):
    page = create(logged_in(editor), draft)

    assert "已生成新的预览链接，72 小时内有效" in text_of(page)
    link = PreviewLink.objects.get()
    assert (link.article, link.created_by, link.revoked_at) == (draft, editor, None)
    assert datetime.timedelta(hours=71, minutes=59) < link.expires_at - timezone.now() <= datetime.timedelta(hours=72)
    row = re.search(r'<tr class="preview-link is-active">.*?</tr>', page.content.decode(), re.S).group(0)
    assert "有效" in row and "xiaowang" in row and 'name="action" value="revoke"' in row

    opened = client.get(newest_share_path(page))

    assert opened.status_code == 200
    assert re.findall(r"<h1>(.*?)</h1>", opened.content.decode()) == ["还没发布的草稿问题？"]
    assert "简短回答： 先看结论。" in text_of(opened)
    assert opened["X-Robots-Tag"] == "noindex, nofollow"


def test_the_screen_shows_a_links_address_the_same_way_every_time(draft, editor):
    client = logged_in(editor)
    first = newest_share_path(create(client, draft))

    again = newest_share_path(client.get(screen(draft)))

    assert again == first


def test_the_screen_offers_to_generate_when_there_is_no_link_yet(draft, editor):
    page = logged_in(editor).get(screen(draft))

    assert page.status_code == 200
    assert 'id="share"' not in page.content.decode()
    assert "还没有生成过预览链接" in text_of(page)
    assert re.search(
        r'<button type="submit" name="action" value="create"[^>]*>生成新的预览链接</button>', page.content.decode()
    )
    assert "72 小时内有效" in text_of(page)


def test_preview_token_makes_a_link_for_tests_and_scripts(client, draft):
    token = preview_token(draft)

    assert PreviewLink.objects.get().created_by is None
    assert client.get(f"/preview/{token}/").status_code == 200


# --------------------------------------------------------------------------------------------
# Withdrawn and expired links: 410, saying which


def test_a_withdrawn_link_answers_410_saying_it_was_withdrawn(client, draft, editor):
    owner = logged_in(editor)
    path = newest_share_path(create(owner, draft))
    link = PreviewLink.objects.get()

    page = revoke(owner, link)

    assert "已撤回这个预览链接" in text_of(page)
    row = re.search(r'<tr class="preview-link is-gone">.*?</tr>', page.content.decode(), re.S).group(0)
    assert "已撤回（xiaowang，" in text_of(row) and 'value="revoke"' not in row
    assert 'id="share"' not in page.content.decode()  # no live link left to copy
    gone = client.get(path)
    assert gone.status_code == 410
    assert "预览链接已被撤回" in text_of(gone) and "已过期" not in text_of(gone)
    assert "还没发布的草稿问题" not in gone.content.decode()
    assert gone["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in gone.content.decode()


@pytest.mark.parametrize("how", ["its-row-says-so", "its-signature-is-too-old"])
def test_an_expired_link_answers_410_saying_it_expired(client, draft, editor, monkeypatch, how):
    path = newest_share_path(create(logged_in(editor), draft))
    if how == "its-row-says-so":
        PreviewLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    else:
        later = time.time() + 72 * 3600 + 5
        monkeypatch.setattr(signing.time, "time", lambda: later)

    gone = client.get(path)

    assert gone.status_code == 410
    assert "预览链接已过期" in text_of(gone) and "撤回" not in text_of(gone)
    assert "还没发布的草稿问题" not in gone.content.decode()
    assert gone["X-Robots-Tag"] == "noindex, nofollow"


def test_an_expired_link_is_listed_as_expired_and_cannot_be_withdrawn(draft, editor):
    client = logged_in(editor)
    create(client, draft)
    link = PreviewLink.objects.get()
    PreviewLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    page = revoke(client, link)

    assert "这个预览链接已经过期，不需要撤回" in text_of(page)
    assert PreviewLink.objects.get().revoked_at is None
    row = re.search(r'<tr class="preview-link is-gone">.*?</tr>', page.content.decode(), re.S).group(0)
    assert "已过期" in row


# --------------------------------------------------------------------------------------------
# Who may withdraw a link


def test_other_staff_cannot_withdraw_someone_elses_link(client, draft, editor, other_editor):
    path = newest_share_path(create(logged_in(editor), draft))
    link = PreviewLink.objects.get()
    other = logged_in(other_editor)

    listed = other.get(screen(draft))
    refused = revoke(other, link)

    assert 'value="revoke"' not in listed.content.decode()
    assert "只有生成人或审核可以撤回" in text_of(listed)
    assert "只有生成这个链接的 xiaowang 或审核可以撤回它" in text_of(refused)
    assert PreviewLink.objects.get().revoked_at is None
    assert client.get(path).status_code == 200


def test_a_reviewer_withdraws_anyones_link(client, draft, editor, reviewer):
    path = newest_share_path(create(logged_in(editor), draft))
    link = PreviewLink.objects.get()

    page = revoke(logged_in(reviewer), link)

    assert "已撤回这个预览链接" in text_of(page)
    link.refresh_from_db()
    assert link.revoked_by == reviewer and link.revoked_at is not None
    assert client.get(path).status_code == 410


def test_staff_who_cannot_see_the_article_get_no_screen_and_make_no_link(draft):
    outsider = logged_in(staff(None, "wairen"))

    assert outsider.get(screen(draft)).status_code == 403
    assert outsider.post(screen(draft), {"action": "create"}).status_code == 403
    assert not PreviewLink.objects.exists()


def test_staff_who_may_only_view_articles_can_still_share_a_preview(draft):
    viewer = staff(None, "kankan")
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))

    page = create(logged_in(viewer), draft)

    assert page.status_code == 200
    assert PreviewLink.objects.get().created_by == viewer


def test_anonymous_visitors_are_sent_to_log_in(client, draft):
    response = client.post(screen(draft), {"action": "create"})

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not PreviewLink.objects.exists()


def test_a_post_without_its_csrf_token_is_refused(draft, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(screen(draft), {"action": "create"})

    assert response.status_code == 403
    assert not PreviewLink.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "revoke", "link": "abc"}, "没有找到这个预览链接"),
        ({"action": "revoke", "link": "99999999999999999999999"}, "没有找到这个预览链接"),
        ({"action": "revoke"}, "没有找到这个预览链接"),
        ({"action": "delete-everything"}, "没有这个操作"),
        ({}, "没有这个操作"),
    ],
    ids=["letters", "huge-number", "no-link", "unknown-action", "nothing"],
)
def test_odd_requests_get_a_chinese_message_and_change_nothing(draft, editor, data, message):
    client = logged_in(editor)
    create(client, draft)

    page = client.post(screen(draft), data, follow=True)

    assert page.status_code == 200
    assert message in text_of(page)
    assert PreviewLink.objects.get().is_active()


def test_a_link_cannot_be_withdrawn_through_another_articles_screen(draft, editor):
    client = logged_in(editor)
    create(client, draft)
    link = PreviewLink.objects.get()
    other = make_article(draft.region, "lingyige", status=Article.DRAFT)

    page = client.post(screen(other), {"action": "revoke", "link": str(link.pk)}, follow=True)

    assert "没有找到这个预览链接" in text_of(page)
    assert PreviewLink.objects.get().is_active()


def test_the_screen_reads_the_same_number_of_queries_however_many_links(draft, editor, reviewer):
    client = logged_in(reviewer)
    preview_token(draft, editor)
    client.get(screen(draft))  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        client.get(screen(draft))
    for _ in range(5):
        preview_token(draft, editor)
    PreviewLink.objects.filter(pk=PreviewLink.objects.first().pk).update(revoked_at=timezone.now(), revoked_by=reviewer)
    with CaptureQueriesContext(connection) as six:
        page = client.get(screen(draft))

    assert page.content.decode().count('class="preview-link ') == 6
    assert len(six) == len(one)


# --------------------------------------------------------------------------------------------
# Addresses that never were links: 404


@pytest.mark.parametrize("kind", ["garbage", "swapped-character", "old-article-form", "unknown-link", "other-salt"])
def test_an_address_that_is_not_a_link_answers_404(client, draft, kind):
    token = preview_token(draft)
    if kind == "garbage":
        token = "not-a-token"
    elif kind == "swapped-character":
        token = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    elif kind == "old-article-form":
        token = signing.dumps({"article": draft.pk}, salt=PREVIEW_SALT, compress=True)
    elif kind == "unknown-link":
        link = PreviewLink.objects.get()
        token = token_for(link)
        link.delete()
    else:
        token = signing.dumps({"link": PreviewLink.objects.get().pk}, salt="someone.else")

    page = client.get(f"/preview/{token}/")

    assert page.status_code == 404
    assert "还没发布的草稿问题" not in page.content.decode()


# --------------------------------------------------------------------------------------------
# A draft shown only through a signed link


@pytest.mark.django_db
def test_it_shows_a_draft_only_through_a_signed_preview_link(client, settings):
    from guides.previews import preview_token

    settings.DEBUG = False
    _, province, city = make_jiangxi()
    make_fresh_entry(province, "resident_fee", "400")
    draft = make_article(
        city, "draft", title="还没发布的问题？", status=Article.DRAFT, body="每年交 {{ resident_fee }}。"
    )

    response = client.get(f"/preview/{preview_token(draft)}/")

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    page = read(response)
    assert page.h1s == ["还没发布的问题？"]
    assert page.attrs("meta", name="robots", content="noindex, nofollow")
    assert "市民看不到" in page.main
    assert "每年交 400 元/年" in page.main
    assert client.get("/nanchang/draft/").status_code == 404
    assert client.get(f"/preview/{preview_token(draft)}x/").status_code == 404


# --------------------------------------------------------------------------------------------
# The preview screen and its signed links


def preview_page_parts(response) -> tuple[str, str]:
    html = response.content.decode()
    found = re.search(r'<article class="qa">.*?</article>', html, re.S)
    assert found, "no article on the page"
    return html, found.group(0)


def test_it_shows_staff_a_draft_as_the_public_page_will_render_it(client, reviewer, city, fee):
    article = make_draft(
        city, title="草稿：居民医保交多少？", short_answer="每年 400 元。", body="每年 {{ resident_fee }}。"
    )
    client.force_login(reviewer)

    preview = client.get(f"/admin/guides/article/{article.pk}/preview/page/")

    assert preview.status_code == 200
    html, preview_article = preview_page_parts(preview)
    assert re.findall(r"<h1>(.*?)</h1>", html) == ["草稿：居民医保交多少？"]
    assert reads(preview, "简短回答：每年 400 元。")
    assert reads(preview, "预览：这篇文章还没有发布，市民看不到。")
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert preview["X-Robots-Tag"] == "noindex, nofollow"

    Article.objects.filter(pk=article.pk).update(status=Article.PUBLISHED, published_at=timezone.now())
    public = client.get(article.get_absolute_url())
    assert public.status_code == 200
    public_html, public_article = preview_page_parts(public)
    assert public_article == preview_article
    assert "预览" not in text_of(public_html) and "noindex" not in public_html


def test_it_offers_a_share_link_and_phone_and_desktop_frames(client, reviewer, city):
    article = make_draft(city, title="预览页的问题？")
    client.force_login(reviewer)

    page = client.post(f"/admin/guides/article/{article.pk}/preview/", {"action": "create"}, follow=True)

    html = page.content.decode()
    (share,) = re.findall(r'<input id="share" type="text" readonly value="([^"]+)"', html)
    assert re.fullmatch(r"http://testserver/preview/[^/]+/", share)
    frames = re.findall(r"<iframe ([^>]*)>", html)
    assert len(frames) == 2
    assert all(f'src="/admin/guides/article/{article.pk}/preview/page/"' in f for f in frames)
    assert "preview-frame-phone" in frames[0]
    assert "preview-frame-desktop" in frames[1]
    assert reads(page, "72 小时内有效")
    assert reads(page, "还没有发布")


def share_link(reviewer, article) -> str:
    """Presses 生成新的预览链接 on the preview screen and reads the new link's address."""
    screen = f"/admin/guides/article/{article.pk}/preview/"
    html = logged_in(reviewer).post(screen, {"action": "create"}, follow=True).content.decode()
    (share,) = re.findall(r'<input id="share" type="text" readonly value="([^"]+)"', html)
    return urlsplit(share).path


def test_it_opens_a_signed_preview_link_without_logging_in(client, reviewer, city):
    article = make_draft(city, title="发给审阅人的问题？", short_answer="先看结论。")
    link = share_link(reviewer, article)

    page = client.get(link)

    assert page.status_code == 200
    assert re.findall(r"<h1>(.*?)</h1>", page.content.decode()) == ["发给审阅人的问题？"]
    assert reads(page, "简短回答：先看结论。")
    assert reads(page, "还没有发布，市民看不到")
    assert '<meta name="robots" content="noindex, nofollow">' in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert "Disallow: /preview/" in client.get("/robots.txt").content.decode()


@pytest.mark.parametrize(
    "age, status",
    [(datetime.timedelta(hours=71, minutes=59), 200), (datetime.timedelta(hours=72, seconds=1), 410)],
    ids=["a-minute-before-expiry", "a-second-after-expiry"],
)
def test_it_refuses_a_preview_link_after_preview_link_hours(client, reviewer, city, settings, monkeypatch, age, status):
    settings.PREVIEW_LINK_HOURS = 72
    article = make_draft(city, title="过期链接的问题？")
    issued = time.time()
    link = share_link(reviewer, article)

    monkeypatch.setattr(signing.time, "time", lambda: issued + age.total_seconds())
    page = client.get(link)

    assert page.status_code == status
    if status == 410:
        assert reads(page, "预览链接已过期")
        assert "过期链接的问题" not in page.content.decode()
        assert "noindex" in page.content.decode()


def test_it_follows_preview_link_hours_from_settings(client, reviewer, city, settings, monkeypatch):
    settings.PREVIEW_LINK_HOURS = 1
    article = make_draft(city, title="一小时链接的问题？")
    issued = time.time()
    link = share_link(reviewer, article)
    assert reads(logged_in(reviewer).get(f"/admin/guides/article/{article.pk}/preview/"), "1 小时内有效")

    monkeypatch.setattr(signing.time, "time", lambda: issued + 3601)
    assert client.get(link).status_code == 410


@pytest.mark.parametrize("tamper", ["swap-a-character", "other-article", "garbage"])
def test_it_returns_404_for_a_tampered_preview_link(client, reviewer, city, tamper):
    article = make_draft(city, title="被篡改链接的问题？")
    other = make_draft(city, title="另一个草稿？")
    link = share_link(reviewer, article)
    token = link.removeprefix("/preview/").removesuffix("/")
    if tamper == "swap-a-character":
        token = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    elif tamper == "other-article":
        # Someone else's payload under this link's timestamp and signature.
        forged = signing.dumps({"article": other.pk}, salt="guides.article.preview", compress=True)
        token = forged.partition(":")[0] + ":" + token.partition(":")[2]
    else:
        token = "not-a-token"

    page = client.get(f"/preview/{token}/")

    assert page.status_code == 404
    assert "被篡改链接的问题" not in page.content.decode()
    assert "另一个草稿" not in page.content.decode()
