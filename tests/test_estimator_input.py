"""Odd input on the estimator: each refused value keeps what was typed beside a Chinese message, on the
page and in the htmx fragment; and no query string at all ever gives a 500.
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.estimates import (
    BETWEEN_JOBS,
    CASES,
    PAID_ON,
    RENEWAL,
    VALID_EMPLOYEE,
    VALID_NEWBORN,
    VALID_RESIDENT,
    error_summary,
    field_error,
)
from tests.reading import text_of

# What a citizen typed, the field refused, the Chinese message beside it and in the summary (after the
# field's label), and anything else of what was typed that must stay on the page.
# fmt: off
KEPT = {
    "lapse_months_is_negative": ({**VALID_EMPLOYEE, "lapse_months": "-3"}, "lapse_months", "-3", "至少填 1 个月。", "断缴了几个月", '<option value="nanchang" selected>'),
    "lapse_months_is_not_a_number": ({**VALID_EMPLOYEE, "lapse_months": "abc"}, "lapse_months", "abc", "请填写整数月数。", "断缴了几个月", None),
    "lapse_months_is_too_many": ({**VALID_EMPLOYEE, "lapse_months": "361"}, "lapse_months", "361", "最多填 360 个月。", "断缴了几个月", None),
    "base_is_negative": ({**VALID_EMPLOYEE, "base": "-5"}, "base", "-5", "金额要大于 0。", "月缴费基数（一般是月工资，元，可不填）", None),
    "base_has_three_decimals": ({**VALID_EMPLOYEE, "base": "5000.125"}, "base", "5000.125", "金额最多两位小数。", "月缴费基数（一般是月工资，元，可不填）", None),
    "lapse_start_is_month_13": ({**VALID_EMPLOYEE, "lapse_start": "2026-13"}, "lapse_start", "2026-13", "月份格式应为 年-月，例如 2026-03。", "从哪个月开始没交", None),
    "lapse_start_is_before_1998": ({**VALID_EMPLOYEE, "lapse_start": "1990-01"}, "lapse_start", "1990-01", "请填写 1998 年 12 月到 2099 年之间的月份。", "从哪个月开始没交", None),
    # "0000-01" matches the YYYY-MM pattern, but there is no year 0.
    "lapse_start_is_year_zero": ({**VALID_EMPLOYEE, "lapse_start": "0000-01"}, "lapse_start", "0000-01", "请填写 1998 年 12 月到 2099 年之间的月份。", "从哪个月开始没交", None),
    "paid_on_is_february_30": ({**VALID_EMPLOYEE, "paid_on": "2026-02-30"}, "paid_on", "2026-02-30", "日期格式应为 年-月-日，例如 2026-11-30。", "打算哪天补缴", None),
    "the_lapse_ends_after_the_payment": ({**VALID_EMPLOYEE, "lapse_start": "2026-11", "lapse_months": "2"}, "lapse_months", "2", "断缴的最后一个月晚于补缴日期所在的月份，请检查月份和月数。", "断缴了几个月", None),
    "repaid_years_exceed_lapsed_years": ({**VALID_RESIDENT, "lapsed_years": "2", "repaid_years": "3"}, "repaid_years", "3", "补缴的年数不能多于断缴的 2 年。", "打算补缴其中几年", 'value="2"'),
    "lapsed_years_is_negative": ({**VALID_RESIDENT, "lapsed_years": "-1", "repaid_years": "0"}, "lapsed_years", "-1", "年数不能是负数。", "断缴了几个整年", None),
    "newborn_is_maybe": ({**VALID_RESIDENT, "newborn": "maybe"}, "newborn", "maybe", "请填写 true 或 false。", "为新生儿参保", re.compile(r'<input type="checkbox" name="newborn"(?![^>]*checked)[^>]*>')),
    "the_baby_is_born_after_the_payment": ({**VALID_NEWBORN, "born_on": "2026-12-01"}, "born_on", "2026-12-01", "出生日期不能晚于缴费日期。", "宝宝出生日期", re.compile(r'<input type="checkbox" name="newborn" value="true"[^>]*checked>')),
    "born_on_is_not_a_date": ({**VALID_NEWBORN, "born_on": "2026-02-30"}, "born_on", "2026-02-30", "日期格式应为 年-月-日，例如 2026-10-01。", "宝宝出生日期", None),
    "a_newborn_has_lapsed_years": ({**VALID_NEWBORN, "lapsed_years": "2"}, "lapsed_years", "2", "新生儿没有断缴的年份：为新生儿参保时，断缴年数请填 0。", "断缴了几个整年", 'value="2026-10-01"'),
    "unemployment_months_exceed_the_lapse": ({**BETWEEN_JOBS, "unemployment_months": "5"}, "unemployment_months", "5", "领失业金的月数不能多于断缴的 4 个月。", "其中领取失业保险金的有几个月", None),
    "moved_is_maybe": ({**BETWEEN_JOBS, "moved": "maybe"}, "moved", "maybe", "请填写 true 或 false。", "断缴期间换了城市（要办医保关系转移）", re.compile(r'<input type="checkbox" name="moved"(?![^>]*checked)[^>]*>')),
}
# fmt: on


@pytest.mark.parametrize(("query", "name", "typed", "message", "label", "also"), KEPT.values(), ids=KEPT.keys())
def test_it_keeps_what_was_typed_beside_a_chinese_message(
    client, shared_demo, query, name, typed, message, label, also
):
    response = client.get("/calculator/", query)

    assert response.status_code == 200
    content = response.content.decode()
    assert f'value="{html.escape(typed)}"' in content
    assert field_error(content, name) == message
    assert f"{label}：{message}" in error_summary(content)
    assert "请先改正上面标出的内容" in text_of(content)
    assert "估算结果" not in content
    if isinstance(also, str):
        assert also in content
    elif also is not None:
        assert also.search(content)


def test_it_keeps_input_when_scheme_is_bogus(client, shared_demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "scheme": "bogus"})

    assert response.status_code == 200
    content = response.content.decode()
    message = "医保类型只能是职工医保、灵活就业或居民医保。"
    assert field_error(content, "scheme") == message
    assert f"参加的是哪种医保：{message}" in error_summary(content)
    assert not re.search(r'name="scheme"[^>]*checked', content)
    assert 'value="5000"' in content  # the rest of what was typed stays


def test_it_asks_for_the_birth_date_of_a_newborn(client, shared_demo):
    query = {key: value for key, value in VALID_NEWBORN.items() if key != "born_on"}

    response = client.get("/calculator/", query)

    assert response.status_code == 200
    content = response.content.decode()
    assert field_error(content, "born_on") == "为新生儿参保时，请填写宝宝的出生日期。"
    assert "宝宝出生日期：为新生儿参保时，请填写宝宝的出生日期。" in error_summary(content)
    assert re.search(r'<input type="checkbox" name="newborn" value="true"[^>]*checked>', content)
    assert 'value="2026-11-23"' in content  # the payment day stays


def test_it_keeps_the_moved_box_ticked(client, shared_demo):
    content = client.get("/calculator/", {**BETWEEN_JOBS, "moved": "true"}).content.decode()

    assert re.search(r'<input type="checkbox" name="moved" value="true"[^>]*checked>', content)
    assert "估算结果" in text_of(content)


def test_it_keeps_input_when_lapse_ongoing_is_maybe(client, shared_demo):
    query = {**BETWEEN_JOBS, "scheme": "flexible", "lapse_ongoing": "maybe"}

    response = client.get("/calculator/", query)

    assert response.status_code == 200
    content = response.content.decode()
    assert field_error(content, "lapse_ongoing") == "请填写 true 或 false。"
    assert "现在恢复缴费了吗：请填写 true 或 false。" in error_summary(content)
    assert not re.search(r'name="lapse_ongoing"[^>]*checked', content)
    assert 'value="2026-07"' in content  # the rest of what was typed stays
    assert "估算结果" not in content


def test_it_keeps_the_answer_that_the_gap_has_ended(client, shared_demo):
    content = client.get("/calculator/", {"region": "hezhou", **CASES["flexible_gap_already_closed"]}).content.decode()

    assert re.search(r'<input type="radio" name="lapse_ongoing" value="false"[^>]*checked>', content)


def test_it_keeps_input_when_in_window_is_maybe(client, shared_demo):
    response = client.get("/calculator/", {"region": "nanchang", **RENEWAL, "in_window": "maybe"})

    assert response.status_code == 200
    content = response.content.decode()
    assert field_error(content, "in_window") == "请填写 true 或 false。"
    assert re.search(r'<select name="in_window"', content)  # the question stays on the page
    assert not re.search(r"<option value=\"(true|false)\" selected>", content)


def test_it_asks_for_the_lapse_when_an_employee_leaves_it_out(client, shared_demo):
    query = {"region": "nanchang", "scheme": "employee", "paid_on": PAID_ON}

    content = client.get("/calculator/", query).content.decode()

    assert field_error(content, "lapse_start") == "请填写从哪个月开始没交。"
    assert field_error(content, "lapse_months") == "请填写断缴了几个月。"
    assert "有 2 处需要改正" in text_of(content)


def test_it_sends_errors_beside_the_fields_to_htmx(client, shared_demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "lapse_months": "-3"}, headers={"HX-Request": "true"})

    assert response.status_code == 200  # htmx 2 does not swap 4xx replies
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="estimator"' in content
    assert field_error(content, "lapse_months") == "至少填 1 个月。"
    assert "断缴了几个月：至少填 1 个月。" in error_summary(content)
    assert "HX-Request" in response.headers["Vary"]


ANY_TEXT = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=30)


EDGE_TEXT = st.sampled_from(
    ["", " ", "NaN", "sNaN", "Infinity", "-0", "1e999999", "9" * 5000, "１２", "٣", "true", "on"]
)


NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["-1", "0", "1", "2", "3", "4", "80", "81", "360", "361", "0.01", "1000000", "1000000.01"]),
)


# Years at and beyond the form's bounds (1998-12 … 2099-12) and datetime's (1 … 9999), plus any year.
YEARS = st.sampled_from([0, 1, 1998, 1999, 2024, 2026, 2099, 2100, 9999]) | st.integers(0, 9999)


MONTHS = st.one_of(
    st.builds("{:04d}-{:d}".format, YEARS, st.integers(0, 13)),
    st.builds("{:04d}-{:02d}".format, YEARS, st.integers(0, 13)),
    st.from_regex(r"\d{4}-\d{1,2}", fullmatch=True),
)


DATES = st.one_of(
    st.builds("{:04d}-{:02d}-{:02d}".format, YEARS, st.integers(0, 13), st.integers(0, 32)),
    st.from_regex(r"\d{4}-\d{1,2}-\d{1,2}", fullmatch=True),
    st.dates().map(str),
    st.dates(datetime.date(2023, 1, 1), datetime.date(2027, 12, 31)).map(str),  # near the demo figures
)


def choice_of(*values: str):
    return st.sampled_from(values) | ANY_TEXT | EDGE_TEXT


# Every parameter the estimator reads, each given values of its own shape, odd or not, or any text at all.
PARAMS = {
    "region": choice_of("nanchang", "hezhou", "jiangxi", "guangxi", "national", "nowhere"),
    "scheme": choice_of("employee", "flexible", "resident"),
    "cause": choice_of("personal", "employer"),
    "lapse_start": MONTHS | ANY_TEXT | EDGE_TEXT,
    "lapse_months": NUMBERS | ANY_TEXT | EDGE_TEXT,
    "base": NUMBERS | ANY_TEXT | EDGE_TEXT,
    "unemployment_months": NUMBERS | ANY_TEXT | EDGE_TEXT,
    "moved": choice_of("true", "false", "on", "maybe"),
    "lapse_ongoing": choice_of("true", "false"),
    "paid_on": DATES | ANY_TEXT | EDGE_TEXT,
    "lapsed_years": NUMBERS | ANY_TEXT | EDGE_TEXT,
    "repaid_years": NUMBERS | ANY_TEXT | EDGE_TEXT,
    "in_window": choice_of("true", "false"),
    "newborn": choice_of("true", "false", "on", "maybe"),
    "born_on": DATES | ANY_TEXT | EDGE_TEXT,
    "switch_from": choice_of("employee", "resident"),
    "continuous_years": NUMBERS | ANY_TEXT | EDGE_TEXT,
    "gap_months": NUMBERS | ANY_TEXT | EDGE_TEXT,
}


RANDOM_QUERIES = st.fixed_dictionaries({}, optional=PARAMS)


MUTATED_CASES = st.tuples(st.sampled_from(sorted(CASES)), st.sampled_from(["nanchang", "hezhou"]), RANDOM_QUERIES).map(
    lambda t: {"region": t[1], **CASES[t[0]], **t[2]}
)


# Values the form accepts, near the demo figures, so the rules' deeper branches are reached too.
SMALL = st.integers(0, 12).map(str)


PLAUSIBLE = {
    "region": st.sampled_from(["nanchang", "hezhou"]),
    "scheme": st.sampled_from(["employee", "flexible", "resident"]),
    "cause": st.sampled_from(["personal", "employer"]),
    "lapse_start": st.builds("{:04d}-{:02d}".format, st.integers(2024, 2027), st.integers(1, 12)),
    "lapse_months": st.integers(1, 30).map(str),
    "base": st.sampled_from(["1000", "5000", "50000"]),
    "unemployment_months": SMALL,
    "moved": st.sampled_from(["true", "false"]),
    "lapse_ongoing": st.sampled_from(["true", "false"]),
    "paid_on": st.dates(datetime.date(2025, 1, 1), datetime.date(2027, 12, 31)).map(str),
    "lapsed_years": SMALL,
    "repaid_years": SMALL,
    "in_window": st.sampled_from(["true", "false", ""]),
    "newborn": st.sampled_from(["true", "false"]),
    "born_on": st.dates(datetime.date(2023, 1, 1), datetime.date(2027, 12, 31)).map(str),
    "switch_from": st.sampled_from(["employee", "resident", ""]),
    "continuous_years": SMALL,
    "gap_months": SMALL,
}


PLAUSIBLE_QUERIES = st.fixed_dictionaries({}, optional=PLAUSIBLE)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.one_of(RANDOM_QUERIES, MUTATED_CASES, PLAUSIBLE_QUERIES), htmx=st.booleans())
@example(query={"lapse_start": "0000-01"}, htmx=False)  # found by this test: there is no year 0
@example(query={"region": "nanchang", "scheme": "resident", "paid_on": "1998-12-01"}, htmx=True)  # no figures yet
@example(query={"region": "hezhou", **CASES["case4_resident_5_years_repays_all"], "lapsed_years": "80"}, htmx=False)
@example(query={"region": "nanchang", **CASES["resident_renewal"]}, htmx=True)  # asks about the window
@example(query={"region": "hezhou", **CASES["newborn"], "paid_on": "2027-03-01"}, htmx=False)  # past the grace period
@example(query={"region": "nanchang", **CASES["newborn"], "born_on": "0001-01-01"}, htmx=False)
@example(query={"region": "hezhou", **CASES["employee_unemployment_then_lapse"], "unemployment_months": "4"}, htmx=True)
@example(query={"region": "nanchang", **CASES["flexible_gap_already_closed"], "moved": "on"}, htmx=False)
def test_it_never_answers_500_whatever_the_query(client, shared_demo, query, htmx):
    client.raise_request_exception = False
    headers = {"HX-Request": "true"} if htmx else {}

    api_response = client.get("/api/v1/estimate", query)
    page_response = client.get("/calculator/", query, headers=headers)

    assert api_response.status_code in (200, 400, 404, 422), (query, api_response.status_code)
    assert page_response.status_code in (200, 404), (query, page_response.status_code)
