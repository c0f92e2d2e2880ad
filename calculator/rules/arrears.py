"""Pricing unpaid months for employees and flexible workers, the late fee, and the individual's
back-pay route (shared by flexible workers and employees with no employer).

Each month is priced with the base, rates and average wage in force *in that month*, not on the
payment day: arrears spanning a change of figures are priced in parts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from .core import (
    DOC_LATE_FEE,
    DOC_LOCAL,
    HUNDRED,
    PAYER_INDIVIDUAL,
    PERSONAL,
    ZERO,
    Item,
    LapseCase,
    Reader,
    Step,
    add_months,
    cn_month,
    due_date,
    to_fen,
    yuan,
)

BASE_KEYS = ("avg_wage", "base_floor_pct", "base_ceiling_pct")


@dataclass(frozen=True)
class Segment:
    """Consecutive months priced alike: `months` × (employer + personal) a month."""

    first: datetime.date
    months: int
    base: Decimal
    employer: Decimal  # a month
    personal: Decimal  # a month
    base_text: str
    rate_text: str

    @property
    def last(self) -> datetime.date:
        return add_months(self.first, self.months - 1)

    @property
    def monthly(self) -> Decimal:
        return self.employer + self.personal

    @property
    def total(self) -> Decimal:
        return self.monthly * self.months


def contribution_base(case_base: Decimal | None, month: datetime.date, read: Reader) -> tuple[Decimal, str]:
    """The base for one month: the person's wage kept between that month's floor and ceiling.

    No wage given → that year's average wage, the usual rule of thumb.
    """
    avg = read("avg_wage", month)
    floor = to_fen(avg * read("base_floor_pct", month) / HUNDRED)
    ceiling = to_fen(avg * read("base_ceiling_pct", month) / HUNDRED)
    band = f"基数范围 {yuan(floor)}–{yuan(ceiling)}（社平工资 {read.show('avg_wage', month)}）"
    if case_base is None:
        return avg, f"没填工资，按社平工资 {yuan(avg)}；{band}"
    if case_base < floor:
        return floor, f"填写的 {yuan(case_base)} 低于下限，按下限 {yuan(floor)}；{band}"
    if case_base > ceiling:
        return ceiling, f"填写的 {yuan(case_base)} 高于上限，按上限 {yuan(ceiling)}；{band}"
    return case_base, f"按填写的 {yuan(case_base)}；{band}"


def price_months(
    read: Reader, first: datetime.date, months: int, case_base: Decimal | None, *, employer_share: bool
) -> list[Segment]:
    """Price each unpaid month with that month's figures; months priced alike are grouped.

    employer_share: employee insurance with an employer (employer + personal rate); otherwise the
    person pays alone at the flexible workers' rate.
    """
    segments: list[Segment] = []
    for i in range(months):
        month = add_months(first, i)
        base, base_text = contribution_base(case_base, month, read)
        if employer_share:
            er, pr = read("employee_employer_rate", month), read("employee_personal_rate", month)
            employer, personal = to_fen(base * er / HUNDRED), to_fen(base * pr / HUNDRED)
            rate_text = (
                f"（单位 {read.show('employee_employer_rate', month)} + 个人 "
                f"{read.show('employee_personal_rate', month)}）"
            )
        else:
            employer, personal = ZERO, to_fen(base * read("flexible_rate", month) / HUNDRED)
            rate_text = read.show("flexible_rate", month)
        last = segments[-1] if segments else None
        if last and (last.base, last.employer, last.personal, last.rate_text) == (base, employer, personal, rate_text):
            segments[-1] = Segment(last.first, last.months + 1, base, employer, personal, last.base_text, rate_text)
        else:
            segments.append(Segment(month, 1, base, employer, personal, base_text, rate_text))
    return segments


def pricing_steps(segments: list[Segment], rule: str, source: str, rate_keys: tuple[str, ...]) -> list[Step]:
    """One step per group of months, so a change of figures inside the arrears is visible."""
    steps = []
    for seg in segments:
        span = cn_month(seg.first) if seg.months == 1 else f"{cn_month(seg.first)}–{cn_month(seg.last)}"
        lead = f"{span}：" if len(segments) > 1 else ""
        split = (
            f"，其中单位 {yuan(seg.employer * seg.months)}，个人 {yuan(seg.personal * seg.months)}"
            if seg.employer
            else ""
        )
        steps.append(
            Step(
                rule,
                f"{lead}{seg.months} 个月 × {yuan(seg.base)} × {seg.rate_text} = {yuan(seg.total)}{split}。"
                f"{seg.base_text}。",
                source,
                BASE_KEYS + rate_keys,
            )
        )
    return steps


def late_fee(segments: list[Segment], paid_on: datetime.date, read: Reader) -> Decimal:
    """The daily rate on each month's arrears, from that month's due date to the payment day.

    《社会保险法》第八十六条. A due day past a short month's end is its last day; a month paid by its
    due date owes nothing.
    """
    daily = read("late_fee_daily_pct") / HUNDRED
    total = Decimal(0)
    for seg in segments:
        for i in range(seg.months):
            month = add_months(seg.first, i)
            days = (paid_on - due_date(month, read("contribution_due_day", month))).days
            if days > 0:
                total += seg.monthly * daily * days
    return to_fen(total)


def individual_late_fee(segments: list[Segment], paid_on: datetime.date, read: Reader, steps: list[Step]) -> dict:
    """A person back-paying their own months owes a late fee only where the region charges one.

    Three answers: charges, does not charge, or not known — then the most it could be is shown as
    possible, never "不收".
    """
    charges = read.tristate("individual_late_fee")
    keys: tuple[str, ...] = ("individual_late_fee",)
    if charges is False:
        steps.append(Step("late_fee.none", "当地个人补缴不收滞纳金。", DOC_LOCAL, keys))
        return {"late_fee": ZERO, "late_fee_payer": None}
    fee = late_fee(segments, paid_on, read)
    keys += ("late_fee_daily_pct", "contribution_due_day")
    if charges:
        steps.append(
            Step(
                "late_fee.individual",
                f"当地个人补缴也收滞纳金，每天 {read.show('late_fee_daily_pct')}，约 {yuan(fee)}（从每月缴费截止日算到补缴当天）。",
                DOC_LOCAL,
                keys,
            )
        )
        return {"late_fee": fee, "late_fee_payer": PAYER_INDIVIDUAL}
    steps.append(
        Step(
            "late_fee.unknown",
            f"本站没有查到当地是否对个人补缴收滞纳金。如果收，按每天 {read.show('late_fee_daily_pct')}"
            f"计算最多约 {yuan(fee)}；请向当地医保部门问清楚。",
            DOC_LATE_FEE,
            keys,
        )
    )
    return {"late_fee": ZERO, "late_fee_payer": None, "late_fee_possible": fee}


def individual_arrears(
    case: LapseCase, read: Reader, steps: list[Step], first: datetime.date, months: int, *, rule: str, label: str
) -> tuple[Item, dict]:
    """Months the person pays alone, at the flexible workers' rate: their line of the amount (`label`),
    and the late fee as `build` values. Adds a pricing step (`rule`) per group of months, then the
    late-fee step."""
    segments = price_months(read, first, months, case.base, employer_share=False)
    steps += pricing_steps(segments, rule, DOC_LOCAL, ("flexible_rate",))
    late = individual_late_fee(segments, case.paid_on, read, steps)
    return Item(label, sum((s.total for s in segments), ZERO), PERSONAL), late
