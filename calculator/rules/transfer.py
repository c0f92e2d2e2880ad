"""Moving insurance between two places (转移接续) — 医保办发〔2021〕43号, with local figures.

- Employee and flexible workers: the personal-account balance and the contribution years move; the
  pooled fund stays. The origin office finishes its part within `transfer_origin_days` working
  days, the destination within `transfer_destination_days` (each side's own figure).
- Residents have no personal account: only the record of years moves. A resident stays covered
  where they paid until the end of the paid cover year and enrols at the destination for the next
  cover year (国办发〔2024〕38号: cover years); the transfer is applied for after that enrolment (43号).
  The next cover year's fee and collection window are looked up for that year: a fee from an
  earlier year says so, a window is never carried over from another year.
- The gap rule (43号, the destination's figures): a gap of at most `transfer_gap_months` can be
  back-paid under the destination's rules, covered from the payment month with the gap covered; a
  longer gap may bring a waiting period of up to `transfer_max_wait_months`.
- Inside one province some provinces need no transfer between their cities: a common practice,
  said as one, never as a rule.

No Django, no database, no clock: the day is passed in. A missing figure is said to be missing,
never guessed; a step resting on an unverified figure is marked, and so is the headline.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import ClassVar

from .core import (
    DOC_COMMON,
    DOC_RESIDENT,
    DOC_TRANSFER,
    EMPLOYEE,
    FLEXIBLE,
    RESIDENT,
    Fact,
    Reader,
    RegionFacts,
    cn_date,
)

SCHEME_NAMES = {EMPLOYEE: "职工医保", FLEXIBLE: "灵活就业人员医保", RESIDENT: "城乡居民医保"}

# How a step names a figure the site has not recorded (the registry's labels live with Django).
MISSING_NAMES = {
    "transfer_origin_days": "转出地的办理时限",
    "transfer_destination_days": "转入地的办理时限",
    "transfer_gap_months": "可以直接补缴的最长中断时间",
    "transfer_max_wait_months": "中断较长时的最长等待期",
    "resident_fee": "居民医保个人缴费标准",
    "resident_window": "集中参保期",
    "resident_fixed_wait_months": "居民医保固定待遇等待期",
}

PAPERS = ("身份证", "社保卡", "参保凭证（转出地医保经办机构开具）")

YOU = "你"


def origin_office(place: str) -> str:
    return f"转出地医保经办机构（{place}）"


def destination_office(place: str) -> str:
    return f"转入地医保经办机构（{place}）"


@dataclass(frozen=True)
class TransferStep:
    """One thing that moves, stays or gets done, who does it, and what it rests on."""

    rule: str
    text: str
    source: str  # the document it cites, or DOC_COMMON for a common practice
    actor: str = ""
    figures: tuple[Fact, ...] = ()  # shown with the step, each with its source
    missing: tuple[str, ...] = ()  # what the step needs and the site has not recorded
    rests_on: tuple[Fact, ...] = ()  # figures shown with an earlier step that this one also uses

    @property
    def unverified(self) -> bool:
        return any(not f.verified for f in (*self.figures, *self.rests_on))

    @property
    def common_practice(self) -> bool:
        return self.source == DOC_COMMON


PAPERS_NOTE = TransferStep("transfer.papers.local", "有的地方窗口还会要别的材料，去之前先打电话问清楚。", DOC_COMMON)


@dataclass(frozen=True)
class Transfer:
    scheme: str
    origin: str
    destination: str
    moves: tuple[TransferStep, ...]
    stays: tuple[TransferStep, ...]
    steps: tuple[TransferStep, ...]
    gap: tuple[TransferStep, ...]
    notes: tuple[TransferStep, ...]
    next_cover_year: int | None = None  # residents: the cover year enrolled for at the destination
    # The papers are the same for every move (43号); some windows ask for more.
    papers: ClassVar[tuple[str, ...]] = PAPERS
    papers_source: ClassVar[str] = DOC_TRANSFER
    papers_note: ClassVar[TransferStep] = PAPERS_NOTE

    @property
    def scheme_name(self) -> str:
        return SCHEME_NAMES[self.scheme]

    @property
    def headline(self) -> str:
        return f"从{self.origin}转到{self.destination}：{self.scheme_name}怎么转"

    @property
    def all_steps(self) -> tuple[TransferStep, ...]:
        return (*self.moves, *self.stays, *self.steps, *self.gap, *self.notes, self.papers_note)

    @property
    def figures(self) -> tuple[Fact, ...]:
        """Every figure the answer uses, once each, in reading order."""
        seen: dict[tuple, Fact] = {}
        for step in self.all_steps:
            for f in (*step.figures, *step.rests_on):
                seen.setdefault((f.key, f.region, f.effective_from, f.used_for), f)
        return tuple(seen.values())

    @property
    def unverified(self) -> bool:
        """The headline carries 待核实 when any step rests on an unverified figure."""
        return any(step.unverified for step in self.all_steps)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for step in self.all_steps for m in step.missing))


def _figure(read: Reader, key: str, on: datetime.date | None = None) -> Fact | None:
    return read.fact(key, on) if read.has(key, on) else None


def _unknown(key: str, place: str) -> str:
    """Said in place of a figure the site has not recorded: never a guess."""
    return f"本站还没有录入{place}的这项数字（{MISSING_NAMES[key]}）"


def _figure_step(
    rule: str,
    text: str,
    fact: Fact | None,
    key: str,
    source: str = DOC_TRANSFER,
    actor: str = "",
    rests_on: tuple[Fact, ...] = (),
) -> TransferStep:
    """A step resting on the figure `key` (`fact`): shown with it, or — not recorded — naming what is missing."""
    if fact is None:
        return TransferStep(rule, text, source, actor, missing=(MISSING_NAMES[key],), rests_on=rests_on)
    return TransferStep(rule, text, source, actor, figures=(fact,), rests_on=rests_on)


def transfer_plan(
    origin: RegionFacts,
    destination: RegionFacts,
    scheme: str,
    on: datetime.date,
    *,
    shared_province: str = "",
) -> Transfer:
    """What moves, who does what within how many working days, the gap rule and the papers, for
    moving `scheme` insurance from `origin` to `destination` on day `on`.

    `shared_province` names the province both places belong to ("" when they differ): inside one
    province some provinces need no transfer (a common practice, said as one).
    Raises ValueError for an unknown scheme or the same place at both ends.
    """
    if scheme not in SCHEME_NAMES:
        raise ValueError(f"unknown scheme {scheme!r}")
    if origin.region == destination.region:
        raise ValueError("origin and destination are the same place")
    here, there = Reader(origin, on), Reader(destination, on)
    a, b = origin.region, destination.region
    if scheme == RESIDENT:
        next_year = on.year + 1
        moves, stays = _resident_moves(a, b)
        steps = _resident_steps(here, there, a, b, on, next_year)
        gap = _resident_gap(there, b, next_year)
    else:
        next_year = None
        moves, stays = _account_moves(a, b)
        steps = _account_steps(here, there, a, b, scheme)
        gap = _account_gap(there, b)
    notes = []
    if shared_province:
        notes.append(
            TransferStep(
                "transfer.same_province",
                f"{a}和{b}都在{shared_province}。有的省份省内换城市不用办转移接续，医保关系在省内接着用；"
                f"{shared_province}是不是这样，本站还没有核实，办之前先打{b}的医保服务热线问清楚。",
                DOC_COMMON,
            )
        )
    notes.append(
        TransferStep(
            "transfer.switch",
            "从职工医保换成居民医保，或者从居民医保换成职工医保，是换险种，不是本页讲的转移接续；"
            "要不要等待期、要补交什么，请用补缴估算里的“换险种”来算。",
            DOC_TRANSFER,
        )
    )
    return Transfer(
        scheme=scheme,
        origin=origin.region,
        destination=destination.region,
        moves=moves,
        stays=stays,
        steps=steps,
        gap=gap,
        notes=tuple(notes),
        next_cover_year=next_year,
    )


# ---------------------------------------------------------------- employee and flexible workers


def _account_moves(a: str, b: str) -> tuple[tuple[TransferStep, ...], tuple[TransferStep, ...]]:
    moves = (
        TransferStep("transfer.moves.account", f"个人账户余额：跟着医保关系从{a}转到{b}的个人账户里。", DOC_TRANSFER),
        TransferStep("transfer.moves.years", f"缴费年限：带到{b}，和以后交的年限合在一起算。", DOC_TRANSFER),
    )
    stays = (TransferStep("transfer.stays.pool", f"统筹基金：交进统筹基金的钱留在{a}，不转。", DOC_TRANSFER),)
    return moves, stays


def _account_steps(here: Reader, there: Reader, a: str, b: str, scheme: str) -> tuple[TransferStep, ...]:
    if scheme == EMPLOYEE:
        join = f"先在{b}参加职工医保：新单位给你办参保登记。{a}的参保要先停掉（中止参保），一般由原单位办。"
    else:
        join = f"先停掉在{a}的灵活就业参保，再以灵活就业人员的身份在{b}参保缴费。"
    return (
        TransferStep("transfer.join", join, DOC_TRANSFER, YOU),
        _apply_step(a, b),
        _origin_step(here, a, "核对参保信息，出具参保凭证信息表，把个人账户余额划到" + b),
        _destination_step(there, b, "接上缴费年限；个人账户余额到账后，记进你在" + b + "的个人账户"),
    )


def _account_gap(there: Reader, b: str) -> tuple[TransferStep, ...]:
    gap = _figure(there, "transfer_gap_months")
    wait = _figure(there, "transfer_max_wait_months")
    if gap is not None:
        short = (
            f"转移前中断缴费不超过 {gap.display}：可以按{b}的规定补缴中断的月份，"
            "从补缴当月起享受待遇，中断期间看病的费用也能按规定报销。"
        )
        longer = f"中断超过 {gap.display}"
    else:
        short = f"中断多久以内可以直接补缴、补缴后中断期间也能报销，{_unknown('transfer_gap_months', b)}，请向{b}医保部门确认。"
        longer = "中断较长"
    if wait is not None:
        long = f"{longer}：{b}可以设置待遇等待期，最长 {wait.display}，等待期内看病不能报销。"
    else:
        long = f"{longer}：{b}可能设置待遇等待期；最长多久，{_unknown('transfer_max_wait_months', b)}，请向{b}医保部门确认。"
    return (
        _figure_step("transfer.gap.short", short, gap, "transfer_gap_months"),
        _figure_step("transfer.gap.long", long, wait, "transfer_max_wait_months", rests_on=(gap,) if gap else ()),
    )


# ---------------------------------------------------------------- shared steps


def _apply_step(a: str, b: str, *, after: str = "") -> TransferStep:
    return TransferStep(
        "transfer.apply",
        f"{after}申请转移接续：到{b}（或{a}）的医保经办窗口申请，也可以在网上申请，手机应用和网上办事渠道见本页下方。",
        DOC_TRANSFER,
        YOU,
    )


def _origin_step(here: Reader, a: str, work: str) -> TransferStep:
    days = _figure(here, "transfer_origin_days")
    text = f"受理后 {days.display}内办完转出：{work}。" if days else f"受理后{work}。"
    return _office_step("transfer.origin", text, origin_office(a), days, "transfer_origin_days", a)


def _destination_step(there: Reader, b: str, work: str) -> TransferStep:
    days, when = _figure(there, "transfer_destination_days"), "收到转出地的信息后"
    text = f"{when} {days.display}内办完转入：{work}。" if days else f"{when}办完转入：{work}。"
    return _office_step("transfer.destination", text, destination_office(b), days, "transfer_destination_days", b)


def _office_step(rule: str, text: str, office: str, days: Fact | None, key: str, place: str) -> TransferStep:
    """An office's part of the transfer: `text` says its working-day limit (`days`, the figure `key`);
    with the limit not recorded, it is followed by how to ask for it."""
    if days is None:
        text += f"要在几个工作日内办完，{_unknown(key, place)}，可以打{place}的医保服务热线问。"
    return _figure_step(rule, text, days, key, actor=office)


# ---------------------------------------------------------------- residents


def _resident_moves(a: str, b: str) -> tuple[tuple[TransferStep, ...], tuple[TransferStep, ...]]:
    moves = (
        TransferStep(
            "transfer.moves.record",
            f"参保记录：在{a}参保的年限转到{b}，连续参保接得上。",
            DOC_TRANSFER,
        ),
    )
    stays = (
        TransferStep(
            "transfer.stays.no_account",
            f"居民医保没有个人账户，没有余额可转：交的保费都进了统筹基金，留在{a}。",
            DOC_TRANSFER,
        ),
    )
    return moves, stays


def _resident_window(there: Reader, year: int) -> tuple[Fact, Fact] | None:
    """The collection window entered for exactly `year`; a window of another year says nothing."""
    start = there.exact_year("resident_window_start", year)
    end = there.exact_year("resident_window_end", year)
    if start is None or end is None:
        return None
    there.keep(start, end)
    return start, end


def _resident_steps(
    here: Reader, there: Reader, a: str, b: str, on: datetime.date, next_year: int
) -> tuple[TransferStep, ...]:
    year_end = datetime.date(on.year, 12, 31)
    stay = TransferStep(
        "transfer.resident.stay",
        f"已经交了{on.year}年度保费的，到{cn_date(year_end)}都在{a}享受待遇：当年度不用转，看病照常在{a}报销。",
        DOC_RESIDENT,
        YOU,
    )
    first_day = datetime.date(next_year, 1, 1)
    fee = _figure(there, "resident_fee", first_day)
    window = _resident_window(there, next_year)
    figures: list[Fact] = []
    missing: list[str] = []
    if window is not None:
        when = f"在{b}{next_year}年度的集中参保期（{window[0].display}至{window[1].display}）内交费"
        figures += window
    else:
        when = f"在{b}的集中参保期内交费；{b}{next_year}年度的集中参保期本站还没有录入，请向{b}医保部门确认什么时候交"
        missing.append(MISSING_NAMES["resident_window"])
    if fee is not None:
        if fee.stale_note:
            price = f"{next_year}年度的个人缴费标准本站还没有录入，{fee.year}年度是 {fee.display}"
        else:
            price = f"{next_year}年度个人缴费 {fee.display}"
        figures.append(fee)
    else:
        price = f"{next_year}年度个人缴费多少，{_unknown('resident_fee', b)}"
        missing.append(MISSING_NAMES["resident_fee"])
    enrol = TransferStep(
        "transfer.resident.enrol",
        f"在{b}参加{next_year}年度的居民医保：{when}。{price}。",
        DOC_RESIDENT,
        YOU,
        figures=tuple(figures),
        missing=tuple(missing),
    )
    return (
        stay,
        enrol,
        _apply_step(a, b, after=f"在{b}参保以后，"),
        _origin_step(here, a, f"核对参保信息，出具参保凭证信息表，把参保记录转到{b}"),
        _destination_step(there, b, "接上你的参保年限"),
    )


def _resident_gap(there: Reader, b: str, next_year: int) -> tuple[TransferStep, ...]:
    first_day = datetime.date(next_year, 1, 1)
    on_time = TransferStep(
        "transfer.gap.resident.on_time",
        f"在集中参保期内、{cn_date(first_day)}以前交了{b}{next_year}年度的保费：参保不中断，"
        f"不设等待期，{cn_date(first_day)}起在{b}报销。",
        DOC_RESIDENT,
    )
    fixed = _figure(there, "resident_fixed_wait_months")
    if fixed is not None:
        wait = f"有 {fixed.display}的固定待遇等待期，等待期内看病不能报销。"
    else:
        wait = f"会有待遇等待期；要等多久，{_unknown('resident_fixed_wait_months', b)}，请向{b}医保部门确认。"
    late = f"错过集中参保期才在{b}参保：{wait}"
    return on_time, _figure_step("transfer.gap.resident.late", late, fixed, "resident_fixed_wait_months", DOC_RESIDENT)
