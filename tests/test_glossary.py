"""The glossary (/cihui/): every term with its other spellings and a plain explanation, and the first
use of a term in an article linking to it."""

from __future__ import annotations

import json
import re

import pytest

from guides.admin.glossary import GlossaryTermForm
from guides.management.commands.load_demo import DEMO_DIR
from guides.markdown import link_terms, render_markdown
from guides.models import GlossaryTerm, Region
from tests.factories import make_article, make_region
from tests.reading import parse, text_of

GLOSSARY = json.loads((DEMO_DIR / "glossary.json").read_text(encoding="utf-8"))

# The terms of domain.md's glossary table, as a citizen might look them up.
DOMAIN_TERMS = [
    "职工医保", "灵活就业人员", "城乡居民医保", "断缴", "断交", "断保", "停保", "补缴", "补交", "待遇等待期",
    "固定待遇等待期", "变动待遇等待期", "缴费基数", "社平工资", "统筹基金", "个人账户", "转移接续", "转出地",
    "转入地", "经办机构", "滞纳金", "集中参保期", "集中征缴期", "大病保险", "连续参保年限", "累计缴费年限",
]  # fmt: skip
MORE_TERMS = ["医保电子凭证", "参保凭证", "异地就医备案", "失业保险金", "代扣代缴", "参保年度", "资助参保", "免缴确认"]


def term_links(page: str) -> list[tuple[str, str]]:
    """(href, text) of every glossary link in an HTML fragment."""
    return re.findall(r'<a class="term" href="([^"]+)">([^<]+)</a>', page)


# --------------------------------------------------------------------------------------------
# The demo glossary


def all_words() -> set[str]:
    words = set()
    for row in GLOSSARY:
        words.add(row["term"])
        words.update(re.split(r"[\s、]+", row.get("aliases", "")))
    return words


@pytest.mark.parametrize("word", DOMAIN_TERMS + MORE_TERMS)
def test_the_demo_glossary_explains_each_term_a_citizen_meets(word):
    assert word in all_words()


@pytest.mark.parametrize("row", GLOSSARY, ids=lambda r: r["slug"])
def test_no_explanation_types_a_figure_in_digits(row):
    # Figures change; they live in PolicyEntry. An explanation says what a word means, never how much.
    assert not re.search(r"\d", row["explanation"]), row["explanation"]
    assert not re.search(r"\d", row["term"] + row.get("aliases", ""))


def test_the_digit_check_would_catch_a_typed_figure():
    assert re.search(r"\d", "断缴超过3个月要等待")
    assert re.search(r"\d", "每年交４００元")  # full-width digits are digits too


def test_demo_explanations_follow_the_corrected_rules():
    by_term = {row["term"]: row["explanation"] for row in GLOSSARY}
    # Residents have no personal account; employees do.
    assert "没有个人账户" in by_term["城乡居民医保"]
    assert "职工医保" in by_term["个人账户"] and "居民医保没有个人账户" in by_term["个人账户"]
    # The late fee of an employer's lapse is the employer's alone.
    assert "单位自己承担" in by_term["滞纳金"] and "不能转给职工" in by_term["滞纳金"]
    # A lapse never erases cumulative years; it restarts the continuous ones.
    assert "不会" in by_term["累计缴费年限"] and "从头算" in by_term["连续参保年限"]
    # The pooled fund does not move with a person.
    assert "不跟着走" in by_term["统筹基金"] or "留在原地" in by_term["转移接续"]


def test_demo_slugs_are_unique_and_explanations_short():
    slugs = [row["slug"] for row in GLOSSARY]
    assert len(slugs) == len(set(slugs))
    for row in GLOSSARY:
        assert len(re.findall(r"[。！？]", row["explanation"])) <= 3, row["term"]


@pytest.mark.django_db
def test_staff_cannot_save_an_explanation_with_digits():
    form = GlossaryTermForm(
        data={"term": "等待期", "slug": "dengdaiqi", "explanation": "断缴后要等 3 个月。", "order": 1, "aliases": ""}
    )

    assert not form.is_valid()
    assert "不要写具体数字" in form.errors["explanation"][0]


@pytest.mark.django_db
def test_staff_must_give_a_slug_because_chinese_cannot_make_one():
    form = GlossaryTermForm(data={"term": "等待期", "slug": "", "explanation": "暂时不能报销的那段时间。", "order": 1})

    assert not form.is_valid()
    assert "slug" in form.errors


# --------------------------------------------------------------------------------------------
# The page


@pytest.mark.django_db
def test_the_page_lists_every_term_with_its_anchor_in_order(client, shared_demo):
    response = client.get("/cihui/")
    page = response.content.decode()
    root = parse(page)

    assert response.status_code == 200
    assert len(list(root.iter("h1"))) == 1 and "<h1>医保词汇表</h1>" in page
    terms = list(GlossaryTerm.objects.order_by("order", "pk"))
    assert len(terms) >= 30
    assert [dt.attrs["id"] for dt in root.iter("dt") if dt.attrs.get("id")] == [t.slug for t in terms]
    for term in terms:
        assert f'href="#{term.slug}"' in page  # the jump list at the top
        assert term.explanation in text_of(page)


@pytest.mark.django_db
def test_the_page_shows_other_spellings(client, shared_demo):
    page = text_of(client.get("/cihui/").content.decode())

    assert "断缴 也写作：断交、断保、停保" in page
    assert "补缴 也写作：补交" in page
    assert "集中参保期 也写作：集中征缴期" in page


@pytest.mark.django_db
def test_the_page_has_title_description_canonical_and_breadcrumbs(client, shared_demo):
    page = client.get("/cihui/").content.decode()

    assert "<title>医保词汇表 · " in page
    assert re.search(r'<meta name="description" content="[^"]{20,}">', page)
    assert '<link rel="canonical" href="https://yibao.example/cihui/">' in page
    assert '"@type": "BreadcrumbList"' in page and '"name": "医保词汇表"' in page
    assert '<span aria-current="page">医保词汇表</span>' in page


@pytest.mark.django_db
def test_head_works_and_post_is_refused(client, shared_demo):
    assert client.head("/cihui/").status_code == 200
    assert client.post("/cihui/").status_code == 405


@pytest.mark.django_db
def test_the_page_reads_one_query_however_many_terms(client, shared_demo, django_assert_num_queries):
    with django_assert_num_queries(2):  # the terms, and the footer's national hotline
        client.get("/cihui/")
    for i in range(40):
        GlossaryTerm.objects.create(term=f"新词{i}", slug=f"xinci-{i}", explanation="说明。", order=1000 + i)

    with django_assert_num_queries(2):
        page = client.get("/cihui/").content.decode()
    assert 'id="xinci-39"' in page


@pytest.mark.django_db
def test_the_sitemap_lists_the_glossary(client, shared_demo):
    assert "https://yibao.example/cihui/" in client.get("/sitemap-pages.xml").content.decode()


@pytest.mark.django_db
def test_every_page_footer_links_to_the_glossary(client, shared_demo):
    assert 'href="/cihui/"' in client.get("/").content.decode()


# --------------------------------------------------------------------------------------------
# First use in an article


TERMS = [("断缴", "/cihui/#duanjiao"), ("断交", "/cihui/#duanjiao"), ("待遇等待期", "/cihui/#dengdaiqi")]
TERMS += [("等待期", "/cihui/#dengdaiqi"), ("固定待遇等待期", "/cihui/#guding")]


def test_the_first_use_of_a_term_links_once():
    page = link_terms(render_markdown("断交了怎么办？断缴以后再断缴，断交也一样。"), TERMS)

    assert term_links(page) == [("/cihui/#duanjiao", "断交")]


def test_a_term_is_not_linked_inside_headings_links_or_code():
    source = "## 断缴了怎么办\n\n[断缴的影响](https://example.gov.cn/)\n\n`断缴` 和\n\n    断缴\n\n正文说断交。"
    page = link_terms(render_markdown(source), TERMS)

    assert term_links(page) == [("/cihui/#duanjiao", "断交")]
    assert "<h2>断缴了怎么办</h2>" in page
    assert "<code>断缴</code>" in page
    assert '<a href="https://example.gov.cn/" rel="noopener noreferrer">断缴的影响</a>' in page


def test_the_longest_term_wins():
    page = link_terms(render_markdown("固定待遇等待期之后还有待遇等待期，等待期。"), TERMS)

    assert term_links(page) == [("/cihui/#guding", "固定待遇等待期"), ("/cihui/#dengdaiqi", "待遇等待期")]


def test_a_term_inside_a_token_is_left_for_the_token():
    page = link_terms("<p>{{ case 断缴 }} 断缴</p>", TERMS)

    assert page == '<p>{{ case 断缴 }} <a class="term" href="/cihui/#duanjiao">断缴</a></p>'


def test_terms_are_escaped_and_attributes_untouched():
    page = link_terms('<p><a title="断缴" href="https://x.example/">链接</a>断缴</p>', [("断缴", '/cihui/#a"b')])

    assert '<a title="断缴" href="https://x.example/">链接</a>' in page
    assert 'href="/cihui/#a&quot;b"' in page


def small_world():
    """A city of its own and an empty glossary, whether or not this module's demo content is loaded."""
    GlossaryTerm.objects.all().delete()
    nation = make_region("gl-national", name="全国", kind=Region.NATIONAL)
    province = make_region("gl-province", name="某省", kind=Region.PROVINCE, parent=nation)
    return make_region("gl-city", name="某市", parent=province)


@pytest.mark.django_db
def test_an_article_links_the_first_use_of_each_term_to_the_glossary(client):
    city = small_world()
    GlossaryTerm.objects.create(term="断缴", slug="duanjiao", aliases="断交 断保 停保", explanation="没交。")
    GlossaryTerm.objects.create(term="补缴", slug="bujiao", aliases="补交", explanation="补上。")
    article = make_article(city, "x", body="## 断缴了\n\n先说断交。断缴以后要补交，补缴越早越好。\n\n[断缴](/a/)")

    page = client.get(article.get_absolute_url()).content.decode()
    body = page[page.index('<div class="body">') : page.index("</div>", page.index('<div class="body">'))]

    assert term_links(body) == [("/cihui/#duanjiao", "断交"), ("/cihui/#bujiao", "补交")]
    assert "<h2>断缴了</h2>" in body


@pytest.mark.django_db
def test_a_term_switched_off_is_not_linked(client):
    city = small_world()
    GlossaryTerm.objects.create(term="断缴", slug="duanjiao", explanation="没交。", link_in_articles=False)
    GlossaryTerm.objects.create(term="补缴", slug="bujiao", explanation="补上。")
    article = make_article(city, "x", body="断缴以后要补缴。")

    page = client.get(article.get_absolute_url()).content.decode()

    assert "/cihui/#duanjiao" not in page
    assert '<a class="term" href="/cihui/#bujiao">补缴</a>' in page


@pytest.mark.django_db
def test_a_term_is_not_linked_inside_the_figures_our_tokens_show(client):
    city = small_world()  # no figures at all: the token says which figure is missing, naming 社平工资
    GlossaryTerm.objects.create(term="社平工资", slug="sheping-gongzi", explanation="平均工资。")
    article = make_article(city, "x", body="基数下限看 {{ avg_wage }}。")

    page = client.get(article.get_absolute_url()).content.decode()

    assert "“社平工资（月）”暂无当地数据" in page
    assert "/cihui/#sheping-gongzi" not in page


@pytest.mark.django_db
def test_demo_articles_link_terms_and_never_inside_headings(client, shared_demo):
    page = client.get("/nanchang/bujiao-duoshao-qian/").content.decode()
    body = page[page.index('<div class="body">') :]
    body = body[: body.index('<p class="reviewed">')]

    links = term_links(body)
    assert ("/cihui/#bujiao", "补缴") in links
    assert len({href for href, _ in links}) == len(links)  # each term once
    for heading in re.findall(r"<h[1-4][^>]*>.*?</h[1-4]>", body, re.S):
        assert 'class="term"' not in heading
    for anchor in re.findall(r"<a [^>]*>(?:(?!</a>).)*</a>", body, re.S):
        assert anchor.count("<a ") == 1  # no link inside a link


@pytest.mark.django_db
def test_an_article_reads_the_same_queries_however_many_terms(client, shared_demo, django_assert_num_queries):
    url = "/nanchang/bujiao-duoshao-qian/"
    client.get(url)
    with django_assert_num_queries(5) as before:
        client.get(url)
    for i in range(60):
        GlossaryTerm.objects.create(term=f"新词{i}", slug=f"xinci-{i}", explanation="说明。", order=1000 + i)

    with django_assert_num_queries(len(before.captured_queries)):
        assert client.get(url).status_code == 200
