"""The two search screens in the admin: synonyms staff keep, and what citizens searched for in vain."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from guides.models import SearchMiss, SearchSynonym
from tests.factories import logged_in, make_staff

MISSES = "/admin/guides/searchmiss/"
SYNONYMS = "/admin/guides/searchsynonym/"


@pytest.fixture
def reviewer(db) -> Client:
    return logged_in(make_staff("审核", "laoli"))


@pytest.fixture
def editor(db) -> Client:
    return logged_in(make_staff("编辑", "xiaowang"))


@pytest.fixture
def misses(db) -> dict[str, SearchMiss]:
    now = timezone.now()
    rows = [("医保卡丢了", 12, now), ("火星移民", 3, now - datetime.timedelta(days=40)), ("异地生孩子", 7, now)]
    return {q: SearchMiss.objects.create(query=q, count=n, last_seen=seen) for q, n, seen in rows}


def listed_queries(html: str) -> list[str]:
    return re.findall(r'<th class="field-query"><a href="[^"]+">([^<]+)</a></th>', html)


def test_a_reviewer_sees_the_misses_most_asked_first_with_their_counts(reviewer, misses):
    response = reviewer.get(MISSES)
    html = response.content.decode()

    assert response.status_code == 200
    assert "没搜到的词" in html
    assert listed_queries(html) == ["医保卡丢了", "异地生孩子", "火星移民"]
    assert re.search(r'<td class="field-count">12</td>', html)
    assert re.search(r'<td class="field-count">3</td>', html)


def test_each_miss_links_to_the_same_search_on_the_site(reviewer, misses):
    html = reviewer.get(MISSES).content.decode()
    assert (
        '<a href="/search/?q=%E5%8C%BB%E4%BF%9D%E5%8D%A1%E4%B8%A2%E4%BA%86" target="_blank" rel="noopener">现在搜一下</a>'
        in html
    )


def test_misses_filter_by_handled_and_by_last_seen(reviewer, misses):
    misses["火星移民"].handled = True
    misses["火星移民"].save()

    open_ones = reviewer.get(MISSES, {"handled__exact": "0"}).content.decode()
    assert listed_queries(open_ones) == ["医保卡丢了", "异地生孩子"]

    page = reviewer.get(MISSES).content.decode()
    week = re.search(r'<a href="\?([^"]+)"[^>]*>过去7天</a>', page)  # the date filter, in Chinese
    recent = reviewer.get(f"{MISSES}?{week.group(1).replace('&amp;', '&')}").content.decode()
    assert listed_queries(recent) == ["医保卡丢了", "异地生孩子"]


def test_the_mark_handled_action_marks_the_chosen_misses(reviewer, misses):
    chosen = [misses["医保卡丢了"].pk, misses["火星移民"].pk]

    response = reviewer.post(MISSES, {"action": "mark_handled", "_selected_action": chosen}, follow=True)

    assert response.status_code == 200
    assert "已把 2 个搜索词标记为已处理。" in response.content.decode()
    assert set(SearchMiss.objects.filter(handled=True).values_list("query", flat=True)) == {"医保卡丢了", "火星移民"}
    assert SearchMiss.objects.get(query="异地生孩子").handled is False


def test_the_action_is_offered_in_chinese(reviewer, misses):
    html = reviewer.get(MISSES).content.decode()
    assert '<option value="mark_handled">标记为已处理</option>' in html


def test_an_editor_may_mark_misses_handled_too(editor, misses):
    editor.post(MISSES, {"action": "mark_handled", "_selected_action": [misses["火星移民"].pk]})
    assert SearchMiss.objects.get(query="火星移民").handled is True


def test_misses_cannot_be_added_or_their_counts_edited_by_hand(reviewer, misses):
    assert reviewer.get(MISSES + "add/").status_code == 403
    assert f'href="{MISSES}add/"' not in reviewer.get(MISSES).content.decode()

    miss = misses["医保卡丢了"]
    reviewer.post(f"{MISSES}{miss.pk}/change/", {"query": "改过的", "count": "1", "handled": "on"})
    miss.refresh_from_db()
    assert (miss.query, miss.count, miss.handled) == ("医保卡丢了", 12, True)


def test_synonyms_are_listed_searched_and_edited(reviewer, db):
    SearchSynonym.objects.create(words="断缴 断交 断保", note="断缴常被写成“断交”。")
    SearchSynonym.objects.create(words="补缴 补交", note="")

    listed = reviewer.get(SYNONYMS, {"q": "断交"}).content.decode()
    assert "断缴 断交 断保" in listed and "断缴常被写成“断交”。" in listed
    assert "补缴 补交" not in listed

    response = reviewer.post(SYNONYMS + "add/", {"words": "等待期、等多久  等待期", "note": ""})
    assert response.status_code == 302
    assert SearchSynonym.objects.filter(words="等待期 等多久").exists()


def test_a_synonym_needs_two_words(reviewer, db):
    response = reviewer.post(SYNONYMS + "add/", {"words": "断缴", "note": ""})
    assert response.status_code == 200
    assert "至少填两个词" in response.content.decode()
