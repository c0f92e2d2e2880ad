"""Resident insurance (城乡居民医保) — 国办发〔2024〕38号, with local dates as figures.

- Figures belong to a cover year (参保年度 = calendar year): the fee and the collection window are
  looked up for the year the payment is for, not for the payment day.
- Continuously insured, paid inside the window before 1 January → no wait, cover from 1 January;
  on or after 1 January → cover as the region says (default: the day after payment).
- Unknown window → ask, never assume "outside".
- After a break: a fixed wait, plus one step for each further lapsed year; each repaid year takes one
  step off; after a lapse of `floor_after_years` or more the wait is at least `floor_months`.
  Repaying only helps while it shortens the wait: the estimate says how many years are useful.
- The amount always includes the current cover year's fee, as its own line.
- Newborns enrolled within the grace period are covered from birth; some provinces waive their fees.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from .core import (
    DOC_LOCAL,
    DOC_RESIDENT,
    Estimate,
    Item,
    LapseCase,
    NeedsAnswer,
    Reader,
    RepairOption,
    Step,
    build,
    cn_date,
    counted_from_text,
    next_month,
    to_fen,
    waiting_end,
    yuan,
)

WINDOW = ("resident_window_start", "resident_window_end")
WAIT_KEYS = (
    "resident_fixed_wait_months",
    "resident_extra_wait_per_year",
    "resident_first_year_counts",
    "resident_floor_after_years",
    "resident_floor_months",
)
FEE: tuple[str, ...] = ("resident_fee",)


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

    The fixed part, plus `per_year` for each further lapsed year (whether the first lapsed year
    counts is a regional reading); each repaid year removes `per_year` of the variable part; after
    a lapse of `floor_after_years` or more the result is at least `floor_months`.
    """
    counted = lapsed_years if first_year_counts else max(0, lapsed_years - 1)
    months = fixed + max(0, counted - repaid_years) * per_year
    if lapsed_years >= floor_after_years:
        months = max(months, floor_months)
    return months


def useful_repaid_years(waits: list[int]) -> int:
    """The fewest repaid years that reach the shortest wait any number of repaid years can reach."""
    return waits.index(min(waits))


def window_year(paid_on: datetime.date, read: Reader) -> tuple[int, bool | None]:
    """The cover year a payment is for and whether it falls in that year's window (None: not known).

    A window is known only from figures entered for exactly that cover year; a payment is outside
    only when the windows of this year and the next are both known and neither holds it.
    """
    known: list = []
    for year in (paid_on.year, paid_on.year + 1):
        start, end = (read.exact_year(key, year) for key in WINDOW)
        if start is None or end is None:
            continue
        assert isinstance(start.value, datetime.date) and isinstance(end.value, datetime.date)
        if start.value <= paid_on <= end.value:
            read.keep(start, end)
            return year, True
        known += [start, end]
    if len(known) < 4:
        return paid_on.year, None
    read.keep(*known)
    return paid_on.year, False


def cover_year(case: LapseCase, read: Reader, *, ask: bool) -> tuple[int, bool | None]:
    """Which cover year the payment is for, and whether it is inside that year's window.

    The citizen's own answer wins. Without one and without window figures, ask (when `ask`).
    """
    year, inside = window_year(case.paid_on, read)
    if case.in_window is True and not inside:
        # The window for cover year Y usually runs from autumn of Y−1 into the first months of Y.
        year = case.paid_on.year + 1 if case.paid_on.month >= 7 else case.paid_on.year
    if case.in_window is not None:
        return (year if case.in_window else case.paid_on.year), case.in_window
    if inside is None and ask:
        raise NeedsAnswer(
            "in_window",
            "本站还没有当地这段时间的集中参保期数据，请选择：是否在当地集中参保期内缴费？",
        )
    return year, inside


def fee_item(read: Reader, year: int) -> Item:
    return Item(f"{year}年度个人缴费", to_fen(read.for_year("resident_fee", year)))


def resident_estimate(case: LapseCase, read: Reader) -> Estimate:
    if case.newborn:
        return newborn(case, read)
    if case.lapsed_years == 0:
        return join(case, read, [])
    return after_lapse(case, read)


def join(
    case: LapseCase,
    read: Reader,
    steps: list[Step],
    *,
    fee_for: Callable[[int], Item] | None = None,
    after_break: bool = False,
) -> Estimate:
    """Joining or renewing with no whole lapsed years: the window decides.

    after_break: joining after a gap (e.g. from employee insurance without the no-wait switch) — the
    fixed wait applies wherever the payment falls, so nothing is asked. `fee_for(year)` is the fee
    line for a cover year (newborns may pay nothing).
    """
    year, inside = cover_year(case, read, ask=not after_break)
    if after_break:
        inside = False
    # The window figures shape the answer only when the citizen did not say.
    window = WINDOW if case.in_window is None and not after_break else ()
    fee_for = fee_for or (lambda y: fee_item(read, y))
    if inside:
        fee = fee_for(year)
        items = [fee] if fee.amount else []
        basis_fee = {"amount": FEE} if items else {}
        jan1 = datetime.date(year, 1, 1)
        if case.paid_on < jan1:
            benefits = jan1
            steps.append(
                Step(
                    "resident.in_window",
                    f"在集中参保期内、{year}年1月1日前交了{year}年度的保费：不设等待期，从{cn_date(jan1)}起正常报销。",
                    DOC_RESIDENT,
                    WINDOW,
                )
            )
        else:
            mode = read("resident_after_jan1_cover")
            benefits = {
                "next_day": case.paid_on + datetime.timedelta(days=1),
                "next_month": next_month(case.paid_on),
            }.get(mode, jan1)
            steps.append(
                Step(
                    "resident.in_window.late",
                    f"在集中参保期内，但在{year}年1月1日以后才交：不设等待期，按当地规定从"
                    f"{read.show('resident_after_jan1_cover')}起享受待遇，也就是{cn_date(benefits)}。",
                    DOC_LOCAL,
                    ("resident_after_jan1_cover",),
                )
            )
        return build(
            read,
            steps,
            items=items,
            basis={**basis_fee, "waiting": window, "benefits_from": window + ("resident_after_jan1_cover",)},
            can_backpay=True,
            waiting_months=0,
            benefits_from=benefits,
            continuous_reset=False,
        )
    fixed = read("resident_fixed_wait_months")
    benefits = waiting_end(read, case.paid_on, fixed)
    # Cover that starts in a later year is that year's cover: its fee is due, not this year's.
    fee = fee_for(max(year, benefits.year))
    items = [fee] if fee.amount else []
    basis_fee = {"amount": FEE + window} if items else {}
    why = "中断后重新参保" if after_break else "不在集中参保期内参保"
    steps.append(
        Step(
            "resident.outside_window",
            f"{why}，有 {read.show('resident_fixed_wait_months')}的固定等待期，从{counted_from_text(read)}算起，"
            f"{cn_date(benefits)}起才能报销。",
            DOC_RESIDENT,
            ("resident_fixed_wait_months", "waiting_counted_from"),
        )
    )
    return build(
        read,
        steps,
        items=items,
        basis={
            **basis_fee,
            "waiting": window + ("resident_fixed_wait_months",),
            "benefits_from": window + ("resident_fixed_wait_months", "waiting_counted_from"),
        },  # fmt: skip
        can_backpay=True,
        waiting_months=fixed,
        benefits_from=benefits,
        continuous_reset=after_break,
    )


def after_lapse(case: LapseCase, read: Reader) -> Estimate:
    """Re-joining after whole lapsed years: the wait, the useful repair, and the current year's fee."""
    steps: list[Step] = []
    rule = {
        "fixed": read("resident_fixed_wait_months"),
        "per_year": read("resident_extra_wait_per_year"),
        "first_year_counts": read("resident_first_year_counts"),
        "floor_after_years": read("resident_floor_after_years"),
        "floor_months": read("resident_floor_months"),
    }
    waits = [resident_waiting_months(case.lapsed_years, r, **rule) for r in range(case.lapsed_years + 1)]
    useful = useful_repaid_years(waits)
    months = waits[case.repaid_years]
    benefits = waiting_end(read, case.paid_on, months)
    # The fee is the cover year's in which cover starts: a wait that runs into next year is next year's cover.
    year = max(cover_year(case, read, ask=False)[0], benefits.year)
    fee = to_fen(read.for_year("resident_fee", year))
    options = tuple(RepairOption(r, waits[r], to_fen(fee * r) + fee) for r in range(useful + 1))
    counted = case.lapsed_years if rule["first_year_counts"] else case.lapsed_years - 1
    steps.append(
        Step(
            "resident.waiting",
            f"断缴 {case.lapsed_years} 年：固定等待期 {read.show('resident_fixed_wait_months')}，"
            f"{'每断缴一年' if rule['first_year_counts'] else '第一年之后每多断缴一年'}再加 "
            f"{read.show('resident_extra_wait_per_year')}，共 {counted} 年要加；不补缴要等 {waits[0]} 个月"
            + (
                f"（断缴满 {read.show('resident_floor_after_years')}，最少 {read.show('resident_floor_months')}）。"
                if case.lapsed_years >= rule["floor_after_years"]
                else "。"
            ),
            DOC_RESIDENT,
            WAIT_KEYS,
        )
    )
    if useful:
        advice = f"补 {useful} 年就够了：等待期 {waits[0]} → {waits[useful]} 个月，多补不会更短"
    else:
        advice = "补缴往年的保费不会让等待期更短，不用补"
    # The advice itself is the estimate's headline; the step adds what repaying does not do.
    steps.append(Step("resident.useful", "补缴的年份只缩短等待期，不能报销断缴期间的医药费。", DOC_RESIDENT, WAIT_KEYS))
    items = []
    if case.repaid_years:
        repair = to_fen(fee * case.repaid_years)
        steps.append(
            Step(
                "resident.repair",
                f"补缴 {case.repaid_years} 年，每年按{year}年度个人缴费标准 {read.show_year('resident_fee', year)}，"
                f"共 {yuan(repair)}；等待期从 {waits[0]} 个月减到 {months} 个月。",
                DOC_RESIDENT,
                FEE,
            )
        )
        if case.repaid_years > useful:
            extra = case.repaid_years - useful
            steps.append(
                Step(
                    "resident.repair.beyond",
                    f"其中 {extra} 年（{yuan(to_fen(fee * extra))}）不会让等待期再缩短，只是多花钱。",
                    DOC_RESIDENT,
                    WAIT_KEYS,
                )
            )
        items.append(Item(f"补缴 {case.repaid_years} 年", repair))
    items.append(Item(f"{year}年度个人缴费", fee))
    steps.append(
        Step(
            "resident.current_year",
            f"重新参保要交{year}年度的个人缴费 {read.show_year('resident_fee', year)}。",
            DOC_RESIDENT,
            FEE,
        )
    )
    steps.append(
        Step(
            "resident.cover",
            f"等待期 {months} 个月，从{counted_from_text(read)}算起，{cn_date(benefits)}起才能报销。",
            DOC_LOCAL,
            ("waiting_counted_from",),
        )
    )
    lost = incentive_lost(case, read, steps)
    return build(
        read,
        steps,
        items=items,
        basis={"amount": FEE, "waiting": WAIT_KEYS, "benefits_from": WAIT_KEYS + ("waiting_counted_from",)},
        can_backpay=True,
        waiting_months=months,
        benefits_from=benefits,
        continuous_reset=True,
        incentive_lost=lost,
        useful_repaid_years=useful,
        repair_options=options,
        advice=advice,
    )


def incentive_lost(case: LapseCase, read: Reader, steps: list[Step]) -> Decimal | None:
    """The major-illness cap raises earned by continuous years, which a lapse resets."""
    after = read.peek("incentive_after_years")
    if after is None or not read.has("incentive_raise_per_year") or case.continuous_years <= after:
        return None
    after, raise_per_year = read("incentive_after_years"), read("incentive_raise_per_year")
    lost = to_fen(raise_per_year * (case.continuous_years - after))
    keys: tuple[str, ...] = ("incentive_after_years", "incentive_raise_per_year")
    cap = ""
    if read.has("incentive_max_pct"):
        cap = f"（各项提高加起来，最多比原限额高 {read.show('incentive_max_pct')}，实际可能更少）"
        keys += ("incentive_max_pct",)
    steps.append(
        Step(
            "resident.incentive",
            f"断缴前已连续参保 {case.continuous_years} 年。连续参保满 {read.show('incentive_after_years')}后，每多一年，"
            f"大病保险最高支付限额提高 {read.show('incentive_raise_per_year')}。断缴后连续年限重新计算，"
            f"约 {yuan(lost)}的提高额度会失去{cap}。",
            DOC_RESIDENT,
            keys,
        )
    )
    return lost


def newborn(case: LapseCase, read: Reader) -> Estimate:
    """A newborn: from birth when enrolled within the grace period; free years where the province waives fees."""
    born = case.born_on
    assert born is not None
    steps: list[Step] = []
    grace = read("newborn_grace_days")
    days = (case.paid_on - born).days
    free_years = read.optional("newborn_free_years") or 0
    free_from = read.optional("newborn_free_born_from")
    free = bool(free_years) and free_from is not None and born >= free_from

    def fee_for(year: int) -> Item:
        if free and year < born.year + free_years:
            return Item(f"{year}年度个人缴费（免缴）", to_fen(Decimal(0)))
        return fee_item(read, year)

    fee = fee_for(born.year)
    if free:
        steps.append(
            Step(
                "resident.newborn.free",
                f"当地对 {read.show('newborn_free_born_from')}及以后出生的婴儿，出生后的前 {read.show('newborn_free_years')}"
                "免缴个人缴费；每年要办理免缴确认。",
                DOC_LOCAL,
                ("newborn_free_years", "newborn_free_born_from"),
            )
        )
    grace_keys = ("newborn_grace_days",)
    if days <= grace:
        steps.append(
            Step(
                "resident.newborn",
                f"出生 {days} 天后参保，在 {read.show('newborn_grace_days')}以内：从出生当天（{cn_date(born)}）起享受待遇，"
                "不设等待期。下一年度的保费要在集中参保期内另交。",
                DOC_LOCAL,
                grace_keys,
            )
        )
        return build(
            read,
            steps,
            items=[fee] if fee.amount else [],
            basis={"amount": FEE + ("newborn_free_years",), "waiting": grace_keys, "benefits_from": grace_keys},
            can_backpay=True,
            waiting_months=0,
            benefits_from=born,
            continuous_reset=False,
        )
    steps.append(
        Step(
            "resident.newborn.late",
            f"出生 {days} 天后才参保，超过 {read.show('newborn_grace_days')}：不能从出生起享受待遇，按普通参保对待。",
            DOC_LOCAL,
            grace_keys,
        )
    )
    return join(case, read, steps, fee_for=fee_for)
