"""The estimator's worked cases and how its page reads, for the estimator tests (page, input, API).

Every expected amount, date and month count is worked out by hand from guides/demo/figures.json
(city → province → national) and the rules of shared/domain.md, "Precise rules, corrected
2026-11-23"; the arithmetic is in the comment beside it.

- 南昌 (南昌 → 江西 → 全国)： 社平工资 6,525 元/月 (江西 2025, still in force in 2026), 单位 6.8% (南昌),
  个人 2%, 灵活就业 10%, individuals may back-pay 0 months (南昌: they re-enrol), 居民 400 元 (江西 2026),
  江西's collection window is entered for cover year 2026 only (2025-10-15 – 2026-02-28).
- No city has a 2027 resident fee: cover starting in 2027 owes the 2027 fee, and the 2026 figure (400)
  stands in for it, marked as such.
- 贺州 (贺州 → 广西 → 全国)： 社平工资 7,008 元/月 (广西 2026), 单位 8% (全国), 个人 2%, 灵活就业 10%,
  individuals may back-pay the last 3 months (全国), 居民 400 元 (全国 2026), no collection window entered.
- Both (全国)： base 60%–300% of the average wage, due on the 15th, late fee 0.05% a day, not known whether
  individuals pay it (so it is shown as possible), a lapse over 3 months waits 6 months and restarts the
  continuous years; resident: fixed wait 3 months, +1 for each lapsed year after the first, at least 6
  after a lapse of 4 years or more; every wait runs from the payment day to the same day N months later.
"""

from __future__ import annotations

import calendar
import datetime
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from tests.reading import text_of

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
    # Worked case 2 is a lapse the region lets the person back-pay: August–November, paid in November,
    # is inside a 3-month window (August → November is 3 months).
    "case2_flexible_4_months_personal": {
        "scheme": "flexible",
        "lapse_start": "2026-08",
        "lapse_months": "4",
        "base": "5000",
        "paid_on": PAID_ON,
    },
    # June–September, paid in November: June → November is 5 months, beyond a 3-month window.
    "flexible_4_months_beyond_the_window": {
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
    # Left a job: September and October unpaid, no employer, same city.
    "employee_between_jobs_2_months": {
        "scheme": "employee",
        "cause": "personal",
        "lapse_start": "2026-09",
        "lapse_months": "2",
        "base": "5000",
        "paid_on": PAID_ON,
    },
    "employee_between_jobs_2_months_moved": {
        "scheme": "employee",
        "cause": "personal",
        "lapse_start": "2026-09",
        "lapse_months": "2",
        "base": "5000",
        "moved": "true",
        "paid_on": PAID_ON,
    },
    # Not in EXPECTED, but used below and as seeds of the fuzz test.
    "employee_unemployment_then_lapse": {
        "scheme": "employee",
        "cause": "personal",
        "lapse_start": "2026-07",
        "lapse_months": "4",
        "unemployment_months": "2",
        "base": "5000",
        "paid_on": PAID_ON,
    },
    "flexible_gap_already_closed": {
        "scheme": "flexible",
        "lapse_start": "2026-06",
        "lapse_months": "4",
        "lapse_ongoing": "false",
        "base": "5000",
        "paid_on": PAID_ON,
    },
    "resident_renewal": {"scheme": "resident", "lapsed_years": "0", "paid_on": "2026-11-23"},
    "newborn": {"scheme": "resident", "newborn": "true", "born_on": "2026-10-01", "paid_on": "2026-11-23"},
}


HEADLINES = ("can_backpay", "amount", "late_fee", "waiting", "benefits_from")


LABELS = {
    "can_backpay": "能不能补缴",
    "amount": "要交多少",
    "late_fee": "滞纳金",
    "waiting": "待遇等待期",
    "benefits_from": "哪天起能报销",
}


EVERY_HEADLINE = set(HEADLINES)


# Not back-paid, re-enrolled: the window (so also "nothing to pay" and "no late fee"), the 6-month wait and
# when it is counted from are all unverified.
RE_ENROL_FLAGS = EVERY_HEADLINE


def outcome(**fields) -> dict:
    """An expected answer; what is not named is nothing owed, nothing flagged, no repair table."""
    return {
        "total": "0.00",
        "employer": "0.00",
        "personal": "0.00",
        "items": [],
        "late_fee": "0.00",
        "payer": None,
        "possible": None,
        "can_backpay": True,
        "continuous_reset": False,
        "gap_covered": False,
        "flagged": set(),
        "advice": "",
        "useful": None,
        "repair": [],
        **fields,
    }


def re_enrolled() -> dict:
    # Nothing to back-pay: a new participant waits 6 months from 2026-11-20, to 2027-05-20.
    return outcome(
        can_backpay=False,
        waiting_months=6,
        benefits_from="2027-05-20",
        continuous_reset=True,
        flagged=RE_ENROL_FLAGS,
        advice="不能补缴，只能重新参保",
    )


# Each expected answer, as the API gives it and as the page reads.
# Employer fault: due 8-15 and 9-15, paid 11-20 → 97 + 66 = 163 days of arrears.
# Individual late fee at 5,000 × 10% = 500 a month → 0.25 a day per unpaid month;
#   due 8-15 → 97 days, 9-15 → 66, 10-15 → 36, 11-15 → 5.
EXPECTED = {
    ("nanchang", "case1_employer_missed_2_months"): outcome(
        total="880.00",  # 2 × 5,000 × (6.8% + 2%)
        employer="680.00",  # 2 × 5,000 × 6.8%
        personal="200.00",  # 2 × 5,000 × 2%: the employee's own share, withheld by the employer
        items=[("单位缴费部分", "680.00"), ("个人缴费部分（单位代扣代缴，可从工资里扣回）", "200.00")],
        late_fee="35.86",  # 440 × 0.05% × 163 = 0.22 × 163
        payer="employer",
        waiting_months=0,
        benefits_from="2026-12-01",  # the month after paying
        gap_covered=True,
        flagged={"amount", "late_fee"},  # rates, base band and due day are unverified
        advice="由单位补缴，职工不交滞纳金",
    ),
    ("hezhou", "case1_employer_missed_2_months"): outcome(
        total="1000.00",  # 2 × 5,000 × (8% + 2%)
        employer="800.00",  # 2 × 5,000 × 8%
        personal="200.00",  # 2 × 5,000 × 2%
        items=[("单位缴费部分", "800.00"), ("个人缴费部分（单位代扣代缴，可从工资里扣回）", "200.00")],
        late_fee="40.75",  # 500 × 0.05% × 163 = 0.25 × 163
        payer="employer",
        waiting_months=0,
        benefits_from="2026-12-01",
        gap_covered=True,
        flagged={"amount", "late_fee"},
        advice="由单位补缴，职工不交滞纳金",
    ),
    ("nanchang", "case2_flexible_4_months_personal"): re_enrolled(),  # 南昌: window 0
    ("hezhou", "case2_flexible_4_months_personal"): outcome(
        total="2000.00",  # 4 × 5,000 × 10%
        personal="2000.00",
        items=[("补缴 4 个月保费（个人缴纳）", "2000.00")],
        possible="51.00",  # 0.25 × (97 + 66 + 36 + 5) = 0.25 × 204
        waiting_months=6,  # 4 months > 3
        benefits_from="2027-05-20",  # 2026-11-20 + 6 months
        continuous_reset=True,
        flagged=EVERY_HEADLINE,
    ),
    ("nanchang", "flexible_4_months_beyond_the_window"): re_enrolled(),
    ("hezhou", "flexible_4_months_beyond_the_window"): re_enrolled(),  # 5 months back > 3
    # Residents paying on 2026-11-20 are covered from 2027 on: the fee due is the 2027 cover year's, and
    # with no 2027 fee entered, the 2026 figure (400) stands in for it.
    **{
        (city, "case3_resident_2_years_repays_none"): outcome(
            total="400.00",  # the 2027 cover year's fee
            personal="400.00",
            items=[("2027年度个人缴费", "400.00")],
            waiting_months=4,  # 3 + 1 (the first lapsed year does not count)
            benefits_from="2027-03-20",  # 2026-11-20 + 4 months
            continuous_reset=True,
            flagged={"amount", "waiting", "benefits_from"},
            advice="补 1 年就够了：等待期 4 → 3 个月，多补不会更短",
            useful=1,
            repair=[(0, 4, "400.00"), (1, 3, "800.00")],  # 400 + r × 400
        )
        for city in ("nanchang", "hezhou")
    },
    **{
        (city, "case3_resident_2_years_repays_1"): outcome(
            total="800.00",  # one repaid year + the 2027 fee: 400 + 400
            personal="800.00",
            items=[("补缴 1 年", "400.00"), ("2027年度个人缴费", "400.00")],
            waiting_months=3,  # 3 + 1 − 1
            benefits_from="2027-02-20",
            continuous_reset=True,
            flagged={"amount", "waiting", "benefits_from"},
            advice="补 1 年就够了：等待期 4 → 3 个月，多补不会更短",
            useful=1,
            repair=[(0, 4, "400.00"), (1, 3, "800.00")],
        )
        for city in ("nanchang", "hezhou")
    },
    **{
        (city, "case4_resident_5_years_repays_all"): outcome(
            total="2400.00",  # 5 × 400 + the 2027 fee 400
            personal="2400.00",
            items=[("补缴 5 年", "2000.00"), ("2027年度个人缴费", "400.00")],
            waiting_months=6,  # 3 + 4 − 5 → 3, but at least 6 after a lapse of 4+ years
            benefits_from="2027-05-20",
            continuous_reset=True,
            flagged={"amount", "waiting", "benefits_from"},
            advice="补 1 年就够了：等待期 7 → 6 个月，多补不会更短",  # 3 + 4 = 7; one year reaches the floor
            useful=1,
            repair=[(0, 7, "400.00"), (1, 6, "800.00")],
        )
        for city in ("nanchang", "hezhou")
    },
    **{
        (city, "case5_switch_employee_to_resident"): outcome(
            total="400.00",  # the 2026 cover year's fee: covered from November 2026
            personal="400.00",
            items=[("2026年度个人缴费", "400.00")],
            waiting_months=0,  # 3 years ≥ 2, gap 2 ≤ 3 months (both verified)
            benefits_from="2026-11-01",  # covered from the month paid
            gap_covered=True,
            flagged={"amount"},
            advice="换险种不用等待",
        )
        for city in ("nanchang", "hezhou")
    },
    ("nanchang", "employee_between_jobs_2_months"): re_enrolled(),  # no employer share; 南昌: window 0
    ("hezhou", "employee_between_jobs_2_months"): outcome(
        total="1000.00",  # 2 × 5,000 × 10%, the individual rate: no employer share without an employer
        personal="1000.00",
        items=[("补缴 2 个月保费（个人缴纳）", "1000.00")],
        possible="25.50",  # 0.25 × (66 + 36)
        waiting_months=0,  # 2 months ≤ 3
        benefits_from="2026-12-01",  # the month after paying; the gap is not covered (same city)
        flagged=EVERY_HEADLINE,
    ),
    **{
        (city, "employee_between_jobs_2_months_moved"): outcome(
            total="1000.00",  # 2 × 5,000 × 10% (5,000 is inside both cities' base band)
            personal="1000.00",
            items=[("补缴 2 个月保费（个人缴纳）", "1000.00")],
            possible="25.50",  # 0.25 × (66 + 36)
            waiting_months=0,  # moved, gap 2 ≤ 3 months (43号, verified)
            benefits_from="2026-11-01",  # from the payment month, the gap covered
            gap_covered=True,
            flagged={"amount", "late_fee"},
        )
        for city in ("nanchang", "hezhou")
    },
}


WORKED = [pytest.param(city, name, id=f"{city}-{name}") for (city, name) in EXPECTED]


def cn_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def yuan(amount: str) -> str:
    return f"{Decimal(amount):,.2f} 元"


def waiting_text(months: int) -> str:
    return f"{months} 个月" if months else "没有等待期"


def months_later(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later, or that month's last day when it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


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


def headlines(content: str) -> dict[str, str]:
    """The result summary as read: each headline's label → what stands beside it."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", content, flags=re.S)
    return {text_of(label): text_of(value) for label, value in pairs}


def used_figures(content: str) -> list[str]:
    """Each line of the "用到的数字" list, as read."""
    match = re.search(r'<ul class="used-figures">(.*?)</ul>', content, flags=re.S)
    assert match, "no list of used figures"
    return [text_of(line) for line in re.findall(r"<li>(.*?)</li>", match.group(1), flags=re.S)]


def figure_line(content: str, label: str) -> str:
    lines = [line for line in used_figures(content) if line.startswith(f"{label}：")]
    assert lines, f"{label} is not among the used figures"
    return lines[0]


def repair_rows(content: str) -> list[str]:
    match = re.search(r'<table class="repair">(.*?)</table>', content, flags=re.S)
    assert match, "no repair table"
    return [text_of(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), flags=re.S)]


def assert_result_reads(content: str, query: dict, expected: dict) -> None:
    """The result as a citizen reads it: each headline, its 待核实 mark, the amount's lines, the advice."""
    summary = headlines(content)
    amount = summary["要交多少"]
    assert amount.startswith(yuan(expected["total"])), amount
    if len(expected["items"]) > 1:
        for label, value in expected["items"]:
            assert f"{label} {yuan(value)}" in amount
    elif expected["items"]:
        assert expected["items"][0][0] in amount
    late = summary["滞纳金"]
    if expected["payer"] == "employer":
        assert late.startswith(f"{yuan(expected['late_fee'])}，由单位承担"), late
    elif expected["possible"] is not None:
        assert late.startswith(f"不清楚当地收不收；如收，最多约 {yuan(expected['possible'])}"), late
    else:
        assert late.startswith("不用交"), late
    assert summary["待遇等待期"].startswith(waiting_text(expected["waiting_months"]))
    assert summary["哪天起能报销"].startswith(cn_date(expected["benefits_from"]))
    assert ("断缴期间的费用也可以按规定补报" in summary["哪天起能报销"]) is expected["gap_covered"]
    reset = "重新计算" if expected["continuous_reset"] else "不受影响"
    assert summary["连续参保年限"].startswith(reset)
    if query.get("scheme") == "resident" and not query.get("lapsed_years"):
        assert "能不能补缴" not in summary  # joining or renewing: nothing to back-pay
    else:
        assert summary["能不能补缴"].startswith("可以补缴" if expected["can_backpay"] else "不能补缴，只能重新参保")
    for headline in HEADLINES:
        label = LABELS[headline]
        if label in summary:
            assert ("待核实" in summary[label]) is (headline in expected["flagged"]), label
    if expected["advice"]:
        assert expected["advice"] in text_of(content)
    if len(expected["repair"]) > 1:
        rows = [f"{years} 年 {months} 个月 {yuan(cost)}" for years, months, cost in expected["repair"]]
        assert repair_rows(content) == ["补缴年数 等待期 共交", *rows]
    else:
        assert '<table class="repair">' not in content


LAPSED_5_YEARS = {"scheme": "resident", "lapsed_years": "5", "paid_on": "2026-11-23"}


RENEWAL = CASES["resident_renewal"]


WINDOW_QUESTION = "本站还没有当地这段时间的集中参保期数据，请选择：是否在当地集中参保期内缴费？"


NEWBORN = CASES["newborn"]


VALID_EMPLOYEE = {"region": "nanchang", **CASES["case1_employer_missed_2_months"]}


VALID_RESIDENT = {"region": "nanchang", **CASES["case3_resident_2_years_repays_1"]}


BETWEEN_JOBS = {"region": "hezhou", **CASES["employee_unemployment_then_lapse"]}


VALID_NEWBORN = {"region": "nanchang", **NEWBORN}
