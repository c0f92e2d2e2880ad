"""Demo articles cannot contradict the figures or the estimator: no figure typed in digits where a
token exists, and every worked example computes."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from calculator import examples
from calculator.rules import RegionFacts
from guides.figures import BOOLEAN, CHOICE, DATE, MONEY, PERCENT, REGISTRY, TRISTATE
from guides.management.commands.load_demo import DEMO_DIR, parse_article
from guides.markdown import ANY_TOKEN_RE, figure_tokens, is_case_token

FIGURES = json.loads((DEMO_DIR / "figures.json").read_text(encoding="utf-8"))
REGIONS = {r["slug"]: r for r in json.loads((DEMO_DIR / "regions.json").read_text(encoding="utf-8"))}
ARTICLES = sorted((DEMO_DIR / "articles").glob("*/*.md"))


def lineage(slug: str) -> list[str]:
    chain = []
    while slug:
        chain.append(slug)
        slug = REGIONS[slug]["parent"]
    return chain


def typed_forms(key: str, raw: str) -> list[re.Pattern]:
    """How a figure's value would look typed into prose: "400 元", "6.8%", "3 个月", "2026年2月28日"."""
    spec = REGISTRY[key]
    if spec.type in (BOOLEAN, TRISTATE, CHOICE) or spec.unit == "日":  # a day of the month reads like any date
        return []
    if spec.type == DATE:
        day = datetime.date.fromisoformat(raw)
        return [re.compile(rf"{day.year}\s*年\s*{day.month}\s*月\s*{day.day}\s*日"), re.compile(re.escape(raw))]
    number = Decimal(raw)
    plain = format(number.normalize(), "f")
    grouped = f"{number:,.0f}" if number == number.to_integral_value() else plain
    numbers = "|".join(re.escape(n) for n in {plain, grouped})
    unit = {MONEY: r"元", PERCENT: r"[%％]"}.get(spec.type) or re.escape(spec.unit.split("/")[0].strip())
    return [re.compile(rf"(?<![\d.,，]){'(?:' + numbers + ')'}\s*{unit}")]


def prose(path: Path) -> str:
    """Title, short answer and body with every token taken out."""
    meta, body = parse_article(path)
    return ANY_TOKEN_RE.sub(" ", f"{meta['title']}\n{meta['short_answer']}\n{body}")


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_article_types_a_figure_in_digits_where_a_token_exists(path):
    regions = lineage(path.parent.name)
    text = prose(path)
    found = []
    for row in FIGURES:
        if row["region"] in regions:
            for pattern in typed_forms(row["key"], row["value"]):
                found += [f"{row['key']}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not found, f"{path.parent.name}/{path.stem} types figures in digits; use tokens: {found}"


def test_the_digit_check_would_catch_a_typed_fee():
    patterns = typed_forms("resident_fee", "400") + typed_forms("resident_fixed_wait_months", "3")
    typed = "每年交400元，要等 3 个月，2024年3月起"
    assert [p.search(typed).group(0) for p in patterns] == ["400元", "3 个月"]
    assert not any(p.search("2025年度，0791-12393，每年 1400 元") for p in typed_forms("resident_fee", "400"))


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_worked_example_in_an_article_is_valid(path):
    tokens = [t for t in figure_tokens(path.read_text(encoding="utf-8")) if is_case_token(t)]
    for token in tokens:
        assert examples.errors(token, datetime.date(2026, 11, 23)) == [], token


@pytest.mark.django_db
def test_worked_examples_render_computed_values_on_the_demo_pages(client, demo):
    from guides.models import Article

    rendered = 0
    for article in Article.objects.select_related("region"):
        if not any(is_case_token(t) for t in figure_tokens(article.body)):
            continue
        html = client.get(article.get_absolute_url()).content.decode()
        assert "算不出" not in html and "算例写法有误" not in html and "算例参数有误" not in html, article.slug
        assert "fig-case" in html
        rendered += 1
    assert rendered >= 10


def test_a_case_token_reads_its_parameters_and_refuses_unknown_ones():
    example = examples.parse("case scheme=resident lapsed_years=2 show=waiting_months")
    assert (example.params, example.show) == ({"scheme": "resident", "lapsed_years": "2"}, "waiting_months")
    with pytest.raises(ValueError, match="不认识的参数"):
        examples.parse("case scheme=resident colour=red show=waiting_months")
    with pytest.raises(ValueError, match="show="):
        examples.parse("case scheme=resident lapsed_years=2")
    assert examples.errors("case scheme=resident lapsed_years=-1 show=waiting_months", datetime.date(2026, 11, 23))


def test_a_case_token_shows_what_the_estimator_says():
    from calculator.rules import Fact

    def fact(key, value):
        return Fact(key, key, value, str(value), "测试", datetime.date(2026, 1, 1), "verified")

    values = {
        "resident_fee": Decimal("400"),
        "resident_fixed_wait_months": 3,
        "resident_extra_wait_per_year": 1,
        "resident_first_year_counts": False,
        "resident_floor_after_years": 4,
        "resident_floor_months": 6,
        "waiting_counted_from": "payment_day",
    }
    facts = RegionFacts("测试市", {k: [fact(k, v)] for k, v in values.items()})
    today = datetime.date(2026, 11, 23)
    token = "case scheme=resident lapsed_years=5 show=useful_repaid_years"
    assert examples.work(token, facts, today).text == "1 年"
    assert (
        examples.work("case scheme=resident lapsed_years=3 repaid_years=2 show=amount_total", facts, today).text
        == "1,200 元"
    )
    assert examples.work("case scheme=resident lapsed_years=2 show=waiting_months", facts, today).text == "4 个月"
