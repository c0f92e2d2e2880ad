"""No lost updates: a save from a form opened before someone else's save is refused, keeps what was typed
and shows who changed what; saving again after reading it is a deliberate overwrite.
"""

from __future__ import annotations

import pytest

from guides.models import Article, PolicyEntry
from tests.admin_forms import (
    World,
    change_url,
    conflict_box,
    errors_of,
    open_form,
    save,
    save_after_someone_else,
    saved,
)
from tests.factories import logged_in
from tests.factories import make_staff as staff
from tests.reading import read_form


@pytest.fixture
def world(db) -> World:
    return World()


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
    conflict = conflict_box(refused)
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
    url = change_url(world.verified)

    _, refused = save_after_someone_else(url, reviewer, staff("审核", "xiaozhao"), {"value": "420"}, {"value": "450"})

    assert refused.status_code == 200
    assert "没有保存" in errors_of(refused)
    conflict = conflict_box(refused)
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
