"""Worked examples inside articles, computed by the estimator's own rules from live figures.

An article writes ``{{ case scheme=resident lapsed_years=2 repaid_years=1 show=waiting_months }}``
and the page shows what the estimator says for that case in the article's region today, so an
article's example can never contradict the estimator or go stale when a figure changes.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.http import QueryDict

from guides.markdown import CASE_TOKEN_RE

from .forms import CaseForm
from .rules import EMPLOYEE, FLEXIBLE, Estimate, MissingFigure, NeedsAnswer, RegionFacts, add_months, estimate
from .rules.core import cn_date

PARAM_RE = re.compile(r"^([a-z_]+)=([^\s=]+)$")


def _yuan(amount) -> str:
    text = f"{amount:,.2f}"
    return (text[:-3] if text.endswith(".00") else text) + " 元"


# What a case token can show: the headline it belongs to (for its 待核实 mark) and how it reads.
SHOW: dict[str, tuple[str, Callable[[Estimate], str | None]]] = {
    "waiting_months": ("waiting", lambda e: f"{e.waiting_months} 个月"),
    "amount_total": ("amount", lambda e: _yuan(e.amount_total)),
    "useful_repaid_years": (
        "waiting",
        lambda e: None if e.useful_repaid_years is None else f"{e.useful_repaid_years} 年",
    ),
    "late_fee": ("late_fee", lambda e: _yuan(e.late_fee)),
    "late_fee_possible": ("late_fee", lambda e: None if e.late_fee_possible is None else _yuan(e.late_fee_possible)),
    "benefits_from": ("benefits_from", lambda e: cn_date(e.benefits_from)),
}


@dataclass(frozen=True)
class Example:
    params: dict[str, str]
    show: str

    def query(self, today: datetime.date) -> QueryDict:
        """The estimator parameters of this example on `today` (the payment day)."""
        data = QueryDict(mutable=True)
        data.update(self.params)
        data["paid_on"] = today.isoformat()
        months = self.params.get("lapse_months", "")
        if self.params.get("scheme") in (EMPLOYEE, FLEXIBLE) and "lapse_start" not in self.params and months.isdigit():
            start = add_months(today, -int(months))
            data["lapse_start"] = f"{start.year}-{start.month:02d}"
        return data


def parse(token: str) -> Example:
    """Read a case token's parameters; ValueError with a Chinese message when it is malformed."""
    match = CASE_TOKEN_RE.match(token.strip())
    if not match:
        raise ValueError("算例的写法是 {{ case scheme=resident lapsed_years=2 show=waiting_months }}。")
    params: dict[str, str] = {}
    for word in match.group(1).split():
        pair = PARAM_RE.match(word)
        if not pair:
            raise ValueError(f"算例参数“{word}”的写法不对，应为 名称=值。")
        params[pair.group(1)] = pair.group(2)
    show = params.pop("show", "")
    if show not in SHOW:
        raise ValueError(f"算例要写 show=，可选：{'、'.join(SHOW)}。")
    unknown = set(params) - set(CaseForm.base_fields) - {"lapse_start"}
    if unknown:
        raise ValueError(f"算例里有估算器不认识的参数：{'、'.join(sorted(unknown))}。")
    if "paid_on" in params:
        raise ValueError("算例按文章显示当天计算，不要写 paid_on。")
    return Example(params, show)


def errors(token: str, today: datetime.date) -> list[str]:
    """What is wrong with a case token, in Chinese (empty when it is a valid case)."""
    try:
        example = parse(token)
    except ValueError as exc:
        return [str(exc)]
    form = CaseForm(example.query(today))
    if form.is_valid():
        return []
    return [f"算例“{token.strip()}”：{label}：{'；'.join(msgs)}" for label, msgs in _labelled(form)]


def _labelled(form: CaseForm):
    for name, msgs in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        yield label, msgs


@dataclass(frozen=True)
class Worked:
    """A rendered example: the text to show, whether it rests on unverified figures, and the query
    that reopens it in the estimator."""

    text: str
    unverified: bool
    query: str


def work(token: str, facts: RegionFacts, today: datetime.date) -> Worked:
    """The example's result for the region's figures on `today`; a plain note when it cannot be worked out."""
    try:
        example = parse(token)
    except ValueError:
        return Worked("（算例写法有误）", False, "")
    query = example.query(today)
    form = CaseForm(query)
    if not form.is_valid():
        return Worked("（算例参数有误）", False, "")
    try:
        result = estimate(form.to_case(), facts)
    except MissingFigure:
        return Worked("（当地缺少数据，暂时算不出）", False, query.urlencode())
    except NeedsAnswer:
        return Worked("（要看当地集中参保期，暂时算不出）", False, query.urlencode())
    headline, read_off = SHOW[example.show]
    shown = read_off(result)
    if shown is None:
        return Worked("（这个算例没有这一项）", False, query.urlencode())
    return Worked(shown, headline in result.unverified, query.urlencode())
