"""Citizens' feedback as staff see it: the list with its filters, 已处理, the CSV export and the
count of reported wrong figures on the content board."""

from __future__ import annotations

import csv
import datetime
import io
import re
from html import unescape
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from guides.feedback import reported_errors
from guides.models import Article, Feedback, Region
from tests.factories import logged_in, make_article, make_region, make_staff
from tests.reading import text_of

CHANGELIST = "/admin/guides/feedback/"


@pytest.fixture
def editor(db) -> Client:
    return logged_in(make_staff("编辑"))


@pytest.fixture
def reviewer(db) -> Client:
    return logged_in(make_staff("审核"))


class World:
    def __init__(self) -> None:
        self.national = make_region("national", name="全国", kind=Region.NATIONAL)
        self.nanchang = make_region("nanchang", name="南昌", parent=self.national)
        self.hezhou = make_region("hezhou", name="贺州", parent=self.national)
        self.article = make_article(self.nanchang, "duanjiao", title="南昌医保断缴了怎么补缴？")
        self.other_article = make_article(self.hezhou, "bujiao", title="贺州医保怎么补缴？")

    def feedback(
        self, page: str, answer: str, comment: str = "", *, article=None, region=None, handled=False, days_ago=0
    ):
        row = Feedback.objects.create(
            page=page, answer=answer, comment=comment, article=article, region=region, handled=handled
        )
        if days_ago:
            Feedback.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
        return row


@pytest.fixture
def world(db) -> World:
    return World()


def listed(response) -> list[int]:
    """The ids of the feedback rows on a change list page."""
    return sorted(int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', response.content.decode()))


# --------------------------------------------------------------------------------------------
# The list


def test_staff_see_each_piece_of_feedback_with_its_page_and_an_excerpt(world, editor):
    row = world.feedback(
        "/nanchang/duanjiao/", "error", "滞纳金比例写错了，" * 10, article=world.article, region=world.nanchang
    )

    response = editor.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert listed(response) == [row.pk]
    assert '<a href="/nanchang/duanjiao/" target="_blank" rel="noopener">/nanchang/duanjiao/</a>' in html
    text = text_of(html)
    assert "报告数字有误" in text and "南昌医保断缴了怎么补缴？" in text and "南昌" in text
    assert "滞纳金比例写错了，" * 10 not in text  # only an excerpt in the list
    assert "滞纳金比例写错了，滞纳金比例写错了" in text


def test_staff_narrow_the_list_by_answer_handled_page_type_region_date_and_words(world, editor):
    error = world.feedback("/nanchang/duanjiao/", "error", "数字不对", article=world.article, region=world.nanchang)
    helpful = world.feedback("/nanchang/", "yes", region=world.nanchang)
    handled = world.feedback("/hezhou/", "no", "看不懂", region=world.hezhou, handled=True)
    estimate = world.feedback("/hezhou/calculator/?scheme=resident", "error", "等待期不对", region=world.hezhou)
    old = world.feedback("/nanchang/", "no", "去年的", region=world.nanchang, days_ago=40)

    assert listed(editor.get(CHANGELIST, {"answer__exact": "error"})) == sorted([error.pk, estimate.pk])
    assert listed(editor.get(CHANGELIST, {"handled__exact": "1"})) == [handled.pk]
    assert listed(editor.get(CHANGELIST, {"region__id__exact": world.hezhou.pk})) == sorted([handled.pk, estimate.pk])
    assert listed(editor.get(CHANGELIST, {"kind": "article"})) == [error.pk]
    assert listed(editor.get(CHANGELIST, {"kind": "estimate"})) == [estimate.pk]
    assert listed(editor.get(CHANGELIST, {"kind": "region"})) == sorted([helpful.pk, handled.pk, old.pk])
    page = editor.get(CHANGELIST).content.decode()
    past_week = re.search(r'<a href="([^"]*created_at__gte[^"]*)"[^>]*>\s*过去7天', page)
    assert past_week, "the date filter offers the past seven days"
    recent = editor.get(CHANGELIST + unescape(past_week.group(1)))
    assert old.pk not in listed(recent) and helpful.pk in listed(recent)
    assert listed(editor.get(CHANGELIST, {"q": "看不懂"})) == [handled.pk]
    assert listed(editor.get(CHANGELIST, {"q": "calculator"})) == [estimate.pk]


def test_an_editor_marks_feedback_handled(world, editor):
    first = world.feedback("/nanchang/", "no", "a", region=world.nanchang)
    second = world.feedback("/hezhou/", "no", "b", region=world.hezhou)

    response = editor.post(CHANGELIST, {"action": "mark_handled", "_selected_action": [str(first.pk)], "index": "0"})

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.handled is True
    assert second.handled is False
    assert "已把 1 条反馈标记为已处理。" in text_of(editor.get(CHANGELIST).content.decode())


def test_staff_change_only_handled_and_never_add_feedback(world, editor):
    row = world.feedback("/nanchang/", "no", "原话", region=world.nanchang)

    assert editor.get(CHANGELIST + "add/").status_code == 403
    form = editor.get(f"{CHANGELIST}{row.pk}/change/")
    assert form.status_code == 200
    assert 'name="handled"' in form.content.decode()
    assert 'name="comment"' not in form.content.decode() and 'name="page"' not in form.content.decode()

    response = editor.post(
        f"{CHANGELIST}{row.pk}/change/", {"handled": "on", "comment": "改过的话", "page": "/hezhou/", "_save": "保存"}
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.handled, row.comment, row.page) == (True, "原话", "/nanchang/")


def test_only_reviewers_delete_feedback(world, editor, reviewer):
    row = world.feedback("/nanchang/", "no", "广告", region=world.nanchang)

    assert editor.get(f"{CHANGELIST}{row.pk}/delete/").status_code == 403
    assert 'value="delete_selected"' not in editor.get(CHANGELIST).content.decode()
    assert 'value="delete_selected"' in reviewer.get(CHANGELIST).content.decode()

    response = reviewer.post(f"{CHANGELIST}{row.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Feedback.objects.exists()


# --------------------------------------------------------------------------------------------
# CSV export


def export(client, rows) -> tuple[object, list[list[str]]]:
    response = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [str(r.pk) for r in rows], "index": "0"}
    )
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(body[1:])))


def test_the_csv_export_opens_in_excel_with_chinese_headers_and_a_dated_name(world, editor):
    row = world.feedback(
        "/nanchang/duanjiao/", "error", "第二段，写的是“3 个月”", article=world.article, region=world.nanchang
    )

    response, rows = export(editor, [row])

    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = f"读者反馈-{timezone.localdate().isoformat()}.csv"
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert rows[0] == ["时间", "反馈", "页面", "文章", "地区", "留言", "已处理"]
    when = timezone.localtime(Feedback.objects.get().created_at).strftime("%Y-%m-%d %H:%M")
    assert rows[1] == [
        when,
        "报告数字有误",
        "/nanchang/duanjiao/",
        "南昌医保断缴了怎么补缴？",
        "南昌",
        "第二段，写的是“3 个月”",
        "否",
    ]
    assert len(rows) == 2


@pytest.mark.parametrize(
    "comment", ['=HYPERLINK("https://evil.example","点我")', "+86 12393", "-1+1", "@SUM(A1:A2)", "\t=1+1"]
)
def test_a_comment_that_looks_like_a_formula_is_exported_as_text(world, editor, comment):
    row = world.feedback("/nanchang/", "no", comment, region=world.nanchang)

    _, rows = export(editor, [row])

    assert rows[1][5] == "'" + comment


def test_the_export_has_only_the_chosen_rows_newest_first(world, editor):
    older = world.feedback("/nanchang/", "no", "旧的", region=world.nanchang, days_ago=3)
    newer = world.feedback("/hezhou/", "yes", "新的", region=world.hezhou)
    world.feedback("/hezhou/", "yes", "没选中", region=world.hezhou)

    _, rows = export(editor, [older, newer])

    assert [r[5] for r in rows[1:]] == ["新的", "旧的"]


# --------------------------------------------------------------------------------------------
# Content board


def board_box(client) -> str:
    html = client.get("/admin/guides/freshness/").content.decode()
    for chunk in html.split('<div class="module">')[1:]:
        if "读者报告的错误" in chunk.split("</h2>")[0]:
            return chunk
    raise AssertionError("no 读者报告的错误 box on the content board")


def test_the_content_board_counts_unhandled_wrong_figure_reports_per_page(world, editor):
    for _ in range(3):
        world.feedback("/nanchang/duanjiao/", "error", "数字不对", article=world.article, region=world.nanchang)
    world.feedback(
        "/nanchang/duanjiao/", "error", "已经改了", article=world.article, region=world.nanchang, handled=True
    )
    world.feedback("/nanchang/duanjiao/", "no", "不是报错", article=world.article, region=world.nanchang)
    world.feedback("/hezhou/calculator/?scheme=resident", "error", "等待期", region=world.hezhou)
    world.feedback("/hezhou/", "error", "热线号码", region=world.hezhou)

    box = board_box(editor)

    assert "读者报告的错误：3 个页面" in text_of(box)
    rows = [text_of(r) for r in re.findall(r"<tr><td>.*?</tr>", box, re.S)]
    assert rows[0].startswith("南昌医保断缴了怎么补缴？ 问答 3 ")
    assert any(r.startswith("贺州补缴估算 估算器 1 ") for r in rows)
    assert any(r.startswith("贺州医保指南 地区指南 1 ") for r in rows)


def test_each_count_on_the_board_links_to_exactly_those_reports(world, editor):
    reports = [
        world.feedback("/nanchang/duanjiao/", "error", "一", article=world.article, region=world.nanchang),
        world.feedback("/nanchang/duanjiao/", "error", "二", article=world.article, region=world.nanchang),
    ]
    world.feedback("/hezhou/bujiao/", "error", "别的问答", article=world.other_article, region=world.hezhou)
    world.feedback("/nanchang/", "error", "同城的指南", region=world.nanchang)
    world.feedback("/nanchang/duanjiao/", "error", "处理过", article=world.article, region=world.nanchang, handled=True)

    box = board_box(editor)
    link = re.search(r'<a href="([^"]+)">南昌医保断缴了怎么补缴？</a>', box).group(1)

    assert listed(editor.get(unescape(link))) == sorted(r.pk for r in reports)
    guide_link = re.search(r'<a href="([^"]+)">南昌医保指南</a>', box).group(1)
    assert [Feedback.objects.get(pk=pk).comment for pk in listed(editor.get(unescape(guide_link)))] == ["同城的指南"]


def test_reports_on_the_estimator_without_a_city_have_their_own_line_and_link(world, editor):
    report = world.feedback("/calculator/?scheme=flexible&lapse_months=4", "error", "没选城市也算错了")
    world.feedback("/nanchang/calculator/?scheme=resident", "error", "南昌的", region=world.nanchang)

    box = board_box(editor)
    link = re.search(r'<a href="([^"]+)">补缴估算（没有选城市）</a>', box).group(1)

    assert listed(editor.get(unescape(link))) == [report.pk]


def test_the_board_says_so_when_nothing_is_reported(world, editor):
    world.feedback("/nanchang/", "no", "不是报错", region=world.nanchang)

    assert "没有。" in text_of(board_box(editor))


def test_the_board_counts_reports_in_one_query_however_many_there_are(world, django_assert_num_queries):
    for i in range(30):
        article = make_article(world.nanchang, f"wenti-extra-{i}")
        world.feedback(article.get_absolute_url(), "error", "错", article=article, region=world.nanchang)
        world.feedback(f"/nanchang/calculator/?lapsed_years={i}", "error", "错", region=world.nanchang)

    with django_assert_num_queries(1):
        counted = list(reported_errors())

    assert len(counted) == 31
    assert sum(r["count"] for r in counted) == 60
    assert Article.objects.count() == 32
