"""The transfer page /zhuanyi/: 南昌 ⇄ 贺州 for each scheme with the demo content, the form's
validation, its queries, and the links to it from region guides and transfer articles."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from guides.models import PolicyEntry, Region, ServiceChannel

SCHEMES = {"employee": "职工医保", "flexible": "灵活就业人员医保", "resident": "城乡居民医保"}
PLACES = {"nanchang": "南昌", "hezhou": "贺州"}
HOTLINES = {"nanchang": "0791-12393", "hezhou": "0774-12393"}
CASES = [(a, b, s) for a, b in (("nanchang", "hezhou"), ("hezhou", "nanchang")) for s in SCHEMES]


def url(origin: str = "", destination: str = "", scheme: str = "", **extra) -> str:
    params = {"from": origin, "to": destination, "scheme": scheme, **extra}
    return "/zhuanyi/?" + "&".join(f"{k}={v}" for k, v in params.items())


def text(response) -> str:
    """What a citizen reads in <main>: tags dropped, entities decoded, spaces squeezed."""
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def in_force(slug: str, key: str) -> PolicyEntry:
    """The figure a region's page must show: the nearest one in force today, from the database."""
    region = Region.objects.select_related("parent__parent").get(slug=slug)
    return PolicyEntry.objects.for_region(region, timezone.localdate())[key]


def selected(response, name: str) -> str | None:
    """The value of the selected option of a <select>, or None."""
    page = response.content.decode()
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return found.group(1) if found else None


# ---------------------------------------------------------------- the answer, both ways, each scheme


@pytest.mark.parametrize(("origin", "destination", "scheme"), CASES, ids=[f"{a}-{b}-{s}" for a, b, s in CASES])
def test_it_answers_each_scheme_both_ways_between_nanchang_and_hezhou(client, shared_demo, origin, destination, scheme):
    response = client.get(url(origin, destination, scheme))
    shown = text(response)

    assert response.status_code == 200
    headline = f"从{PLACES[origin]}转到{PLACES[destination]}：{SCHEMES[scheme]}怎么转"
    assert re.search(rf"<h1>{headline} <span class=\"tag tag-warn\">待核实</span></h1>", response.content.decode())
    assert response.content.decode().count("<h1") == 1
    # The working days come from the database, each with its source and its 待核实 state.
    for key, side, office in (
        ("transfer_origin_days", origin, "转出地医保经办机构"),
        ("transfer_destination_days", destination, "转入地医保经办机构"),
    ):
        figure = in_force(side, key)
        assert f"{office}（{PLACES[side]}）：" in shown
        assert f"{figure.display_value}内办完" in shown
        assert f"{figure.display_value} 沿用全国 来源：{figure.source_title}（{figure.source_issuer}）" in shown
        assert figure.status == PolicyEntry.UNVERIFIED
    assert "录入于 2026年11月1日 · 待核实" in shown
    # Both places' hotlines are tappable.
    for slug in (origin, destination):
        number = HOTLINES[slug]
        assert f'<a href="tel:{number.replace("-", "")}">{number}</a>' in response.content.decode()
    # The papers, citing the transfer rules; local offices may ask for more (a common practice).
    for paper in ("身份证", "社保卡", "参保凭证"):
        assert paper in shown
    assert "依据：医保办发〔2021〕43号" in shown
    assert "还会要别的材料" in shown and "各地常见做法（待核实）" in shown
    assert "仅供参考，以当地医保部门为准。" in shown


@pytest.mark.parametrize("scheme", ["employee", "flexible"])
def test_an_employee_or_flexible_worker_reads_that_the_account_and_years_move_and_the_pool_stays(
    client, shared_demo, scheme
):
    shown = text(client.get(url("nanchang", "hezhou", scheme)))

    assert "个人账户余额：跟着医保关系从南昌转到贺州" in shown
    assert "缴费年限：带到贺州" in shown
    assert "统筹基金：交进统筹基金的钱留在南昌，不转。" in shown
    gap, wait = in_force("hezhou", "transfer_gap_months"), in_force("hezhou", "transfer_max_wait_months")
    assert f"转移前中断缴费不超过 {gap.display_value}：可以按贺州的规定补缴" in shown
    assert f"中断超过 {gap.display_value}：贺州可以设置待遇等待期，最长 {wait.display_value}" in shown
    assert f"核实于 {gap.verified_on.year}年{gap.verified_on.month}月{gap.verified_on.day}日" in shown


def test_a_resident_reads_there_is_no_account_and_enrols_for_next_cover_year(client, shared_demo):
    year = timezone.localdate().year
    shown = text(client.get(url("hezhou", "nanchang", "resident")))

    assert "居民医保没有个人账户，没有余额可转" in shown
    assert "个人账户余额：" not in shown
    assert f"到{year}年12月31日都在贺州享受待遇" in shown
    assert f"在南昌参加{year + 1}年度的居民医保" in shown
    # Jiangxi's figures hold no window for next year and no fee for it: said, never carried over.
    assert f"南昌{year + 1}年度的集中参保期本站还没有录入" in shown
    fee = in_force("nanchang", "resident_fee")
    assert f"{year + 1}年度的个人缴费标准本站还没有录入，{fee.year}年度是 {fee.display_value}" in shown
    assert f"这是{fee.year}年度的标准，{year + 1}年度的标准还没有录入。" in shown
    assert "本站还没有录入：集中参保期。" in shown


def test_inside_one_province_it_says_some_provinces_need_no_transfer_as_a_common_practice(client, shared_demo):
    shown = text(client.get(url("jiangxi", "nanchang", "employee")))

    assert "从江西省转到南昌：职工医保怎么转" in shown
    assert "有的省份省内换城市不用办转移接续" in shown
    assert "依据：各地常见做法（待核实）" in shown
    # The province's channels are shared by both ends: listed once, under 两地都能用.
    assert shown.count("手机应用 江西智慧医保") == 1


def test_between_provinces_there_is_no_same_province_note(client, shared_demo):
    assert "省内换城市" not in text(client.get(url("nanchang", "hezhou", "employee")))


def test_it_lists_each_places_channels_nearest_first_and_shared_ones_once(client, shared_demo):
    shown = text(client.get(url("nanchang", "hezhou", "employee")))

    origin, destination, shared = (shown.index(h) for h in ("南昌（转出地）", "贺州（转入地）", "两地都能用"))
    assert origin < shown.index("南昌医保服务热线") < shown.index("江西智慧医保") < destination
    assert destination < shown.index("贺州医保服务热线") < shown.index("广西医保") < shared
    assert shared < shown.index("国家医保服务平台", shared)
    assert shown.count("12333 人社服务热线") == 1


def test_the_switch_between_schemes_is_sent_to_the_estimator(client, shared_demo):
    response = client.get(url("nanchang", "hezhou", "flexible"))

    assert "换险种" in text(response)
    assert 'href="/hezhou/calculator/"' in response.content.decode()


def test_the_footer_names_the_destinations_hotline(client, shared_demo):
    page = client.get(url("nanchang", "hezhou", "employee")).content.decode()

    footer = page[page.index('<footer class="site-footer">') :]
    assert "0774-12393" in footer


# ---------------------------------------------------------------- title, canonical, robots, sitemap


def test_a_valid_answer_has_its_own_title_and_a_canonical_address_in_a_fixed_order(client, shared_demo):
    page = client.get("/zhuanyi/?scheme=resident&to=nanchang&from=hezhou").content.decode()

    assert "<title>从贺州转到南昌：城乡居民医保怎么转 · " in page
    assert (
        '<link rel="canonical" href="https://yibao.example/zhuanyi/?from=hezhou&amp;to=nanchang&amp;scheme=resident">'
        in page
    )
    assert 'name="robots"' not in page
    assert "贺州的城乡居民医保转到南昌" in re.search(r'<meta name="description" content="([^"]*)"', page).group(1)
    assert '"name": "从贺州转到南昌"' in page  # breadcrumb structured data


def test_the_empty_form_is_the_canonical_page(client, shared_demo):
    response = client.get("/zhuanyi/")
    page = response.content.decode()

    assert response.status_code == 200
    assert '<link rel="canonical" href="https://yibao.example/zhuanyi/">' in page
    assert "<h1>换城市了，医保怎么转？</h1>" in page
    assert 'class="error-summary"' not in page
    assert 'name="robots"' not in page
    # Provinces first, their cities once one is chosen (tests/test_transfer_places.py), every field labelled.
    assert '<option value="jiangxi">江西省</option>' in page
    assert '<option value="guangxi">广西壮族自治区</option>' in page
    assert 'value="nanchang"' not in page
    assert 'value="national"' not in page
    for name in ("from", "to", "scheme"):
        assert f'<label for="id_{name}">' in page


def test_the_sitemap_lists_the_transfer_page_without_parameters(client, shared_demo):
    page = client.get("/sitemap-pages.xml").content.decode()

    assert "<loc>https://yibao.example/zhuanyi/</loc>" in page
    assert "zhuanyi/?" not in page


# ---------------------------------------------------------------- validation


def test_a_link_with_only_the_origin_preselects_it_without_complaining(client, shared_demo):
    response = client.get("/zhuanyi/?from=nanchang")

    assert response.status_code == 200
    assert selected(response, "from") == "nanchang"
    assert 'class="error-summary"' not in response.content.decode()
    assert "怎么转" in text(response) and "要点" not in text(response)


def test_a_form_sent_with_empty_answers_asks_for_them(client, shared_demo):
    response = client.get(url("nanchang", "", ""))
    shown = text(response)

    assert response.status_code == 200
    assert "请选择转入地。" in shown and "请选择医保类型。" in shown
    assert "请选择转出地。" not in shown
    assert selected(response, "from") == "nanchang"
    assert '<meta name="robots" content="noindex, follow">' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message", "kept"),
    [
        (url("xiamen", "hezhou", "employee"), "from", "没有“xiamen”这个地区，请从列表中选择。", {"to": "hezhou", "scheme": "employee"}),
        (url("nanchang", "national", "flexible"), "to", "请选一个具体的省或城市，不能选“全国”。", {"from": "nanchang", "scheme": "flexible"}),
        (url("hezhou", "hezhou", "resident"), "to", "转出地和转入地是同一个地方，请选两个不同的地方。", {"from": "hezhou", "to": "hezhou", "scheme": "resident"}),
        (url("nanchang", "hezhou", "pension"), "scheme", "医保类型只能是职工医保、灵活就业人员医保或城乡居民医保。", {"from": "nanchang", "to": "hezhou"}),
    ],
    ids=["unknown-place", "national", "same-place", "bad-scheme"],
)  # fmt: skip
def test_an_invalid_value_is_explained_beside_its_field_and_the_rest_is_kept(
    client, shared_demo, query, field, message, kept
):
    response = client.get(query)
    page = response.content.decode()

    assert response.status_code == 400
    assert re.search(
        rf'<p class="error" id="err-{field}">{re.escape(html.escape(message, quote=False))}</p>',
        page.replace("&quot;", '"'),
    )
    assert f'aria-describedby="err-{field}"' in page
    for name, value in kept.items():
        assert selected(response, name) == value
    assert "要点" not in text(response)
    assert '<meta name="robots" content="noindex, follow">' in page
    assert '<link rel="canonical" href="https://yibao.example/zhuanyi/">' in page


def test_a_very_long_or_odd_value_never_breaks_the_page(client, shared_demo):
    response = client.get("/zhuanyi/", {"from": "<script>" + "x" * 5000, "to": "hezhou", "scheme": "employee"})

    assert response.status_code == 400
    assert "<script>x" not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["", "?from=nanchang", url("nanchang", "hezhou", "resident"), url("nanchang", "nanchang", "employee")]
)
def test_head_answers_like_get(client, shared_demo, query):
    got, head = (
        client.get("/zhuanyi/" + query.removeprefix("/zhuanyi/")),
        client.head("/zhuanyi/" + query.removeprefix("/zhuanyi/")),
    )

    assert head.status_code == got.status_code
    assert head.content == b""


def test_a_post_is_refused(client, shared_demo):
    assert client.post("/zhuanyi/").status_code == 405


# ---------------------------------------------------------------- queries


def add_places_and_content():
    """More provinces, cities, figures and channels: the page must not read more queries."""
    nation = Region.objects.get(kind=Region.NATIONAL)
    jiangxi = Region.objects.get(slug="jiangxi")
    for n in range(6):
        province = Region.objects.create(slug=f"sheng-{n}", name=f"省{n}", kind=Region.PROVINCE, parent=nation)
        Region.objects.create(slug=f"shi-{n}", name=f"市{n}", kind=Region.CITY, parent=province)
    jiujiang = Region.objects.create(slug="jiujiang", name="九江", kind=Region.CITY, parent=jiangxi)
    for region in Region.objects.exclude(kind=Region.NATIONAL):
        ServiceChannel.objects.create(region=region, kind="office", name=f"{region.name}新窗口")
        PolicyEntry.objects.create(
            region=region, key="transfer_origin_days", value="7", effective_from="2026-01-01",
            source_title="测试文件", verified_on="2026-11-01", status=PolicyEntry.VERIFIED, state=PolicyEntry.PUBLISHED,
        )  # fmt: skip
    return jiujiang


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        ("/zhuanyi/", 2),  # the provinces, and the national hotline in the footer
        # both places, the provinces with the chosen ones' cities, both lineages' figures, their channels
        (url("nanchang", "hezhou", "employee"), 4),
        (url("hezhou", "nanchang", "resident"), 4),
        (url("jiangxi", "nanchang", "flexible"), 4),
        (url("nanchang", "xiamen", "employee"), 3),
    ],
    ids=["empty", "nanchang-hezhou", "hezhou-nanchang", "same-province", "invalid"],
)
def test_it_reads_the_same_few_queries_however_much_content(
    client, shared_demo, django_assert_num_queries, query, queries
):
    with django_assert_num_queries(queries):
        client.get(query)

    add_places_and_content()

    with django_assert_num_queries(queries):
        response = client.get(query)
    assert response.status_code in (200, 400)
    if response.status_code == 200 and "scheme=" in query and "xiamen" not in query:
        assert "新窗口" in text(response)  # the extra content really is on the page


def test_a_citys_own_figure_replaces_the_national_one_on_the_page(client, shared_demo):
    add_places_and_content()

    shown = text(client.get(url("nanchang", "hezhou", "employee")))

    assert "转出地医保经办机构（南昌）： 受理后 7 个工作日内办完转出" in shown
    assert "7 个工作日 来源：测试文件 · 核实于 2026年11月1日" in shown


# ---------------------------------------------------------------- links to the page


def test_a_region_guide_links_to_the_transfer_page_from_its_city(client, shared_demo):
    page = client.get("/nanchang/").content.decode()

    assert '<a href="/zhuanyi/?from=nanchang">换城市了？看医保怎么转</a>' in page
    assert page.count("换城市了？看医保怎么转") == 1


def test_a_transfer_article_links_to_the_transfer_page_and_another_article_does_not(client, shared_demo):
    transfer = client.get("/hezhou/zhuanyi-banli/").content.decode()
    other = client.get("/hezhou/bujiao-jine-zenme-suan/").content.decode()
    national = client.get("/wenda/zhuanyi-zenme-banli/").content.decode()

    assert '<a href="/zhuanyi/?from=hezhou">换城市了？看医保怎么转</a>' in transfer
    assert transfer.count("换城市了？看医保怎么转") == 1
    assert "换城市了？看医保怎么转" not in other
    assert '<a href="/zhuanyi/">换城市了？看医保怎么转</a>' in national  # no city to start from


def test_the_link_from_a_guide_opens_the_form_with_that_city_chosen(client, shared_demo):
    page = client.get("/hezhou/").content.decode()
    link = html.unescape(re.search(r'<a href="(/zhuanyi/[^"]*)">换城市了', page).group(1))

    response = client.get(link)

    assert response.status_code == 200
    assert selected(response, "from") == "hezhou"
