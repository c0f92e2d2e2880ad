"""The estimator's rules, with no database: the worked cases of shared/domain.md and their edges.

Every expected yuan figure below is worked out by hand from the baseline figures (the arithmetic
is in the comment beside it), never copied from the code's output.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.rules import (
    Fact,
    LapseCase,
    MissingFigure,
    RegionFacts,
    add_months,
    cover_starts,
    due_date,
    estimate,
    resident_waiting_months,
)

D = Decimal
date = datetime.date

# National defaults plus a Jiangxi-like city, typed as the figure registry types them:
# money/percent → Decimal, integer → int, boolean → bool, date → datetime.date.
BASELINE = {
    "avg_wage": D("6525"),
    "base_floor_pct": D("60"),
    "base_ceiling_pct": D("300"),
    "employee_employer_rate": D("6.8"),
    "employee_personal_rate": D("2"),
    "contribution_due_day": 15,
    "late_fee_daily_pct": D("0.05"),
    "individual_late_fee": False,
    "transfer_gap_months": 3,
    "transfer_max_wait_months": 6,
    "switch_min_years": 2,
    "switch_max_gap_months": 3,
    "continuity_reset_months": 3,
    "flexible_rate": D("10"),
    "flexible_backpay_window_months": 6,
    "flexible_wait_after_months": 3,
    "flexible_wait_months": 6,
    "resident_fee": D("400"),
    "resident_fixed_wait_months": 3,
    "resident_extra_wait_per_year": 1,
    "resident_first_year_counts": False,
    "resident_floor_after_years": 4,
    "resident_floor_months": 6,
    "incentive_after_years": 4,
    "incentive_raise_per_year": D("3000"),
}
PERCENT_KEYS = {
    "base_floor_pct",
    "base_ceiling_pct",
    "employee_employer_rate",
    "employee_personal_rate",
    "late_fee_daily_pct",
    "flexible_rate",
}
MONEY_KEYS = {"avg_wage", "resident_fee", "incentive_raise_per_year"}
ABSENT = object()


def fact(key: str, value) -> Fact:
    if isinstance(value, bool):
        display = "是" if value else "否"
    elif key in PERCENT_KEYS:
        display = f"{value}%"
    elif key in MONEY_KEYS:
        display = f"{value} 元"
    else:
        display = str(value)
    return Fact(
        key=key,
        label=key,
        value=value,
        display=display,
        source="测试文件〔2026〕1号",
        verified_on=date(2026, 11, 1),
        status="verified",
    )


def region_facts(**overrides) -> RegionFacts:
    """The baseline figures; `key=value` replaces one, `key=ABSENT` removes it."""
    values = {**BASELINE, **overrides}
    return RegionFacts(
        region="测试市", figures={key: fact(key, value) for key, value in values.items() if value is not ABSENT}
    )


def summary(result) -> dict:
    """What a citizen reads off an estimate, in one comparable dict."""
    return {
        "can_backpay": result.can_backpay,
        "total": result.amount_total,
        "employer": result.amount_employer,
        "personal": result.amount_personal,
        "late_fee": result.late_fee,
        "late_fee_payer": result.late_fee_payer,
        "waiting_months": result.waiting_months,
        "benefits_from": result.benefits_from,
        "continuous_reset": result.continuous_reset,
        "gap_covered": result.gap_covered,
    }


def step(result, rule: str):
    matches = [s for s in result.steps if s.rule == rule]
    assert matches, f"no step {rule!r} among {[s.rule for s in result.steps]}"
    return matches[0]


def rules_of(result) -> list[str]:
    return [s.rule for s in result.steps]


# ---------------------------------------------------------------- worked cases (shared/domain.md)

PAID = date(2026, 5, 20)

WORKED_CASES = [
    pytest.param(
        # Employer missed March and April 2026; base 5,000 (inside 3,915–19,575).
        LapseCase("employee", PAID, cause="employer", lapse_start=date(2026, 3, 1), lapse_months=2, base=D("5000")),
        {
            "can_backpay": True,
            "total": D("880.00"),  # 2 × 5,000 × (6.8% + 2%)
            # domain.md: "employee owes nothing ...; employer owes 2 × base × combined rate"
            "employer": D("880.00"),
            "personal": D("0.00"),
            # monthly 440.00 × 0.05% = 0.22 a day; due 3-15 → 5-20 is 66 days, 4-15 → 5-20 is 35 days
            "late_fee": D("22.22"),  # 0.22 × (66 + 35)
            "late_fee_payer": "employer",
            "waiting_months": 0,
            "benefits_from": date(2026, 6, 1),  # resumes the next month
            "continuous_reset": False,
            "gap_covered": True,  # gap's costs reimbursable afterwards
        },
        [("employee.late_fee.employer", "第八十六条"), ("employee.resume.employer", "第八十六条")],
        id="case1_employer_missed_2_months",
    ),
    pytest.param(
        # Lapsed January–April 2026 for personal reasons; window 6 months, so still back-payable in May.
        LapseCase("flexible", PAID, lapse_start=date(2026, 1, 1), lapse_months=4, base=D("5000")),
        {
            "can_backpay": True,
            "total": D("2000.00"),  # 4 × 5,000 × 10%
            "employer": D("0.00"),
            "personal": D("2000.00"),
            "late_fee": D("0.00"),  # the region charges individuals none
            "late_fee_payer": None,
            "waiting_months": 6,
            "benefits_from": date(2026, 12, 1),  # June … November waiting, cover from December
            "continuous_reset": True,
            "gap_covered": False,
        },
        [("flexible.waiting", "经办规定"), ("late_fee.none", "经办规定")],
        id="case2_flexible_4_months_personal",
    ),
    pytest.param(
        LapseCase("resident", PAID, lapsed_years=2, repaid_years=0),
        {
            "can_backpay": True,
            "total": D("0.00"),
            "employer": D("0.00"),
            "personal": D("0.00"),
            "late_fee": D("0.00"),
            "late_fee_payer": None,
            "waiting_months": 4,  # 3 fixed + 1 for the second year
            "benefits_from": date(2026, 10, 1),
            "continuous_reset": True,
            "gap_covered": False,
        },
        [("resident.waiting", "38号")],
        id="case3_resident_2_years_repays_none",
    ),
    pytest.param(
        LapseCase("resident", PAID, lapsed_years=2, repaid_years=1),
        {
            "can_backpay": True,
            "total": D("400.00"),  # one year's fee
            "employer": D("0.00"),
            "personal": D("400.00"),
            "late_fee": D("0.00"),
            "late_fee_payer": None,
            "waiting_months": 3,  # 3 + 1 − 1
            "benefits_from": date(2026, 9, 1),
            "continuous_reset": True,
            "gap_covered": False,
        },
        [("resident.waiting", "38号"), ("resident.repair", "38号")],
        id="case3_resident_2_years_repays_1",
    ),
    pytest.param(
        LapseCase("resident", PAID, lapsed_years=5, repaid_years=5),
        {
            "can_backpay": True,
            "total": D("2000.00"),  # 5 × 400
            "employer": D("0.00"),
            "personal": D("2000.00"),
            "late_fee": D("0.00"),
            "late_fee_payer": None,
            "waiting_months": 6,  # 3 + 0, raised to the 6-month floor after a 4+ year lapse
            "benefits_from": date(2026, 12, 1),
            "continuous_reset": True,
            "gap_covered": False,
        },
        [("resident.waiting", "38号"), ("resident.repair", "38号"), ("resident.floor", "38号")],
        id="case4_resident_5_years_repays_all",
    ),
    pytest.param(
        LapseCase("resident", PAID, switch_from="employee", continuous_years=3, gap_months=2),
        {
            "can_backpay": True,
            "total": D("0.00"),
            "employer": D("0.00"),
            "personal": D("0.00"),
            "late_fee": D("0.00"),
            "late_fee_payer": None,
            "waiting_months": 0,
            "benefits_from": date(2026, 5, 1),  # covered from the month paid
            "continuous_reset": False,
            "gap_covered": True,
        },
        [("switch.no_wait", "43号")],
        id="case5_switch_employee_to_resident",
    ),
]


@pytest.mark.parametrize(("case", "expected", "cited"), WORKED_CASES)
def test_it_works_out_the_worked_cases(case, expected, cited):
    result = estimate(case, region_facts())

    for rule, document in cited:
        assert document in step(result, rule).source
    assert summary(result) == expected


def test_it_lists_the_figures_an_estimate_used():
    case = LapseCase("flexible", PAID, lapse_start=date(2026, 1, 1), lapse_months=4, base=D("5000"))

    result = estimate(case, region_facts())

    assert {"avg_wage", "flexible_rate", "flexible_wait_months"} <= set(result.figures)
    assert "resident_fee" not in result.figures
    for s in result.steps:
        assert set(s.figures) <= set(result.figures)


def test_it_tells_the_employer_not_to_pass_on_the_late_fee():
    case = LapseCase("employee", PAID, cause="employer", lapse_start=date(2026, 3, 1), lapse_months=2)

    result = estimate(case, region_facts())

    assert "滞纳金不能让职工承担" in step(result, "employee.late_fee.employer").text
    assert "late_fee.individual" not in rules_of(result)


# ---------------------------------------------------------------- flexible workers


@pytest.mark.parametrize(
    ("months", "waiting", "benefits_from", "reset"),
    [
        pytest.param(3, 0, date(2026, 6, 1), False, id="3_months_no_wait"),
        pytest.param(4, 6, date(2026, 12, 1), True, id="4_months_waits_6"),
    ],
)
def test_it_makes_flexible_workers_wait_only_after_3_months(months, waiting, benefits_from, reset):
    case = LapseCase("flexible", PAID, lapse_start=date(2026, 1, 1), lapse_months=months, base=D("5000"))

    result = estimate(case, region_facts())

    assert result.can_backpay
    assert result.amount_total == D("500.00") * months  # 5,000 × 10% a month
    assert result.waiting_months == waiting
    assert result.benefits_from == benefits_from
    assert result.continuous_reset is reset


def test_it_lets_a_flexible_worker_back_pay_at_the_window_edge():
    # First unpaid month November 2025, paying in May 2026: exactly 6 months back.
    case = LapseCase("flexible", PAID, lapse_start=date(2025, 11, 1), lapse_months=2, base=D("5000"))

    result = estimate(case, region_facts())

    assert result.can_backpay is True
    assert result.amount_total == D("1000.00")  # 2 × 500
    assert "flexible.reenrol" not in rules_of(result)


def test_it_makes_a_flexible_worker_re_enrol_one_month_past_the_window():
    # October 2025 is 7 months before May 2026: beyond the 6-month window.
    case = LapseCase("flexible", PAID, lapse_start=date(2025, 10, 1), lapse_months=2, base=D("5000"))

    result = estimate(case, region_facts())

    assert summary(result) == {
        "can_backpay": False,
        "total": D("0.00"),
        "employer": D("0.00"),
        "personal": D("0.00"),
        "late_fee": D("0.00"),
        "late_fee_payer": None,
        "waiting_months": 6,
        "benefits_from": date(2026, 12, 1),
        "continuous_reset": True,
        "gap_covered": False,
    }
    assert "重新参保" in step(result, "flexible.reenrol").text


def test_it_uses_the_regions_own_window():
    case = LapseCase("flexible", PAID, lapse_start=date(2026, 2, 1), lapse_months=2, base=D("5000"))

    assert estimate(case, region_facts(flexible_backpay_window_months=3)).can_backpay is True
    assert estimate(case, region_facts(flexible_backpay_window_months=2)).can_backpay is False


# ---------------------------------------------------------------- resident insurance

RESIDENT_WAITS = [
    # (lapsed years, repaid years, waiting months) with the first lapsed year not counted
    (1, 0, 3),
    (1, 1, 3),
    (2, 0, 4),
    (2, 1, 3),
    (2, 2, 3),
    (3, 0, 5),
    (3, 1, 4),
    (3, 2, 3),
    (3, 3, 3),
    (4, 0, 6),
    (4, 1, 6),  # 3 + 3 − 1 = 5, floor 6
    (4, 4, 6),  # 3, floor 6
    (5, 0, 7),
    (5, 1, 6),
    (5, 2, 6),  # 3 + 4 − 2 = 5, floor 6
    (5, 5, 6),
]


@pytest.mark.parametrize(
    ("lapsed", "repaid", "waiting"),
    [pytest.param(*row, id=f"lapsed_{row[0]}_repaid_{row[1]}") for row in RESIDENT_WAITS],
)
def test_it_counts_resident_waiting_months(lapsed, repaid, waiting):
    case = LapseCase("resident", PAID, lapsed_years=lapsed, repaid_years=repaid)

    result = estimate(case, region_facts())

    assert result.waiting_months == waiting
    assert result.amount_total == D("400.00") * repaid
    assert result.benefits_from == add_months(date(2026, 6, 1), waiting)
    assert "38号" in step(result, "resident.waiting").source


@pytest.mark.parametrize(
    ("lapsed", "repaid", "waiting"),
    [
        pytest.param(1, 0, 4, id="lapsed_1"),
        pytest.param(2, 0, 5, id="lapsed_2"),
        pytest.param(3, 0, 6, id="lapsed_3"),
        pytest.param(3, 3, 3, id="lapsed_3_repaid_3"),
        pytest.param(4, 0, 7, id="lapsed_4"),
        pytest.param(4, 4, 6, id="lapsed_4_repaid_4_floor"),
    ],
)
def test_it_adds_a_month_for_the_first_year_where_the_region_counts_it(lapsed, repaid, waiting):
    case = LapseCase("resident", PAID, lapsed_years=lapsed, repaid_years=repaid)

    assert estimate(case, region_facts(resident_first_year_counts=True)).waiting_months == waiting


def test_it_exposes_the_waiting_rule_as_a_pure_function():
    kwargs = {"fixed": 3, "per_year": 1, "floor_after_years": 4, "floor_months": 6}

    assert resident_waiting_months(2, 0, first_year_counts=False, **kwargs) == 4
    assert resident_waiting_months(2, 1, first_year_counts=False, **kwargs) == 3
    assert resident_waiting_months(5, 5, first_year_counts=False, **kwargs) == 6
    assert resident_waiting_months(1, 0, first_year_counts=True, **kwargs) == 4
    two_a_year = {**kwargs, "per_year": 2}
    assert resident_waiting_months(2, 0, first_year_counts=False, **two_a_year) == 5


def test_it_cites_the_floor_only_when_it_applies():
    floored = estimate(LapseCase("resident", PAID, lapsed_years=4, repaid_years=4), region_facts())
    unfloored = estimate(LapseCase("resident", PAID, lapsed_years=3, repaid_years=3), region_facts())

    assert "38号" in step(floored, "resident.floor").source
    assert "resident.floor" not in rules_of(unfloored)


def test_it_gives_a_newborn_no_waiting_period():
    result = estimate(LapseCase("resident", PAID, newborn=True, lapsed_years=3), region_facts())

    assert result.waiting_months == 0
    assert result.benefits_from == date(2026, 5, 1)
    assert result.amount_total == D("0.00")


def test_it_gives_a_continuously_insured_resident_paying_in_the_window_no_wait():
    facts = region_facts(resident_window_start=date(2025, 10, 15), resident_window_end=date(2026, 2, 28))

    inside = estimate(LapseCase("resident", date(2025, 12, 10)), facts)
    outside = estimate(LapseCase("resident", date(2026, 3, 10)), facts)

    assert (inside.waiting_months, inside.benefits_from) == (0, date(2026, 1, 1))
    assert (outside.waiting_months, outside.benefits_from) == (3, date(2026, 7, 1))


def test_it_counts_the_incentive_lost_after_a_lapse():
    # Six continuous years: two years past the fourth, 3,000 元 each.
    case = LapseCase("resident", PAID, lapsed_years=1, continuous_years=6)

    result = estimate(case, region_facts())

    assert result.incentive_lost == D("6000.00")
    assert "38号" in step(result, "resident.incentive").source


# ---------------------------------------------------------------- contribution base


@pytest.mark.parametrize(
    ("base", "used", "rule"),
    [
        pytest.param(D("3000"), D("3915.00"), "base.floor", id="below_floor"),  # 6,525 × 60%
        pytest.param(D("3915.00"), D("3915.00"), "base.own", id="at_floor"),
        pytest.param(D("19575.00"), D("19575.00"), "base.own", id="at_ceiling"),  # 6,525 × 300%
        pytest.param(D("30000"), D("19575.00"), "base.ceiling", id="above_ceiling"),
        pytest.param(None, D("6525"), "base.default", id="no_wage_uses_average"),
    ],
)
def test_it_keeps_the_base_between_floor_and_ceiling(base, used, rule):
    case = LapseCase("flexible", PAID, lapse_start=date(2026, 4, 1), lapse_months=1, base=base)

    result = estimate(case, region_facts())

    assert result.amount_total == (used * D("0.10")).quantize(D("0.01"))
    assert rule in rules_of(result)


def test_it_clamps_the_base_for_employees_too():
    case = LapseCase("employee", PAID, lapse_start=date(2026, 4, 1), lapse_months=1, base=D("1000"))

    result = estimate(case, region_facts())

    assert result.amount_employer == D("266.22")  # 3,915 × 6.8% = 266.22
    assert result.amount_personal == D("78.30")  # 3,915 × 2%
    assert result.amount_total == D("344.52")


# ---------------------------------------------------------------- switching schemes （43号）


@pytest.mark.parametrize(
    ("continuous_years", "gap_months"),
    [
        pytest.param(2, 3, id="2_years_gap_3"),
        pytest.param(3, 2, id="3_years_gap_2"),
        pytest.param(10, 0, id="10_years_no_gap"),
    ],
)
def test_it_waives_the_wait_when_switching_after_2_years_with_a_short_gap(continuous_years, gap_months):
    case = LapseCase("resident", PAID, switch_from="employee", continuous_years=continuous_years, gap_months=gap_months)

    result = estimate(case, region_facts())

    assert result.waiting_months == 0
    assert result.benefits_from == date(2026, 5, 1)
    assert result.continuous_reset is False
    assert "43号" in step(result, "switch.no_wait").source


@pytest.mark.parametrize(
    ("continuous_years", "gap_months"),
    [pytest.param(1, 2, id="only_1_year"), pytest.param(3, 4, id="gap_4_months")],
)
def test_it_falls_back_to_the_new_schemes_rules_when_the_switch_is_not_eligible(continuous_years, gap_months):
    case = LapseCase("resident", PAID, switch_from="employee", continuous_years=continuous_years, gap_months=gap_months)

    result = estimate(case, region_facts())

    assert result.steps[0].rule == "switch.not_eligible"
    assert "43号" in result.steps[0].source
    assert result.waiting_months == 3  # joins resident insurance outside the window: fixed 3 months
    assert result.benefits_from == date(2026, 9, 1)


def test_it_charges_the_gap_when_switching_to_employee_insurance():
    case = LapseCase("employee", PAID, switch_from="resident", continuous_years=3, gap_months=2, base=D("5000"))

    result = estimate(case, region_facts())

    assert result.amount_employer == D("680.00")  # 2 × 5,000 × 6.8%
    assert result.amount_personal == D("200.00")  # 2 × 5,000 × 2%
    assert result.amount_total == D("880.00")
    assert result.waiting_months == 0


def test_it_treats_an_ineligible_switch_to_employee_insurance_as_a_long_gap():
    case = LapseCase("employee", PAID, switch_from="resident", continuous_years=3, gap_months=4, base=D("5000"))

    result = estimate(case, region_facts())

    assert result.steps[0].rule == "switch.not_eligible"
    assert result.amount_total == D("1760.00")  # 4 × 5,000 × 8.8%
    assert result.waiting_months == 6
    assert result.benefits_from == date(2026, 12, 1)


# ---------------------------------------------------------------- employee personal gaps （43号）


def test_it_covers_an_employee_gap_of_3_months_from_the_payment_month():
    case = LapseCase("employee", PAID, lapse_start=date(2026, 2, 1), lapse_months=3, base=D("5000"))

    result = estimate(case, region_facts())

    assert summary(result) == {
        "can_backpay": True,
        "total": D("1320.00"),  # 3 × 5,000 × 8.8%
        "employer": D("1020.00"),  # 3 × 340
        "personal": D("300.00"),  # 3 × 100
        "late_fee": D("0.00"),
        "late_fee_payer": None,
        "waiting_months": 0,
        "benefits_from": date(2026, 5, 1),
        "continuous_reset": False,
        "gap_covered": True,
    }
    assert "43号" in step(result, "employee.transfer.short").source


def test_it_lets_the_destination_impose_a_wait_after_an_employee_gap_of_4_months():
    case = LapseCase("employee", PAID, lapse_start=date(2026, 1, 1), lapse_months=4, base=D("5000"))

    result = estimate(case, region_facts())

    assert summary(result) == {
        "can_backpay": True,
        "total": D("1760.00"),  # 4 × 5,000 × 8.8%
        "employer": D("1360.00"),
        "personal": D("400.00"),
        "late_fee": D("0.00"),
        "late_fee_payer": None,
        "waiting_months": 6,
        "benefits_from": date(2026, 12, 1),
        "continuous_reset": True,
        "gap_covered": False,
    }
    assert "43号" in step(result, "employee.transfer.long").source


# ---------------------------------------------------------------- late fees


def test_it_charges_individuals_a_late_fee_where_the_region_does():
    facts = region_facts(individual_late_fee=True)
    # March and April unpaid, paid 20 May: 66 + 35 = 101 days of arrears.
    flexible = LapseCase("flexible", PAID, lapse_start=date(2026, 3, 1), lapse_months=2, base=D("5000"))
    employee = LapseCase("employee", PAID, lapse_start=date(2026, 3, 1), lapse_months=2, base=D("5000"))

    flexible_result = estimate(flexible, facts)
    employee_result = estimate(employee, facts)

    assert (flexible_result.late_fee, flexible_result.late_fee_payer) == (D("25.25"), "individual")  # 500 × 0.05% × 101
    assert (employee_result.late_fee, employee_result.late_fee_payer) == (D("22.22"), "individual")  # 440 × 0.05% × 101
    assert "late_fee.individual" in rules_of(flexible_result)
    assert "late_fee.individual" in rules_of(employee_result)


def test_it_charges_individuals_no_late_fee_by_default():
    case = LapseCase("employee", PAID, lapse_start=date(2026, 3, 1), lapse_months=2, base=D("5000"))

    result = estimate(case, region_facts())

    assert (result.late_fee, result.late_fee_payer) == (D("0.00"), None)
    assert "late_fee.none" in rules_of(result)


@pytest.mark.parametrize(
    ("month", "due"),
    [
        pytest.param(date(2024, 2, 1), date(2024, 2, 29), id="leap_february"),
        pytest.param(date(2025, 2, 1), date(2025, 2, 28), id="plain_february"),
        pytest.param(date(2025, 4, 1), date(2025, 4, 30), id="30_day_month"),
        pytest.param(date(2025, 3, 1), date(2025, 3, 31), id="31_day_month"),
    ],
)
def test_it_moves_a_due_day_31_to_the_months_last_day(month, due):
    assert due_date(month, 31) == due


@pytest.mark.parametrize(
    ("paid_on", "fee"),
    [
        pytest.param(date(2024, 2, 29), D("0.00"), id="paid_on_due_date"),
        pytest.param(date(2024, 3, 1), D("0.22"), id="one_day_late"),  # 440 × 0.05% × 1
        pytest.param(date(2024, 3, 31), D("6.82"), id="31_days_late"),  # 0.22 × 31
    ],
)
def test_it_counts_the_late_fee_from_the_due_date(paid_on, fee):
    facts = region_facts(contribution_due_day=31)
    case = LapseCase(
        "employee", paid_on, cause="employer", lapse_start=date(2024, 2, 1), lapse_months=1, base=D("5000")
    )

    assert estimate(case, facts).late_fee == fee


def test_it_sums_the_late_fee_across_a_month_end_and_rounds_once():
    # Flexible, base 5,500 → 550.00 a month → 0.275 元 a day of arrears.
    # February 2025 due 2-15 → paid 3-18: 31 days → 8.525; March due 3-15 → 3-18: 3 days → 0.825.
    # 8.525 + 0.825 = 9.350 → 9.35 (rounding each month first would give 8.53 + 0.83 = 9.36).
    case = LapseCase("flexible", date(2025, 3, 18), lapse_start=date(2025, 2, 1), lapse_months=2, base=D("5500"))

    result = estimate(case, region_facts(individual_late_fee=True))

    assert result.late_fee == D("9.35")


def test_it_rounds_the_late_fee_half_up_to_the_fen():
    # March 2025 only: 0.275 × 3 days = 0.825 → 0.83 (half-even would give 0.82).
    case = LapseCase("flexible", date(2025, 3, 18), lapse_start=date(2025, 3, 1), lapse_months=1, base=D("5500"))

    result = estimate(case, region_facts(individual_late_fee=True))

    assert result.late_fee == D("0.83")


def test_it_owes_no_late_fee_for_a_month_not_yet_due():
    case = LapseCase(
        "employee", date(2026, 5, 10), cause="employer", lapse_start=date(2026, 5, 1), lapse_months=1, base=D("5000")
    )

    assert estimate(case, region_facts()).late_fee == D("0.00")


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(date(2026, 11, 20), 2, date(2027, 1, 1), id="over_new_year"),
        pytest.param(date(2026, 1, 31), -1, date(2025, 12, 1), id="backwards_over_new_year"),
        pytest.param(date(2026, 12, 31), 0, date(2026, 12, 1), id="same_month"),
        pytest.param(date(2026, 3, 15), 12, date(2027, 3, 1), id="one_year"),
    ],
)
def test_it_adds_months_to_the_first_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_it_starts_cover_the_month_after_paying_plus_the_wait():
    assert cover_starts(date(2026, 11, 20), 0) == date(2026, 12, 1)
    assert cover_starts(date(2026, 11, 20), 6) == date(2027, 6, 1)


# ---------------------------------------------------------------- missing figures


@pytest.mark.parametrize(
    ("case", "key"),
    [
        pytest.param(
            LapseCase("flexible", PAID, lapse_start=date(2026, 4, 1), lapse_months=1), "flexible_rate", id="flexible"
        ),
        pytest.param(
            LapseCase("employee", PAID, lapse_start=date(2026, 4, 1), lapse_months=1),
            "employee_employer_rate",
            id="employee",
        ),
        pytest.param(LapseCase("resident", PAID, lapsed_years=2), "resident_fee", id="resident"),
        pytest.param(
            LapseCase("resident", PAID, switch_from="employee", continuous_years=3, gap_months=1),
            "switch_min_years",
            id="switch",
        ),
        pytest.param(
            LapseCase("employee", PAID, cause="employer", lapse_start=date(2026, 4, 1), lapse_months=1),
            "late_fee_daily_pct",
            id="employer_late_fee",
        ),
        pytest.param(
            # The no-wait switch into resident insurance quotes this year's fee.
            LapseCase("resident", PAID, switch_from="employee", continuous_years=3, gap_months=1),
            "resident_fee",
            id="switch_to_resident_quotes_the_fee",
        ),
    ],
)
def test_it_names_the_missing_figure(case, key):
    with pytest.raises(MissingFigure) as raised:
        estimate(case, region_facts(**{key: ABSENT}))

    assert raised.value.key == key


# ---------------------------------------------------------------- properties

BASES = st.decimals(min_value=D("1000"), max_value=D("30000"), places=2)
PAY_DAY = date(2026, 1, 20)
EARLY_START = date(2020, 1, 1)  # 72 months before PAY_DAY, so 1..60 lapse months all end before it


@settings(max_examples=200, deadline=None)
@given(months=st.integers(1, 59), base=BASES, cause=st.sampled_from(["employer", "personal"]), fee=st.booleans())
def test_it_never_charges_less_for_a_longer_employee_lapse(months, base, cause, fee):
    facts = region_facts(individual_late_fee=fee)
    shorter = estimate(LapseCase("employee", PAY_DAY, cause, EARLY_START, months, base), facts)
    longer = estimate(LapseCase("employee", PAY_DAY, cause, EARLY_START, months + 1, base), facts)

    assert longer.amount_total >= shorter.amount_total
    assert longer.amount_total + longer.late_fee >= shorter.amount_total + shorter.late_fee


@settings(max_examples=200, deadline=None)
@given(months=st.integers(1, 59), base=BASES, fee=st.booleans())
def test_it_never_charges_less_for_a_longer_flexible_lapse(months, base, fee):
    facts = region_facts(individual_late_fee=fee, flexible_backpay_window_months=120)  # keep every case inside
    shorter = estimate(LapseCase("flexible", PAY_DAY, "personal", EARLY_START, months, base), facts)
    longer = estimate(LapseCase("flexible", PAY_DAY, "personal", EARLY_START, months + 1, base), facts)

    assert shorter.can_backpay and longer.can_backpay
    assert longer.amount_total >= shorter.amount_total
    assert longer.amount_total + longer.late_fee >= shorter.amount_total + shorter.late_fee


@settings(max_examples=200, deadline=None)
@given(
    lapsed=st.integers(1, 40),
    data=st.data(),
    first_counts=st.booleans(),
    per_year=st.integers(0, 3),
)
def test_it_never_lengthens_the_wait_when_a_resident_repays_more(lapsed, data, first_counts, per_year):
    repaid = data.draw(st.integers(0, lapsed - 1))
    facts = region_facts(resident_first_year_counts=first_counts, resident_extra_wait_per_year=per_year)

    fewer = estimate(LapseCase("resident", PAY_DAY, lapsed_years=lapsed, repaid_years=repaid), facts)
    more = estimate(LapseCase("resident", PAY_DAY, lapsed_years=lapsed, repaid_years=repaid + 1), facts)

    assert more.waiting_months <= fewer.waiting_months
    assert more.amount_total > fewer.amount_total


@st.composite
def lapse_cases(draw):
    paid_on = draw(st.dates(date(2015, 1, 1), date(2035, 12, 31)))
    scheme = draw(st.sampled_from(["employee", "flexible", "resident"]))
    switch_from = draw(
        st.sampled_from(
            {"resident": [None, "employee"], "employee": [None, "resident"], "flexible": [None, "resident"]}[scheme]
        )
    )
    months = draw(st.integers(1, 60))
    end_back = draw(st.integers(0, 24))  # the last unpaid month lies this many months before paying
    lapsed = draw(st.integers(0, 30))
    return LapseCase(
        scheme=scheme,
        paid_on=paid_on,
        cause=draw(st.sampled_from(["employer", "personal"])) if scheme == "employee" else "personal",
        lapse_start=add_months(paid_on, -(months - 1) - end_back),
        lapse_months=months,
        base=draw(st.none() | st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)),
        lapsed_years=lapsed,
        repaid_years=draw(st.integers(0, lapsed)),
        in_window=draw(st.sampled_from([None, True, False])),
        newborn=draw(st.booleans()),
        switch_from=switch_from,
        continuous_years=draw(st.integers(0, 40)),
        gap_months=draw(st.integers(0, 24)),
    )


def in_window_renewal(case: LapseCase) -> bool:
    """A continuously insured resident renewing in the window: cover runs from 1 January, by design."""
    return case.scheme == "resident" and not case.switch_from and not case.newborn and case.lapsed_years == 0


@settings(max_examples=200, deadline=None)
@given(case=lapse_cases(), fee=st.booleans(), first_counts=st.booleans())
def test_it_never_waits_negative_months_or_covers_before_the_payment_month(case, fee, first_counts):
    result = estimate(case, region_facts(individual_late_fee=fee, resident_first_year_counts=first_counts))

    assert result.waiting_months >= 0
    if not (in_window_renewal(case) and case.in_window):
        assert result.benefits_from >= case.paid_on.replace(day=1)
    if result.waiting_months:
        assert result.benefits_from == cover_starts(case.paid_on, result.waiting_months)


@settings(max_examples=200, deadline=None)
@given(case=lapse_cases())
def test_it_lists_every_figure_its_steps_cite(case):
    # The page shows a source line and a 待核实 label for each figure in `result.figures`;
    # a figure quoted in a step but missing from that list would reach the citizen unsourced.
    result = estimate(case, region_facts())

    for s in result.steps:
        assert set(s.figures) <= set(result.figures), (s.rule, s.figures, result.figures)


def test_it_lists_the_resident_fee_it_quotes_when_switching():
    case = LapseCase("resident", PAID, switch_from="employee", continuous_years=3, gap_months=2)

    result = estimate(case, region_facts())

    assert "400 元" in step(result, "resident.current_year").text
    assert "resident_fee" in result.figures


@settings(max_examples=200, deadline=None)
@given(case=lapse_cases(), fee=st.booleans())
def test_it_keeps_every_amount_to_the_fen_and_the_shares_adding_up(case, fee):
    result = estimate(case, region_facts(individual_late_fee=fee))

    amounts = [result.amount_total, result.amount_employer, result.amount_personal, result.late_fee]
    if result.incentive_lost is not None:
        amounts.append(result.incentive_lost)
    for amount in amounts:
        assert amount.as_tuple().exponent == -2, amount
        assert amount >= 0
    assert result.amount_total == result.amount_employer + result.amount_personal
