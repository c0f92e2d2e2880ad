"""The transfer page's two places at national scale, each asked like the estimator's: a province, then
a city of it (never every city of the country in one list). Without JavaScript (a plain GET form),
with htmx (one place's city list swapped in), links that name only the cities, wrong combinations,
and the page's size and queries with many cities. The browser's side: tests/test_browser_transfer.py;
the answer itself: tests/test_transfer_page.py.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guides.models import Region
from tests.estimates import field_error
from tests.factories import make_region
from tests.reading import form_action, read_form, select_options, text_of

NANCHANG_TO_HEZHOU = {"from": "nanchang", "to": "hezhou", "scheme": "employee"}
JIANGXI = {"请选择城市": "", "南昌": "nanchang", "江西省其他地方": "jiangxi"}
GUANGXI = {"请选择城市": "", "贺州": "hezhou", "广西壮族自治区其他地方": "guangxi"}
PROVINCES = {"请选择省份": "", "江西省": "jiangxi", "广西壮族自治区": "guangxi"}
ASK_PROVINCE = {"请先选择省份": ""}


def add_cities(count: int, province: Region | None = None) -> Region:
    """`count` more cities under `province` (a new province by default)."""
    if province is None:
        province = make_region(kind=Region.PROVINCE, parent=Region.objects.get(slug="national"))
    for _ in range(count):
        make_region(parent=province)
    return province


def submit(client, html: str, **changes: str):
    """Send the transfer form as a browser without JavaScript would, with some answers changed."""
    values = read_form(html, "scheme")
    values.update({name: [value] for name, value in changes.items()})
    return client.get(form_action(html, "scheme"), values)


def selected(html: str, name: str) -> str:
    """The value a browser would send for the select `name`."""
    return read_form(html, "scheme")[name][0]


# ---------------------------------------------------------------- what the page lists


def test_the_blank_page_asks_for_two_provinces_first(client, shared_demo):
    content = client.get("/zhuanyi/").content.decode()

    for place in ("from", "to"):
        assert select_options(content, f"{place}_province") == PROVINCES
        assert select_options(content, place) == ASK_PROVINCE
    assert "<legend>从哪里转出（原来参保的地方）</legend>" in content
    assert "<legend>转到哪里（新的参保地）</legend>" in content
    for name, label in (
        ("from_province", "转出省份"),
        ("from", "转出城市"),
        ("to_province", "转入省份"),
        ("to", "转入城市"),
    ):
        assert f'<label for="id_{name}">{label}</label>' in content
        assert f'aria-describedby="err-{name}"' in content


def test_a_link_naming_only_the_cities_shows_their_provinces_chosen(client, shared_demo):
    content = client.get("/zhuanyi/", NANCHANG_TO_HEZHOU).content.decode()

    assert "从南昌转到贺州：职工医保怎么转" in text_of(content)
    assert select_options(content, "from") == JIANGXI
    assert select_options(content, "to") == GUANGXI
    assert [selected(content, n) for n in ("from_province", "from", "to_province", "to")] == [
        "jiangxi",
        "nanchang",
        "guangxi",
        "hezhou",
    ]


def test_a_guides_link_with_the_origin_alone_lists_its_provinces_cities_and_asks_nothing(client, shared_demo):
    response = client.get("/zhuanyi/?from=hezhou")
    content = response.content.decode()

    assert response.status_code == 200
    assert select_options(content, "from") == GUANGXI
    assert selected(content, "from_province") == "guangxi"
    assert select_options(content, "to") == ASK_PROVINCE
    assert 'class="error-summary"' not in content


def test_the_answers_address_stays_canonical_without_the_provinces(client, shared_demo):
    query = {"from_province": "jiangxi", "to_province": "guangxi", **NANCHANG_TO_HEZHOU}
    content = client.get("/zhuanyi/", query).content.decode()

    assert "从南昌转到贺州：职工医保怎么转" in text_of(content)
    canonical = "https://yibao.example/zhuanyi/?from=nanchang&amp;to=hezhou&amp;scheme=employee"
    assert f'<link rel="canonical" href="{canonical}">' in content


# ---------------------------------------------------------------- without JavaScript


def test_choosing_provinces_and_pressing_the_button_lists_their_cities_and_asks_for_them(client, shared_demo):
    blank = client.get("/zhuanyi/").content.decode()

    response = submit(client, blank, from_province="jiangxi", to_province="guangxi", scheme="resident")

    content = response.content.decode()
    assert response.status_code == 200
    assert select_options(content, "from") == JIANGXI
    assert select_options(content, "to") == GUANGXI
    assert field_error(content, "from") == "请选择从江西省哪个城市转出。"
    assert field_error(content, "to") == "请选择转到广西壮族自治区哪个城市。"
    assert "转出城市：请选择从江西省哪个城市转出。" in text_of(content)  # the error summary
    assert selected(content, "scheme") == "resident"  # what was chosen stays
    assert "要点" not in text_of(content)

    # Then the cities: the answer.
    done = submit(client, content, **{"from": "nanchang", "to": "hezhou"})
    assert done.status_code == 200
    assert "从南昌转到贺州：城乡居民医保怎么转" in text_of(done)


def test_a_new_province_with_the_old_city_still_chosen_asks_for_a_city_of_the_new_one(client, shared_demo):
    first = client.get("/zhuanyi/", NANCHANG_TO_HEZHOU).content.decode()

    response = submit(client, first, from_province="guangxi")  # 南昌 is still chosen as the city

    content = response.content.decode()
    assert response.status_code == 200  # a question, not a mistake
    assert select_options(content, "from") == GUANGXI
    assert field_error(content, "from") == "南昌不在广西壮族自治区，请从广西壮族自治区的城市中选择。"
    assert selected(content, "to") == "hezhou"
    assert selected(content, "scheme") == "employee"
    assert "要点" not in text_of(content)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from_province": "nowhere"}, "from_province", "没有这个省份，请从列表中选择。"),
        ({"to_province": "nanchang"}, "to_province", "没有这个省份，请从列表中选择。"),
        ({"to_province": "national"}, "to_province", "没有这个省份，请从列表中选择。"),
        ({"from": "jiangxi-x"}, "from", "没有“jiangxi-x”这个地区，请从列表中选择。"),
    ],
    ids=["unknown-province", "city-as-province", "nation-as-province", "unknown-city"],
)
def test_a_wrong_province_or_city_is_a_400_explained_beside_its_field(client, shared_demo, query, field, message):
    response = client.get("/zhuanyi/", {**NANCHANG_TO_HEZHOU, **query})

    content = response.content.decode()
    assert response.status_code == 400
    assert field_error(content, field) == message
    assert selected(content, "scheme") == "employee"
    assert "要点" not in text_of(content)


# ---------------------------------------------------------------- with htmx


@pytest.mark.parametrize("place", ["from", "to"])
def test_htmx_gets_only_the_city_list_of_the_province_just_chosen(
    client, shared_demo, place, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = client.get(
            "/zhuanyi/",
            {f"{place}_province": "guangxi"},
            headers={"HX-Request": "true", "HX-Target": f"{place}-choice"},
        )

    fragment = response.content.decode()
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert fragment.startswith(f'<div id="{place}-choice">')
    assert "<html" not in fragment
    assert select_options(fragment, place) == GUANGXI
    assert "province" not in fragment  # the province list stays as it is
    assert field_error(fragment, place) == ""  # nothing to correct yet: the visitor is still choosing


def test_htmx_with_no_or_an_unknown_province_asks_for_one(client, shared_demo):
    for value in ("", "nowhere", "x" * 500):
        fragment = client.get(
            "/zhuanyi/", {"to_province": value}, headers={"HX-Request": "true", "HX-Target": "to-choice"}
        ).content.decode()

        assert select_options(fragment, "to") == ASK_PROVINCE


def test_another_htmx_request_gets_the_whole_page(client, shared_demo):
    response = client.get("/zhuanyi/", NANCHANG_TO_HEZHOU, headers={"HX-Request": "true", "HX-Target": "main"})

    assert "<html" in response.content.decode()
    assert "从南昌转到贺州" in text_of(response)


# ---------------------------------------------------------------- at scale


def test_many_cities_elsewhere_do_not_grow_the_page_or_its_queries(client, shared_demo, django_assert_num_queries):
    before = len(client.get("/zhuanyi/", NANCHANG_TO_HEZHOU).content)
    blank_before = len(client.get("/zhuanyi/").content)

    province = add_cities(40)
    with django_assert_num_queries(4):  # both places, the lists, both lineages' figures, their channels
        after = client.get("/zhuanyi/", NANCHANG_TO_HEZHOU)
    blank = client.get("/zhuanyi/")

    content = after.content.decode()
    assert after.status_code == 200
    assert select_options(content, "from") == JIANGXI  # only the chosen provinces' cities
    assert select_options(content, "to") == GUANGXI
    assert f'<option value="{province.slug}">{province.name}</option>' in content  # one more province
    assert len(after.content) - before < 2 * 100  # twice one more province, none of its 40 cities
    assert len(blank.content) - blank_before < 2 * 100
    assert province.children.first().slug not in content


def test_many_cities_in_a_chosen_province_are_listed_in_one_query(client, shared_demo, django_assert_num_queries):
    before = len(client.get("/zhuanyi/", NANCHANG_TO_HEZHOU).content)
    add_cities(40, Region.objects.get(slug="jiangxi"))

    with django_assert_num_queries(4):
        response = client.get("/zhuanyi/", NANCHANG_TO_HEZHOU)

    content = response.content.decode()
    assert len(select_options(content, "from")) == 43  # 请选择城市, 南昌 and the 40, 江西省其他地方
    assert select_options(content, "to") == GUANGXI
    assert len(response.content) - before < 40 * 60  # one short line per city, once


PLACES = st.sampled_from(["nanchang", "hezhou", "jiangxi", "guangxi", "national", "nowhere", "", " "]) | st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=45
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    from_province=PLACES,
    origin=PLACES,
    to_province=PLACES,
    destination=PLACES,
    htmx=st.sampled_from(["", "from-choice"]),
)
def test_it_never_answers_500_whatever_the_places(
    client, shared_demo, from_province, origin, to_province, destination, htmx
):
    client.raise_request_exception = False
    query = {"from_province": from_province, "from": origin, "to_province": to_province, "to": destination}
    headers = {"HX-Request": "true", "HX-Target": htmx} if htmx else {}

    response = client.get("/zhuanyi/", {**query, "scheme": "employee"}, headers=headers)

    assert response.status_code in (200, 400), (query, response.status_code)
