"""Revisions in the admin: who changed what on every save, comparing two revisions, reverting to an old
one, and restoring a deleted item from the content board; also on a database with row locks.
"""

from __future__ import annotations

import pytest
from django.db import connection

from guides.models import Article, PolicyEntry
from tests.admin_forms import (
    BOARD,
    World,
    article_values,
    board_group,
    change_url,
    delete_through_admin,
    open_form,
    save,
    saved,
)
from tests.factories import make_article
from tests.factories import make_staff as staff
from tests.reading import read_form, reads, text_of


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


@pytest.mark.parametrize("kind", ["article", "figure"])
def test_it_lists_a_deleted_item_on_the_freshness_board_and_restores_it(client, reviewer, city, fee, kind):
    obj = make_article(city, title="要删掉的问题？", slug="shandiao") if kind == "article" else fee
    model, name, pk = type(obj), str(obj), obj.pk
    client.force_login(reviewer)
    delete_through_admin(client, obj)
    assert not model.objects.filter(pk=pk).exists()

    board = client.get(BOARD)
    deleted = board_group(board, "可以恢复的已删除内容")
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
    assert "没有。" in board_group(client.get(BOARD), "可以恢复的已删除内容")


@pytest.fixture
def row_locks(transactional_db, monkeypatch):
    """SQLite with PostgreSQL's rule for SELECT … FOR UPDATE: allowed only inside a transaction.

    The suite runs on SQLite, which ignores row locks. Here Django believes the database has them
    (so it refuses a locking query outside a transaction, exactly as on PostgreSQL) while the
    SQL sent to SQLite stays plain.
    """
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
