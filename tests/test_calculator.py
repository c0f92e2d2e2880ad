"""The estimator page (full page and htmx fragment) and its JSON API, against the demo figures.

Amounts are worked out by hand from the demo figures in force on 2026-11-20:
- 南昌： 社平工资 6,525 （江西）, 单位 6.8% （南昌）, 个人 2%, 灵活就业 10%, 居民 400 元/年， 截止日 15 日.
- 贺州： 社平工资 7,008 （广西 2026）, 单位 8% （全国）, 个人 2%, 灵活就业 10%, 居民 400 元/年， 截止日 15 日.
Neither city's collection window is in force in November 2026, so residents pay outside it.
"""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from guides.models import Region

from .factories import make_article, make_policy_entry, make_region

PAID_ON = "2026-11-20"

CASES = {
    "case1_employer_missed_2_months": {
        "scheme": "employee",
        "cause": "employer",
        "lapse_start": "2026-08",
        "lapse_months": "2",
        "base": "5000",
        "paid_on": PAID_ON,
    },
    "case2_flexible_4_months_personal": {
        "scheme": "flexible",
        "lapse_start": "2026-06",
        "lapse_months": "4",
        "base": "5000",
        "paid_on": PAID_ON,
    },
    "case3_resident_2_years_repays_none": {
        "scheme": "resident",
        "lapsed_years": "2",
        "repaid_years": "0",
        "paid_on": PAID_ON,
    },
    "case3_resident_2_years_repays_1": {
        "scheme": "resident",
        "lapsed_years": "2",
        "repaid_years": "1",
        "paid_on": PAID_ON,
    },
    "case4_resident_5_years_repays_all": {
        "scheme": "resident",
        "lapsed_years": "5",
        "repaid_years": "5",
        "paid_on": PAID_ON,
    },
    "case5_switch_employee_to_resident": {
        "scheme": "resident",
        "switch_from": "employee",
        "continuous_years": "3",
        "gap_months": "2",
        "paid_on": PAID_ON,
    },
}

# Each expected answer, as the API gives it and as the page reads.
# Employer fault: due 8-15 and 9-15, paid 11-20 → 97 + 66 = 163 days of arrears.
EXPECTED = {
    ("nanchang", "case1_employer_missed_2_months"): {
        "total": "880.00",  # 2 × 5,000 × (6.8% + 2%)
        "late_fee": "35.86",  # 440 × 0.05% × 163 = 0.22 × 163
        "payer": "employer",
        "waiting_months": 0,
        "benefits_from": "2026-12-01",
        "continuous_reset": False,
        "gap_covered": True,
        "can_backpay": True,
    },
    ("hezhou", "case1_employer_missed_2_months"): {
        "total": "1000.00",  # 2 × 5,000 × (8% + 2%)
        "late_fee": "40.75",  # 500 × 0.05% × 163 = 0.25 × 163
        "payer": "employer",
        "waiting_months": 0,
        "benefits_from": "2026-12-01",
        "continuous_reset": False,
        "gap_covered": True,
        "can_backpay": True,
    },
    **{
        (city, "case2_flexible_4_months_personal"): {
            "total": "2000.00",  # 4 × 5,000 × 10%
            "late_fee": "0.00",
            "payer": None,
            "waiting_months": 6,
            "benefits_from": "2027-06-01",  # December … May waiting
            "continuous_reset": True,
            "gap_covered": False,
            "can_backpay": True,
        }
        for city in ("nanchang", "hezhou")
    },
    **{
        (city, "case3_resident_2_years_repays_none"): {
            "total": "0.00",
            "late_fee": "0.00",
            "payer": None,
            "waiting_months": 4,  # 3 + 1
            "benefits_from": "2027-04-01",
            "continuous_reset": True,
            "gap_covered": False,
            "can_backpay": True,
        }
        for city in ("nanchang", "hezhou")
    },
    **{
        (city, "case3_resident_2_years_repays_1"): {
            "total": "400.00",  # one year's fee
            "late_fee": "0.00",
            "payer": None,
            "waiting_months": 3,
            "benefits_from": "2027-03-01",
            "continuous_reset": True,
            "gap_covered": False,
            "can_backpay": True,
        }
        for city in ("nanchang", "hezhou")
    },
    **{
        (city, "case4_resident_5_years_repays_all"): {
            "total": "2000.00",  # 5 × 400
            "late_fee": "0.00",
            "payer": None,
            "waiting_months": 6,  # the floor after a lapse of 4+ years
            "benefits_from": "2027-06-01",
            "continuous_reset": True,
            "gap_covered": False,
            "can_backpay": True,
        }
        for city in ("nanchang", "hezhou")
    },
    **{
        (city, "case5_switch_employee_to_resident"): {
            "total": "0.00",
            "late_fee": "0.00",
            "payer": None,
            "waiting_months": 0,
            "benefits_from": "2026-11-01",  # covered from the month paid
            "continuous_reset": False,
            "gap_covered": True,
            "can_backpay": True,
        }
        for city in ("nanchang", "hezhou")
    },
}

WORKED = [pytest.param(city, name, id=f"{city}-{name}") for (city, name) in EXPECTED]


def text_of(markup: str) -> str:
    """What a reader sees: tags dropped, entities decoded, whitespace collapsed."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def cn_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def yuan(amount: str) -> str:
    return f"{Decimal(amount):,.2f} 元"


def waiting_text(months: int) -> str:
    return f"{months} 个月" if months else "没有等待期"


def page(client, city: str, query: dict, **headers):
    return client.get(f"/{city}/calculator/?{urlencode(query)}", headers=headers)


def api(client, query: dict):
    return client.get(f"/api/v1/estimate?{urlencode(query)}")


def field_error(content: str, name: str) -> str:
    """The message shown beside a field (its `err-<name>` element)."""
    match = re.search(rf'id="err-{name}"[^>]*>(.*?)</', content, flags=re.S)
    assert match, f"no error element for {name}"
    return text_of(match.group(1))


def error_summary(content: str) -> str:
    match = re.search(r'class="error-summary".*?</ul>', content, flags=re.S)
    assert match, "no error summary"
    return text_of(match.group(0))


# ---------------------------------------------------------------- the empty page


def test_it_shows_the_form_with_chinese_labels(client, demo):
    response = client.get("/calculator/")

    assert response.status_code == 200
    content = response.content.decode()
    for label in (
        "所在城市",
        "参加的是哪种医保",
        "职工医保",
        "灵活就业人员",
        "城乡居民医保",
        "为什么断缴",
        "从哪个月开始没交",
        "断缴了几个月",
        "月缴费基数",
        "断缴了几个整年",
        "打算补缴其中几年",
        "打算哪天补缴",
        "计算",
    ):
        assert label in content, label
    assert content.count("<h1") == 1
    assert 'name="robots"' not in content  # the blank calculator is a page worth indexing
    assert 'action="/calculator/"' in content  # works without JavaScript


def test_it_preselects_the_city_from_the_address(client, demo):
    response = client.get("/nanchang/calculator/")

    assert response.status_code == 200
    content = response.content.decode()
    assert '<option value="nanchang" selected>' in content
    assert '<option value="hezhou" selected>' not in content
    assert "南昌医保补缴估算" in text_of(content)


@pytest.mark.parametrize("url", ["/nowhere/calculator/", "/national/calculator/"])
def test_it_answers_404_for_an_unknown_region(client, demo, url):
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- results on the page


@pytest.mark.parametrize(("city", "name"), WORKED)
def test_it_shows_the_full_page_result_for_a_worked_case(client, demo, city, name):
    expected = EXPECTED[(city, name)]

    response = page(client, city, CASES[name])

    assert response.status_code == 200
    content = response.content.decode()
    shown = text_of(content)
    assert "<html" in content
    assert f"补缴金额 {yuan(expected['total'])}" in shown
    assert f"待遇等待期 {waiting_text(expected['waiting_months'])}" in shown
    assert f"哪天起能报销 {cn_date(expected['benefits_from'])}" in shown
    if expected["payer"] == "employer":
        assert f"滞纳金 {yuan(expected['late_fee'])}，由单位承担" in shown
    else:
        assert "滞纳金 不用交" in shown
    reset = "重新计算" if expected["continuous_reset"] else "不受影响"
    assert f"连续参保年限 {reset}" in shown
    assert ("断缴期间的费用也可以按规定补报" in shown) is expected["gap_covered"]
    assert "仅供参考，以当地医保部门为准" in shown
    assert ">待核实</" in content  # the label on an unverified figure, not the footer's explanation
    assert "来源：" in shown
    assert '<meta name="robots" content="noindex' in content
    assert content.count("<h1") == 1


def test_it_cites_the_documents_behind_the_steps(client, demo):
    cases = {
        "case1_employer_missed_2_months": "《社会保险法》第八十六条",
        "case3_resident_2_years_repays_1": "国办发〔2024〕38号",
        "case5_switch_employee_to_resident": "医保办发〔2021〕43号",
    }
    for name, document in cases.items():
        shown = text_of(page(client, "nanchang", CASES[name]).content.decode())

        assert f"依据：{document}" in shown, name


def test_it_shows_where_each_used_figure_comes_from(client, demo):
    shown = text_of(page(client, "nanchang", CASES["case1_employer_missed_2_months"]).content.decode())

    assert "6,525 元/月" in shown
    assert "来源：江西省2025年全口径城镇单位就业人员月平均工资" in shown
    assert "6.8%" in shown
    assert "来源：南昌市职工医保单位缴费比例" in shown
    assert "核实于 2026年11月1日" in shown


def test_it_lists_the_resident_fee_it_quotes_when_switching(client, demo):
    # The switch step tells the citizen to pay this year's fee （江西 400 元/年， unverified）：
    # that figure needs its source line and its 待核实 label like every other.
    content = page(client, "nanchang", CASES["case5_switch_employee_to_resident"]).content.decode()

    assert "400 元/年" in text_of(content)
    assert re.search(r"城乡居民医保个人缴费标准：.*?来源：江西省2026年度城乡居民医保个人缴费标准.*?>待核实</", content)


def test_it_shows_no_warning_label_when_every_used_figure_is_verified(client, demo):
    region = Region.objects.get(slug="hezhou")
    keys = ("switch_min_years", "switch_max_gap_months", "resident_fee")
    for key, value in zip(keys, ("2", "3", "400"), strict=True):
        make_policy_entry(region, key, value, effective_from=datetime.date(2026, 1, 1))

    content = page(client, "hezhou", CASES["case5_switch_employee_to_resident"]).content.decode()

    assert "没有等待期" in text_of(content)
    assert ">待核实</" not in content


@pytest.mark.parametrize(("city", "name"), WORKED)
def test_it_returns_only_the_fragment_to_htmx(client, demo, city, name):
    expected = EXPECTED[(city, name)]

    response = page(client, city, CASES[name], HX_Request="true")

    assert response.status_code == 200
    content = response.content.decode()
    shown = text_of(content)
    assert "<html" not in content
    assert "<form" not in content
    assert 'id="estimator"' in content
    assert f"补缴金额 {yuan(expected['total'])}" in shown
    assert f"待遇等待期 {waiting_text(expected['waiting_months'])}" in shown
    assert f"哪天起能报销 {cn_date(expected['benefits_from'])}" in shown
    assert "仅供参考，以当地医保部门为准" in shown
    assert "HX-Request" in response.headers["Vary"]


def test_it_varies_the_full_page_on_htmx_too(client, demo):
    response = page(client, "nanchang", CASES["case2_flexible_4_months_personal"])

    assert "HX-Request" in response.headers["Vary"]


def test_it_says_when_a_figure_is_missing(client, demo):
    # In 2000 none of the national figures were in force yet.
    query = {**CASES["case3_resident_2_years_repays_1"], "paid_on": "2000-01-01"}

    page_response = page(client, "nanchang", query)
    api_response = api(client, {**query, "region": "nanchang"})

    assert page_response.status_code == 200
    assert "暂时无法估算" in text_of(page_response.content.decode())
    assert "12393" in text_of(page_response.content.decode())
    assert api_response.status_code == 422
    assert "暂时无法估算" in api_response.json()["errors"]["region"][0]


# ---------------------------------------------------------------- bad input keeps what was typed

VALID_EMPLOYEE = {"region": "nanchang", **CASES["case1_employer_missed_2_months"]}
VALID_RESIDENT = {"region": "nanchang", **CASES["case3_resident_2_years_repays_1"]}


def assert_kept_with_message(response, name: str, typed: str, message: str, label: str) -> None:
    assert response.status_code == 200
    content = response.content.decode()
    assert f'value="{html.escape(typed)}"' in content
    assert field_error(content, name) == message
    assert f"{label}：{message}" in error_summary(content)
    assert "请先改正上面标出的内容" in text_of(content)
    assert "估算结果" not in content


def test_it_keeps_input_when_lapse_months_is_negative(client, demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "lapse_months": "-3"})

    assert_kept_with_message(response, "lapse_months", "-3", "至少填 1 个月。", "断缴了几个月")
    assert '<option value="nanchang" selected>' in response.content.decode()


def test_it_keeps_input_when_lapse_months_is_not_a_number(client, demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "lapse_months": "abc"})

    assert_kept_with_message(response, "lapse_months", "abc", "请填写整数月数。", "断缴了几个月")


def test_it_keeps_input_when_lapse_months_is_too_many(client, demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "lapse_months": "361"})

    assert_kept_with_message(response, "lapse_months", "361", "最多填 360 个月。", "断缴了几个月")


def test_it_keeps_input_when_base_is_negative(client, demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "base": "-5"})

    assert_kept_with_message(response, "base", "-5", "金额要大于 0。", "月缴费基数（一般是月工资，元，可不填）")


def test_it_keeps_input_when_base_has_three_decimals(client, demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "base": "5000.125"})

    assert_kept_with_message(
        response, "base", "5000.125", "金额最多两位小数。", "月缴费基数（一般是月工资，元，可不填）"
    )


def test_it_keeps_input_when_lapse_start_is_month_13(client, demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "lapse_start": "2026-13"})

    assert_kept_with_message(
        response, "lapse_start", "2026-13", "月份格式应为 年-月，例如 2026-03。", "从哪个月开始没交"
    )


def test_it_keeps_input_when_lapse_start_is_before_1998(client, demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "lapse_start": "1990-01"})

    assert_kept_with_message(
        response, "lapse_start", "1990-01", "请填写 1998 年 12 月到 2099 年之间的月份。", "从哪个月开始没交"
    )


def test_it_keeps_input_when_lapse_start_is_year_zero(client, demo):
    # "0000-01" matches the YYYY-MM pattern, but there is no year 0.
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "lapse_start": "0000-01"})

    assert_kept_with_message(
        response, "lapse_start", "0000-01", "请填写 1998 年 12 月到 2099 年之间的月份。", "从哪个月开始没交"
    )


def test_it_keeps_input_when_paid_on_is_february_30(client, demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "paid_on": "2026-02-30"})

    assert_kept_with_message(
        response, "paid_on", "2026-02-30", "日期格式应为 年-月-日，例如 2026-11-30。", "打算哪天补缴"
    )


def test_it_keeps_input_when_the_lapse_ends_after_the_payment(client, demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "lapse_start": "2026-11", "lapse_months": "2"})

    assert_kept_with_message(
        response,
        "lapse_months",
        "2",
        "断缴的最后一个月晚于补缴日期所在的月份，请检查月份和月数。",
        "断缴了几个月",
    )


def test_it_keeps_input_when_repaid_years_exceed_lapsed_years(client, demo):
    response = client.get("/calculator/", {**VALID_RESIDENT, "lapsed_years": "2", "repaid_years": "3"})

    assert_kept_with_message(response, "repaid_years", "3", "补缴的年数不能多于断缴的 2 年。", "打算补缴其中几年")
    assert 'value="2"' in response.content.decode()


def test_it_keeps_input_when_lapsed_years_is_negative(client, demo):
    response = client.get("/calculator/", {**VALID_RESIDENT, "lapsed_years": "-1", "repaid_years": "0"})

    assert_kept_with_message(response, "lapsed_years", "-1", "年数不能是负数。", "断缴了几个整年")


def test_it_keeps_input_when_newborn_is_maybe(client, demo):
    response = client.get("/calculator/", {**VALID_RESIDENT, "newborn": "maybe"})

    assert_kept_with_message(response, "newborn", "maybe", "请填写 true 或 false。", "为新生儿参保")
    assert re.search(r'<input type="checkbox" name="newborn"(?![^>]*checked)[^>]*>', response.content.decode())


def test_it_keeps_input_when_scheme_is_bogus(client, demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "scheme": "bogus"})

    assert response.status_code == 200
    content = response.content.decode()
    message = "医保类型只能是职工医保、灵活就业或居民医保。"
    assert field_error(content, "scheme") == message
    assert f"参加的是哪种医保：{message}" in error_summary(content)
    assert not re.search(r'name="scheme"[^>]*checked', content)
    assert 'value="5000"' in content  # the rest of what was typed stays


def test_it_asks_for_the_lapse_when_an_employee_leaves_it_out(client, demo):
    query = {"region": "nanchang", "scheme": "employee", "paid_on": PAID_ON}

    content = client.get("/calculator/", query).content.decode()

    assert field_error(content, "lapse_start") == "请填写从哪个月开始没交。"
    assert field_error(content, "lapse_months") == "请填写断缴了几个月。"
    assert "有 2 处需要改正" in text_of(content)


def test_it_sends_errors_beside_the_fields_to_htmx(client, demo):
    response = client.get("/calculator/", {**VALID_EMPLOYEE, "lapse_months": "-3"}, headers={"HX-Request": "true"})

    assert response.status_code == 200  # htmx 2 does not swap 4xx replies
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="estimator"' in content
    assert field_error(content, "lapse_months") == "至少填 1 个月。"
    assert "断缴了几个月：至少填 1 个月。" in error_summary(content)
    assert "HX-Request" in response.headers["Vary"]


# ---------------------------------------------------------------- the JSON API

AMOUNT = re.compile(r"^\d+\.\d{2}$")


@pytest.mark.parametrize(("city", "name"), WORKED)
def test_it_answers_the_api_for_a_worked_case_as_the_page_shows_it(client, demo, city, name):
    expected = EXPECTED[(city, name)]

    response = api(client, {"region": city, **CASES[name]})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["region"] == city
    assert body["paid_on"] == PAID_ON
    assert body["can_backpay"] is expected["can_backpay"]
    assert body["amount"]["total"] == expected["total"]
    for part in ("total", "employer", "personal"):
        assert AMOUNT.match(body["amount"][part]), body["amount"]
    assert Decimal(body["amount"]["employer"]) + Decimal(body["amount"]["personal"]) == Decimal(expected["total"])
    assert body["late_fee"] == {"amount": expected["late_fee"], "payer": expected["payer"]}
    assert body["waiting_months"] == expected["waiting_months"]
    assert type(body["waiting_months"]) is int
    assert body["benefits_from"] == expected["benefits_from"]
    assert body["continuous_reset"] is expected["continuous_reset"]
    assert body["gap_covered"] is expected["gap_covered"]
    assert body["steps"]
    for step in body["steps"]:
        assert set(step) >= {"rule", "text", "source"}
        assert step["text"] and step["source"]
    assert body["figures"]
    for figure in body["figures"]:
        assert set(figure) >= {"key", "value", "source", "verified_on", "status"}
        assert figure["status"] in ("verified", "unverified")
        datetime.date.fromisoformat(figure["verified_on"])
    assert "仅供参考" in body["disclaimer"]
    # The page reads the same answer for the same query.
    shown = text_of(page(client, city, CASES[name]).content.decode())
    assert f"补缴金额 {yuan(body['amount']['total'])}" in shown
    assert f"待遇等待期 {waiting_text(body['waiting_months'])}" in shown
    assert f"哪天起能报销 {cn_date(body['benefits_from'])}" in shown


def test_it_cites_sources_in_the_api(client, demo):
    body = api(client, {"region": "nanchang", **CASES["case1_employer_missed_2_months"]}).json()

    sources = {step["rule"]: step["source"] for step in body["steps"]}
    assert "第八十六条" in sources["employee.late_fee.employer"]
    figures = {figure["key"]: figure for figure in body["figures"]}
    assert figures["employee_employer_rate"]["value"] == "6.8"
    assert figures["employee_employer_rate"]["status"] == "unverified"
    assert figures["late_fee_daily_pct"]["status"] == "verified"
    assert "社会保险法" in figures["late_fee_daily_pct"]["source"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"lapse_months": "-3"}, "lapse_months", "至少填 1 个月。", id="negative_months"),
        pytest.param({"lapse_months": "abc"}, "lapse_months", "请填写整数月数。", id="months_not_a_number"),
        pytest.param({"base": "-5"}, "base", "金额要大于 0。", id="negative_base"),
        pytest.param({"lapse_start": "2026-13"}, "lapse_start", "月份格式应为 年-月，例如 2026-03。", id="month_13"),
        pytest.param(
            {"paid_on": "2026-02-30"}, "paid_on", "日期格式应为 年-月-日，例如 2026-11-30。", id="february_30"
        ),
        pytest.param({"newborn": "maybe"}, "newborn", "请填写 true 或 false。", id="newborn_maybe"),
        pytest.param({"scheme": "bogus"}, "scheme", "医保类型只能是职工医保、灵活就业或居民医保。", id="bogus_scheme"),
        pytest.param({"scheme": ""}, "scheme", "请选择医保类型。", id="empty_scheme"),
        pytest.param({"region": ""}, "region", "请选择城市。", id="empty_region"),
    ],
)
def test_it_rejects_invalid_api_input_in_chinese(client, demo, changes, field, message):
    response = api(client, {**VALID_EMPLOYEE, **changes})

    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]


def test_it_rejects_more_repaid_than_lapsed_years_in_the_api(client, demo):
    response = api(client, {**VALID_RESIDENT, "lapsed_years": "2", "repaid_years": "3"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"repaid_years": ["补缴的年数不能多于断缴的 2 年。"]}


def test_it_rejects_a_missing_scheme_in_the_api(client, demo):
    query = {key: value for key, value in VALID_EMPLOYEE.items() if key != "scheme"}

    response = api(client, query)

    assert response.status_code == 400
    assert response.json()["errors"]["scheme"] == ["请选择医保类型。"]


def test_it_answers_404_for_an_unknown_region_in_the_api(client, demo):
    response = api(client, {**VALID_EMPLOYEE, "region": "nowhere"})

    assert response.status_code == 404
    assert response.json()["errors"]["region"] == ["没有这个地区，请从列表中选择。"]


def test_it_answers_404_for_the_nation_as_a_region_in_the_api(client, demo):
    assert api(client, {**VALID_EMPLOYEE, "region": "national"}).status_code == 404


def test_it_refuses_post_to_the_api(client, demo):
    assert client.post("/api/v1/estimate", VALID_EMPLOYEE).status_code == 405


def test_it_pays_today_when_the_api_is_not_told_a_date(client, demo):
    query = {key: value for key, value in VALID_RESIDENT.items() if key != "paid_on"}
    today = timezone.localdate()

    body = api(client, query).json()

    assert body["paid_on"] == today.isoformat()
    # 3 months' wait after paying this month: cover starts on the 1st, four months on.
    month = today.year * 12 + today.month - 1 + 4
    assert body["benefits_from"] == datetime.date(month // 12, month % 12 + 1, 1).isoformat()


# ---------------------------------------------------------------- no query string gives a 500

ANY_TEXT = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=30)
EDGE_TEXT = st.sampled_from(
    ["", " ", "NaN", "sNaN", "Infinity", "-0", "1e999999", "9" * 5000, "１２", "٣", "true", "on"]
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["-1", "0", "1", "80", "81", "360", "361", "0.01", "1000000", "1000000.01", "5000.125"]),
)
# Years at and beyond the form's bounds (1998-12 … 2099-12) and datetime's (1 … 9999), plus any year.
YEARS = st.sampled_from([0, 1, 1998, 1999, 2026, 2099, 2100, 9999]) | st.integers(0, 9999)
MONTHS = st.one_of(
    st.builds("{:04d}-{:d}".format, YEARS, st.integers(0, 13)),
    st.builds("{:04d}-{:02d}".format, YEARS, st.integers(0, 13)),
    st.from_regex(r"\d{4}-\d{1,2}", fullmatch=True),
)
DATES = st.one_of(
    st.builds("{:04d}-{:02d}-{:02d}".format, YEARS, st.integers(0, 13), st.integers(0, 32)),
    st.from_regex(r"\d{4}-\d{1,2}-\d{1,2}", fullmatch=True),
    st.dates().map(str),
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
    "paid_on": DATES | ANY_TEXT | EDGE_TEXT,
    "lapsed_years": NUMBERS | ANY_TEXT | EDGE_TEXT,
    "repaid_years": NUMBERS | ANY_TEXT | EDGE_TEXT,
    "in_window": choice_of("true", "false"),
    "newborn": choice_of("true", "false", "on", "maybe"),
    "switch_from": choice_of("employee", "resident"),
    "continuous_years": NUMBERS | ANY_TEXT | EDGE_TEXT,
    "gap_months": NUMBERS | ANY_TEXT | EDGE_TEXT,
}
RANDOM_QUERIES = st.fixed_dictionaries({}, optional=PARAMS)
MUTATED_CASES = st.tuples(st.sampled_from(sorted(CASES)), st.sampled_from(["nanchang", "hezhou"]), RANDOM_QUERIES).map(
    lambda t: {"region": t[1], **CASES[t[0]], **t[2]}
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.one_of(RANDOM_QUERIES, MUTATED_CASES), htmx=st.booleans())
@example(query={"lapse_start": "0000-01"}, htmx=False)  # found by this test: there is no year 0
@example(query={"region": "nanchang", "scheme": "resident", "paid_on": "1998-12-01"}, htmx=True)  # no figures yet
@example(query={"region": "hezhou", **CASES["case4_resident_5_years_repays_all"], "lapsed_years": "80"}, htmx=False)
def test_it_never_answers_500_whatever_the_query(client, demo, query, htmx):
    client.raise_request_exception = False
    headers = {"HX-Request": "true"} if htmx else {}

    api_response = client.get("/api/v1/estimate", query)
    page_response = client.get("/calculator/", query, headers=headers)

    assert api_response.status_code in (200, 400, 404, 422), (query, api_response.status_code)
    assert page_response.status_code in (200, 404), (query, page_response.status_code)


# ---------------------------------------------------------------- queries


def add_other_regions_content(count: int = 20) -> None:
    province = make_region(kind=Region.PROVINCE, parent=Region.objects.get(slug="national"))
    for _ in range(count):
        city = make_region(parent=province)
        make_article(city)
        make_policy_entry(city, "avg_wage", "8000")
        make_policy_entry(city, "resident_fee", "420")


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # region, figures, and the city list for the form's select (rendered twice by the field template)
        pytest.param(f"/calculator/?{urlencode(VALID_EMPLOYEE)}", 4, id="page"),
        # the region named in the address is looked up once more
        pytest.param(
            f"/nanchang/calculator/?{urlencode(CASES['case4_resident_5_years_repays_all'])}", 5, id="city_page"
        ),
        pytest.param(f"/api/v1/estimate?{urlencode(VALID_EMPLOYEE)}", 2, id="api"),  # region, figures
    ],
)
def test_it_uses_a_constant_number_of_queries(client, demo, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200

    add_other_regions_content()

    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_it_moves_the_address_to_the_city_chosen_in_the_form(client, demo):
    query = {"region": "hezhou", "scheme": "resident", "lapsed_years": "2", "paid_on": "2026-11-10"}

    page = client.get("/nanchang/calculator/", query)
    fragment = client.get("/nanchang/calculator/", query, HTTP_HX_REQUEST="true")

    assert page.status_code == 302
    assert page["Location"].startswith("/hezhou/calculator/?region=hezhou&")
    assert fragment.status_code == 200
    assert fragment["HX-Push-Url"].startswith("/hezhou/calculator/?region=hezhou&")
    assert "4 个月" in fragment.content.decode()
