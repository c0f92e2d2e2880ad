"""The back-pay rules, as pure functions.

No Django, no database, no clock: a case and the region's figures go in, an `Estimate` with
the months, the yuan and the steps behind them comes out. Every number a rule uses is a policy
figure handed in through `RegionFacts` (built from the database by `calculator.facts`); the code
holds only the rules, each citing the document it implements.

Documents cited:
- 《社会保险法》第八十六条 — employers pay 0.05% per day on arrears (the rate itself is a figure).
- 医保办发〔2021〕43号 — transfers between places, and switching between employee and resident
  insurance without a waiting period.
- 国办发〔2024〕38号 — resident insurance: fixed waiting period, +1 month per further lapsed
  year, repair by paying back years, at least 6 months after a lapse of 4 years or more.
- Flexible-worker windows and waiting periods are local handling rules （经办规定）; their
  lengths are per-region figures.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

EMPLOYEE, FLEXIBLE, RESIDENT = "employee", "flexible", "resident"
SCHEMES = (EMPLOYEE, FLEXIBLE, RESIDENT)
EMPLOYER, PERSONAL = "employer", "personal"
PAYER_EMPLOYER, PAYER_INDIVIDUAL = "employer", "individual"

LAW_LATE_FEE = "《社会保险法》第八十六条"
DOC_TRANSFER = "医保办发〔2021〕43号"
DOC_RESIDENT = "国办发〔2024〕38号"
DOC_LOCAL = "当地医保经办规定"
DOC_CONTRIBUTION = "职工医保缴费办法（按缴费基数和比例缴纳）"

FEN = Decimal("0.01")
HUNDRED = Decimal(100)


class MissingFigure(LookupError):
    """The region has no figure in force for a key the rule needs."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Fact:
    """One figure as the rules see it, with what a citizen needs to trust it."""

    key: str
    label: str
    value: Decimal | int | datetime.date | bool
    display: str
    source: str
    verified_on: datetime.date
    status: str  # "verified" | "unverified"
    overdue: bool = False


@dataclass(frozen=True)
class RegionFacts:
    region: str
    figures: Mapping[str, Fact]


@dataclass(frozen=True)
class LapseCase:
    scheme: str
    paid_on: datetime.date
    cause: str = PERSONAL
    lapse_start: datetime.date | None = None  # first day of the first unpaid month
    lapse_months: int = 0
    base: Decimal | None = None
    lapsed_years: int = 0
    repaid_years: int = 0
    in_window: bool | None = None  # None: work it out from the region's collection window
    newborn: bool = False
    switch_from: str | None = None
    continuous_years: int = 0
    gap_months: int = 0


@dataclass(frozen=True)
class Step:
    rule: str
    text: str
    source: str
    figures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Estimate:
    can_backpay: bool
    amount_total: Decimal
    amount_employer: Decimal
    amount_personal: Decimal
    late_fee: Decimal
    late_fee_payer: str | None
    waiting_months: int
    benefits_from: datetime.date
    continuous_reset: bool
    gap_covered: bool
    steps: tuple[Step, ...]
    figures: tuple[str, ...]
    incentive_lost: Decimal | None = None


# ---------------------------------------------------------------- dates and money


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after the month of `day`."""
    index = day.year * 12 + (day.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole calendar months from start's month to end's month (same month → 0)."""
    return (end.year - start.year) * 12 + end.month - start.month


def due_date(month: datetime.date, due_day: int) -> datetime.date:
    """The day a month's contribution falls due; a due day past the month's end means its last day."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=min(due_day, last))


def cover_starts(paid_on: datetime.date, waiting_months: int) -> datetime.date:
    """Benefits start the month after paying, plus any waiting months."""
    return add_months(paid_on, 1 + waiting_months)


def yuan(amount: Decimal) -> str:
    return f"{amount:,.2f} 元"


def to_fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- figure access


@dataclass
class _Reader:
    """Reads figures for one estimate and remembers which ones it used."""

    facts: RegionFacts
    used: dict[str, None] = field(default_factory=dict)

    def __call__(self, key: str):
        fact = self.facts.figures.get(key)
        if fact is None:
            raise MissingFigure(key)
        self.used.setdefault(key, None)
        return fact.value

    def optional(self, key: str):
        return self(key) if key in self.facts.figures else None

    def show(self, key: str) -> str:
        return self.facts.figures[key].display


# ---------------------------------------------------------------- shared pieces


def contribution_base(case_base: Decimal | None, read: _Reader) -> tuple[Decimal, Step]:
    """The base the rates apply to: the person's wage kept between the region's floor and ceiling.

    No wage given → the average wage, which is what the seeds' rule of thumb uses.
    """
    avg = read("avg_wage")
    floor = to_fen(avg * read("base_floor_pct") / HUNDRED)
    ceiling = to_fen(avg * read("base_ceiling_pct") / HUNDRED)
    keys = ("avg_wage", "base_floor_pct", "base_ceiling_pct")
    band = (
        f"缴费基数要在 {yuan(floor)} 到 {yuan(ceiling)} 之间（社平工资 {read.show('avg_wage')} 的 "
        f"{read.show('base_floor_pct')}–{read.show('base_ceiling_pct')}）"
    )
    if case_base is None:
        return avg, Step("base.default", f"没有填写工资，按社平工资 {yuan(avg)} 估算。{band}。", DOC_CONTRIBUTION, keys)
    if case_base < floor:
        return floor, Step(
            "base.floor",
            f"填写的 {yuan(case_base)} 低于下限，按下限 {yuan(floor)} 计算。{band}。",
            DOC_CONTRIBUTION,
            keys,
        )
    if case_base > ceiling:
        return ceiling, Step(
            "base.ceiling",
            f"填写的 {yuan(case_base)} 高于上限，按上限 {yuan(ceiling)} 计算。{band}。",
            DOC_CONTRIBUTION,
            keys,
        )
    return case_base, Step("base.own", f"按填写的 {yuan(case_base)} 计算。{band}。", DOC_CONTRIBUTION, keys)


def late_fee(
    monthly: Decimal, lapse_start: datetime.date, months: int, paid_on: datetime.date, read: _Reader
) -> Decimal:
    """Late fee: the daily rate on each month's arrears, from that month's due date to the payment date.

    《社会保险法》第八十六条. A due day beyond a short month is that month's last day; a month
    paid on or before its due date owes nothing.
    """
    daily = read("late_fee_daily_pct") / HUNDRED
    due_day = read("contribution_due_day")
    total = Decimal(0)
    for i in range(months):
        days = (paid_on - due_date(add_months(lapse_start, i), due_day)).days
        if days > 0:
            total += monthly * daily * days
    return to_fen(total)


def individual_late_fee(
    monthly: Decimal, case: LapseCase, read: _Reader, steps: list[Step]
) -> tuple[Decimal, str | None]:
    """A person back-paying their own lapse owes a late fee only where the region charges one."""
    if not read("individual_late_fee"):
        steps.append(Step("late_fee.none", "当地个人补缴不收滞纳金。", DOC_LOCAL, ("individual_late_fee",)))
        return Decimal("0.00"), None
    fee = late_fee(monthly, case.lapse_start, case.lapse_months, case.paid_on, read)
    steps.append(
        Step(
            "late_fee.individual",
            f"当地个人补缴也收滞纳金，每天 {read.show('late_fee_daily_pct')}，约 {yuan(fee)}。",
            LAW_LATE_FEE,
            ("individual_late_fee", "late_fee_daily_pct"),
        )
    )
    return fee, PAYER_INDIVIDUAL


def _estimate(read: _Reader, steps: list[Step], **values) -> Estimate:
    for money in ("amount_total", "amount_employer", "amount_personal", "late_fee"):
        values.setdefault(money, Decimal("0.00"))
    values.setdefault("late_fee_payer", None)
    values.setdefault("gap_covered", False)
    return Estimate(steps=tuple(steps), figures=tuple(read.used), **values)


# ---------------------------------------------------------------- schemes


def employee_estimate(case: LapseCase, read: _Reader) -> Estimate:
    """Employee insurance: months × base × (employer + personal rate), shares kept apart.

    Employer's fault: the employer pays arrears and the late fee, the employee owes no fee, the
    gap is covered afterwards and benefits resume the next month (《社会保险法》第八十六条).
    Personal gap (e.g. between jobs, 43号): ≤ the gap limit → back-pay, cover from the payment
    month with the gap covered; longer → the destination may impose a waiting period.
    """
    steps: list[Step] = []
    base, base_step = contribution_base(case.base, read)
    steps.append(base_step)
    er, pr = read("employee_employer_rate"), read("employee_personal_rate")
    monthly_employer, monthly_personal = to_fen(base * er / HUNDRED), to_fen(base * pr / HUNDRED)
    employer, personal = monthly_employer * case.lapse_months, monthly_personal * case.lapse_months
    steps.append(
        Step(
            "employee.amount",
            f"{case.lapse_months} 个月 × {yuan(base)} × （单位 {read.show('employee_employer_rate')} + 个人 "
            f"{read.show('employee_personal_rate')}） = {yuan(employer + personal)}，其中单位部分 {yuan(employer)}，"
            f"个人部分 {yuan(personal)}。",
            DOC_CONTRIBUTION,
            ("employee_employer_rate", "employee_personal_rate"),
        )
    )
    monthly = monthly_employer + monthly_personal
    gap_limit = read("transfer_gap_months")
    if case.cause == EMPLOYER:
        fee = late_fee(monthly, case.lapse_start, case.lapse_months, case.paid_on, read)
        steps.append(
            Step(
                "employee.late_fee.employer",
                f"单位原因断缴，由单位补缴，并按每天 {read.show('late_fee_daily_pct')} 交滞纳金，约 {yuan(fee)}"
                f"（从每月缴费截止日算到补缴当天）。滞纳金不能让职工承担。",
                LAW_LATE_FEE,
                ("late_fee_daily_pct", "contribution_due_day"),
            )
        )
        steps.append(
            Step(
                "employee.resume.employer",
                "单位补缴后不设等待期，下个月起恢复报销；断缴期间看病的费用可以补报。"
                f"这 {yuan(employer + personal)}（含按个人比例算的 {yuan(personal)}）由单位补缴，职工不用另交。",
                LAW_LATE_FEE,
            )
        )
        return _estimate(
            read,
            steps,
            can_backpay=True,
            amount_total=employer + personal,
            # Worked case 1: after an employer's lapse the employee owes nothing; the employer
            # back-pays both shares (《社会保险法》第八十六条 makes it the employer's debt).
            amount_employer=employer + personal,
            late_fee=fee,
            late_fee_payer=PAYER_EMPLOYER,
            waiting_months=0,
            benefits_from=cover_starts(case.paid_on, 0),
            continuous_reset=False,
            gap_covered=True,
        )

    fee, payer = individual_late_fee(monthly, case, read, steps)
    reset = case.lapse_months > read("continuity_reset_months")
    paid = {
        "can_backpay": True,
        "amount_total": employer + personal,
        "amount_employer": employer,
        "amount_personal": personal,
        "late_fee": fee,
        "late_fee_payer": payer,
        "continuous_reset": reset,
    }
    if case.lapse_months <= gap_limit:
        steps.append(
            Step(
                "employee.transfer.short",
                f"中断不超过 {read.show('transfer_gap_months')}，可以按当地规定补缴；从缴费当月起享受待遇，"
                f"中断期间的费用也能按规定报销。",
                DOC_TRANSFER,
                ("transfer_gap_months",),
            )
        )
        return _estimate(
            read, steps, **paid, waiting_months=0, benefits_from=month_start(case.paid_on), gap_covered=True
        )
    wait = read("transfer_max_wait_months")
    steps.append(
        Step(
            "employee.transfer.long",
            f"中断超过 {read.show('transfer_gap_months')}，当地可以设最长 {read.show('transfer_max_wait_months')}"
            f"的等待期，本估算按最长计算；连续参保年限重新计算，累计缴费年限保留。",
            DOC_TRANSFER,
            ("transfer_gap_months", "transfer_max_wait_months", "continuity_reset_months"),
        )
    )
    return _estimate(read, steps, **paid, waiting_months=wait, benefits_from=cover_starts(case.paid_on, wait))


def flexible_estimate(case: LapseCase, read: _Reader) -> Estimate:
    """Flexible workers: back-pay inside the region's window, then wait by lapse length.

    Beyond the window the person re-enrols as a new participant: nothing to back-pay, the
    long-lapse waiting period applies and continuous years restart.
    """
    steps: list[Step] = []
    window = read("flexible_backpay_window_months")
    wait_after, long_wait = read("flexible_wait_after_months"), read("flexible_wait_months")
    reset = case.lapse_months > read("continuity_reset_months")
    age = months_between(case.lapse_start, case.paid_on)
    if age > window:
        steps.append(
            Step(
                "flexible.reenrol",
                f"当地灵活就业人员只能补缴最近 {read.show('flexible_backpay_window_months')}的断缴，"
                f"你最早断缴的月份已过去 {age} 个月，不能补缴，只能重新参保。重新参保按新参保人员对待，"
                f"要等 {read.show('flexible_wait_months')}才能报销，连续参保年限重新计算，累计缴费年限保留。",
                DOC_LOCAL,
                ("flexible_backpay_window_months", "flexible_wait_months"),
            )
        )
        return _estimate(
            read,
            steps,
            can_backpay=False,
            waiting_months=long_wait,
            benefits_from=cover_starts(case.paid_on, long_wait),
            continuous_reset=True,
        )
    base, base_step = contribution_base(case.base, read)
    steps.append(base_step)
    monthly = to_fen(base * read("flexible_rate") / HUNDRED)
    total = monthly * case.lapse_months
    steps.append(
        Step(
            "flexible.amount",
            f"{case.lapse_months} 个月 × {yuan(base)} × {read.show('flexible_rate')} = {yuan(total)}，全部由个人缴纳。",
            DOC_LOCAL,
            ("flexible_rate", "flexible_backpay_window_months"),
        )
    )
    fee, payer = individual_late_fee(monthly, case, read, steps)
    wait = long_wait if case.lapse_months > wait_after else 0
    if wait:
        text = (
            f"断缴超过 {read.show('flexible_wait_after_months')}，补缴后还要等 {read.show('flexible_wait_months')}"
            f"才能报销。"
        )
    else:
        text = f"断缴不超过 {read.show('flexible_wait_after_months')}，补缴后下个月起恢复报销。"
    if reset:
        text += "连续参保年限重新计算，累计缴费年限保留。"
    steps.append(
        Step(
            "flexible.waiting",
            text,
            DOC_LOCAL,
            ("flexible_wait_after_months", "flexible_wait_months", "continuity_reset_months"),
        )
    )
    return _estimate(
        read,
        steps,
        can_backpay=True,
        amount_total=total,
        amount_personal=total,
        late_fee=fee,
        late_fee_payer=payer,
        waiting_months=wait,
        benefits_from=cover_starts(case.paid_on, wait),
        continuous_reset=reset,
    )


def in_collection_window(paid_on: datetime.date, read: _Reader) -> bool | None:
    start, end = read.optional("resident_window_start"), read.optional("resident_window_end")
    if start is None or end is None:
        return None
    return start <= paid_on <= end


def resident_waiting_months(
    lapsed_years: int,
    repaid_years: int,
    *,
    fixed: int,
    per_year: int,
    first_year_counts: bool,
    floor_after_years: int,
    floor_months: int,
) -> int:
    """Waiting months after a lapse of whole cover years （国办发〔2024〕38号）.

    Fixed part plus `per_year` for each further lapsed year (whether the first lapsed year
    counts is a regional reading); each repaid year removes `per_year` of the variable part;
    after a lapse of `floor_after_years` or more the result is at least `floor_months`.
    """
    counted = lapsed_years if first_year_counts else max(0, lapsed_years - 1)
    variable = max(0, counted - repaid_years) * per_year
    months = fixed + variable
    if lapsed_years >= floor_after_years:
        months = max(months, floor_months)
    return months


def resident_estimate(case: LapseCase, read: _Reader) -> Estimate:
    """Resident insurance: waiting period by lapse, the cost of repairing it, incentives lost."""
    steps: list[Step] = []
    fee = read("resident_fee")
    fixed = read("resident_fixed_wait_months")
    in_window = case.in_window
    if in_window is None:
        in_window = bool(in_collection_window(case.paid_on, read))
    if case.newborn:
        steps.append(Step("resident.newborn", "新生儿按规定参保，不设待遇等待期。", DOC_RESIDENT))
        return _estimate(
            read,
            steps,
            can_backpay=True,
            waiting_months=0,
            benefits_from=month_start(case.paid_on),
            continuous_reset=False,
        )
    if case.lapsed_years == 0:
        if in_window:
            cover_year = case.paid_on.year + 1 if case.paid_on.month >= 7 else case.paid_on.year
            steps.append(
                Step(
                    "resident.in_window",
                    f"一直连续参保，又在集中参保期内交了下一年度的 {read.show('resident_fee')}，不设等待期，"
                    f"从 {cover_year} 年 1 月 1 日起正常报销。",
                    DOC_RESIDENT,
                    ("resident_fee",),
                )
            )
            return _estimate(
                read,
                steps,
                can_backpay=True,
                waiting_months=0,
                benefits_from=datetime.date(cover_year, 1, 1),
                continuous_reset=False,
            )
        steps.append(
            Step(
                "resident.outside_window",
                f"在集中参保期以外参保，有 {read.show('resident_fixed_wait_months')}的固定等待期。",
                DOC_RESIDENT,
                ("resident_fixed_wait_months",),
            )
        )
        return _estimate(
            read,
            steps,
            can_backpay=True,
            waiting_months=fixed,
            benefits_from=cover_starts(case.paid_on, fixed),
            continuous_reset=False,
        )

    first_counts = read("resident_first_year_counts")
    rule = {
        "fixed": fixed,
        "per_year": read("resident_extra_wait_per_year"),
        "first_year_counts": first_counts,
        "floor_after_years": read("resident_floor_after_years"),
        "floor_months": read("resident_floor_months"),
    }
    before = resident_waiting_months(case.lapsed_years, 0, **rule)
    months = resident_waiting_months(case.lapsed_years, case.repaid_years, **rule)
    counted = case.lapsed_years if first_counts else case.lapsed_years - 1
    steps.append(
        Step(
            "resident.waiting",
            f"断缴 {case.lapsed_years} 年：固定等待期 {read.show('resident_fixed_wait_months')}，"
            f"{'每断缴一年' if first_counts else '第一年之后每多断缴一年'}再加 "
            f"{read.show('resident_extra_wait_per_year')}，共 {counted} 年要加，不补缴时等 {before} 个月。",
            DOC_RESIDENT,
            ("resident_fixed_wait_months", "resident_extra_wait_per_year", "resident_first_year_counts"),
        )
    )
    cost = to_fen(fee * case.repaid_years)
    if case.repaid_years:
        steps.append(
            Step(
                "resident.repair",
                f"补缴 {case.repaid_years} 年，按现在的个人缴费标准 {read.show('resident_fee')} 计算，"
                f"共 {yuan(cost)}；每补一年，等待期少 {read.show('resident_extra_wait_per_year')}"
                f"（最多减到只剩固定等待期）。",
                DOC_RESIDENT,
                ("resident_fee", "resident_extra_wait_per_year"),
            )
        )
    if case.lapsed_years >= rule["floor_after_years"] and months == rule["floor_months"] and months > fixed:
        steps.append(
            Step(
                "resident.floor",
                f"断缴满 {read.show('resident_floor_after_years')}，补缴后等待期也不少于 "
                f"{read.show('resident_floor_months')}。",
                DOC_RESIDENT,
                ("resident_floor_after_years", "resident_floor_months"),
            )
        )
    steps.append(
        Step(
            "resident.current_year",
            f"另外还要交当年度的个人缴费 {read.show('resident_fee')}，才能重新参保。",
            DOC_RESIDENT,
            ("resident_fee",),
        )
    )
    lost = None
    after, raise_per_year = read.optional("incentive_after_years"), read.optional("incentive_raise_per_year")
    if after is not None and raise_per_year is not None and case.continuous_years > after:
        lost = to_fen(raise_per_year * (case.continuous_years - after))
        cap = read.optional("incentive_max_pct")
        # The raises together are capped at a share of the original limit, which we do not know.
        cap_note = (
            f"（提高总额不超过原限额的 {read.show('incentive_max_pct')}，实际可能更少）" if cap is not None else ""
        )
        steps.append(
            Step(
                "resident.incentive",
                f"断缴前已连续参保 {case.continuous_years} 年，连续参保满 {read.show('incentive_after_years')}后"
                f"每多一年，大病保险最高支付限额提高 {read.show('incentive_raise_per_year')}。断缴后连续年限重新计算，"
                f"这部分约 {yuan(lost)}的额度会失去{cap_note}。",
                DOC_RESIDENT,
                ("incentive_after_years", "incentive_raise_per_year") + (("incentive_max_pct",) if cap_note else ()),
            )
        )
    return _estimate(
        read,
        steps,
        can_backpay=True,
        amount_total=cost,
        amount_personal=cost,
        waiting_months=months,
        benefits_from=cover_starts(case.paid_on, months),
        continuous_reset=True,
        incentive_lost=lost,
    )


def switch_estimate(case: LapseCase, read: _Reader) -> Estimate | None:
    """Switching between employee and resident insurance （医保办发〔2021〕43号）.

    Continuously insured ≥ the minimum years with a gap ≤ the limit: back-pay, no waiting
    period, covered from the month paid. Otherwise None: the destination scheme's own rules apply.
    """
    min_years, max_gap = read("switch_min_years"), read("switch_max_gap_months")
    keys = ("switch_min_years", "switch_max_gap_months")
    if case.continuous_years < min_years or case.gap_months > max_gap:
        return None
    steps = [
        Step(
            "switch.no_wait",
            f"已连续参保 {case.continuous_years} 年（满 {read.show('switch_min_years')}），在职工医保和居民医保之间转换，"
            f"中断 {case.gap_months} 个月（不超过 {read.show('switch_max_gap_months')}）：补缴后不设等待期，"
            f"缴费当月就能享受待遇。",
            DOC_TRANSFER,
            keys,
        )
    ]
    total, employer, personal = Decimal("0.00"), Decimal("0.00"), Decimal("0.00")
    if case.scheme == RESIDENT:
        read("resident_fee")  # quoted below: listed with its source like every figure used
        steps.append(
            Step(
                "resident.current_year",
                f"要交当年度的个人缴费 {read.show('resident_fee')}。",
                DOC_RESIDENT,
                ("resident_fee",),
            )
        )
    elif case.gap_months:
        base, base_step = contribution_base(case.base, read)
        steps.append(base_step)
        if case.scheme == EMPLOYEE:
            employer = to_fen(base * read("employee_employer_rate") / HUNDRED) * case.gap_months
            personal = to_fen(base * read("employee_personal_rate") / HUNDRED) * case.gap_months
        else:
            personal = to_fen(base * read("flexible_rate") / HUNDRED) * case.gap_months
        total = employer + personal
        steps.append(
            Step(
                "switch.amount",
                f"补缴中断的 {case.gap_months} 个月，共 {yuan(total)}。",
                DOC_TRANSFER,
                ("employee_employer_rate", "employee_personal_rate") if case.scheme == EMPLOYEE else ("flexible_rate",),
            )
        )
    return _estimate(
        read,
        steps,
        can_backpay=True,
        amount_total=total,
        amount_employer=employer,
        amount_personal=personal,
        waiting_months=0,
        benefits_from=month_start(case.paid_on),
        continuous_reset=False,
        gap_covered=True,
    )


def estimate(case: LapseCase, facts: RegionFacts) -> Estimate:
    """Work out a case for a region. Raises MissingFigure when the region lacks a figure a rule needs."""
    read = _Reader(facts)
    if case.switch_from:
        switched = switch_estimate(case, read)
        if switched is not None:
            return switched
        # Not eligible for the no-wait switch: the gap is an ordinary lapse in the new scheme.
        note = Step(
            "switch.not_eligible",
            f"在职工医保和居民医保之间转换，要连续参保满 {read.show('switch_min_years')}且中断不超过 "
            f"{read.show('switch_max_gap_months')}才免等待期；你的情况不满足，按新险种的规定计算。",
            DOC_TRANSFER,
            ("switch_min_years", "switch_max_gap_months"),
        )
        if case.scheme == RESIDENT:
            result = resident_estimate(
                replace(case, in_window=False if case.lapsed_years == 0 else case.in_window), read
            )
        else:
            lapse_start = add_months(case.paid_on, -case.gap_months)
            lapse = replace(case, lapse_start=lapse_start, lapse_months=case.gap_months, switch_from=None)
            result = (employee_estimate if case.scheme == EMPLOYEE else flexible_estimate)(lapse, read)
        return replace(result, steps=(note, *result.steps), figures=tuple(read.used))
    if case.scheme == EMPLOYEE:
        return employee_estimate(case, read)
    if case.scheme == FLEXIBLE:
        return flexible_estimate(case, read)
    return resident_estimate(case, read)
