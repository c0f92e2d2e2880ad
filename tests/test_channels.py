"""Acting on the answer: service channels named by token in articles, every phone number a tel: link,
and channels with address, opening hours and a web link."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from guides.management.commands.load_demo import DEMO_DIR, parse_article
from guides.markdown import ANY_TOKEN_RE, link_phones, render_markdown, unknown_tokens
from guides.models import Article, GlossaryTerm, Region, ServiceChannel
from tests.factories import make_article, make_region, unsaved_article
from tests.reading import parse, text_of

ARTICLES = sorted((DEMO_DIR / "articles").glob("*/*.md"))

# Deliberately looser than the site's own pattern: anything that looks like a Chinese phone number.
LOOKS_LIKE_A_PHONE = re.compile(r"(?<![\d.,])(?:0\d{2,3}\s*[-－—]\s*\d{5,8}|123\d\d|1[3-9]\d{9})(?![\d.])")


def render(template: str, **context) -> str:
    return Template("{% load guides %}" + template).render(Context(context))


def unlinked_phones(page: str) -> tuple[list[str], int]:
    """Phone numbers in the visible body text that are not inside an <a href="tel:…">, and how many
    tel: links the page has."""
    root = parse(page)
    links = [a for a in root.iter("a") if a.attrs.get("href", "").startswith("tel:")]

    def skip(element) -> bool:
        return element.tag in ("script", "style") or element in links

    found = [n for body in root.iter("body") for text in body.strings(skip) for n in LOOKS_LIKE_A_PHONE.findall(text)]
    return found, len(links)


def footer_of(client, url: str) -> str:
    """The HTML of the page's footer."""
    page = client.get(url).content.decode()
    return page[page.index('<footer class="site-footer">') :]


def world():
    """全国 → 某省 → 甲市 and 乙市, each level with its own channels (no demo content)."""
    nation = make_region("ch-national", name="全国", kind=Region.NATIONAL)
    province = make_region("ch-province", name="某省", kind=Region.PROVINCE, parent=nation)
    city = make_region("ch-city", name="甲市", parent=province)
    other = make_region("ch-other", name="乙市", parent=province)
    channel = ServiceChannel.objects.create
    channel(region=nation, kind="hotline", key="yibao_hotline", name="12393 医保服务热线", detail="12393")
    channel(region=nation, kind="hotline", key="tax_hotline", name="12366 税务服务热线", detail="12366")
    channel(region=province, kind="app", key="province_app", name="某省智慧医保", url="https://app.example.gov.cn/")
    channel(region=city, kind="hotline", key="yibao_hotline", name="甲市医保服务热线", detail="0791-12393")
    channel(region=other, kind="office", key="city_only", name="乙市医保窗口")
    return nation, province, city, other


def body_of(client, article: Article) -> str:
    page = client.get(article.get_absolute_url()).content.decode()
    start = page.index('<div class="body">')
    return page[start : page.index("</div>", start)]


# --------------------------------------------------------------------------------------------
# Channel tokens


@pytest.mark.django_db
def test_a_channel_token_shows_the_citys_own_hotline_as_a_tel_link(client):
    _, _, city, _ = world()
    article = make_article(city, "x", body="拿不准就打{{ channel yibao_hotline }} 问。")

    body = body_of(client, article)

    assert '甲市医保服务热线 <a href="tel:079112393">0791-12393</a>' in body
    assert "12393 医保服务热线" not in body


@pytest.mark.django_db
def test_a_city_without_its_own_channel_falls_back_to_province_then_nation(client):
    _, _, _, other = world()
    article = make_article(
        other,
        "x",
        body="打当地区号加 {{ channel yibao_hotline }}，或用“{{ channel province_app }}”，扣款问 {{ channel tax_hotline }}。",
    )

    body = body_of(client, article)

    assert '<a href="tel:12393">12393</a> 医保服务热线' in body  # the number is said once, as a link
    assert '<a href="https://app.example.gov.cn/" rel="noopener">某省智慧医保</a>' in body
    assert '<a href="tel:12366">12366</a> 税务服务热线' in body
    assert "{{" not in body


@pytest.mark.django_db
def test_a_channel_token_inside_a_link_does_not_nest_links(client):
    _, _, city, _ = world()
    article = make_article(city, "x", body="[问{{ channel yibao_hotline }}](https://example.gov.cn/)")

    body = body_of(client, article)

    assert "甲市医保服务热线 0791-12393" in text_of(body)
    assert body.count("<a ") == 1


@pytest.mark.django_db
def test_changing_a_channel_number_changes_every_article(client):
    _, _, city, _ = world()
    article = make_article(city, "x", body="打{{ channel yibao_hotline }}。")
    ServiceChannel.objects.filter(region=city, key="yibao_hotline").update(detail="0791-88888888")

    body = body_of(client, article)

    assert '<a href="tel:079188888888">0791-88888888</a>' in body
    assert "12393" not in body


@pytest.mark.django_db
def test_an_unknown_channel_key_is_refused_on_save_with_its_name():
    _, _, city, _ = world()
    article = unsaved_article(city, "打{{ channel nope_hotline }}。")

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()

    message = excinfo.value.message_dict["body"][0]
    assert "正文里引用的办事渠道不存在：nope_hotline" in message


@pytest.mark.django_db
def test_a_key_of_another_city_is_refused_too():
    _, _, city, _ = world()  # city_only belongs to 乙市, not to 甲市's lineage
    article = unsaved_article(city, "去{{ channel city_only }}。")

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()

    assert "city_only" in excinfo.value.message_dict["body"][0]


@pytest.mark.django_db
def test_a_known_channel_key_is_accepted():
    _, _, city, _ = world()
    article = unsaved_article(city, "打{{ channel yibao_hotline }}，用{{ channel province_app }}。")

    article.full_clean()  # no error


def test_a_channel_token_is_not_an_unknown_figure():
    assert unknown_tokens("{{ channel yibao_hotline }} {{ resident_fee }} {{ resident-fee }}") == ["resident-fee"]


@pytest.mark.django_db
def test_the_admin_preview_renders_channel_tokens(admin_client):
    _, _, city, _ = world()

    response = admin_client.post(
        "/admin/guides/article/markdown-preview/", {"body": "打{{ channel yibao_hotline }}。", "region": city.pk}
    )

    assert response.status_code == 200
    assert 'href="tel:079112393"' in response.content.decode()


# --------------------------------------------------------------------------------------------
# tel_links


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("拨打 0791-12393 问", "tel:079112393"),
        ("打12393。", "tel:12393"),
        ("人社 12333，税务12366", "tel:12333"),
        ("政务热线 12345", "tel:12345"),
        ("手机 13800138000", "tel:13800138000"),
        ("贺州（0774-12393）", "tel:077412393"),
        ("座机 010-12345678", "tel:01012345678"),
    ],
)
def test_tel_links_makes_phone_numbers_tappable(text, href):
    assert f'href="{href}"' in render("{{ text|tel_links }}", text=text)


@pytest.mark.parametrize(
    "text",
    ["2026", "2026年", "2026-02-28", "1,148.40 元", "6525", "100000", "12345 元", "12393.50", "123456", "1012393"],
)
def test_tel_links_leaves_years_dates_and_amounts_alone(text):
    assert "<a" not in render("{{ text|tel_links }}", text=text)


def test_tel_links_escapes_the_text():
    out = render("{{ text|tel_links }}", text='<script>alert("x")</script> 12393')

    assert "<script>" not in out and "&lt;script&gt;" in out
    assert '<a href="tel:12393">12393</a>' in out


def test_typed_numbers_in_article_html_become_links_but_not_inside_links_or_tokens():
    page = link_phones(
        render_markdown("打 0791-12393，或 [12366](https://example.gov.cn/)。{{ case base=12345 show=x }}")
    )

    assert '<a href="tel:079112393">0791-12393</a>' in page
    assert '<a href="https://example.gov.cn/" rel="noopener noreferrer">12366</a>' in page
    assert "base=12345" in page and "tel:12345" not in page


@pytest.mark.django_db
def test_a_number_typed_by_staff_in_an_article_becomes_a_tel_link(client):
    _, _, city, _ = world()
    article = make_article(city, "x", body="也可以打 0791-86000000 问窗口。")

    assert '<a href="tel:079186000000">0791-86000000</a>' in body_of(client, article)


# --------------------------------------------------------------------------------------------
# No phone number anywhere that is not a link


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_demo_article_types_a_phone_number(path):
    meta, body = parse_article(path)
    text = ANY_TOKEN_RE.sub(" ", f"{meta['title']}\n{meta['short_answer']}\n{body}")

    assert not LOOKS_LIKE_A_PHONE.findall(text), f"use {{{{ channel … }}}} instead of typing a number: {path}"


def test_the_phone_check_would_catch_a_typed_number():
    assert LOOKS_LIKE_A_PHONE.findall("拨打 0791-12393，或12366，或 13800138000") == [
        "0791-12393",
        "12366",
        "13800138000",
    ]
    assert not LOOKS_LIKE_A_PHONE.findall("2026-02-28 交 1,148.40 元，社平工资 6525，上限 100000")


def demo_pages() -> list[str]:
    urls = ["/", "/cihui/", "/topics/", "/zhuanyi/?from=nanchang&to=hezhou&scheme=employee", "/search/?q=补缴"]
    urls += [r.get_absolute_url() for r in Region.objects.exclude(kind=Region.NATIONAL)]
    urls += [a.get_absolute_url() for a in Article.objects.published().select_related("region")]
    return urls


@pytest.mark.django_db
def test_every_phone_number_on_the_demo_site_is_a_tel_link(shared_demo, demo_site):
    checked = 0
    for url in demo_pages():
        assert demo_site[url].status == 200, url
        found, tel_links = unlinked_phones(demo_site[url].html)
        assert not found, f"{url}: {found}"
        assert tel_links >= 1, url  # at least the footer's hotline
        checked += 1
    assert checked >= 50


@pytest.mark.django_db
def test_the_unlinked_phone_check_would_catch_a_plain_number():
    assert unlinked_phones("<body><p>打 0791-12393</p></body>")[0] == ["0791-12393"]
    assert not unlinked_phones('<body><p>打 <a href="tel:079112393">0791-12393</a></p></body>')[0]


@pytest.mark.django_db
def test_demo_articles_name_their_own_citys_hotline(client, shared_demo):
    nanchang = client.get("/nanchang/jumin-dengdaiqi/").content.decode()
    hezhou = client.get("/hezhou/wangshang-bujiao/").content.decode()
    national = client.get("/wenda/yibao-dianhua-zixun/").content.decode()

    assert '南昌医保服务热线 <a href="tel:079112393">0791-12393</a>' in nanchang
    assert '贺州医保服务热线 <a href="tel:077412393">0774-12393</a>' in hezhou
    for number in ("12393", "12333", "12366"):
        assert f'<a href="tel:{number}">{number}</a>' in national


# --------------------------------------------------------------------------------------------
# Footer and region guide hotline


@pytest.mark.django_db
def test_the_footer_of_a_nanchang_article_shows_nanchangs_hotline(client, shared_demo):
    footer = footer_of(client, "/nanchang/bujiao-duoshao-qian/")

    assert '<a href="tel:079112393">0791-12393</a>' in footer
    assert "南昌医保服务热线" in text_of(footer)


@pytest.mark.django_db
def test_the_footer_of_a_national_article_shows_the_national_hotline(client, shared_demo):
    footer = footer_of(client, "/wenda/yibao-dianhua-zixun/")

    assert '<a href="tel:12393">12393</a>' in footer


@pytest.mark.django_db
def test_the_region_guide_names_the_medical_insurance_hotline_first(client):
    _, _, city, _ = world()
    ServiceChannel.objects.create(
        region=city, kind="hotline", key="renshe_hotline", name="人社热线", detail="12333", order=0
    )
    ServiceChannel.objects.filter(region=city, key="yibao_hotline").update(order=5)

    page = client.get(city.get_absolute_url()).content.decode()
    steps = page[page.index('id="next"') :]
    steps = steps[: steps.index("</ol>")]

    assert '或拨打 <a href="tel:079112393">0791-12393</a>' in steps
    assert "tel:079112393" in footer_of(client, city.get_absolute_url())


# --------------------------------------------------------------------------------------------
# Address, opening hours and web link


@pytest.mark.django_db
def test_a_channel_shows_its_address_hours_and_link(client):
    _, _, city, _ = world()
    ServiceChannel.objects.create(
        region=city,
        kind="office",
        key="office",
        name="甲市医保服务大厅",
        address="甲市人民路一号",
        hours="工作日 8:30–12:00，14:30–17:30",
        url="https://ybj.example.gov.cn/dating/",
    )

    page = client.get(city.get_absolute_url()).content.decode()
    channels = page[page.index('id="channels"') :]
    channels = channels[: channels.index("</ul>")]

    assert "地址：甲市人民路一号" in text_of(channels)
    assert "办公时间：工作日 8:30–12:00，14:30–17:30" in text_of(channels)
    assert '链接：<a href="https://ybj.example.gov.cn/dating/" rel="noopener">ybj.example.gov.cn</a>' in channels
    assert "请先打热线确认" not in text_of(channels)


@pytest.mark.django_db
def test_an_office_without_address_or_hours_says_to_call_first(client):
    _, _, city, _ = world()
    ServiceChannel.objects.create(region=city, kind="office", name="甲市医保窗口")

    channels = client.get(city.get_absolute_url()).content.decode()
    channels = text_of(channels[channels.index('id="channels"') :])

    assert "甲市医保窗口 地址和办公时间请先打热线确认。" in channels
    assert channels.count("请先打热线确认") == 1  # not for the hotline or the app


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>", "ftp://files.example.gov.cn/"]
)
def test_a_channel_link_that_is_not_http_is_never_rendered(client, url):
    _, province, city, _ = world()
    # Written straight to the database, past the form's URL validation.
    ServiceChannel.objects.create(region=city, kind="website", key="website", name="甲市网上大厅", url=url)
    article = make_article(city, "x", body="去{{ channel website }}办。")

    for page in (client.get(city.get_absolute_url()), client.get(article.get_absolute_url())):
        content = page.content.decode()
        assert "javascript:" not in content.lower()
        assert "data:text" not in content and "ftp://" not in content
        assert "甲市网上大厅" in content


@pytest.mark.django_db
def test_the_demo_channels_keep_their_notes_tappable(client, shared_demo):
    page = client.get("/jiangxi/").content.decode()

    # The national hotline's note names two cities' numbers.
    assert '<a href="tel:079112393">0791-12393</a>' in page
    assert '<a href="tel:077412393">0774-12393</a>' in page


# --------------------------------------------------------------------------------------------
# Admin


@pytest.mark.django_db
def test_staff_edit_a_channels_key_address_and_hours(admin_client):
    _, _, city, _ = world()
    channel = ServiceChannel.objects.get(region=city, key="yibao_hotline")

    change = admin_client.get(f"/admin/guides/servicechannel/{channel.pk}/change/").content.decode()
    region = admin_client.get(f"/admin/guides/region/{city.pk}/change/").content.decode()

    for name in ("key", "address", "hours", "url"):
        assert f'name="{name}"' in change
        assert f'name="channels-0-{name}"' in region


@pytest.mark.django_db
def test_staff_see_and_search_the_glossary(admin_client):
    GlossaryTerm.objects.all().delete()
    GlossaryTerm.objects.create(term="断缴", slug="duanjiao", aliases="断交 断保", explanation="没交。")

    listing = admin_client.get("/admin/guides/glossaryterm/?q=断交").content.decode()

    assert "断缴" in listing and "断交 断保" in listing
    assert admin_client.get("/admin/guides/glossaryterm/add/").status_code == 200
