"""The two roles in the admin: what an 编辑 and a 审核 may each do, what an anonymous visitor may not, and
the editor's changes to published content that wait for a 审核.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from guides.models import Article, PendingChange, PolicyEntry
from tests.admin_forms import (
    BOARD,
    IMPORT,
    World,
    article_values,
    change_url,
    confirm,
    csv_file,
    figure_row,
    figure_values,
    format_value,
    open_form,
    save,
    saved,
)
from tests.factories import logged_in
from tests.factories import make_staff as staff
from tests.reading import read_form, reads

TODAY = timezone.localdate


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


def csv_format(client) -> str:
    response = client.get("/admin/guides/policyentry/import/")
    if response.status_code != 200:
        return "0"
    return format_value(client, IMPORT, "csv")


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
    ("get", BOARD),
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


def revert_from_history(client, obj, **changes):
    """Open the latest revision of `obj` from its history page and save it with `changes`."""
    record = obj.history.latest()
    url = f"/admin/guides/{obj._meta.model_name}/{obj.pk}/history/{record.history_id}/"
    return save(client, url, open_form(client, url), **changes)


def test_it_keeps_an_editors_revert_of_a_published_article_as_a_pending_change(client, editor, world):
    """An editor may revert a published article from its history: the revert waits for a 审核."""
    revert_from_history(logged_in(editor), world.published, short_answer="编辑从历史页改的回答。")

    stored = Article.objects.get(pk=world.published.pk)
    assert (stored.short_answer, stored.status) == ("发布的回答。", Article.PUBLISHED)
    assert PendingChange.for_object(stored).data["short_answer"] == "编辑从历史页改的回答。"
    assert client.get("/nanchang/yifabu/").status_code == 200


def test_it_keeps_an_editors_revert_of_a_verified_figure_as_a_pending_change(client, editor, world):
    revert_from_history(logged_in(editor), world.verified, value="999")

    stored = PolicyEntry.objects.get(pk=world.verified.pk)
    assert (stored.value, stored.status) == ("400", PolicyEntry.VERIFIED)
    assert PendingChange.for_object(stored).data["value"] == "999"
