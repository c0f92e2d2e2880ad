"""The estimator's JSON API (/api/v1/estimate): the worked cases as the page shows them, their sources,
and Chinese errors for refused input.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.estimates import (
    BETWEEN_JOBS,
    CASES,
    EXPECTED,
    LAPSED_5_YEARS,
    NEWBORN,
    PAID_ON,
    RENEWAL,
    VALID_EMPLOYEE,
    VALID_NEWBORN,
    VALID_RESIDENT,
    WINDOW_QUESTION,
    WORKED,
    api,
    cn_date,
    field_error,
    headlines,
    months_later,
    page,
    waiting_text,
    yuan,
)

AMOUNT = re.compile(r"^\d+\.\d{2}$")


@pytest.mark.parametrize(("city", "name"), WORKED)
def test_it_answers_the_api_for_a_worked_case_as_the_page_shows_it(client, shared_demo, city, name):
    expected = EXPECTED[(city, name)]

    response = api(client, {"region": city, **CASES[name]})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["region"] == city
    assert body["paid_on"] == PAID_ON
    assert body["can_backpay"] is expected["can_backpay"]
    assert body["amount"] == {
        "total": expected["total"],
        "employer": expected["employer"],
        "personal": expected["personal"],
        "items": [{"label": label, "amount": value} for label, value in expected["items"]],
    }
    for part in ("total", "employer", "personal"):
        assert AMOUNT.match(body["amount"][part]), body["amount"]
    assert Decimal(body["amount"]["employer"]) + Decimal(body["amount"]["personal"]) == Decimal(expected["total"])
    assert sum((Decimal(i["amount"]) for i in body["amount"]["items"]), Decimal("0.00")) == Decimal(expected["total"])
    assert body["late_fee"] == {
        "amount": expected["late_fee"],
        "payer": expected["payer"],
        "possible": expected["possible"],
    }
    assert body["waiting_months"] == expected["waiting_months"]
    assert type(body["waiting_months"]) is int
    assert body["benefits_from"] == expected["benefits_from"]
    assert body["continuous_reset"] is expected["continuous_reset"]
    assert body["gap_covered"] is expected["gap_covered"]
    assert body["useful_repaid_years"] == expected["useful"]
    assert body["repair_options"] == [
        {"years": years, "waiting_months": months, "cost": cost} for years, months, cost in expected["repair"]
    ]
    assert body["advice"] == expected["advice"]
    assert body["depends_on_unverified"] is True  # every demo case uses some unverified figure
    assert body["unverified"] == sorted(expected["flagged"])
    assert body["incentive_lost"] is None
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
    summary = headlines(page(client, city, CASES[name]).content.decode())
    assert summary["要交多少"].startswith(yuan(body["amount"]["total"]))
    assert summary["待遇等待期"].startswith(waiting_text(body["waiting_months"]))
    assert summary["哪天起能报销"].startswith(cn_date(body["benefits_from"]))


def test_it_cites_sources_in_the_api(client, shared_demo):
    body = api(client, {"region": "nanchang", **CASES["case1_employer_missed_2_months"]}).json()

    sources = {step["rule"]: step["source"] for step in body["steps"]}
    assert "第八十六条" in sources["employee.late_fee.employer"]
    assert sources["employee.late_fee.not_passed_on"] == "《实施〈社会保险法〉若干规定》第二十条"
    figures = {figure["key"]: figure for figure in body["figures"]}
    assert figures["employee_employer_rate"]["value"] == "6.8"
    assert figures["employee_employer_rate"]["status"] == "unverified"
    assert figures["late_fee_daily_pct"]["status"] == "verified"
    assert "社会保险法" in figures["late_fee_daily_pct"]["source"]


def test_it_answers_the_api_for_a_resident_lapsed_5_years_with_the_repair_table(client, shared_demo):
    body = api(client, {"region": "hezhou", **LAPSED_5_YEARS}).json()

    assert body["useful_repaid_years"] == 1
    assert body["repair_options"] == [
        {"years": 0, "waiting_months": 7, "cost": "400.00"},  # 3 + 4; this cover year's fee
        {"years": 1, "waiting_months": 6, "cost": "800.00"},  # the floor; 400 + 400
    ]
    assert body["waiting_months"] == 7
    assert body["benefits_from"] == "2027-06-23"
    # Covered from 2027-06-23: the 2027 cover year's fee (the 2026 figure stands in for it).
    assert body["amount"]["items"] == [{"label": "2027年度个人缴费", "amount": "400.00"}]


def test_it_answers_the_api_for_a_renewal_inside_the_window(client, shared_demo):
    body = api(client, {"region": "nanchang", **RENEWAL, "in_window": "true"}).json()

    assert (body["waiting_months"], body["benefits_from"]) == (0, "2027-01-01")
    assert body["amount"]["items"] == [{"label": "2027年度个人缴费", "amount": "400.00"}]
    fee = next(f for f in body["figures"] if f["key"] == "resident_fee")
    assert fee["stale"] == "这是2026年度的标准，2027年度的标准还没有录入"
    assert fee["overdue"] is True


@pytest.mark.parametrize(
    ("city", "total", "benefits_from"),
    [
        pytest.param("nanchang", "0.00", "2026-10-01", id="nanchang_waived"),  # 江西: free first three cover years
        pytest.param("hezhou", "400.00", "2026-10-01", id="hezhou_fee"),  # the national 2026 fee
    ],
)
def test_it_answers_the_api_for_a_newborn(client, shared_demo, city, total, benefits_from):
    body = api(client, {"region": city, **NEWBORN}).json()

    assert body["amount"]["total"] == total
    assert (body["waiting_months"], body["benefits_from"]) == (0, benefits_from)


# Between jobs in 贺州 (BETWEEN_JOBS), with these changes: the answer the API gives.
# fmt: off
BETWEEN_JOBS_ANSWERS = {
    # July–October unpaid, July and August with 失业保险金: September–October back-paid, 2 × 5,000 × 10%.
    "two_months_of_unemployment_benefit": ({"unemployment_months": "2"}, (True, "1000.00", 0, "2026-12-01")),
    # All four months with the benefit: nothing to back-pay, nothing to wait for.
    "all_months_with_unemployment_benefit": ({"unemployment_months": "4"}, (True, "0.00", 0, "2026-11-20")),
    # No benefit: July → November is 4 months back, beyond 贺州's 3: re-enrol, 2026-11-20 + 6 months.
    "no_unemployment_benefit": ({"unemployment_months": "0"}, (False, "0.00", 6, "2027-05-20")),
    # Moved: July–October is 4 months > 3, so the destination may wait the longest, 6 months.
    "moved_with_a_long_gap": ({"unemployment_months": "0", "moved": "true"}, (False, "0.00", 6, "2027-05-20")),
    # A flexible worker whose payments resumed: too late to back-pay, but no wait now.
    "flexible_gap_ended": ({"scheme": "flexible", "unemployment_months": "0", "lapse_ongoing": "false"}, (False, "0.00", 0, "2026-11-20")),
    "flexible_gap_still_running": ({"scheme": "flexible", "unemployment_months": "0", "lapse_ongoing": "true"}, (False, "0.00", 6, "2027-05-20")),
}
# fmt: on


@pytest.mark.parametrize(("changes", "answer"), BETWEEN_JOBS_ANSWERS.values(), ids=BETWEEN_JOBS_ANSWERS.keys())
def test_it_answers_the_api_with_the_new_parameters(client, shared_demo, changes, answer):
    body = api(client, {**BETWEEN_JOBS, **changes}).json()

    can_backpay, total, waiting_months, benefits_from = answer
    assert body["can_backpay"] is can_backpay
    assert body["amount"]["total"] == total
    assert body["amount"]["employer"] == "0.00"  # no employer between jobs
    assert (body["waiting_months"], body["benefits_from"]) == (waiting_months, benefits_from)


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
        *[
            pytest.param({name: "maybe"}, name, "请填写 true 或 false。", id=f"{name}_maybe")
            for name in ("newborn", "moved", "lapse_ongoing", "in_window")
        ],
        pytest.param({"unemployment_months": "-1"}, "unemployment_months", "月数不能是负数。", id="negative_jobless"),
        pytest.param(
            {"born_on": "2026-02-30"}, "born_on", "日期格式应为 年-月-日，例如 2026-10-01。", id="born_february_30"
        ),
        pytest.param({"scheme": "bogus"}, "scheme", "医保类型只能是职工医保、灵活就业或居民医保。", id="bogus_scheme"),
        pytest.param({"scheme": ""}, "scheme", "请选择医保类型。", id="empty_scheme"),
        pytest.param({"region": ""}, "region", "请选择城市。", id="empty_region"),
    ],
)
def test_it_rejects_invalid_api_input_in_chinese(client, shared_demo, changes, field, message):
    response = api(client, {**VALID_EMPLOYEE, **changes})

    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]


# A query the API refuses: the field, its Chinese message, and what the page keeps of what was typed.
# fmt: off
REFUSED_NEW_PARAMETERS = {
    "newborn_without_born_on": ({k: v for k, v in VALID_NEWBORN.items() if k != "born_on"}, "born_on", "为新生儿参保时，请填写宝宝的出生日期。", r'<input type="checkbox" name="newborn" value="true"[^>]*checked>'),
    "born_after_paid_on": ({**VALID_NEWBORN, "born_on": "2026-12-01"}, "born_on", "出生日期不能晚于缴费日期。", r'name="born_on" value="2026-12-01"'),
    "newborn_with_lapsed_years": ({**VALID_NEWBORN, "lapsed_years": "2"}, "lapsed_years", "新生儿没有断缴的年份：为新生儿参保时，断缴年数请填 0。", r'name="lapsed_years" value="2"'),
    "more_jobless_months_than_lapse": ({**BETWEEN_JOBS, "unemployment_months": "5"}, "unemployment_months", "领失业金的月数不能多于断缴的 4 个月。", r'name="unemployment_months" value="5"'),
    "moved_maybe": ({**BETWEEN_JOBS, "moved": "maybe"}, "moved", "请填写 true 或 false。", r'name="moved" value="maybe"'),
    "lapse_ongoing_maybe": ({**BETWEEN_JOBS, "scheme": "flexible", "lapse_ongoing": "maybe"}, "lapse_ongoing", "请填写 true 或 false。", r'name="lapse_start" value="2026-07"'),
    "nanchang_window_unknown": ({"region": "nanchang", **RENEWAL}, "in_window", WINDOW_QUESTION, r'name="paid_on" value="2026-11-23"'),
    "hezhou_window_unknown": ({"region": "hezhou", **RENEWAL}, "in_window", WINDOW_QUESTION, r'name="paid_on" value="2026-11-23"'),
}
# fmt: on


@pytest.mark.parametrize(
    ("query", "field", "message", "kept"), REFUSED_NEW_PARAMETERS.values(), ids=REFUSED_NEW_PARAMETERS.keys()
)
def test_it_rejects_the_new_parameters_in_chinese_and_the_page_keeps_them(
    client, shared_demo, query, field, message, kept
):
    response = api(client, query)
    page_response = client.get("/calculator/", query)

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert page_response.status_code == 200
    content = page_response.content.decode()
    assert field_error(content, field) == message
    assert re.search(kept, content), kept
    assert "估算结果" not in content


def test_it_rejects_more_repaid_than_lapsed_years_in_the_api(client, shared_demo):
    response = api(client, {**VALID_RESIDENT, "lapsed_years": "2", "repaid_years": "3"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"repaid_years": ["补缴的年数不能多于断缴的 2 年。"]}


def test_it_rejects_more_repaid_than_lapsed_years_when_switching(client, shared_demo):
    # Continuously insured 1 year (< 2): not the no-wait switch, so the lapsed years count.
    query = {
        "region": "nanchang",
        **CASES["case5_switch_employee_to_resident"],
        "continuous_years": "1",
        "lapsed_years": "1",
        "repaid_years": "3",
    }
    client.raise_request_exception = False

    response = api(client, query)

    assert response.status_code == 400
    assert response.json()["errors"] == {"repaid_years": ["补缴的年数不能多于断缴的 1 年。"]}


def test_it_rejects_a_missing_scheme_in_the_api(client, shared_demo):
    query = {key: value for key, value in VALID_EMPLOYEE.items() if key != "scheme"}

    response = api(client, query)

    assert response.status_code == 400
    assert response.json()["errors"]["scheme"] == ["请选择医保类型。"]


def test_it_answers_404_for_an_unknown_region_in_the_api(client, shared_demo):
    response = api(client, {**VALID_EMPLOYEE, "region": "nowhere"})

    assert response.status_code == 404
    assert response.json()["errors"]["region"] == ["没有这个地区，请从列表中选择。"]


def test_it_answers_404_for_the_nation_as_a_region_in_the_api(client, shared_demo):
    assert api(client, {**VALID_EMPLOYEE, "region": "national"}).status_code == 404


def test_it_refuses_post_to_the_api(client, shared_demo):
    assert client.post("/api/v1/estimate", VALID_EMPLOYEE).status_code == 405


def test_it_pays_today_when_the_api_is_not_told_a_date(client, shared_demo):
    query = {key: value for key, value in VALID_RESIDENT.items() if key != "paid_on"}
    today = timezone.localdate()

    body = api(client, query).json()

    assert body["paid_on"] == today.isoformat()
    # Lapsed 2 years, 1 repaid: 3 months' wait from the payment day, to the same day 3 months on.
    assert body["benefits_from"] == months_later(today, 3).isoformat()
