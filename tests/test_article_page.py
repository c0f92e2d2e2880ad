"""A Q&A article as a citizen reads it: the question, the short answer first, the body with live figures
and their numbered sources, related questions and breadcrumbs; and nothing staff type can run.

Most tests build a small world with the factories; those reading a real answer use the demo content.
"""

from __future__ import annotations

import datetime

import pytest

from guides.models import Article, PolicyEntry
from tests.factories import (
    make_article,
    make_fresh_entry,
    make_jiangxi,
    today,
    unsaved_article,
    validation_errors,
)
from tests.reading import Page, get, label

D = datetime.date
SITE = "https://yibao.example"  # SITE_URL in tests (conftest.py)


def assert_no_live_markup(page: Page) -> None:
    """Nothing staff typed can run in the reader's browser: only our own JSON-LD scripts."""
    for tag, attrs in page.elements:
        if tag == "script":  # our JSON-LD, or our own static script (htmx)
            assert (attrs.get("type") == "application/ld+json" and not attrs.get("src")) or attrs.get(
                "src", ""
            ).startswith("/static/"), attrs
        if tag == "form":  # only the site's own search box and feedback forms
            assert attrs.get("action") in {"/search/", "/feedback/"}, attrs
        assert tag not in {"iframe", "svg", "img", "object", "embed", "style"}, (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            assert name != "style", (tag, attrs)
            if name in {"href", "src", "action"}:
                assert not value.strip().lower().startswith(("javascript:", "data:")), (tag, attrs)


XSS_BODY = "\n\n".join(
    [
        "## 正常的小标题",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[点我领补贴](javascript:alert(1))",
        '<a href="javascript:alert(1)">另一个链接</a>',
        "<svg onload=alert(1)></svg>",
        '<iframe src="https://evil.example/"></iframe>',
        '<p style="position:fixed;top:0">假通知</p>',
        "[下载](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[缴费标准](https://ylbz.example.gov.cn/fee?amount={{ resident_fee }})",
        "每年交 {{ resident_fee }}。",
        "- 带身份证\n- 带社保卡",
        "**以当地答复为准。** 详见[国家医保局](https://www.nhsa.gov.cn/)。",
        "| 险种 | 金额 |\n|---|---|\n| 居民 | {{ resident_fee }} |",
    ]
)


def read_fee_article(client, body: str) -> Page:
    """The page of a 南昌 article with `body` (at /nanchang/fee/), 江西's resident fee being 400 元/年."""
    _, province, city = make_jiangxi()
    make_fresh_entry(province, "resident_fee", "400")
    make_article(city, "fee", body=body)
    return get(client, "/nanchang/fee/")


@pytest.mark.django_db
def test_it_sanitises_the_body_when_an_article_is_saved():
    _, province, city = make_jiangxi()

    article = make_article(city, "xss", body=XSS_BODY)

    html = Article.objects.get(pk=article.pk).body_html
    assert "<script" not in html
    assert "onerror" not in html and "onload" not in html
    assert "javascript:" not in html and "data:" not in html
    assert "<iframe" not in html and "<svg" not in html and "<img" not in html
    assert "style=" not in html
    assert "<h2>正常的小标题</h2>" in html
    assert "<li>带身份证</li>" in html
    assert "<strong>以当地答复为准。</strong>" in html
    assert "<table>" in html


@pytest.mark.django_db
def test_it_never_serves_the_payload_as_live_markup(client):
    _, province, city = make_jiangxi()
    make_fresh_entry(province, "resident_fee", "400")
    make_article(
        city,
        "xss",
        title='南昌</title><script>alert("t")</script>怎么补？',
        short_answer='<img src=x onerror=alert("s")>先给结论。',
        body=XSS_BODY,
    )

    page = get(client, "/nanchang/xss/")

    assert_no_live_markup(page)
    assert page.title.startswith('南昌</title><script>alert("t")</script>怎么补？')
    assert page.h1s == ['南昌</title><script>alert("t")</script>怎么补？']
    assert page.jsonld_of("FAQPage")["mainEntity"][0]["name"] == '南昌</title><script>alert("t")</script>怎么补？'
    assert "正常的小标题" in page.main
    assert "每年交 400 元/年" in page.main
    assert "| 居民 |" not in page.main  # the table rendered as a table
    figure_links = [a["href"] for a in page.attrs("a") if "ylbz.example.gov.cn" in a.get("href", "")]
    assert figure_links == ["https://ylbz.example.gov.cn/fee?amount={{ resident_fee }}"]


@pytest.mark.django_db
def test_it_shows_the_regions_current_figure_with_a_numbered_source(client):
    _, province, city = make_jiangxi()
    make_fresh_entry(
        province,
        "resident_fee",
        "400",
        source_title="赣医保发〔2025〕9号",
        source_issuer="江西省医疗保障局",
        verified_on=today() - datetime.timedelta(days=3),
    )
    make_article(city, "jumin-bujiao", body="居民医保每年交 {{ resident_fee }}，补一年交一年。")

    page = get(client, "/nanchang/jumin-bujiao/")

    assert "居民医保每年交 400 元/年[1]" in page.main
    assert page.attrs("a", href="#fig-1")
    assert page.attrs("li", id="fig-1")
    assert "本文数字的来源" in page.main
    day = today() - datetime.timedelta(days=3)
    assert (
        f"{label('resident_fee')}：400 元/年 （沿用江西省）。{today().year}年度 · 来源：赣医保发〔2025〕9号（江西省医疗保障局）"
        f" · 核实于 {day.year}年{day.month}月{day.day}日"
    ) in page.main
    assert "待核实" not in page.main
    assert "可能已过期" not in page.main


@pytest.mark.django_db
def test_it_numbers_each_figure_once_in_order(client):
    _, province, city = make_jiangxi()
    make_fresh_entry(province, "resident_fee", "400")
    make_fresh_entry(province, "resident_fee_student", "200")
    make_article(
        city, "fees", body="成人 {{ resident_fee }}，学生 {{ resident_fee_student }}，再说一次成人 {{ resident_fee }}。"
    )

    page = get(client, "/nanchang/fees/")

    assert page.reads("成人 400 元/年[1]，学生 200 元/年[2]，再说一次成人 400 元/年[1]。")
    sources = page.main[page.main.index("本文数字的来源") :]
    assert sources.index(f"{label('resident_fee')}：400 元/年") < sources.index(
        f"{label('resident_fee_student')}：200 元/年"
    )


@pytest.mark.django_db
def test_it_puts_no_stray_space_between_an_inline_figure_and_the_next_character(client):
    page = read_fee_article(client, "每年交 {{ resident_fee }}，补一年交一年。")

    assert "每年交 400 元/年[1]，补一年交一年。" in page.main, "a space appears before the full-width comma"


@pytest.mark.django_db
def test_it_marks_an_unverified_figure_as_to_be_confirmed(client):
    _, province, city = make_jiangxi()
    make_fresh_entry(province, "resident_fee", "400", status=PolicyEntry.UNVERIFIED)
    make_article(city, "fee", body="每年交 {{ resident_fee }}。")

    page = get(client, "/nanchang/fee/")

    assert page.reads("每年交 400 元/年[1]待核实。")
    assert page.main.count("待核实") == 2  # inline and in the source list


@pytest.mark.django_db
def test_it_marks_a_figure_not_checked_for_too_long_as_possibly_out_of_date(client, settings):
    settings.FIGURE_MAX_AGE_DAYS = 30
    _, province, city = make_jiangxi()
    make_fresh_entry(province, "resident_fee", "400", verified_on=today() - datetime.timedelta(days=31))
    make_fresh_entry(province, "resident_fee_student", "200", verified_on=today() - datetime.timedelta(days=30))
    make_article(city, "fee", body="成人 {{ resident_fee }}；学生 {{ resident_fee_student }}。")

    page = get(client, "/nanchang/fee/")

    assert page.reads("成人 400 元/年[1]可能已过期；学生 200 元/年[2]。")


@pytest.mark.django_db
def test_it_shows_a_changed_figure_without_re_saving_the_article(client):
    _, province, city = make_jiangxi()
    fee = make_fresh_entry(province, "resident_fee", "400")
    article = make_article(city, "fee", body="每年交 {{ resident_fee }}。")
    saved_html = article.body_html
    assert "每年交 400 元/年" in get(client, "/nanchang/fee/").main

    fee.value = "420"
    fee.full_clean()
    fee.save()

    assert "每年交 420 元/年" in get(client, "/nanchang/fee/").main
    assert Article.objects.get(pk=article.pk).body_html == saved_html


@pytest.mark.django_db
def test_it_shows_a_successor_figure_once_it_comes_into_force(client):
    _, province, city = make_jiangxi()
    make_fresh_entry(
        province,
        "contribution_due_day",
        "15",
        effective_from=D(2020, 1, 1),
        effective_to=today() - datetime.timedelta(days=1),
    )
    make_fresh_entry(province, "contribution_due_day", "20", effective_from=today())
    make_article(city, "fee", body="每月 {{ contribution_due_day }}前交。")

    assert "每月 20 日" in get(client, "/nanchang/fee/").main


@pytest.mark.django_db
def test_it_says_a_years_figure_used_for_a_later_year_may_be_out_of_date(client):
    _, province, city = make_jiangxi()
    last_year = today().year - 1
    make_fresh_entry(province, "resident_fee", "380", effective_from=D(last_year, 1, 1), verified_on=today())
    make_article(city, "fee", body="每年交 {{ resident_fee }}。")

    main = get(client, "/nanchang/fee/").main

    assert "可能已过期" in main
    assert f"这是{last_year}年度的标准，{today().year}年度的标准还没有录入" in main


@pytest.mark.django_db
def test_it_refuses_an_unknown_token_naming_the_key():
    _, _, city = make_jiangxi()
    article = unsaved_article(city, "每年交 {{ no_such_key }} 和 {{ resident_fee }}。", slug="typo")

    errors = validation_errors(article)

    assert errors["body"] == ["正文里有不存在的数据项：no_such_key。请从数据项列表中选择。"]


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["{{ resident-fee }}", "{{ 居民缴费标准 }}", "{{ resident fee }}"])
def test_it_refuses_a_token_that_can_never_be_replaced(token):
    # Anything written as {{ … }} that is not a registry key would reach citizens as raw braces.
    _, _, city = make_jiangxi()
    article = unsaved_article(city, f"每年交 {token}。", slug="typo")

    errors = validation_errors(article)

    assert "body" in errors and "不存在的数据项" in errors["body"][0]


@pytest.mark.django_db
def test_it_says_when_a_known_figure_has_no_local_value(client):
    _, _, city = make_jiangxi()
    make_article(city, "fee", body="学生每年交 {{ resident_fee_student }}。")

    page = get(client, "/nanchang/fee/")

    assert page.reads(f"学生每年交 （“{label('resident_fee_student')}”暂无当地数据）。")
    assert "本文数字的来源" not in page.main


@pytest.mark.django_db
def test_it_points_each_figure_reference_at_its_own_source_entry(client):
    # A missing figure before a present one must not shift the numbering: the inline [n]
    # and the n-th entry of the source list must name the same figure.
    _, province, city = make_jiangxi()
    make_fresh_entry(province, "resident_fee", "400", source_title="赣医保发〔2025〕9号")
    make_article(city, "fee", body="学生 {{ resident_fee_student }}；成人 {{ resident_fee }}。")

    page = get(client, "/nanchang/fee/")

    refs = [a["href"] for a in page.attrs("a") if a.get("href", "").startswith("#fig-")]
    ids = [li["id"] for li in page.attrs("li") if li.get("id", "").startswith("fig-")]
    assert ids == ["fig-1"]
    assert refs == ["#fig-1"], f"inline reference {refs} but source list items {ids}"
    assert "成人 400 元/年[1]" in page.main


@pytest.mark.django_db
def test_it_does_not_nest_a_figure_reference_inside_a_link(client):
    page = read_fee_article(client, "[每年交 {{ resident_fee }}，点这里看通知](https://ylbz.example.gov.cn/notice)")

    assert "每年交 400 元/年" in page.main
    assert page.nested_links == 0, "an <a> inside an <a> is invalid HTML and breaks the outer link"


@pytest.mark.django_db
def test_it_uses_the_national_figure_on_a_national_article(client):
    nation, province, _ = make_jiangxi()
    make_fresh_entry(nation, "resident_fee", "400", source_title="国家医保局通知")
    make_fresh_entry(province, "resident_fee", "420")
    make_article(nation, "fee", body="全国最低 {{ resident_fee }}。")

    page = get(client, "/wenda/fee/")

    assert "全国最低 400 元/年[1]" in page.main
    assert "来源：国家医保局通知" in page.main
    assert "沿用" not in page.main


# The demo content is put back once for the rest of this module (conftest's shared_demo), so the small
# worlds above come first.


@pytest.mark.django_db
def test_an_article_reads_question_first_then_short_answer_then_body(client, shared_demo):
    article = Article.objects.get(region__slug="nanchang", slug="bujiao-duoshao-qian")

    page = get(client, "/nanchang/bujiao-duoshao-qian/")

    assert page.h1s == ["南昌医保补缴要交多少钱？金额和滞纳金怎么算？"]
    assert page.title.startswith("南昌医保补缴要交多少钱？金额和滞纳金怎么算？")
    short = page.main.index("简短回答：" + article.short_answer)
    assert page.main.index(article.title) < short < page.main.index("职工医保怎么算")
    # Live figures inside the body, with their sources.
    assert "南昌单位交 6.8%[" in page.main
    assert "每年交 400 元/年[" in page.main
    assert "本文数字的来源" in page.main and "核实于 2026年11月1日" in page.main
    assert "待核实" in page.main
    assert "最近审核：2026年11月23日" in page.main
    assert "/topics/bujiao/" in page.hrefs


@pytest.mark.django_db
def test_an_article_links_related_questions_and_breadcrumbs(client, shared_demo):
    page = get(client, "/nanchang/bujiao-duoshao-qian/")

    related = page.main[page.main.index("相关问题") :]
    for slug in ["zhigong-yibao-bujiao", "linghuo-jiuye-bujiao", "bujiao-qudao-cailiao"]:
        other = Article.objects.get(region__slug="nanchang", slug=slug)
        assert other.title in related
        assert f"/nanchang/{slug}/" in page.hrefs
    crumbs = page.attrs("nav", **{"aria-label": "当前位置"})
    assert crumbs
    trail = page.html[page.html.index('aria-label="当前位置"') : page.html.index("</nav>", page.html.index("当前位置"))]
    assert (
        trail.index(">首页<") < trail.index(">江西省<") < trail.index(">南昌<") < trail.index("南昌医保补缴要交多少钱")
    )
    assert 'href="/jiangxi/"' in trail and 'href="/nanchang/"' in trail
    assert "/nanchang/calculator/" in page.hrefs


@pytest.mark.django_db
def test_a_national_article_is_at_wenda(client, shared_demo):
    page = get(client, "/wenda/zhuanyi-zenme-banli/")

    assert page.h1s == ["医保转移接续怎么办理？要带什么材料、多久能办完？"]
    assert "全国通用" in page.main
    assert "全国通用问答" in page.html  # breadcrumb
    assert "/calculator/" in page.hrefs
    assert "10 个工作日[" in page.main  # transfer_origin_days from the national figures
    assert page.canonical == f"{SITE}/wenda/zhuanyi-zenme-banli/"
