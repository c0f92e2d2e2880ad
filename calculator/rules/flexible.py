"""Flexible workers (灵活就业), and the routes every person without an employer shares.

- Individual back-pay only inside the region's window (a per-region figure; national default a
  common practice of 3 months, Nanchang 0); beyond it the person re-enrols as a new participant.
- Moved between places (医保办发〔2021〕43号): a gap of at most the limit is back-paid with cover
  from the payment month and the gap covered; a longer gap may bring a waiting period up to a maximum.
- A gap that has already ended (payments resumed) does not delay current cover; it only restarted
  the continuous years.
"""

from __future__ import annotations

import datetime

from .arrears import BASE_KEYS, individual_arrears
from .core import (
    DOC_LOCAL,
    DOC_TRANSFER,
    Estimate,
    LapseCase,
    Reader,
    Step,
    build,
    cn_date,
    counted_from_text,
    month_start,
    months_between,
    next_month,
    unbroken_cover,
    waiting_end,
    yuan,
)

WINDOW = ("flexible_backpay_window_months",)
LATE = ("individual_late_fee", "late_fee_daily_pct", "contribution_due_day")
AMOUNT = BASE_KEYS + ("flexible_rate",)  # what an individual's back-pay amount rests on
RESET = "连续参保年限重新计算，累计缴费年限保留。"


def flexible_estimate(case: LapseCase, read: Reader) -> Estimate:
    """A flexible worker's own lapse."""
    assert case.lapse_start is not None
    if case.moved:
        return moved_estimate(case, read, [], case.lapse_start, case.lapse_months)
    if not case.lapse_ongoing:
        return closed_gap(case, read, [], case.lapse_start, case.lapse_months)
    return individual_backpay(case, read, [], case.lapse_start, case.lapse_months)


def _priced(case: LapseCase, read: Reader, steps: list[Step], first: datetime.date, months: int):
    item, late = individual_arrears(
        case, read, steps, first, months, rule="flexible.amount", label=f"补缴 {months} 个月保费（个人缴纳）"
    )
    return [item], late


def individual_backpay(case: LapseCase, read: Reader, steps: list[Step], first: datetime.date, months: int) -> Estimate:
    """Back-pay by the person alone, inside the region's window; otherwise re-enrol.

    The window counts from the first unpaid month to the payment month. A lapse of more than the
    region's threshold waits the region's waiting period after back-paying (local rule).
    """
    if months == 0:
        steps.append(Step("lapse.none", "没有要补的月份，下个月起正常享受待遇。", DOC_LOCAL))
        return build(read, steps, basis={}, can_backpay=True, waiting_months=0,
                     benefits_from=next_month(case.paid_on), continuous_reset=False)  # fmt: skip
    window = read("flexible_backpay_window_months")
    age = months_between(first, case.paid_on)
    if window == 0 or age > window:
        return reenrol(case, read, steps, window, age)
    items, late = _priced(case, read, steps, first, months)
    wait_after, long_wait = read("flexible_wait_after_months"), read("flexible_wait_months")
    reset = months > read("continuity_reset_months")
    wait = long_wait if months > wait_after else 0
    benefits = waiting_end(read, case.paid_on, wait) if wait else next_month(case.paid_on)
    wait_keys = ("flexible_wait_after_months", "flexible_wait_months", "continuity_reset_months")
    if wait:
        text = (
            f"断缴超过 {read.show('flexible_wait_after_months')}，补缴后还要等 {read.show('flexible_wait_months')}"
            f"（从{counted_from_text(read)}算起），{cn_date(benefits)}起才能报销。"
        )
    else:
        text = f"断缴不超过 {read.show('flexible_wait_after_months')}，补缴后下个月起恢复报销。"
    steps.append(Step("flexible.waiting", text + (RESET if reset else ""), DOC_LOCAL, wait_keys))
    return build(
        read,
        steps,
        items=items,
        basis={
            "can_backpay": WINDOW,
            "amount": AMOUNT + WINDOW,
            "late_fee": LATE,
            "waiting": wait_keys,
            "benefits_from": wait_keys + ("waiting_counted_from",),
        },
        can_backpay=True,
        waiting_months=wait,
        benefits_from=benefits,
        continuous_reset=reset,
        **late,
    )


def reenrol(case: LapseCase, read: Reader, steps: list[Step], window: int, age: int) -> Estimate:
    """Beyond the window: nothing to back-pay; the person joins again as a new participant."""
    long_wait = read("flexible_wait_months")
    why = (
        "当地个人断缴的月份不能补缴"
        if window == 0
        else f"当地个人只能补缴最近 {read.show('flexible_backpay_window_months')}的断缴，你最早没交的月份已过去 {age} 个月"
    )
    benefits = waiting_end(read, case.paid_on, long_wait)
    keys = WINDOW + ("flexible_wait_months",)
    steps.append(
        Step(
            "flexible.reenrol",
            f"{why}，只能重新参保。重新参保按新参保人员对待，要等 {read.show('flexible_wait_months')}"
            f"（从{counted_from_text(read)}算起），{cn_date(benefits)}起才能报销。{RESET}",
            DOC_LOCAL,
            keys,
        )
    )
    basis = {
        "can_backpay": WINDOW,
        "amount": WINDOW,  # nothing to pay only because the window is closed
        "late_fee": WINDOW,
        "waiting": keys,
        "benefits_from": keys + ("waiting_counted_from",),
    }
    return build(
        read,
        steps,
        basis=basis,
        can_backpay=False,
        waiting_months=long_wait,
        benefits_from=benefits,
        continuous_reset=True,
        advice="不能补缴，只能重新参保",
    )


def closed_gap(case: LapseCase, read: Reader, steps: list[Step], first: datetime.date, months: int) -> Estimate:
    """A past gap, payments since resumed: no wait now; back-paying it is optional where allowed."""
    reset = months > read("continuity_reset_months")
    steps.append(
        Step(
            "flexible.closed_gap",
            "这段断缴已经结束（已恢复缴费），不会让现在的报销再等。" + (RESET if reset else ""),
            DOC_LOCAL,
            ("continuity_reset_months",),
        )
    )
    window = read("flexible_backpay_window_months")
    age = months_between(first, case.paid_on)
    common = {"waiting_months": 0, "benefits_from": case.paid_on, "continuous_reset": reset}
    if window == 0 or age > window:
        steps.append(
            Step(
                "flexible.closed_gap.too_late",
                "这几个月已经不能补缴（超过当地可补缴的期限）。",
                DOC_LOCAL,
                WINDOW,
            )
        )
        return build(read, steps, basis={"can_backpay": WINDOW, "amount": WINDOW}, can_backpay=False, **common)
    items, late = _priced(case, read, steps, first, months)
    steps.append(
        Step(
            "flexible.closed_gap.optional",
            f"想补上这几个月（计入缴费年限），可以在当地可补缴的期限内补；共 {yuan(items[0].amount)}。补不补都不影响现在报销。",
            DOC_LOCAL,
            WINDOW,
        )
    )
    return build(
        read,
        steps,
        items=items,
        basis={"can_backpay": WINDOW, "amount": AMOUNT, "late_fee": LATE},
        can_backpay=True,
        advice="补缴是自愿的，不影响现在报销",
        **common,
        **late,
    )


def moved_estimate(case: LapseCase, read: Reader, steps: list[Step], first: datetime.date, months: int) -> Estimate:
    """Moved to another city (转移接续, 医保办发〔2021〕43号).

    Gap ≤ the limit: back-pay under the destination's rules, cover from the payment month and the
    gap covered. Longer: the destination may set a waiting period up to the maximum (we use it).
    """
    keys: tuple[str, ...] = ("transfer_gap_months",)
    if months <= read("transfer_gap_months"):
        steps.append(
            Step(
                "transfer.short",
                f"换了城市（转移接续），中断不超过 {read.show('transfer_gap_months')}：按转入地规定补缴后，从缴费当月起"
                "享受待遇，中断期间的医药费也能按规定报销。本估算按个人缴费比例计算，实际按转入地规定。",
                DOC_TRANSFER,
                keys,
            )
        )
        items, late = _priced(case, read, steps, first, months)
        return build(
            read,
            steps,
            items=items,
            basis={"amount": AMOUNT, "late_fee": LATE, "waiting": keys, "benefits_from": keys},
            **unbroken_cover(month_start(case.paid_on)),
            **late,
        )
    keys += ("transfer_max_wait_months",)
    wait = read("transfer_max_wait_months")
    benefits = waiting_end(read, case.paid_on, wait)
    steps.append(
        Step(
            "transfer.long",
            f"换了城市（转移接续），中断超过 {read.show('transfer_gap_months')}：转入地可以设最长 "
            f"{read.show('transfer_max_wait_months')}的等待期，本估算按最长计算；中断期间的费用不能补报。{RESET}",
            DOC_TRANSFER,
            keys,
        )
    )
    return build(
        read,
        steps,
        basis={"waiting": keys, "benefits_from": keys + ("waiting_counted_from",)},
        can_backpay=False,
        waiting_months=wait,
        benefits_from=benefits,
        continuous_reset=True,
        advice="中断期间不能补缴，转入地重新参保",
    )
