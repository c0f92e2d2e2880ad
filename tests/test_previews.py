"""Preview links: made on the article's preview screen, opened without an account, withdrawn there.

A link opens the draft for PREVIEW_LINK_HOURS; once it expires or is withdrawn its address answers
410 with a page that says which; an address that never was a link (garbled, forged, or of the
former {"article": id} form) answers 404.
"""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.contrib.auth.models import Permission, User
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guides.models import Article, PreviewLink
from guides.previews import PREVIEW_SALT, preview_token, token_for
from tests.factories import logged_in, make_article, make_region
from tests.factories import make_staff as staff
from tests.reading import text_of as text_of_html

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return text_of_html(response.content.decode())


@pytest.fixture
def draft() -> Article:
    city = make_region("nanchang", name="南昌")
    return make_article(city, "caogao", title="还没发布的草稿问题？", short_answer="先看结论。", status=Article.DRAFT)


@pytest.fixture
def editor() -> User:
    return staff("编辑", "xiaowang")


@pytest.fixture
def other_editor() -> User:
    return staff("编辑", "xiaozhang")


@pytest.fixture
def reviewer() -> User:
    return staff("审核", "laoli")


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

    assert "已生成新的预览链接，72 小时内有效" in text(page)
    link = PreviewLink.objects.get()
    assert (link.article, link.created_by, link.revoked_at) == (draft, editor, None)
    assert datetime.timedelta(hours=71, minutes=59) < link.expires_at - timezone.now() <= datetime.timedelta(hours=72)
    row = re.search(r'<tr class="preview-link is-active">.*?</tr>', page.content.decode(), re.S).group(0)
    assert "有效" in row and "xiaowang" in row and 'name="action" value="revoke"' in row

    opened = client.get(newest_share_path(page))

    assert opened.status_code == 200
    assert re.findall(r"<h1>(.*?)</h1>", opened.content.decode()) == ["还没发布的草稿问题？"]
    assert "简短回答： 先看结论。" in text(opened)
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
    assert "还没有生成过预览链接" in text(page)
    assert re.search(
        r'<button type="submit" name="action" value="create"[^>]*>生成新的预览链接</button>', page.content.decode()
    )
    assert "72 小时内有效" in text(page)


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

    assert "已撤回这个预览链接" in text(page)
    row = re.search(r'<tr class="preview-link is-gone">.*?</tr>', page.content.decode(), re.S).group(0)
    assert "已撤回（xiaowang，" in text_of_html(row) and 'value="revoke"' not in row
    assert 'id="share"' not in page.content.decode()  # no live link left to copy
    gone = client.get(path)
    assert gone.status_code == 410
    assert "预览链接已被撤回" in text(gone) and "已过期" not in text(gone)
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
    assert "预览链接已过期" in text(gone) and "撤回" not in text(gone)
    assert "还没发布的草稿问题" not in gone.content.decode()
    assert gone["X-Robots-Tag"] == "noindex, nofollow"


def test_an_expired_link_is_listed_as_expired_and_cannot_be_withdrawn(draft, editor):
    client = logged_in(editor)
    create(client, draft)
    link = PreviewLink.objects.get()
    PreviewLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    page = revoke(client, link)

    assert "这个预览链接已经过期，不需要撤回" in text(page)
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
    assert "只有生成人或审核可以撤回" in text(listed)
    assert "只有生成这个链接的 xiaowang 或审核可以撤回它" in text(refused)
    assert PreviewLink.objects.get().revoked_at is None
    assert client.get(path).status_code == 200


def test_a_reviewer_withdraws_anyones_link(client, draft, editor, reviewer):
    path = newest_share_path(create(logged_in(editor), draft))
    link = PreviewLink.objects.get()

    page = revoke(logged_in(reviewer), link)

    assert "已撤回这个预览链接" in text(page)
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
    assert message in text(page)
    assert PreviewLink.objects.get().is_active()


def test_a_link_cannot_be_withdrawn_through_another_articles_screen(draft, editor):
    client = logged_in(editor)
    create(client, draft)
    link = PreviewLink.objects.get()
    other = make_article(draft.region, "lingyige", status=Article.DRAFT)

    page = client.post(screen(other), {"action": "revoke", "link": str(link.pk)}, follow=True)

    assert "没有找到这个预览链接" in text(page)
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
