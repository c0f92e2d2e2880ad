"""The content staff's workflow in the admin, as 编辑 and 审核 use it.

Drafts and scheduled publishing, revisions (history, compare, revert, restore), previews and
signed preview links, the two roles, refused stale saves, the freshness board, spreadsheet
import/export and the live Markdown preview. Every admin action goes through the real admin
forms: a test GETs the form, reads the values the browser would send, changes what a staff
member would change and POSTs it back.
"""

from __future__ import annotations

import csv
import datetime
import importlib
import io
import re
import time
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core import signing
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from guides.models import Article, PendingChange, PolicyEntry, Region
from tests.factories import logged_in, make_article, make_policy_entry, make_region, make_topic
from tests.factories import make_staff as staff
from tests.reading import reads, squash, text_of

D = datetime.date
TODAY = timezone.localdate
SECOND = datetime.timedelta(seconds=1)


# --------------------------------------------------------------------------------------------
# Reading admin pages and forms


class FormReader(HTMLParser):
    """The forms on a page, each as the (name, value) pairs a browser would submit unchanged."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict[str, str], list[tuple[str, str]]]] = []
        self.fields: list[tuple[str, str]] | None = None
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.fields = []
            self.forms.append((a, self.fields))
        elif self.fields is None:
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if not a.get("name") or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self.select = {"name": a["name"], "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self.select["options"].append(self.option)
        elif tag == "textarea" and a.get("name"):
            self.textarea = (a["name"], [])

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)
        if self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.fields = None
        elif tag == "option":
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            name, parts = self.textarea
            # A browser drops the one newline that follows <textarea>.
            self.fields.append((name, "".join(parts).removeprefix("\r\n").removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            options = self.select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and not self.select["multiple"] and options:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"]
                self.fields.append((self.select["name"], value))
            self.select = None


def read_form(html: str, having: str) -> dict[str, list[str]]:
    """The form on the page that has a field named `having`, as a browser would submit it."""
    reader = FormReader()
    reader.feed(html)
    for _attrs, pairs in reader.forms:
        if any(name == having for name, _ in pairs):
            values: dict[str, list[str]] = {}
            for name, value in pairs:
                values.setdefault(name, []).append(value)
            return values
    raise AssertionError(f"no form with a field named {having!r} on the page")


def form_action(html: str, having: str) -> str:
    reader = FormReader()
    reader.feed(html)
    for attrs, pairs in reader.forms:
        if any(name == having for name, _ in pairs):
            return attrs.get("action", "")
    raise AssertionError(f"no form with a field named {having!r} on the page")


def select_options(html: str, name: str) -> dict[str, str]:
    """A select's options as {visible text: value}."""
    found = re.search(r"<select[^>]*name=\"" + re.escape(name) + r"\"[^>]*>(.*?)</select>", html, re.S)
    assert found, f"no select named {name!r}"
    return {
        unescape(re.sub(r"<[^>]+>", "", text)).strip(): unescape(value)
        for value, text in re.findall(r"<option value=\"([^\"]*)\"[^>]*>(.*?)</option>", found.group(1), re.S)
    }


def module(response, heading: str) -> str:
    """The text of the freshness board's box whose <h2> starts with `heading`."""
    html = response.content.decode()
    for chunk in html.split('<div class="module">')[1:]:
        title = re.search(r"<h2>(.*?)</h2>", chunk, re.S)
        if title and text_of(title.group(1)).startswith(heading):
            return chunk
    raise AssertionError(f"no box headed {heading!r}")


def section(response, element_id: str) -> str:
    html = response.content.decode()
    found = re.search(f'<section aria-labelledby="{element_id}">(.*?)</section>', html, re.S)
    assert found, f"no section {element_id!r}"
    return text_of(found.group(1))


def errors_of(response) -> str:
    """The error notes and error lists an admin form page shows."""
    html = response.content.decode()
    notes = re.findall(r'<(?:p|ul) class="error(?:note|list[^"]*)"[^>]*>(.*?)</(?:p|ul)>', html, re.S)
    return " ".join(text_of(n) for n in notes)


def change_url(obj) -> str:
    return f"/admin/guides/{obj._meta.model_name}/{obj.pk}/change/"


def open_form(client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return read_form(response.content.decode(), "base_version")


def save(client, url: str, values: dict[str, list[str]], **changes):
    """POST an admin form back with some fields changed, as pressing 保存 does."""
    data = {**values, **{k: v if isinstance(v, list) else [v] for k, v in changes.items()}, "_save": ["保存"]}
    return client.post(url, data)


def saved(response) -> bool:
    """The admin redirects after a successful save and re-renders the form otherwise."""
    return response.status_code == 302 and "/login/" not in response["Location"]


# --------------------------------------------------------------------------------------------
# People and content


@pytest.fixture
def editor(db) -> User:
    return staff("编辑", "xiaowang")


@pytest.fixture
def reviewer(db) -> User:
    return staff("审核", "laoli")


@pytest.fixture
def national(db) -> Region:
    return make_region("national", name="全国", kind=Region.NATIONAL)


@pytest.fixture
def city(national) -> Region:
    return make_region("nanchang", name="南昌", parent=national)


@pytest.fixture
def fee(national) -> PolicyEntry:
    return make_policy_entry(national, "resident_fee", "400", source_title="2026年度居民医保缴费标准")


def draft(region: Region, **fields) -> Article:
    return make_article(region, status=Article.DRAFT, **fields)


def article_values(region: Region, **fields) -> dict[str, str]:
    values = {
        "title": "南昌居民医保一年交多少钱？",
        "slug": "jumin-jiaofei",
        "region": str(region.pk),
        "short_answer": "2026 年每人每年 400 元。",
        "body": "每年 {{ resident_fee }}。",
        "order": "0",
    }
    return {**values, **fields}


def figure_values(region: Region, **fields) -> dict[str, str]:
    values = {
        "region": str(region.pk),
        "key": "flexible_rate",
        "value": "8",
        "effective_from": "2026-01-01",
        "source_title": "南昌灵活就业医保缴费通知",
        "verified_on": TODAY().isoformat(),
        "status": PolicyEntry.VERIFIED,
    }
    return {**values, **fields}


# --------------------------------------------------------------------------------------------
# 1. Drafts and scheduling


def test_it_never_shows_a_draft_to_the_public(client, city):
    article = draft(city, title="草稿里的问题？", slug="caogao", topics=[make_topic()])
    make_article(city, title="已发布的问题？", slug="yifabu", topics=[make_topic()])

    assert client.get("/nanchang/caogao/").status_code == 404
    guide = client.get("/nanchang/").content.decode()
    assert "已发布的问题" in guide and "草稿里的问题" not in guide
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/nanchang/yifabu/" in sitemap and "caogao" not in sitemap
    assert article not in Article.objects.published()


@pytest.mark.parametrize(
    "offset, live",
    [(-SECOND, False), (datetime.timedelta(0), True), (SECOND, True)],
    ids=["one-second-before", "at-published-at", "one-second-after"],
)
def test_it_publishes_a_scheduled_article_exactly_at_published_at(city, offset, live):
    at = timezone.now() + datetime.timedelta(days=3)
    article = make_article(city, published_at=at)

    assert (article in Article.objects.published(now=at + offset)) is live
    assert article.is_live(at + offset) is live


@pytest.mark.parametrize(
    "offset, live",
    [(-SECOND, True), (datetime.timedelta(0), False), (SECOND, False)],
    ids=["one-second-before", "at-unpublish-at", "one-second-after"],
)
def test_it_takes_an_article_down_exactly_at_unpublish_at(city, offset, live):
    at = timezone.now() + datetime.timedelta(days=3)
    article = make_article(city, unpublish_at=at)

    assert (article in Article.objects.published(now=at + offset)) is live
    assert article.is_live(at + offset) is live


@pytest.mark.parametrize(
    "published_in, unpublished_in, live",
    [
        (datetime.timedelta(seconds=30), None, False),
        (-SECOND, None, True),
        (-datetime.timedelta(days=1), datetime.timedelta(seconds=30), True),
        (-datetime.timedelta(days=1), -SECOND, False),
    ],
    ids=["scheduled-for-later", "published-a-second-ago", "coming-down-later", "taken-down-a-second-ago"],
)
def test_it_shows_a_scheduled_article_only_while_it_is_live(client, city, published_in, unpublished_in, live):
    now = timezone.now()
    make_article(
        city,
        title="定时发布的问题？",
        slug="dingshi",
        published_at=now + published_in,
        unpublish_at=now + unpublished_in if unpublished_in else None,
        topics=[make_topic()],
    )

    assert client.get("/nanchang/dingshi/").status_code == (200 if live else 404)
    assert ("定时发布的问题" in client.get("/nanchang/").content.decode()) is live
    assert ("/nanchang/dingshi/" in client.get("/sitemap.xml").content.decode()) is live


def test_it_switches_to_a_future_figure_on_its_effective_date(client, national, city):
    switch = TODAY() + datetime.timedelta(days=40)
    key = "flexible_rate"  # a figure that may change on any day (year-labelled ones change on 1 January)
    make_policy_entry(national, key, "10", effective_to=switch - datetime.timedelta(days=1))
    make_policy_entry(national, key, "11", effective_from=switch, status=PolicyEntry.UNVERIFIED)

    def rate_on(day):
        return PolicyEntry.objects.for_region(city, on=day)[key].value

    assert rate_on(TODAY()) == "10"
    assert rate_on(switch - datetime.timedelta(days=1)) == "10"
    assert rate_on(switch) == "11"
    assert rate_on(switch + datetime.timedelta(days=1)) == "11"
    page = client.get("/nanchang/")
    assert reads(page, "灵活就业人员医保缴费比例 10%")
    assert "11%" not in text_of(page.content.decode())


# --------------------------------------------------------------------------------------------
# 2. Revisions: history, compare, revert, restore


def test_it_records_who_changed_what_on_every_admin_save_of_an_article(client, reviewer, city, fee):
    client.force_login(reviewer)
    add = "/admin/guides/article/add/"
    assert saved(save(client, add, open_form(client, add), **article_values(city)))
    article = Article.objects.get(slug="jumin-jiaofei")
    values = open_form(client, change_url(article))
    assert saved(save(client, change_url(article), values, short_answer="2026 年每人每年 420 元。"))

    added, changed = article.history.order_by("history_date")
    assert (added.history_type, added.history_user) == ("+", reviewer)
    assert (changed.history_type, changed.history_user) == ("~", reviewer)
    delta = changed.diff_against(added)
    assert [(c.field, c.old, c.new) for c in delta.changes if c.field != "version"] == [
        ("short_answer", "2026 年每人每年 400 元。", "2026 年每人每年 420 元。")
    ]
    history = client.get(f"/admin/guides/article/{article.pk}/history/")
    assert reads(history, "laoli")
    assert reads(history, "简短回答: 2026 年每人每年 400 元。 → 2026 年每人每年 420 元。")


def test_it_records_who_changed_what_on_every_admin_save_of_a_figure(client, reviewer, fee):
    client.force_login(reviewer)
    values = open_form(client, change_url(fee))
    assert saved(save(client, change_url(fee), values, value="420"))

    latest = fee.history.latest()
    assert (latest.history_type, latest.history_user, latest.value) == ("~", reviewer, "420")
    assert "value" in latest.diff_against(latest.prev_record).changed_fields
    assert reads(client.get(f"/admin/guides/policyentry/{fee.pk}/history/"), "数值: 400 → 420")


def test_it_compares_two_revisions_showing_the_old_and_the_new_sentence(client, reviewer, city):
    article = make_article(city, body="## 怎么交\n\n每年九月到十二月集中缴费。\n\n可以在手机上交。")
    client.force_login(reviewer)
    values = open_form(client, change_url(article))
    new_body = "## 怎么交\n\n每年十月到次年二月集中缴费。\n\n可以在手机上交。"
    assert saved(save(client, change_url(article), values, body=new_body, title="居民医保什么时候交？"))

    history = client.get(f"/admin/guides/article/{article.pk}/history/")
    compare = read_form(history.content.decode(), "a")
    older, newer = article.history.order_by("history_date")
    assert compare == {"a": [str(older.history_id)], "b": [str(newer.history_id)]}
    page = client.get(f"/admin/guides/article/{article.pk}/compare/", {"a": older.history_id, "b": newer.history_id})

    assert page.status_code == 200
    assert reads(page, "每年九月到十二月集中缴费。")
    assert reads(page, "每年十月到次年二月集中缴费。")
    assert reads(page, "旧版本") and reads(page, "新版本")
    assert reads(page, article.title) and reads(page, "居民医保什么时候交？")
    assert reads(page, "laoli")


def test_it_reverts_an_article_to_an_old_revision_from_its_history(client, reviewer, city):
    article = make_article(city, short_answer="旧的简短回答。")
    client.force_login(reviewer)
    assert saved(
        save(client, change_url(article), open_form(client, change_url(article)), short_answer="新的简短回答。")
    )
    old = article.history.earliest()

    url = f"/admin/guides/article/{article.pk}/history/{old.history_id}/"
    values = open_form(client, url)
    assert values["short_answer"] == ["旧的简短回答。"]
    assert saved(save(client, url, values))

    article.refresh_from_db()
    assert article.short_answer == "旧的简短回答。"
    assert article.version == 3
    latest = article.history.latest()
    assert (latest.history_user, latest.short_answer) == (reviewer, "旧的简短回答。")
    assert reads(client.get(article.get_absolute_url()), "旧的简短回答。")


def test_it_reverts_a_figure_to_an_old_revision_from_its_history(client, reviewer, fee):
    client.force_login(reviewer)
    assert saved(save(client, change_url(fee), open_form(client, change_url(fee)), value="999"))

    url = f"/admin/guides/policyentry/{fee.pk}/history/{fee.history.earliest().history_id}/"
    assert saved(save(client, url, open_form(client, url)))

    fee.refresh_from_db()
    assert (fee.value, fee.version) == ("400", 3)


def delete_through_admin(client, obj) -> None:
    url = f"/admin/guides/{obj._meta.model_name}/{obj.pk}/delete/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302


@pytest.mark.parametrize("kind", ["article", "figure"])
def test_it_lists_a_deleted_item_on_the_freshness_board_and_restores_it(client, reviewer, city, fee, kind):
    obj = make_article(city, title="要删掉的问题？", slug="shandiao") if kind == "article" else fee
    model, name, pk = type(obj), str(obj), obj.pk
    client.force_login(reviewer)
    delete_through_admin(client, obj)
    assert not model.objects.filter(pk=pk).exists()

    board = client.get("/admin/guides/freshness/")
    deleted = module(board, "可以恢复的已删除内容")
    history_url = f"/admin/guides/{model._meta.model_name}/{pk}/history/"
    assert f'href="{history_url}"' in deleted
    assert name in text_of(deleted)
    assert "laoli" in text_of(deleted)

    history = client.get(history_url)
    assert history.status_code == 200
    last = model.history.filter(id=pk).latest()
    assert f"{history_url}{last.history_id}/" in history.content.decode()
    form_url = f"{history_url}{last.history_id}/"
    assert saved(save(client, form_url, open_form(client, form_url)))

    restored = model.objects.get(pk=pk)
    assert str(restored) == name
    assert model.history.filter(id=pk).latest().history_user == reviewer
    assert "没有。" in module(client.get("/admin/guides/freshness/"), "可以恢复的已删除内容")


# --------------------------------------------------------------------------------------------
# 3. Previews and signed links


def preview_page_parts(response) -> tuple[str, str]:
    html = response.content.decode()
    found = re.search(r'<article class="qa">.*?</article>', html, re.S)
    assert found, "no article on the page"
    return html, found.group(0)


def test_it_shows_staff_a_draft_as_the_public_page_will_render_it(client, reviewer, city, fee):
    article = draft(
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
    article = draft(city, title="预览页的问题？")
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
    article = draft(city, title="发给审阅人的问题？", short_answer="先看结论。")
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
    article = draft(city, title="过期链接的问题？")
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
    article = draft(city, title="一小时链接的问题？")
    issued = time.time()
    link = share_link(reviewer, article)
    assert reads(logged_in(reviewer).get(f"/admin/guides/article/{article.pk}/preview/"), "1 小时内有效")

    monkeypatch.setattr(signing.time, "time", lambda: issued + 3601)
    assert client.get(link).status_code == 410


@pytest.mark.parametrize("tamper", ["swap-a-character", "other-article", "garbage"])
def test_it_returns_404_for_a_tampered_preview_link(client, reviewer, city, tamper):
    article = draft(city, title="被篡改链接的问题？")
    other = draft(city, title="另一个草稿？")
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


# --------------------------------------------------------------------------------------------
# 4. Roles: what 编辑 and 审核 may do


class World:
    """One city with a draft, a published article, a verified and an unverified figure."""

    def __init__(self) -> None:
        self.national = make_region("national", name="全国", kind=Region.NATIONAL)
        self.city = make_region("nanchang", name="南昌", parent=self.national)
        self.draft = draft(self.city, title="编辑写的草稿？", slug="caogao", short_answer="草稿的回答。")
        self.published = make_article(self.city, title="已经发布的问题？", slug="yifabu", short_answer="发布的回答。")
        self.verified = make_policy_entry(self.national, "resident_fee", "400")
        self.unverified = make_policy_entry(
            self.city, "flexible_rate", "6.8", status=PolicyEntry.UNVERIFIED, verified_on=D(2026, 1, 5)
        )


@pytest.fixture
def world(db) -> World:
    return World()


def form_or_crafted(client, url: str, crafted: dict[str, str]) -> dict[str, list[str]]:
    """The change form's values; for a read-only view (no form to submit), what an attacker would craft."""
    response = client.get(url)
    if response.status_code == 200 and 'name="base_version"' in response.content.decode():
        return read_form(response.content.decode(), "base_version")
    return {k: [v] for k, v in crafted.items()}


def add_draft_article(client, world: World) -> bool:
    url = "/admin/guides/article/add/"
    save(client, url, open_form(client, url), **article_values(world.city, slug="xin-caogao"))
    return Article.objects.filter(slug="xin-caogao", status=Article.DRAFT).exists()


def edit_draft_article(client, world: World) -> bool:
    url = change_url(world.draft)
    save(client, url, open_form(client, url), short_answer="改过的草稿回答。")
    return Article.objects.get(pk=world.draft.pk).short_answer == "改过的草稿回答。"


def publish_article(client, world: World) -> bool:
    url = change_url(world.draft)
    save(client, url, open_form(client, url), status=Article.PUBLISHED)
    return Article.objects.get(pk=world.draft.pk).status == Article.PUBLISHED


def edit_published_article(client, world: World) -> bool:
    url = change_url(world.published)
    crafted = article_values(world.city, title=world.published.title, slug="yifabu", base_version="1")
    save(client, url, form_or_crafted(client, url, crafted), short_answer="偷偷改掉的回答。")
    return Article.objects.get(pk=world.published.pk).short_answer == "偷偷改掉的回答。"


def delete_article(client, world: World) -> bool:
    client.post(f"/admin/guides/article/{world.draft.pk}/delete/", {"post": "yes"})
    return not Article.objects.filter(pk=world.draft.pk).exists()


def add_figure(client, world: World) -> bool:
    url = "/admin/guides/policyentry/add/"
    save(client, url, open_form(client, url), **figure_values(world.city, key="resident_fee", value="410"))
    return PolicyEntry.objects.filter(region=world.city, key="resident_fee", value="410").exists()


def add_verified_figure(client, world: World) -> bool:
    add_figure(client, world)
    return PolicyEntry.objects.filter(region=world.city, key="resident_fee", status=PolicyEntry.VERIFIED).exists()


def edit_verified_figure(client, world: World) -> bool:
    url = change_url(world.verified)
    crafted = figure_values(world.national, key="resident_fee", value="400", base_version="1")
    save(client, url, form_or_crafted(client, url, crafted), value="999")
    return PolicyEntry.objects.get(pk=world.verified.pk).value == "999"


def mark_verified(client, world: World) -> bool:
    entry = world.unverified
    client.post(
        "/admin/guides/policyentry/",
        {
            "action": "mark_verified",
            "_selected_action": [str(entry.pk)],
            "index": "0",
            "confirm": "yes",
            f"version_{entry.pk}": str(entry.version),
        },
    )
    entry = PolicyEntry.objects.get(pk=world.unverified.pk)
    return entry.status == PolicyEntry.VERIFIED and entry.verified_on == TODAY()


def import_figures(client, world: World) -> bool:
    upload = csv_file([figure_row(region="nanchang", key="resident_fee", value="430")])
    response = client.post("/admin/guides/policyentry/import/", {"import_file": upload, "format": csv_format(client)})
    if response.status_code == 200 and 'name="import_file_name"' in response.content.decode():
        confirm(client, response)
    return PolicyEntry.objects.filter(region=world.city, key="resident_fee", value="430").exists()


ACTIONS = {
    "add_draft_article": add_draft_article,
    "edit_draft_article": edit_draft_article,
    "publish_article": publish_article,
    "edit_published_article": edit_published_article,
    "delete_article": delete_article,
    "add_figure": add_figure,
    "add_verified_figure": add_verified_figure,
    "edit_verified_figure": edit_verified_figure,
    "mark_verified": mark_verified,
    "import_figures": import_figures,
}
EDITOR_MAY = {"add_draft_article", "edit_draft_article", "add_figure"}
MATRIX = [("编辑", action, action in EDITOR_MAY) for action in ACTIONS] + [("审核", action, True) for action in ACTIONS]


@pytest.mark.parametrize("group, action, expected", MATRIX, ids=[f"{g}-{a}" for g, a, _ in MATRIX])
def test_it_lets_each_group_do_only_its_own_work(world, group, action, expected):
    client = logged_in(staff(group))

    assert ACTIONS[action](client, world) is expected


ADMIN_PAGES = [
    ("get", "/admin/"),
    ("get", "/admin/guides/article/"),
    ("get", "/admin/guides/article/add/"),
    ("get", "/admin/guides/article/{draft}/change/"),
    ("get", "/admin/guides/article/{draft}/history/"),
    ("get", "/admin/guides/article/{draft}/compare/"),
    ("get", "/admin/guides/article/{draft}/preview/"),
    ("get", "/admin/guides/article/{draft}/preview/page/"),
    ("post", "/admin/guides/article/markdown-preview/"),
    ("get", "/admin/guides/policyentry/"),
    ("get", "/admin/guides/policyentry/import/"),
    ("get", "/admin/guides/policyentry/export/"),
    ("get", "/admin/guides/freshness/"),
]


@pytest.mark.parametrize("method, url", ADMIN_PAGES, ids=[u for _, u in ADMIN_PAGES])
def test_it_sends_anonymous_visitors_to_the_login_page(client, world, method, url):
    url = url.format(draft=world.draft.pk)

    response = getattr(client, method)(url, {"body": "每年 {{ resident_fee }}"} if method == "post" else None)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")
    assert "编辑写的草稿" not in response.content.decode()


def anonymous_writes(world: World) -> list[tuple[str, dict]]:
    published = article_values(world.city, slug="yifabu", short_answer="匿名改的回答。", base_version="1")
    return [
        ("/admin/guides/article/add/", article_values(world.city, slug="niming")),
        (change_url(world.draft), {**article_values(world.city, slug="caogao"), "status": "published"}),
        (change_url(world.published), published),
        (f"/admin/guides/article/{world.draft.pk}/delete/", {"post": "yes"}),
        ("/admin/guides/policyentry/add/", figure_values(world.city)),
        (change_url(world.verified), figure_values(world.national, key="resident_fee", value="999")),
        ("/admin/guides/policyentry/", {"action": "mark_verified", "_selected_action": str(world.unverified.pk)}),
        ("/admin/guides/policyentry/import/", {"format": "0", "import_file": csv_file([figure_row()])}),
    ]


def snapshot() -> list:
    return list(Article.objects.values_list("pk", "slug", "status", "short_answer", "version")) + list(
        PolicyEntry.objects.values_list("pk", "value", "status", "version")
    )


def test_it_changes_nothing_for_anonymous_visitors(client, world):
    before = snapshot()

    for url, data in anonymous_writes(world):
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/?next="), url

    assert snapshot() == before


def test_it_keeps_an_editors_draft_a_draft_even_if_they_post_status_published(client, editor, world):
    client.force_login(editor)
    url = change_url(world.draft)
    page = client.get(url)
    assert 'name="status"' not in page.content.decode()
    assert 'name="published_at_0"' not in page.content.decode()
    values = read_form(page.content.decode(), "base_version")

    response = save(
        client,
        url,
        values,
        short_answer="编辑改的回答。",
        status="published",
        published_at_0="2026-01-01",
        published_at_1="08:00:00",
    )

    assert saved(response)
    stored = Article.objects.get(pk=world.draft.pk)
    assert (stored.short_answer, stored.status, stored.published_at) == ("编辑改的回答。", Article.DRAFT, None)
    assert client.get("/nanchang/caogao/").status_code == 404


def test_it_keeps_an_editors_edit_of_a_published_article_as_a_pending_change(client, editor, world):
    client.force_login(editor)
    url = change_url(world.published)

    page = client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' in html and 'name="short_answer"' in html
    assert "这条内容已经发布" in html
    assert saved(save(client, url, read_form(html, "base_version"), short_answer="编辑改的回答。"))
    stored = Article.objects.get(pk=world.published.pk)
    assert (stored.short_answer, stored.version) == ("发布的回答。", world.published.version)
    assert "编辑改的回答。" not in client.get("/nanchang/yifabu/").content.decode()
    assert "编辑改的回答。" in client.get(url).content.decode()  # the editor goes on from the pending change


def test_it_refuses_an_editors_delete(client, editor, world):
    client.force_login(editor)
    url = f"/admin/guides/article/{world.draft.pk}/delete/"

    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=world.draft.pk).exists()


def test_it_saves_an_editors_new_figure_as_unverified_even_if_posted_as_verified(client, editor, world):
    client.force_login(editor)
    url = "/admin/guides/policyentry/add/"
    page = client.get(url)
    assert 'name="status"' not in page.content.decode()

    values = figure_values(world.city, key="avg_wage", value="8000", status=PolicyEntry.VERIFIED)
    response = save(client, url, read_form(page.content.decode(), "base_version"), **values)

    assert saved(response)
    entry = PolicyEntry.objects.get(region=world.city, key="avg_wage")
    assert entry.status == PolicyEntry.UNVERIFIED
    assert entry.history.latest().history_user == editor


def test_it_keeps_an_editors_change_to_a_verified_figure_pending_and_unverified(client, editor, world):
    client.force_login(editor)
    url = change_url(world.verified)

    assert saved(save(client, url, open_form(client, url), value="999"))

    assert PolicyEntry.objects.get(pk=world.verified.pk).value == "400"
    pending = PendingChange.for_object(world.verified)
    assert (pending.data["value"], pending.data["status"]) == ("999", PolicyEntry.UNVERIFIED)


def test_it_keeps_an_editors_fix_of_a_published_unverified_figure_pending(client, editor, world):
    client.force_login(editor)
    url = change_url(world.unverified)

    assert saved(save(client, url, open_form(client, url), value="7"))

    entry = PolicyEntry.objects.get(pk=world.unverified.pk)
    assert (entry.value, entry.status) == ("6.8", PolicyEntry.UNVERIFIED)
    pending = PendingChange.for_object(entry)
    assert (pending.data["value"], pending.data["status"]) == ("7", PolicyEntry.UNVERIFIED)


def test_it_does_not_offer_an_editor_the_verify_action_or_import(client, editor, world):
    client.force_login(editor)

    changelist = client.get("/admin/guides/policyentry/")

    assert changelist.status_code == 200
    assert "mark_verified" not in changelist.content.decode()
    assert "标记为已核实" not in changelist.content.decode()
    assert "/admin/guides/policyentry/import/" not in changelist.content.decode()
    assert client.get("/admin/guides/policyentry/import/").status_code == 403
    assert not mark_verified(client, world)


def test_it_marks_figures_verified_today_for_a_reviewer_after_showing_the_values(client, reviewer, world):
    client.force_login(reviewer)
    changelist = client.get("/admin/guides/policyentry/")
    assert "标记为已核实（核实日期记为今天）" in changelist.content.decode()
    chosen = {"action": "mark_verified", "_selected_action": [str(world.unverified.pk)], "index": "0"}

    confirm_page = client.post("/admin/guides/policyentry/", chosen)

    assert reads(confirm_page, "6.8%") and reads(confirm_page, "测试文件〔2026〕1号")
    assert PolicyEntry.objects.get(pk=world.unverified.pk).status == PolicyEntry.UNVERIFIED
    seen = read_form(confirm_page.content.decode(), "confirm")
    response = client.post("/admin/guides/policyentry/", seen, follow=True)

    assert reads(response, "已把 1 条数据标记为已核实。")
    entry = PolicyEntry.objects.get(pk=world.unverified.pk)
    assert (entry.status, entry.verified_on, entry.version) == (PolicyEntry.VERIFIED, TODAY(), 2)
    assert entry.history.latest().history_user == reviewer


def test_it_refuses_to_verify_a_figure_changed_after_the_confirmation_page(client, reviewer, world):
    client.force_login(reviewer)
    chosen = {"action": "mark_verified", "_selected_action": [str(world.unverified.pk)], "index": "0"}
    seen = read_form(client.post("/admin/guides/policyentry/", chosen).content.decode(), "confirm")
    entry = PolicyEntry.objects.get(pk=world.unverified.pk)
    entry.value = "9"
    entry.save()

    response = client.post("/admin/guides/policyentry/", seen, follow=True)

    assert reads(response, "没有标记为已核实")
    assert PolicyEntry.objects.get(pk=world.unverified.pk).status == PolicyEntry.UNVERIFIED


def test_it_lets_a_reviewer_publish_with_published_at_defaulting_to_now(client, reviewer, world):
    client.force_login(reviewer)
    url = change_url(world.draft)
    before = timezone.now()

    assert saved(save(client, url, open_form(client, url), status=Article.PUBLISHED))

    stored = Article.objects.get(pk=world.draft.pk)
    assert stored.status == Article.PUBLISHED
    assert before <= stored.published_at <= timezone.now()
    assert client.get("/nanchang/caogao/").status_code == 200


def test_it_keeps_an_editors_revert_of_a_published_article_as_a_pending_change(client, editor, world):
    """An editor may revert a published article from its history: the revert waits for a 审核."""
    client.force_login(editor)
    record = world.published.history.latest()
    url = f"/admin/guides/article/{world.published.pk}/history/{record.history_id}/"
    page = client.get(url)
    assert page.status_code == 200

    save(client, url, read_form(page.content.decode(), "base_version"), short_answer="编辑从历史页改的回答。")

    stored = Article.objects.get(pk=world.published.pk)
    assert (stored.short_answer, stored.status) == ("发布的回答。", Article.PUBLISHED)
    assert PendingChange.for_object(stored).data["short_answer"] == "编辑从历史页改的回答。"
    assert client.get("/nanchang/yifabu/").status_code == 200


def test_it_keeps_an_editors_revert_of_a_verified_figure_as_a_pending_change(client, editor, world):
    client.force_login(editor)
    record = world.verified.history.latest()
    url = f"/admin/guides/policyentry/{world.verified.pk}/history/{record.history_id}/"
    page = client.get(url)
    assert page.status_code == 200

    save(client, url, read_form(page.content.decode(), "base_version"), value="999")

    stored = PolicyEntry.objects.get(pk=world.verified.pk)
    assert (stored.value, stored.status) == ("400", PolicyEntry.VERIFIED)
    assert PendingChange.for_object(stored).data["value"] == "999"


# --------------------------------------------------------------------------------------------
# 5. No lost updates


def test_it_refuses_a_stale_article_save_keeps_the_text_and_shows_who_changed_what(reviewer, world):
    other = staff("审核", "xiaozhao")
    a, b = logged_in(reviewer), logged_in(other)
    url = change_url(world.published)
    form_a, form_b = open_form(a, url), open_form(b, url)
    assert form_a["base_version"] == form_b["base_version"] == ["1"]

    assert saved(save(a, url, form_a, short_answer="甲改好的回答。"))
    assert Article.objects.get(pk=world.published.pk).version == 2
    refused = save(b, url, form_b, short_answer="乙想写的回答。")

    assert refused.status_code == 200
    message = errors_of(refused)
    assert "没有保存" in message and "laoli" in message
    assert "你打开时是第 1 版，现在是第 2 版" in message
    conflict = text_of(refused.content.decode().split('class="conflict"')[1].split("</table>")[0])
    assert "简短回答" in conflict and "发布的回答。" in conflict and "甲改好的回答。" in conflict
    assert read_form(refused.content.decode(), "base_version")["short_answer"] == ["乙想写的回答。"]  # kept
    stored = Article.objects.get(pk=world.published.pk)
    assert (stored.short_answer, stored.version) == ("甲改好的回答。", 2)
    assert not Article.history.filter(short_answer="乙想写的回答。").exists()
    assert "乙想写的回答" not in logged_in(reviewer).get("/nanchang/yifabu/").content.decode()

    # Having read what changed, saving again is a deliberate overwrite.
    assert saved(save(b, url, read_form(refused.content.decode(), "base_version")))
    assert Article.objects.get(pk=world.published.pk).short_answer == "乙想写的回答。"


def test_it_refuses_a_stale_figure_save_and_names_what_changed(reviewer, world):
    other = staff("审核", "xiaozhao")
    a, b = logged_in(reviewer), logged_in(other)
    url = change_url(world.verified)
    form_a, form_b = open_form(a, url), open_form(b, url)

    assert saved(save(a, url, form_a, value="420"))
    refused = save(b, url, form_b, value="450")

    assert refused.status_code == 200
    assert "没有保存" in errors_of(refused)
    conflict = text_of(refused.content.decode().split('class="conflict"')[1].split("</table>")[0])
    assert "数值" in conflict and "400" in conflict and "420" in conflict
    stored = PolicyEntry.objects.get(pk=world.verified.pk)
    assert (stored.value, stored.version) == ("420", 2)
    assert not PolicyEntry.history.filter(value="450").exists()


def test_it_saves_with_the_current_version_and_raises_it(client, reviewer, world):
    client.force_login(reviewer)
    url = change_url(world.published)

    for expected in (2, 3):
        values = open_form(client, url)
        assert values["base_version"] == [str(expected - 1)]
        assert saved(save(client, url, values, short_answer=f"第 {expected} 版的回答。"))
        stored = Article.objects.get(pk=world.published.pk)
        assert (stored.short_answer, stored.version) == (f"第 {expected} 版的回答。", expected)


def test_it_lets_the_second_editor_save_after_reopening_the_form(client, reviewer, world):
    other = logged_in(staff("审核", "xiaozhao"))
    client.force_login(reviewer)
    url = change_url(world.verified)
    stale = open_form(other, url)
    assert saved(save(client, url, open_form(client, url), value="420"))
    assert save(other, url, stale, value="450").status_code == 200

    assert saved(save(other, url, open_form(other, url), value="450"))

    assert PolicyEntry.objects.get(pk=world.verified.pk).value == "450"


# --------------------------------------------------------------------------------------------
# 6. Freshness board and 可能已过期


def test_it_lists_a_figure_not_verified_for_too_long_and_warns_the_public(client, reviewer, world, settings):
    settings.FIGURE_MAX_AGE_DAYS = 365
    old = make_policy_entry(world.city, "resident_fee", "390", verified_on=TODAY() - datetime.timedelta(days=400))
    fresh = make_policy_entry(world.city, "avg_wage", "8000", verified_on=TODAY() - datetime.timedelta(days=300))
    client.force_login(reviewer)

    board = client.get("/admin/guides/freshness/")

    overdue = module(board, "重新核实这些数字（超过 365 天没核实）")
    assert str(old) in text_of(overdue) and f"/admin/guides/policyentry/{old.pk}/change/" in overdue
    assert str(fresh) not in text_of(overdue)
    guide = client.get("/nanchang/").content.decode()
    assert "可能已过期" in figure_on_guide(guide, "resident_fee")
    assert "可能已过期" not in figure_on_guide(guide, "avg_wage")


def figure_on_guide(html: str, key: str) -> str:
    """What the region guide's list of figures reads for one figure."""
    found = re.search(rf'<div class="figure" id="figure-{key}">(.*?)</div>', html, re.S)
    assert found, f"{key} is not on the guide"
    return text_of(found.group(1))


# --------------------------------------------------------------------------------------------
# 7. Public change history on the region guide


def test_it_shows_the_old_and_the_current_figure_together_under_changes(client, national, city):
    make_policy_entry(
        city,
        "resident_fee",
        "380",
        effective_from=D(2024, 1, 1),
        effective_to=D(2024, 12, 31),
        source_title="2024年度通知",
    )
    make_policy_entry(city, "resident_fee", "400", effective_from=D(2025, 1, 1), source_title="2025年度通知")

    changes = section(client.get("/nanchang/"), "changes")

    assert squash(
        "城乡居民医保个人缴费标准：2025年1月1日起 400 元/年，此前（2024年1月1日–2024年12月31日）380 元/年，来源：2024年度通知"
    ) in squash(changes)


# --------------------------------------------------------------------------------------------
# 8. Spreadsheet import and export

HEADER = [
    "region",
    "key",
    "value",
    "effective_from",
    "effective_to",
    "source_title",
    "source_issuer",
    "source_url",
    "verified_on",
    "status",
    "note",
]


def figure_row(**fields) -> dict[str, str]:
    row = {
        "region": "nanchang",
        "key": "avg_wage",
        "value": "8000",
        "effective_from": "2027-01-01",
        "effective_to": "",
        "source_title": "南昌2027年缴费通知",
        "source_issuer": "南昌市医疗保障局",
        "source_url": "",
        "verified_on": "2026-11-20",
        "status": "verified",
        "note": "",
    }
    return {**row, **fields}


def csv_file(rows: list[dict[str, str]], name: str = "figures.csv") -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    upload = io.BytesIO(out.getvalue().encode("utf-8"))
    upload.name = name
    return upload


def xlsx_file(rows: list[dict]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row[h] for h in HEADER])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "figures.xlsx"
    return upload


def import_format(client, title: str) -> str:
    """The value of a format in the import form's select, found by its visible name."""
    page = client.get("/admin/guides/policyentry/import/")
    assert page.status_code == 200
    options = select_options(page.content.decode(), "format")
    (value,) = [v for text, v in options.items() if text.lower() == title]
    return value


def csv_format(client) -> str:
    response = client.get("/admin/guides/policyentry/import/")
    if response.status_code != 200:
        return "0"
    return import_format(client, "csv")


def upload(client, file, fmt: str):
    response = client.post(
        "/admin/guides/policyentry/import/", {"import_file": file, "format": import_format(client, fmt)}
    )
    assert response.status_code == 200
    return response


def confirm(client, response):
    """Press 确认导入 on the confirm page: POST its hidden form to where it points."""
    html = response.content.decode()
    action = form_action(html, "import_file_name")
    assert action == "/admin/guides/policyentry/process_import/"
    return client.post(action, read_form(html, "import_file_name"), follow=True)


def test_it_imports_a_valid_csv_after_confirmation_with_history(client, reviewer, world):
    client.force_login(reviewer)
    rows = [figure_row(), figure_row(key="resident_fee", value="1,050")]

    preview = upload(client, csv_file(rows), "csv")

    assert 'name="import_file_name"' in preview.content.decode()
    assert not PolicyEntry.objects.filter(effective_from=D(2027, 1, 1)).exists()
    done = confirm(client, preview)
    assert done.status_code == 200
    imported = PolicyEntry.objects.filter(region=world.city, effective_from=D(2027, 1, 1)).order_by("key")
    assert [(e.key, e.value, e.status) for e in imported] == [
        ("avg_wage", "8000", PolicyEntry.VERIFIED),
        ("resident_fee", "1050", PolicyEntry.VERIFIED),
    ]
    for entry in imported:
        (record,) = entry.history.all()
        assert (record.history_type, record.history_user) == ("+", reviewer)


@pytest.mark.parametrize(
    "bad_row, message",
    [
        (figure_row(key="employee_employer_rate", value="250"), "职工医保单位缴费比例：数值不能大于 20。"),
        (figure_row(region="shanghai"), "没有网址名为“shanghai”的地区"),
        (figure_row(key="no_such_key"), "没有名为“no_such_key”的数据项"),
    ],
    ids=["value-out-of-bounds", "unknown-region", "unknown-key"],
)
def test_it_shows_a_bad_rows_error_in_chinese_and_imports_nothing(client, reviewer, world, bad_row, message):
    client.force_login(reviewer)
    before = snapshot()

    response = upload(client, csv_file([figure_row(), bad_row]), "csv")

    assert message in text_of(response.content.decode())
    assert 'name="import_file_name"' not in response.content.decode()
    assert snapshot() == before
    assert not PolicyEntry.history.filter(key="avg_wage").exists()


def test_it_imports_an_xlsx_file(client, reviewer, world):
    client.force_login(reviewer)
    rows = [
        figure_row(key="resident_fee", value=410, effective_from=D(2027, 1, 1), verified_on=D(2026, 11, 20)),
        figure_row(key="avg_wage", value=8123.5, effective_from=D(2027, 1, 1), verified_on=D(2026, 11, 20)),
    ]

    confirm(client, upload(client, xlsx_file(rows), "xlsx"))

    imported = PolicyEntry.objects.filter(region=world.city, effective_from=D(2027, 1, 1)).order_by("key")
    assert [(e.key, e.value, e.verified_on) for e in imported] == [
        ("avg_wage", "8123.5", D(2026, 11, 20)),
        ("resident_fee", "410", D(2026, 11, 20)),
    ]


def test_it_exports_figures_as_csv_with_region_slug_and_key(client, reviewer, world):
    client.force_login(reviewer)
    page = client.get("/admin/guides/policyentry/export/")
    assert page.status_code == 200
    values = read_form(page.content.decode(), "format")
    options = select_options(page.content.decode(), "format")
    values["format"] = [v for text, v in options.items() if text.lower() == "csv"]

    response = client.post("/admin/guides/policyentry/export/", values)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {(r["地区"], r["数据项"], r["数值"]) for r in rows} == {  # Chinese headers (test_admin_spreadsheets)
        ("national", "resident_fee", "400"),
        ("nanchang", "flexible_rate", "6.8"),
    }


# --------------------------------------------------------------------------------------------
# 9. Comfortable editing: live Markdown preview and figure tokens


def test_it_previews_markdown_with_the_regions_live_figure(client, reviewer, world):
    client.force_login(reviewer)

    response = client.post(
        "/admin/guides/article/markdown-preview/",
        {"body": "每年 {{ resident_fee }}\n\n<script>alert(1)</script>", "region": world.city.pk},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert reads(response, "每年 400 元/年")
    assert reads(response, "按“南昌”的现行数据显示")
    assert "<script" not in html
    assert "不存在的数据项" not in html


def test_it_warns_about_an_unknown_token_in_the_preview(client, editor, world):
    client.force_login(editor)

    response = client.post(
        "/admin/guides/article/markdown-preview/", {"body": "每年 {{ no_such_key }}", "region": world.city.pk}
    )

    assert response.status_code == 200
    assert reads(response, "不存在的数据项：no_such_key。保存时会被拒绝")


def test_it_lists_the_figure_tokens_on_the_article_form(client, editor, world):
    client.force_login(editor)

    page = client.get(change_url(world.draft))

    html = page.content.decode()
    assert 'data-token="{{ resident_fee }}"' in html
    assert reads(page, "{{ resident_fee }} 城乡居民医保个人缴费标准")
    assert 'id="md-preview"' in html and 'hx-post="/admin/guides/article/markdown-preview/"' in html


def test_it_refuses_to_save_an_article_with_an_unknown_token(client, editor, world):
    client.force_login(editor)
    url = change_url(world.draft)

    response = save(client, url, open_form(client, url), body="每年 {{ no_such_key }}。")

    assert response.status_code == 200
    assert "正文里有不存在的数据项：no_such_key。请从数据项列表中选择。" in errors_of(response)
    assert Article.objects.get(pk=world.draft.pk).body == "## 说明\n\n正文。"


# --------------------------------------------------------------------------------------------
# 10. The admin reads in Chinese


def test_it_shows_the_admin_in_chinese(client, editor, world):
    client.force_login(editor)
    assert settings.LANGUAGE_CODE == "zh-hans"

    index = client.get("/admin/")
    changelist = client.get("/admin/guides/article/")
    form = client.get(change_url(world.draft))

    assert '<html lang="zh-hans"' in index.content.decode()
    for text in ("医保办事指南 · 内容管理", "问答文章", "政策数据", "地区", "增加", "修改", "注销"):
        assert reads(index, text), text
    for text in ("选择 问答文章 来修改", "增加 问答文章", "编辑写的草稿？", "草稿", "已发布"):
        assert reads(changelist, text), text
    for text in ("修改 问答文章", "问题", "网址名", "简短回答", "正文实时预览", "保存", "历史", "预览（手机和电脑）"):
        assert reads(form, text), text


# --------------------------------------------------------------------------------------------
# Reverting on a database with row locks (PostgreSQL in production and CI)


def restore_staff_groups() -> None:
    """Run migration 0002's data step again when an earlier transactional test flushed its groups.

    Every transactional test ends by emptying all tables; Django re-creates permissions after
    that, but not rows made by data migrations.
    """
    if Group.objects.filter(name__in=["编辑", "审核"]).count() == 2:
        return
    migration = importlib.import_module("guides.migrations.0002_staff_groups")
    state = MigrationLoader(connection).project_state(("guides", "0002_staff_groups"))
    migration.create_groups(state.apps, None)


@pytest.fixture
def row_locks(transactional_db, monkeypatch):
    """SQLite with PostgreSQL's rule for SELECT … FOR UPDATE: allowed only inside a transaction.

    The suite runs on SQLite, which ignores row locks. Here Django believes the database has them
    (so it refuses a locking query outside a transaction, exactly as on PostgreSQL) while the
    SQL sent to SQLite stays plain.
    """
    restore_staff_groups()
    monkeypatch.setattr(connection.features, "has_select_for_update", True)
    monkeypatch.setattr(connection.ops, "for_update_sql", lambda **kwargs: "")


def test_it_saves_an_article_on_a_database_with_row_locks(client, row_locks):
    world = World()
    client.force_login(staff("审核", "laoli"))
    url = change_url(world.published)

    assert saved(save(client, url, open_form(client, url), short_answer="加锁保存的回答。"))

    assert Article.objects.get(pk=world.published.pk).short_answer == "加锁保存的回答。"


@pytest.mark.parametrize("kind", ["revert-article", "restore-deleted-figure"])
def test_it_reverts_and_restores_on_a_database_with_row_locks(client, row_locks, kind):
    world = World()
    client.force_login(staff("审核", "laoli"))
    if kind == "revert-article":
        obj = world.published
        url = change_url(obj)
        assert saved(save(client, url, open_form(client, url), short_answer="新的回答。"))
        record = obj.history.earliest()
    else:
        obj = world.verified
        delete_through_admin(client, obj)
        record = PolicyEntry.history.filter(id=obj.pk).latest()
    url = f"/admin/guides/{obj._meta.model_name}/{obj.pk}/history/{record.history_id}/"

    response = save(client, url, open_form(client, url))

    assert saved(response)
    restored = type(obj).objects.get(pk=obj.pk)
    assert str(restored) == str(obj)
    if kind == "revert-article":
        assert restored.short_answer == "发布的回答。"
