"""The estimator's place question at national scale: a province, then a city of it (never every city
of the country in one list). Without JavaScript (a plain GET form), with htmx (the city list swapped
in), old links that name only the city, the JSON API, wrong combinations, and the page's size and
queries with many cities. The browser's side: tests/test_browser_estimator_places.py.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guides.models import Region
from tests.estimates import CASES, VALID_EMPLOYEE, api, field_error
from tests.factories import make_policy_entry, make_region
from tests.reading import form_action, read_form, select_options, text_of

RESIDENT = {"scheme": "resident", "lapsed_years": "2", "repaid_years": "1", "paid_on": "2026-11-20"}


def add_cities(count: int, province: Region | None = None) -> Region:
    """`count` more cities, each with a figure, under `province` (a new province by default)."""
    if province is None:
        province = make_region(kind=Region.PROVINCE, parent=Region.objects.get(slug="national"))
    for _ in range(count):
        make_policy_entry(make_region(parent=province), "avg_wage", "8000")
    return province


def submit(client, html: str, **changes: str):
    """Send the estimator form as a browser without JavaScript would, with some answers changed."""
    values = read_form(html, "lapsed_years")
    values.update({name: [value] for name, value in changes.items()})
    return client.get(form_action(html, "lapsed_years"), values)


def test_it_lists_the_provinces_and_only_the_cities_of_the_chosen_one(client, shared_demo):
    content = client.get("/nanchang/calculator/").content.decode()

    assert select_options(content, "province") == {"请选择省份": "", "江西省": "jiangxi", "广西壮族自治区": "guangxi"}
    assert select_options(content, "region") == {"请选择城市": "", "南昌": "nanchang", "江西省其他地方": "jiangxi"}
    assert '<option value="jiangxi" selected>江西省</option>' in content
    assert '<option value="nanchang" selected>南昌</option>' in content
    assert "<legend>在哪里参保</legend>" in content
    assert '<label for="id_province">省份</label>' in content
    assert '<label for="id_region">所在城市</label>' in content


def test_it_asks_for_a_province_first_on_the_blank_estimator(client, shared_demo):
    content = client.get("/calculator/").content.decode()

    assert select_options(content, "region") == {"请先选择省份": ""}
    assert "贺州" not in select_options(content, "province")  # cities are not provinces


def test_it_lists_the_cities_of_a_province_chosen_without_javascript_and_keeps_the_answers(client, shared_demo):
    first = client.get("/nanchang/calculator/", {"region": "nanchang", **RESIDENT}).content.decode()
    assert "估算结果" in text_of(first)

    # A new province, then 计算: the city of the last province does not belong to it.
    response = submit(client, first, province="guangxi")

    content = response.content.decode()
    assert response.status_code == 200
    assert select_options(content, "region") == {
        "请选择城市": "",
        "贺州": "hezhou",
        "广西壮族自治区其他地方": "guangxi",
    }
    assert '<option value="guangxi" selected>' in content
    assert field_error(content, "region") == "南昌不在广西壮族自治区，请从广西壮族自治区的城市中选择。"
    assert "还差一个问题" in text_of(content)
    assert "估算结果" not in text_of(content)
    assert read_form(content, "lapsed_years")["lapsed_years"] == ["2"]  # what was typed stays
    assert read_form(content, "lapsed_years")["repaid_years"] == ["1"]

    # Then the city: the estimate, for 贺州.
    done = submit(client, content, region="hezhou")
    assert done.status_code == 302  # the address follows the city chosen in the form
    assert done["Location"].startswith("/hezhou/calculator/?")
    assert "估算结果" in text_of(client.get(done["Location"]))


def test_it_asks_for_the_city_when_only_the_province_is_sent(client, shared_demo):
    content = client.get("/calculator/", {"province": "guangxi", "region": "", **RESIDENT}).content.decode()

    assert field_error(content, "region") == "请选择广西壮族自治区的城市。"
    assert "所在城市：请选择广西壮族自治区的城市。" in text_of(content)  # the error summary
    assert list(select_options(content, "region").values()) == ["", "hezhou", "guangxi"]


def test_it_takes_a_province_as_its_own_choice(client, shared_demo):
    # “江西省其他地方”: a city the site has no page for, estimated with the province's figures.
    content = client.get("/calculator/", {"province": "jiangxi", "region": "jiangxi", **RESIDENT}).content.decode()

    assert "估算结果" in text_of(content)
    assert '<option value="jiangxi" selected>江西省其他地方</option>' in content


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(f"/calculator/?{urlencode({'region': 'hezhou', **RESIDENT})}", id="query"),
        pytest.param("/hezhou/calculator/", id="region_page"),
        pytest.param(f"/hezhou/calculator/?{urlencode(RESIDENT)}", id="region_page_query"),
    ],
)
def test_it_finds_the_province_of_a_city_named_alone(client, shared_demo, url):
    content = client.get(url).content.decode()

    assert '<option value="guangxi" selected>广西壮族自治区</option>' in content
    assert '<option value="hezhou" selected>贺州</option>' in content
    assert 'id="err-region"></p>' in content


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        pytest.param(
            {"province": "nowhere", "region": "hezhou"},
            "province",
            "没有这个省份，请从列表中选择。",
            id="unknown_province",
        ),
        pytest.param(
            {"province": "nanchang", "region": "nanchang"},
            "province",
            "没有这个省份，请从列表中选择。",
            id="city_as_province",
        ),
        pytest.param(
            {"province": "national", "region": "hezhou"},
            "province",
            "没有这个省份，请从列表中选择。",
            id="nation_as_province",
        ),
        pytest.param(
            {"province": "jiangxi", "region": "hezhou"},
            "region",
            "贺州不在江西省，请从江西省的城市中选择。",
            id="city_elsewhere",
        ),
        pytest.param(
            {"province": "guangxi", "region": "jiangxi"},
            "region",
            "江西省不在广西壮族自治区，请从广西壮族自治区的城市中选择。",
            id="other_province_as_city",
        ),
        pytest.param(
            {"province": "guangxi", "region": "nowhere"}, "region", "没有这个地区，请从列表中选择。", id="unknown_city"
        ),
        pytest.param({"province": "", "region": ""}, "region", "请选择城市。", id="nothing"),
        pytest.param(
            {"province": "x" * 300, "region": "y" * 300}, "province", "没有这个省份，请从列表中选择。", id="too_long"
        ),
    ],
)
def test_it_explains_a_wrong_place_in_chinese_and_keeps_the_answers(client, shared_demo, query, field, message):
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/calculator/", {**query, **RESIDENT}, headers=headers)

        content = response.content.decode()
        assert response.status_code == 200
        assert field_error(content, field) == message
        assert "估算结果" not in text_of(content)
        if not headers:
            assert read_form(content, "lapsed_years")["lapsed_years"] == ["2"]

    body = api(client, {**query, **RESIDENT})
    assert body.status_code in (400, 404)
    assert message in body.json()["errors"][field]


def test_the_api_takes_the_province_too_and_still_answers_with_the_city_alone(client, shared_demo):
    alone = api(client, VALID_EMPLOYEE)
    paired = api(client, {"province": "jiangxi", **VALID_EMPLOYEE})

    assert alone.status_code == paired.status_code == 200
    assert alone.json() == paired.json()
    assert api(client, {**VALID_EMPLOYEE, "province": "guangxi"}).status_code == 400  # a city elsewhere: not a 404
    assert api(client, {**VALID_EMPLOYEE, "region": "nowhere"}).status_code == 404


def test_htmx_swaps_in_the_city_list_of_a_new_province(client, shared_demo):
    # estimate.js empties the city when the province changes, so the request asks for one.
    query = {"province": "guangxi", "region": "", **RESIDENT}

    fragment = client.get("/nanchang/calculator/", query, headers={"HX-Request": "true"}).content.decode()

    assert "<html" not in fragment
    swapped = re.search(r'<div id="region-choice" hx-swap-oob="true">.*?</select>', fragment, flags=re.S)
    assert swapped, "no city list in the fragment"
    assert list(select_options(swapped.group(0) + "</div>", "region").values()) == ["", "hezhou", "guangxi"]
    assert 'name="province"' not in fragment  # only the city list comes back
    assert "还差一个问题" in text_of(fragment)
    assert field_error(fragment, "region") == "请选择广西壮族自治区的城市。"  # not the address's city
    assert fragment.count('id="err-region"') == 1  # the message comes with the new list, once


def test_an_estimate_fragment_carries_no_place_list(client, shared_demo):
    add_cities(40)
    fragment = client.get("/calculator/", VALID_EMPLOYEE, headers={"HX-Request": "true"}).content.decode()

    assert "估算结果" in text_of(fragment)
    assert "<select" not in fragment
    assert "<option" not in fragment


def test_an_error_fragment_carries_no_place_list_either(client, shared_demo):
    query = {**VALID_EMPLOYEE, "lapse_months": "-3"}
    fragment = client.get("/calculator/", query, headers={"HX-Request": "true"}).content.decode()

    assert field_error(fragment, "lapse_months") == "至少填 1 个月。"
    assert "<option" not in fragment


def test_many_cities_elsewhere_do_not_grow_the_page_or_its_queries(client, shared_demo, django_assert_num_queries):
    url = f"/nanchang/calculator/?{urlencode(CASES['case4_resident_5_years_repays_all'])}"
    before = len(client.get(url).content)

    add_cities(40)
    with django_assert_num_queries(5):  # the address's region, the form's, figures, both lists, the hotline
        after = client.get(url)

    assert after.status_code == 200
    assert len(after.content) - before < 100  # one more province, none of its 40 cities
    assert len(select_options(after.content.decode(), "region")) == 3


def test_many_cities_in_the_chosen_province_are_listed_in_one_query(client, shared_demo, django_assert_num_queries):
    before = len(client.get("/calculator/", VALID_EMPLOYEE).content)
    add_cities(40, Region.objects.get(slug="jiangxi"))

    with django_assert_num_queries(4):  # the form's region, figures, both lists, the hotline
        response = client.get("/calculator/", VALID_EMPLOYEE)

    content = response.content.decode()
    assert len(select_options(content, "region")) == 43  # 请选择, 南昌 and the 40, 江西省其他地方
    assert len(response.content) - before < 40 * 60  # one short line per city


PLACES = st.sampled_from(["nanchang", "hezhou", "jiangxi", "guangxi", "national", "nowhere", "", " "]) | st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=45
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    province=PLACES, region=PLACES, htmx=st.booleans(), path=st.sampled_from(["/calculator/", "/hezhou/calculator/"])
)
def test_it_never_answers_500_whatever_the_place(client, shared_demo, province, region, htmx, path):
    client.raise_request_exception = False
    query = {"province": province, "region": region, **RESIDENT}

    page = client.get(path, query, headers={"HX-Request": "true"} if htmx else {})
    answer = client.get("/api/v1/estimate", query)

    assert page.status_code in (200, 302), (query, page.status_code)
    assert answer.status_code in (200, 400, 404, 422), (query, answer.status_code)
