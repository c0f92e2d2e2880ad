"""The estimator's rules, with no database: the worked cases and the corrected rules of
shared/domain.md ("Precise rules, corrected 2026-11-23"), their boundaries, and properties.

Every expected yuan figure is worked out by hand from the baseline figures (the arithmetic is in
the comment beside it), never copied from the code's output.
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
    NeedsAnswer,
    RegionFacts,
    estimate,
    resident_waiting_months,
    same_day_months_later,
)
from calculator.rules.core import DOC_COMMON

D = Decimal
date = datetime.date
ABSENT = object()

# National rules and a Jiangxi-like city, typed as the registry types them.
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
    "resident_after_jan1_cover": "next_day",
    "waiting_counted_from": "payment_day",
    "newborn_grace_days": 90,
    "newborn_free_years": 0,
    "incentive_after_years": 4,
    "incentive_raise_per_year": D("3000"),
    "incentive_max_pct": D("20"),
}
YEARLY = {"avg_wage", "resident_fee", "resident_window_start", "resident_window_end"}


def fact(key: str, value, *, start=None, end=None, status="verified", level="city") -> Fact:
    start = start or date(2000, 1, 1)
    return Fact(
        key=key,
        label=key,
        value=value,
        display=f"{value}",
        source="测试文件〔2026〕1号",
        verified_on=date(2026, 11, 1),
        status=status,
        level=level,
        effective_from=start,
        effective_to=end,
        year=start.year if key in YEARLY else None,
    )


def window(year: int, start: date, end: date) -> dict:
    """The collection window of cover `year`, entered for exactly that year."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return {
        "resident_window_start": [fact("resident_window_start", start, start=first, end=last)],
        "resident_window_end": [fact("resident_window_end", end, start=first, end=last)],
    }


JIANGXI_WINDOWS = {
    key: window(2026, date(2025, 10, 15), date(2026, 2, 28))[key]
    + window(2027, date(2026, 10, 15), date(2027, 2, 28))[key]
    for key in ("resident_window_start", "resident_window_end")
}


def facts(series: dict | None = None, **overrides) -> RegionFacts:
    """Baseline figures, each in force throughout; `key=value` replaces one, `key=ABSENT` drops it,
    and `series={key: [Fact, …]}` gives a key several periods."""
    values = {**BASELINE, **overrides}
    table = {
        k: [fact(k, v, start=date(2026 if k in YEARLY else 2000, 1, 1))] for k, v in values.items() if v is not ABSENT
    }
    # Year-labelled figures of the baseline are for 2025 and 2026 alike, so no test meets a stale one by accident.
    for key in YEARLY & set(table):
        table[key] = [
            fact(key, values[key], start=date(2026, 1, 1)),
            fact(key, values[key], start=date(2020, 1, 1), end=date(2025, 12, 31)),
        ]
    table.update(series or {})
    return RegionFacts(region="测试市", series=table)


def rules_of(result) -> list[str]:
    return [s.rule for s in result.steps]


def step(result, rule: str):
    found = [s for s in result.steps if s.rule == rule]
    assert found, f"no step {rule!r} among {rules_of(result)}"
    return found[0]


# ---------------------------------------------------------------- worked cases (shared/domain.md)

PAID = date(2026, 5, 20)


def test_case1_employer_missed_two_months_pays_both_shares_apart_and_the_whole_late_fee():
    case = LapseCase("employee", PAID, cause="employer", lapse_start=date(2026, 3, 1), lapse_months=2, base=D("5000"))
    result = estimate(case, facts())
    assert result.amount_employer == D("680.00")  # 2 × 5,000 × 6.8%
    assert result.amount_personal == D("200.00")  # 2 × 5,000 × 2%: the employee's own share, withheld by the employer
    assert result.amount_total == D("880.00")
    assert [i.label for i in result.items] == ["单位缴费部分", "个人缴费部分（单位代扣代缴，可从工资里扣回）"]
    # monthly 440.00 × 0.05% = 0.22 a day; due 3-15 → 5-20 is 66 days, 4-15 → 5-20 is 35 days
    assert (result.late_fee, result.late_fee_payer) == (D("22.22"), "employer")
    assert (result.waiting_months, result.benefits_from, result.gap_covered) == (0, date(2026, 6, 1), True)
    assert "第八十六条" in step(result, "employee.late_fee.employer").source
    assert step(result, "employee.late_fee.not_passed_on").source == "《实施〈社会保险法〉若干规定》第二十条"
    assert "第六十条" in step(result, "employee.employer_backpays").source


def test_case2_flexible_four_months_back_paid_then_waits_six_months_from_payment_day():
    case = LapseCase("flexible", PAID, lapse_start=date(2026, 1, 1), lapse_months=4, base=D("5000"))
    result = estimate(case, facts())
    assert result.can_backpay and result.amount_total == D("2000.00")  # 4 × 5,000 × 10%
    assert result.amount_employer == D("0.00")
    assert (result.late_fee, result.late_fee_payer, result.late_fee_possible) == (D("0.00"), None, None)
    assert result.waiting_months == 6
    assert result.benefits_from == date(2026, 11, 20)  # 6 months after 2026-05-20, same day of month
    assert result.continuous_reset and not result.gap_covered


@pytest.mark.parametrize(
    "lapsed, repaid, wait, total",
    [
        pytest.param(2, 0, 4, D("400.00"), id="case3_no_repair"),  # 3 + 1; the current year's fee
        pytest.param(2, 1, 3, D("800.00"), id="case3_repay_one"),  # 3 + 1 − 1; one year + current year
        pytest.param(5, 5, 6, D("2400.00"), id="case4_floor"),  # 3 + 0 → floor 6; 5 × 400 + 400
    ],
)
def test_cases_3_and_4_resident_wait_and_amount_with_the_current_years_fee(lapsed, repaid, wait, total):
    result = estimate(LapseCase("resident", PAID, lapsed_years=lapsed, repaid_years=repaid), facts())
    assert result.waiting_months == wait
    assert result.amount_total == total
    assert result.items[-1].label == "2026年度个人缴费" and result.items[-1].amount == D("400.00")
    assert result.benefits_from == same_day_months_later(PAID, wait)


def test_case5_switch_after_three_years_with_two_month_gap_has_no_wait_but_owes_the_current_fee():
    case = LapseCase("resident", PAID, switch_from="employee", continuous_years=3, gap_months=2)
    result = estimate(case, facts())
    assert result.waiting_months == 0 and result.gap_covered
    assert result.amount_total == D("400.00")
    assert "43号" in step(result, "switch.no_wait").source


# ---------------------------------------------------------------- resident: unknown window → ask


@pytest.mark.parametrize(
    "series",
    [
        pytest.param({}, id="no_window"),
        pytest.param(window(2026, date(2025, 10, 15), date(2026, 2, 28)), id="only_2026"),
    ],
)
def test_it_asks_instead_of_assuming_outside_when_the_window_is_not_known(series):
    case = LapseCase("resident", date(2026, 11, 23))
    with pytest.raises(NeedsAnswer) as asked:
        estimate(case, facts(series))
    assert asked.value.field == "in_window"
    assert "集中参保期" in asked.value.message


def test_a_citizen_who_always_paid_and_renews_in_the_window_today_waits_for_nothing():
    result = estimate(LapseCase("resident", date(2026, 11, 23), in_window=True), facts())
    assert (result.waiting_months, result.benefits_from) == (0, date(2027, 1, 1))
    assert result.items[0].label == "2027年度个人缴费"


@pytest.mark.parametrize(
    "paid, inside",
    [
        (date(2025, 10, 14), False),
        (date(2025, 10, 15), True),
        (date(2026, 2, 28), True),
        (date(2026, 3, 1), False),
        (date(2026, 10, 15), True),
    ],
)
def test_window_edges_decide_the_fixed_wait(paid, inside):
    result = estimate(LapseCase("resident", paid), facts(JIANGXI_WINDOWS | _old_windows()))
    assert (result.waiting_months == 0) is inside
    if not inside:
        assert result.benefits_from == same_day_months_later(paid, 3)


def _old_windows():
    return {k: JIANGXI_WINDOWS[k] + window(2025, date(2024, 10, 15), date(2025, 2, 28))[k] for k in JIANGXI_WINDOWS}


@pytest.mark.parametrize(
    "paid, mode, cover",
    [
        (date(2025, 12, 31), "next_day", date(2026, 1, 1)),  # before 1 January: from 1 January
        (date(2026, 1, 1), "next_day", date(2026, 1, 2)),  # on 1 January: the day after
        (date(2026, 2, 28), "next_day", date(2026, 3, 1)),
        (date(2026, 1, 15), "next_month", date(2026, 2, 1)),
        (date(2026, 1, 15), "jan1", date(2026, 1, 1)),
    ],
)
def test_in_window_renewal_before_and_after_1_january(paid, mode, cover):
    result = estimate(LapseCase("resident", paid), facts(JIANGXI_WINDOWS, resident_after_jan1_cover=mode))
    assert (result.waiting_months, result.benefits_from) == (0, cover)
    assert result.items[0].label == "2026年度个人缴费"


# ---------------------------------------------------------------- waiting periods from the payment day


@pytest.mark.parametrize(
    "paid, months, counted_from, expected",
    [
        (date(2026, 3, 15), 3, "payment_day", date(2026, 6, 15)),
        (date(2026, 11, 30), 3, "payment_day", date(2027, 2, 28)),  # month-end clamp
        (date(2027, 11, 30), 3, "payment_day", date(2028, 2, 29)),  # leap year
        (date(2026, 8, 31), 1, "payment_day", date(2026, 9, 30)),
        (date(2026, 3, 15), 3, "next_month", date(2026, 7, 1)),
    ],
)
def test_the_fixed_wait_runs_from_the_payment_day_with_the_month_end_clamp(paid, months, counted_from, expected):
    case = LapseCase("resident", paid, in_window=False)
    result = estimate(case, facts(resident_fixed_wait_months=months, waiting_counted_from=counted_from))
    assert result.benefits_from == expected


# ---------------------------------------------------------------- useful repair


# lapse → (wait with no repair, useful years, wait after the useful repair), by hand from the national figures
USEFUL = {1: (3, 0, 3), 2: (4, 1, 3), 3: (5, 2, 3), 4: (6, 0, 6), 5: (7, 1, 6), 6: (8, 2, 6), 7: (9, 3, 6),
          8: (10, 4, 6), 9: (11, 5, 6), 10: (12, 6, 6), 11: (13, 7, 6), 12: (14, 8, 6)}  # fmt: skip


@pytest.mark.parametrize("lapsed", sorted(USEFUL))
def test_useful_repair_years_and_table(lapsed):
    before, useful, after = USEFUL[lapsed]
    result = estimate(LapseCase("resident", PAID, lapsed_years=lapsed), facts())
    assert result.useful_repaid_years == useful
    table = [(o.years, o.waiting_months, o.cost) for o in result.repair_options]
    assert table[0] == (0, before, D("400.00"))
    assert table[-1] == (useful, after, D(400 * (useful + 1)).quantize(D("0.01")))
    assert len(table) == useful + 1


def test_it_says_which_repaid_years_buy_nothing():
    result = estimate(LapseCase("resident", PAID, lapsed_years=5, repaid_years=5), facts())
    assert result.advice == "补 1 年就够了：等待期 7 → 6 个月，多补不会更短"
    assert "其中 4 年（1,600.00 元）不会让等待期再缩短" in step(result, "resident.repair.beyond").text


def test_lapse_three_repay_two_costs_two_years_and_the_current_year():
    result = estimate(LapseCase("resident", PAID, lapsed_years=3, repaid_years=2), facts())
    assert [(i.label, i.amount) for i in result.items] == [
        ("补缴 2 年", D("800.00")),
        ("2026年度个人缴费", D("400.00")),
    ]
    assert result.amount_total == D("1200.00")


def test_the_fee_is_looked_up_for_the_cover_year_not_the_payment_day():
    fees = [
        fact("resident_fee", D("400"), start=date(2026, 1, 1)),
        fact("resident_fee", D("380"), start=date(2025, 1, 1), end=date(2025, 12, 31)),
    ]
    result = estimate(LapseCase("resident", date(2025, 11, 1), in_window=True), facts({"resident_fee": fees}))
    assert result.items[0] == result.items[0].__class__("2026年度个人缴费", D("400.00"))


def test_a_fee_from_an_earlier_year_used_for_a_later_one_says_so():
    fees = [fact("resident_fee", D("400"), start=date(2026, 1, 1))]
    result = estimate(LapseCase("resident", date(2026, 11, 23), in_window=True), facts({"resident_fee": fees}))
    used = [f for f in result.figures if f.key == "resident_fee"]
    assert used[0].stale_note == "这是2026年度的标准，2027年度的标准还没有录入"


# ---------------------------------------------------------------- newborns


@pytest.mark.parametrize("days, from_birth", [(0, True), (90, True), (91, False)])
def test_newborn_grace_period_boundary(days, from_birth):
    born = date(2026, 1, 1)
    case = LapseCase("resident", born + datetime.timedelta(days=days), newborn=True, born_on=born, in_window=False)
    result = estimate(case, facts())
    if from_birth:
        assert (result.waiting_months, result.benefits_from) == (0, born)
    else:
        assert result.waiting_months == 3
        assert "resident.newborn.late" in rules_of(result)


@pytest.mark.parametrize("born, free", [(date(2024, 1, 1), True), (date(2023, 12, 31), False)])
def test_jiangxi_free_years_for_babies_born_from_2024(born, free):
    figures = facts(newborn_free_years=3, newborn_free_born_from=date(2024, 1, 1))
    result = estimate(LapseCase("resident", born + datetime.timedelta(days=10), newborn=True, born_on=born), figures)
    assert result.amount_total == (D("0.00") if free else D("400.00"))
    assert ("resident.newborn.free" in rules_of(result)) is free


# ---------------------------------------------------------------- employees without an employer


def test_same_city_short_personal_lapse_is_not_the_transfer_rule():
    case = LapseCase("employee", PAID, lapse_start=date(2026, 3, 1), lapse_months=2, base=D("5000"))
    result = estimate(case, facts())
    assert not result.gap_covered
    assert result.amount_employer == D("0.00")  # no employer, no employer share
    assert result.amount_total == D("1000.00")  # 2 × 5,000 × 10% (the individual rate)
    assert "transfer.short" not in rules_of(result)


def test_moved_between_cities_short_gap_is_covered_from_the_payment_month():
    case = LapseCase("employee", PAID, lapse_start=date(2026, 3, 1), lapse_months=2, base=D("5000"), moved=True)
    result = estimate(case, facts())
    assert (result.waiting_months, result.benefits_from, result.gap_covered) == (0, date(2026, 5, 1), True)
    assert "43号" in step(result, "transfer.short").source


def test_moved_between_cities_long_gap_may_wait_the_maximum():
    case = LapseCase("flexible", PAID, lapse_start=date(2025, 12, 1), lapse_months=5, moved=True)
    result = estimate(case, facts())
    assert (result.can_backpay, result.waiting_months, result.gap_covered) == (False, 6, False)


def test_unemployment_benefit_months_are_not_a_lapse():
    case = LapseCase("employee", PAID, lapse_start=date(2026, 2, 1), lapse_months=3, unemployment_months=3)
    result = estimate(case, facts())
    assert (result.amount_total, result.waiting_months) == (D("0.00"), 0)
    assert "第四十八条" in step(result, "employee.unemployment").source


def test_only_months_after_the_unemployment_benefit_are_priced():
    case = LapseCase(
        "employee", PAID, lapse_start=date(2026, 1, 1), lapse_months=4, unemployment_months=2, base=D("5000")
    )
    result = estimate(case, facts())
    assert result.amount_total == D("1000.00")  # March and April: 2 × 5,000 × 10%


def test_no_window_for_individuals_means_re_enrol():
    case = LapseCase("employee", PAID, lapse_start=date(2026, 4, 1), lapse_months=1)
    result = estimate(case, facts(flexible_backpay_window_months=0))
    assert (result.can_backpay, result.amount_total, result.waiting_months) == (False, D("0.00"), 6)
    assert "flexible.reenrol" in rules_of(result)


def test_a_closed_flexible_gap_does_not_delay_current_cover():
    case = LapseCase("flexible", PAID, lapse_start=date(2026, 1, 1), lapse_months=4, lapse_ongoing=False)
    result = estimate(case, facts())
    assert (result.waiting_months, result.benefits_from) == (0, PAID)
    assert result.continuous_reset


# ---------------------------------------------------------------- pricing and late fees


def test_arrears_spanning_a_change_of_figures_are_priced_month_by_month():
    wages = [
        fact("avg_wage", D("7008"), start=date(2026, 1, 1)),
        fact("avg_wage", D("6525"), start=date(2025, 1, 1), end=date(2025, 12, 31)),
    ]
    case = LapseCase("flexible", date(2026, 3, 10), lapse_start=date(2025, 11, 1), lapse_months=4)
    result = estimate(case, facts({"avg_wage": wages}))
    assert result.amount_total == D("2706.60")  # 2 × 652.50 + 2 × 700.80
    texts = [s.text for s in result.steps if s.rule == "flexible.amount"]
    assert (
        len(texts) == 2 and texts[0].startswith("2025年11月–2025年12月") and texts[1].startswith("2026年1月–2026年2月")
    )


def test_a_wage_from_an_earlier_year_used_for_a_later_month_is_marked():
    wages = [fact("avg_wage", D("6525"), start=date(2025, 1, 1))]
    case = LapseCase("flexible", date(2026, 3, 10), lapse_start=date(2026, 1, 1), lapse_months=2)
    result = estimate(case, facts({"avg_wage": wages}))
    assert any(f.stale_note == "这是2025年度的标准，2026年度的标准还没有录入" for f in result.figures)


@pytest.mark.parametrize(
    "charges, fee, payer, possible",
    [(True, D("67.86"), "individual", None), (False, D("0.00"), None, None), (None, D("0.00"), None, D("67.86"))],
)
def test_individual_late_fee_is_three_valued(charges, fee, payer, possible):
    # 3 months of 652.50 (6,525 × 10%), due Aug/Sep/Oct 15, paid Nov 23: 100 + 69 + 39 = 208 days × 0.32625
    case = LapseCase("flexible", date(2026, 11, 23), lapse_start=date(2026, 8, 1), lapse_months=3)
    result = estimate(case, facts(individual_late_fee=charges))
    assert (result.late_fee, result.late_fee_payer, result.late_fee_possible) == (fee, payer, possible)
    if charges is None:
        assert "本站没有查到当地是否对个人补缴收滞纳金" in step(result, "late_fee.unknown").text


# ---------------------------------------------------------------- honesty: sources and 待核实


def test_a_national_common_practice_is_cited_as_one():
    unconfirmed = {"flexible_wait_months": [fact("flexible_wait_months", 6, status="unverified", level="national")]}
    case = LapseCase("flexible", PAID, lapse_start=date(2026, 1, 1), lapse_months=4)
    result = estimate(case, facts(unconfirmed))
    assert step(result, "flexible.waiting").source == DOC_COMMON
    assert {"waiting", "benefits_from"} <= result.unverified
    assert "amount" not in result.unverified and result.depends_on_unverified


def test_a_documents_rule_applied_with_common_practice_numbers_says_both():
    rates = {"employee_personal_rate": [fact("employee_personal_rate", D("2"), status="unverified", level="national")]}
    case = LapseCase("employee", PAID, cause="employer", lapse_start=date(2026, 3, 1), lapse_months=2, base=D("5000"))
    result = estimate(case, facts(rates))
    assert step(result, "employee.amount").source == "《社会保险法》第二十三条；部分数字是各地常见做法（待核实）"
    assert step(result, "employee.late_fee.employer").source == "《社会保险法》第八十六条"


def test_a_local_unverified_rule_says_so():
    local = {"flexible_wait_months": [fact("flexible_wait_months", 6, status="unverified", level="city")]}
    result = estimate(LapseCase("flexible", PAID, lapse_start=date(2026, 1, 1), lapse_months=4), facts(local))
    assert step(result, "flexible.waiting").source == "当地医保经办规定（待核实）"


def test_verified_figures_leave_headlines_unflagged():
    result = estimate(LapseCase("resident", PAID, lapsed_years=2), facts())
    assert result.unverified == frozenset() and not result.depends_on_unverified


def test_missing_figure_is_reported_by_key():
    with pytest.raises(MissingFigure) as missing:
        estimate(LapseCase("resident", PAID, lapsed_years=2), facts(resident_fee=ABSENT))
    assert missing.value.key == "resident_fee"


# ---------------------------------------------------------------- the waiting-period formula and properties


@pytest.mark.parametrize("first_counts, lapsed, expected", [(False, 1, 3), (True, 1, 4), (True, 3, 6), (False, 3, 5)])
def test_whether_the_first_lapsed_year_counts_is_a_regional_reading(first_counts, lapsed, expected):
    rule = dict(fixed=3, per_year=1, first_year_counts=first_counts, floor_after_years=4, floor_months=6)
    assert resident_waiting_months(lapsed, 0, **rule) == expected


@settings(max_examples=150, deadline=None)
@given(lapsed=st.integers(1, 40), extra=st.integers(0, 40))
def test_repaying_beyond_the_useful_years_never_shortens_the_wait(lapsed, extra):
    useful = estimate(LapseCase("resident", PAID, lapsed_years=lapsed), facts()).useful_repaid_years
    repaid = min(lapsed, useful + extra)
    best = estimate(LapseCase("resident", PAID, lapsed_years=lapsed, repaid_years=useful), facts())
    more = estimate(LapseCase("resident", PAID, lapsed_years=lapsed, repaid_years=repaid), facts())
    assert more.waiting_months == best.waiting_months
    if useful:
        fewer = estimate(LapseCase("resident", PAID, lapsed_years=lapsed, repaid_years=useful - 1), facts())
        assert fewer.waiting_months > best.waiting_months


cases = st.one_of(
    st.builds(
        LapseCase,
        scheme=st.sampled_from(["employee", "flexible"]),
        paid_on=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
        cause=st.sampled_from(["employer", "personal"]),
        lapse_start=st.dates(date(2024, 1, 1), date(2025, 12, 1)).map(lambda d: d.replace(day=1)),
        lapse_months=st.integers(1, 24),
        base=st.one_of(st.none(), st.decimals(D("1"), D("99999"), places=2)),
        moved=st.booleans(),
        lapse_ongoing=st.booleans(),
    ),
    st.builds(
        LapseCase,
        scheme=st.just("resident"),
        paid_on=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
        lapsed_years=st.integers(0, 30),
        in_window=st.sampled_from([None, True, False]),
        continuous_years=st.integers(0, 30),
    ),
)


@settings(max_examples=300, deadline=None)
@given(case=cases, late=st.sampled_from([True, False, None]))
def test_amount_items_always_sum_to_the_total_and_nothing_but_a_question_escapes(case, late):
    try:
        result = estimate(case, facts(JIANGXI_WINDOWS, individual_late_fee=late))
    except NeedsAnswer as asked:
        assert asked.field == "in_window" and case.in_window is None
        return
    assert sum((i.amount for i in result.items), D("0.00")) == result.amount_total
    assert result.amount_employer + result.amount_personal == result.amount_total
    assert all(i.amount >= 0 for i in result.items) and result.late_fee >= 0
    assert result.benefits_from >= date(2024, 1, 1)


def test_a_wait_running_into_next_year_is_next_years_cover_and_fee():
    fees = [
        fact("resident_fee", D("400"), start=date(2026, 1, 1), end=date(2026, 12, 31)),
        fact("resident_fee", D("420"), start=date(2027, 1, 1)),
    ]
    result = estimate(
        LapseCase("resident", date(2026, 11, 23), lapsed_years=5, repaid_years=1), facts({"resident_fee": fees})
    )
    assert result.benefits_from == date(2027, 5, 23)
    assert [(i.label, i.amount) for i in result.items] == [
        ("补缴 1 年", D("420.00")),
        ("2027年度个人缴费", D("420.00")),
    ]


def test_nothing_to_pay_because_the_window_is_closed_is_flagged_when_the_window_is_unconfirmed():
    windows = {
        "flexible_backpay_window_months": [
            fact("flexible_backpay_window_months", 3, status="unverified", level="national")
        ]
    }
    result = estimate(LapseCase("flexible", PAID, lapse_start=date(2025, 12, 1), lapse_months=5), facts(windows))
    assert not result.can_backpay and result.amount_total == D("0.00")
    assert {"can_backpay", "amount"} <= result.unverified
