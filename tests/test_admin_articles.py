"""Writing an article in the admin: the figure tokens listed beside the body, the live Markdown preview
with the region's figures, and an unknown token warned about and refused.
"""

from __future__ import annotations

import pytest

from guides.models import Article
from tests.admin_forms import (
    World,
    change_url,
    errors_of,
    open_form,
    save,
)
from tests.reading import reads


@pytest.fixture
def world(db) -> World:
    return World()


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
