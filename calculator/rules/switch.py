"""Switching between employee and resident insurance （医保办发〔2021〕43号）.

Continuously insured for at least the minimum years, with a gap of at most the limit: back-pay, no
waiting period, covered from the month paid. Otherwise the gap is an ordinary lapse in the new
scheme. Switching to resident insurance owes the current cover year's fee either way.
"""

from __future__ import annotations

from dataclasses import replace

from .arrears import individual_arrears
from .core import (
    DOC_RESIDENT,
    DOC_TRANSFER,
    EMPLOYEE,
    RESIDENT,
    Estimate,
    LapseCase,
    Reader,
    Step,
    build,
    month_start,
    unbroken_cover,
)
from .employee import employee_estimate
from .flexible import AMOUNT, flexible_estimate, individual_backpay
from .resident import after_lapse, cover_year, fee_item, join, resident_estimate

KEYS = ("switch_min_years", "switch_max_gap_months")


def switch_estimate(case: LapseCase, read: Reader) -> Estimate:
    if case.continuous_years >= read("switch_min_years") and case.gap_months <= read("switch_max_gap_months"):
        return no_wait(case, read)
    note = Step(
        "switch.not_eligible",
        f"在职工医保和居民医保之间转换，要连续参保满 {read.show('switch_min_years')}且中断不超过 "
        f"{read.show('switch_max_gap_months')}才免等待期；你的情况不满足，按新险种的规定计算。",
        DOC_TRANSFER,
        KEYS,
    )
    if case.scheme == RESIDENT:
        if case.lapsed_years:
            result = after_lapse(case, read)
            return replace(result, steps=(note, *result.steps))
        return join(case, read, [note], after_break=True)
    return individual_backpay(case, read, [note], case.gap_start, case.gap_months)


def no_wait(case: LapseCase, read: Reader) -> Estimate:
    steps = [
        Step(
            "switch.no_wait",
            f"已连续参保 {case.continuous_years} 年（满 {read.show('switch_min_years')}），在职工医保和居民医保之间转换，"
            f"中断 {case.gap_months} 个月（不超过 {read.show('switch_max_gap_months')}）：补缴后不设等待期，"
            "缴费当月就能享受待遇。",
            DOC_TRANSFER,
            KEYS,
        )
    ]
    late: dict = {}
    if case.scheme == RESIDENT:
        year, _ = cover_year(case, read, ask=False)
        items = [fee_item(read, year)]
        steps.append(
            Step(
                "resident.current_year",
                f"要交{year}年度的个人缴费 {read.show_year('resident_fee', year)}。",
                DOC_RESIDENT,
                ("resident_fee",),
            )
        )
        amount_keys: tuple[str, ...] = ("resident_fee",)
    elif case.gap_months:
        # The gap months had no employer: the person pays them alone, at the individual rate.
        label = f"补缴中断的 {case.gap_months} 个月（个人缴纳）"
        item, late = individual_arrears(
            case, read, steps, case.gap_start, case.gap_months, rule="switch.amount", label=label
        )
        items = [item]
        amount_keys = AMOUNT
    else:
        items, amount_keys = [], ()
    return build(
        read,
        steps,
        items=items,
        basis={"amount": amount_keys, "late_fee": ("individual_late_fee",), "waiting": KEYS, "benefits_from": KEYS},
        advice="换险种不用等待",
        **unbroken_cover(month_start(case.paid_on)),
        **late,
    )


def estimate_for(case: LapseCase, read: Reader) -> Estimate:
    """Dispatch a case to its scheme's rules."""
    if case.switch_from:
        return switch_estimate(case, read)
    if case.scheme == EMPLOYEE:
        return employee_estimate(case, read)
    if case.scheme == RESIDENT:
        return resident_estimate(case, read)
    return flexible_estimate(case, read)
