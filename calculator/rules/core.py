"""The shared core of the rules: figures as the rules see them, dates, money, and the Estimate.

No Django, no database, no clock. A region's figures come in as `RegionFacts` (every period of
every figure, city → province → national); a rule asks for a figure *on a day* or *for a year*,
and the `Reader` remembers each figure it used, so the estimate can list them with their sources
and say whether a headline rests on an unverified one.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

EMPLOYEE, FLEXIBLE, RESIDENT = "employee", "flexible", "resident"
EMPLOYER, PERSONAL = "employer", "personal"
PAYER_EMPLOYER, PAYER_INDIVIDUAL = "employer", "individual"

# Documents the rules cite.
DOC_CONTRIBUTION = "《社会保险法》第二十三条"
DOC_WITHHOLDING = "《社会保险法》第六十条"
DOC_LATE_FEE = "《社会保险法》第八十六条"
DOC_LATE_FEE_EMPLOYER = "《实施〈社会保险法〉若干规定》第二十条"
DOC_UNEMPLOYMENT = "《社会保险法》第四十八条"
DOC_TRANSFER = "医保办发〔2021〕43号"
DOC_RESIDENT = "国办发〔2024〕38号"
DOC_LOCAL = "当地医保经办规定"
DOC_COMMON = "各地常见做法（待核实）"

# The headline results a citizen reads first; each may rest on unverified figures.
HEADLINES = ("can_backpay", "amount", "late_fee", "waiting", "benefits_from")

FEN = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


class MissingFigure(LookupError):
    """The region has no figure in force for a key the rule needs."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class NeedsAnswer(ValueError):
    """The data cannot decide the case: the citizen must answer a question (a form field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def stale_note(year: int | None, used_for: int | None) -> str:
    """What a year's figure says when it stands in for a later year whose figure is not entered."""
    if year is None or used_for is None or used_for <= year:
        return ""
    return f"这是{year}年度的标准，{used_for}年度的标准还没有录入"


@dataclass(frozen=True)
class Fact:
    """One figure for one period, with what a citizen needs to trust it: the one figure-with-source
    type of the site. The rules read `value`; pages, the estimate and the API show `display` with
    its source through `templates/includes/figure.html` (or `calculator.views.fact_json`)."""

    key: str
    label: str
    value: Decimal | int | datetime.date | bool | str | None
    display: str
    source: str
    verified_on: datetime.date
    status: str  # "verified" | "unverified"
    overdue: bool = False
    source_url: str = ""
    level: str = "national"  # national | province | city: where the figure was entered
    region: str = ""
    effective_from: datetime.date = datetime.date.min
    effective_to: datetime.date | None = None
    year: int | None = None  # the year a year-labelled figure is for
    used_for: int | None = None  # the later year it stood in for, when that year's figure is missing
    note: str = ""  # shown with the figure, e.g. that two sources disagree
    inherited_from: str = ""  # the province or nation whose figure stands in for the place asked about

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    @property
    def stale_note(self) -> str:
        return stale_note(self.year, self.used_for)

    @property
    def possibly_outdated(self) -> bool:
        """Not re-checked for too long, or a year's figure standing in for a later year: 可能已过期."""
        return self.overdue or bool(self.stale_note)

    @property
    def common_practice(self) -> bool:
        """A national default that is not confirmed: what many places do, not a rule."""
        return self.level == "national" and not self.verified

    def in_force(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class RegionFacts:
    """Every period of every figure for a region, each key's facts nearest region first."""

    region: str
    series: Mapping[str, Sequence[Fact]]

    def at(self, key: str, day: datetime.date) -> Fact | None:
        """The figure in force on `day` from the nearest region that has one."""
        return next((f for f in self.series.get(key, ()) if f.in_force(day)), None)


@dataclass(frozen=True)
class Step:
    rule: str
    text: str
    source: str
    figures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """One line of the amount; the items always add up to the total."""

    label: str
    amount: Decimal
    payer: str = PERSONAL  # EMPLOYER or PERSONAL: whose share it is


@dataclass(frozen=True)
class RepairOption:
    years: int
    waiting_months: int
    cost: Decimal  # everything paid with that many repaid years, the current cover year's fee included


@dataclass(frozen=True)
class Estimate:
    can_backpay: bool
    items: tuple[Item, ...]
    late_fee: Decimal
    late_fee_payer: str | None
    waiting_months: int
    benefits_from: datetime.date
    continuous_reset: bool
    gap_covered: bool
    steps: tuple[Step, ...]
    figures: tuple[Fact, ...]
    unverified: frozenset[str] = frozenset()  # headlines resting on an unverified figure
    late_fee_possible: Decimal | None = None  # the most it could be, when not known to be charged
    incentive_lost: Decimal | None = None
    useful_repaid_years: int | None = None
    repair_options: tuple[RepairOption, ...] = ()
    advice: str = ""  # one plain sentence for the headline, e.g. 补 1 年就够了

    @property
    def amount_total(self) -> Decimal:
        return sum((i.amount for i in self.items), ZERO)

    @property
    def amount_employer(self) -> Decimal:
        return sum((i.amount for i in self.items if i.payer == EMPLOYER), ZERO)

    @property
    def amount_personal(self) -> Decimal:
        return sum((i.amount for i in self.items if i.payer != EMPLOYER), ZERO)

    @property
    def depends_on_unverified(self) -> bool:
        return any(not f.verified for f in self.figures)


# ---------------------------------------------------------------- dates and money


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after the month of `day`."""
    index = day.year * 12 + (day.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def same_day_months_later(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later; a day the month lacks becomes its last day.

    2026-03-15 + 3 → 2026-06-15; 2026-11-30 + 3 → 2027-02-28.
    """
    first = add_months(day, months)
    return first.replace(day=min(day.day, calendar.monthrange(first.year, first.month)[1]))


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole calendar months from start's month to end's month (same month → 0)."""
    return (end.year - start.year) * 12 + end.month - start.month


def due_date(month: datetime.date, due_day: int) -> datetime.date:
    """The day a month's contribution falls due; a due day past the month's end means its last day."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=min(due_day, last))


def next_month(day: datetime.date) -> datetime.date:
    """Benefits that resume "from next month" start on the first day of the month after `day`."""
    return add_months(day, 1)


def yuan(amount: Decimal) -> str:
    return f"{amount:,.2f} 元"


def to_fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月"


@dataclass(frozen=True)
class LapseCase:
    scheme: str
    paid_on: datetime.date
    cause: str = PERSONAL
    lapse_start: datetime.date | None = None  # first day of the first unpaid month
    lapse_months: int = 0
    base: Decimal | None = None
    unemployment_months: int = 0  # months of the lapse with 失业保险金 (not a lapse at all)
    moved: bool = False  # changed city: 转移接续
    lapse_ongoing: bool = True  # flexible workers: payments not yet resumed
    lapsed_years: int = 0
    repaid_years: int = 0
    in_window: bool | None = None  # None: work it out from the region's collection window, or ask
    newborn: bool = False
    born_on: datetime.date | None = None
    switch_from: str | None = None
    continuous_years: int = 0
    gap_months: int = 0  # switching schemes: the months between them, just before the payment

    @property
    def gap_start(self) -> datetime.date:
        """Switching schemes: the first month of the gap."""
        return add_months(self.paid_on, -self.gap_months)


# ---------------------------------------------------------------- figure access


@dataclass
class Reader:
    """Reads figures for one estimate, on the payment day unless told otherwise, and keeps the ones used."""

    facts: RegionFacts
    day: datetime.date
    used: dict[tuple, Fact] = field(default_factory=dict)

    def fact(self, key: str, on: datetime.date | None = None) -> Fact:
        """The figure in force on `on` (default: the payment day). A year-labelled figure used for a
        later year than its own is kept with that year, so the page can say it may be out of date."""
        on = on or self.day
        found = self.facts.at(key, on)
        if found is None:
            raise MissingFigure(key)
        if found.year is not None and found.year < on.year:
            found = replace(found, used_for=on.year)
        self.used.setdefault((found.key, found.level, found.effective_from, found.used_for), found)
        return found

    def __call__(self, key: str, on: datetime.date | None = None):
        return self.fact(key, on).value

    def has(self, key: str, on: datetime.date | None = None) -> bool:
        return self.facts.at(key, on or self.day) is not None

    def optional(self, key: str, on: datetime.date | None = None):
        return self(key, on) if self.has(key, on) else None

    def show(self, key: str, on: datetime.date | None = None) -> str:
        return self.fact(key, on).display

    def for_year(self, key: str, year: int):
        """A cover-year or annual figure for `year` (looked up on 1 January of that year)."""
        return self(key, datetime.date(year, 1, 1))

    def show_year(self, key: str, year: int) -> str:
        return self.show(key, datetime.date(year, 1, 1))

    def peek(self, key: str, on: datetime.date | None = None):
        """A figure's value without counting it as used (for deciding whether a rule applies)."""
        found = self.facts.at(key, on or self.day)
        return None if found is None else found.value

    def exact_year(self, key: str, year: int) -> Fact | None:
        """A cover-year figure entered for exactly `year`, or None: a window from another year says
        nothing about this one. Not counted as used until `keep` is called with it."""
        found = self.facts.at(key, datetime.date(year, 1, 1))
        return found if found is not None and found.year == year else None

    def keep(self, *facts: Fact) -> None:
        for found in facts:
            self.used.setdefault((found.key, found.level, found.effective_from, found.used_for), found)

    def tristate(self, key: str) -> bool | None:
        """A yes / no / unknown setting; a region with no entry at all is unknown."""
        return self(key) if self.has(key) else None

    def source(self, doc: str, *keys: str) -> str:
        """What a step cites when it rests on local figures: the local rule, or — when the figure is a
        national default nobody confirmed — a common practice, never presented as the local rule.
        `build` applies it to every step with figures, so rules simply cite DOC_LOCAL or a document."""
        facts = [f for f in self.used.values() if f.key in keys]
        common = any(f.common_practice for f in facts)
        if doc == DOC_LOCAL:
            if common:
                return DOC_COMMON
            return f"{DOC_LOCAL}（待核实）" if any(not f.verified for f in facts) else doc
        if common and "常见做法" not in doc and not doc.startswith(DOC_LOCAL):
            # A document's rule applied with numbers nobody confirmed locally: say both.
            return f"{doc}；部分数字是{DOC_COMMON}"
        return doc

    def unverified_keys(self) -> set[str]:
        return {f.key for f in self.used.values() if not f.verified}


def waiting_end(read: Reader, paid_on: datetime.date, months: int) -> datetime.date:
    """The day a waiting period of `months` ends, counted where the region counts it from: the
    payment day (the same day-of-month, clamped to the month's end) or the first of the next month."""
    start = paid_on if read("waiting_counted_from") == "payment_day" else next_month(paid_on)
    return same_day_months_later(start, months)


def counted_from_text(read: Reader) -> str:
    return "缴费当天" if read("waiting_counted_from") == "payment_day" else "缴费次月1日"


def unbroken_cover(benefits_from: datetime.date) -> dict:
    """The headlines of a lapse repaired as if it never happened: back-paid, no wait, the continuous
    years kept and the gap's bills reimbursed; cover from `benefits_from`."""
    return {
        "can_backpay": True,
        "waiting_months": 0,
        "benefits_from": benefits_from,
        "continuous_reset": False,
        "gap_covered": True,
    }


def build(
    read: Reader,
    steps: Iterable[Step],
    *,
    basis: Mapping[str, Iterable[str]],
    items: Iterable[Item] = (),
    **values,
) -> Estimate:
    """Assemble an Estimate; `basis` names the figure keys each headline rests on, so a headline
    resting on an unverified figure is marked 待核实."""
    unverified = read.unverified_keys()
    flagged = frozenset(h for h, keys in basis.items() if unverified.intersection(keys))
    steps = [replace(s, source=read.source(s.source, *s.figures)) if s.figures else s for s in steps]
    values.setdefault("late_fee", ZERO)
    values.setdefault("late_fee_payer", None)
    values.setdefault("gap_covered", False)
    return Estimate(
        items=tuple(items), steps=tuple(steps), figures=tuple(read.used.values()), unverified=flagged, **values
    )
