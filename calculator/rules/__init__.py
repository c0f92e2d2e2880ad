"""The back-pay rules, as pure functions: one module per scheme and a small shared core.

No Django, no database, no clock: a case and the region's figures go in; an `Estimate` with the
months, the yuan, the steps behind them and the figures they used comes out. Every number a rule
uses is a policy figure handed in through `RegionFacts` (built from the database by
`calculator.facts`); the code holds only the rules, each citing the document it implements.

- `core`: figures, dates, money, the Estimate.
- `arrears`: pricing unpaid months with the figures of each month, late fees.
- `employee`, `flexible`, `resident`, `switch`: one module per scheme or route.
"""

from __future__ import annotations

from .core import (
    EMPLOYEE,
    EMPLOYER,
    FLEXIBLE,
    HEADLINES,
    PERSONAL,
    RESIDENT,
    Estimate,
    Fact,
    Item,
    LapseCase,
    MissingFigure,
    NeedsAnswer,
    Reader,
    RegionFacts,
    RepairOption,
    Step,
    add_months,
    due_date,
    month_start,
    same_day_months_later,
)
from .resident import resident_waiting_months
from .switch import estimate_for


def estimate(case: LapseCase, facts: RegionFacts) -> Estimate:
    """Work out a case for a region.

    Raises MissingFigure when the region lacks a figure a rule needs, and NeedsAnswer when the data
    cannot decide and the citizen must answer a question (e.g. the collection window).
    """
    return estimate_for(case, Reader(facts, case.paid_on))


__all__ = [
    "EMPLOYEE",
    "EMPLOYER",
    "FLEXIBLE",
    "HEADLINES",
    "PERSONAL",
    "RESIDENT",
    "Estimate",
    "Fact",
    "Item",
    "LapseCase",
    "MissingFigure",
    "NeedsAnswer",
    "RegionFacts",
    "RepairOption",
    "Step",
    "add_months",
    "due_date",
    "estimate",
    "month_start",
    "resident_waiting_months",
    "same_day_months_later",
]
