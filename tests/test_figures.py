"""Figures (PolicyEntry) as staff enter them and as the site looks them up: which one is in force on a
day, the city → province → nation fallback, the values refused, and how a value reads.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guides.figures import REGISTRY
from guides.models import PolicyEntry, Region
from tests.factories import (
    make_fresh_entry,
    make_jiangxi,
    make_policy_entry,
    today,
    validation_errors,
)
from tests.reading import label, reads, text_of

TODAY = timezone.localdate

D = datetime.date


def unsaved_entry(region, key="resident_fee", value="400", **fields) -> PolicyEntry:
    fields.setdefault("effective_from", D(2026, 1, 1))
    fields.setdefault("source_title", "江西省医疗保障局通知")
    fields.setdefault("verified_on", today())
    fields.setdefault("status", PolicyEntry.VERIFIED)
    fields.setdefault("state", PolicyEntry.PUBLISHED)  # as a 审核 enters it; drafts: tests/test_workflow.py
    return PolicyEntry(region=region, key=key, value=value, **fields)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "in_force"),
    [
        (D(2025, 12, 31), False),  # the day before effective_from
        (D(2026, 1, 1), True),  # the first day
        (D(2026, 6, 30), True),  # the last day of effective_to
        (D(2026, 7, 1), False),  # the day after
    ],
    ids=["before", "first-day", "last-day", "day-after"],
)
def test_it_finds_a_figure_in_force_only_inside_its_period(on, in_force):
    _, province, _ = make_jiangxi()
    window = make_fresh_entry(
        province, "resident_fee", "400", effective_from=D(2026, 1, 1), effective_to=D(2026, 6, 30)
    )

    assert list(PolicyEntry.objects.in_force(on=on)) == ([window] if in_force else [])


@pytest.mark.django_db
def test_it_keeps_an_open_ended_figure_in_force():
    _, province, _ = make_jiangxi()
    fee = make_fresh_entry(province, "resident_fee", "400", effective_from=D(2026, 1, 1))

    assert list(PolicyEntry.objects.in_force(on=D(2040, 1, 1))) == [fee]


@pytest.mark.django_db
def test_it_falls_back_from_city_to_province_to_national():
    nation, province, city = make_jiangxi()
    make_fresh_entry(nation, "resident_fee", "380")
    make_fresh_entry(nation, "late_fee_daily_pct", "0.05")
    make_fresh_entry(province, "resident_fee", "400")
    make_fresh_entry(province, "avg_wage", "6525")
    make_fresh_entry(city, "employee_employer_rate", "6.8")
    make_fresh_entry(nation, "employee_employer_rate", "8")

    figures = PolicyEntry.objects.for_region(city, D(2026, 11, 1))

    assert figures["employee_employer_rate"].display_value == "6.8%"  # the city's own
    assert figures["employee_employer_rate"].region == city
    assert figures["resident_fee"].display_value == "400 元/年"  # the province's beats the nation's
    assert figures["resident_fee"].region == province
    assert figures["avg_wage"].region == province
    assert figures["late_fee_daily_pct"].display_value == "0.05%"
    assert figures["late_fee_daily_pct"].region == nation
    assert "flexible_rate" not in figures


@pytest.mark.django_db
def test_it_overrides_the_province_with_the_city_value():
    _, province, city = make_jiangxi()
    make_fresh_entry(province, "resident_fee", "400")
    make_fresh_entry(city, "resident_fee", "420")

    assert PolicyEntry.objects.for_region(city, D(2026, 11, 1))["resident_fee"].value == "420"
    assert PolicyEntry.objects.for_region(province, D(2026, 11, 1))["resident_fee"].value == "400"


@pytest.mark.django_db
def test_it_falls_back_when_the_city_value_is_not_yet_in_force():
    _, province, city = make_jiangxi()
    make_fresh_entry(province, "resident_fee", "400", effective_from=D(2026, 1, 1))
    make_fresh_entry(city, "resident_fee", "420", effective_from=D(2027, 1, 1))

    assert PolicyEntry.objects.for_region(city, D(2026, 12, 31))["resident_fee"].value == "400"
    assert PolicyEntry.objects.for_region(city, D(2027, 1, 1))["resident_fee"].value == "420"


@pytest.mark.django_db
def test_it_looks_up_all_figures_for_a_region_in_one_query(django_assert_num_queries):
    nation, province, city = make_jiangxi()
    for key, value in [("resident_fee", "380"), ("late_fee_daily_pct", "0.05"), ("flexible_rate", "10")]:
        make_fresh_entry(nation, key, value)
    make_fresh_entry(province, "resident_fee", "400")
    make_fresh_entry(city, "employee_employer_rate", "6.8")
    region = Region.objects.select_related("parent__parent").get(pk=city.pk)

    with django_assert_num_queries(1):
        figures = PolicyEntry.objects.for_region(region, D(2026, 11, 1))
        shown = {key: f"{e.display_value}（{e.region.name}）" for key, e in figures.items()}

    assert shown == {
        "resident_fee": "400 元/年（江西省）",
        "late_fee_daily_pct": "0.05%（全国）",
        "flexible_rate": "10%（全国）",
        "employee_employer_rate": "6.8%（南昌）",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("employee_employer_rate", "250", f"{label('employee_employer_rate')}：数值不能大于 20"),
        ("resident_fee", "-1", f"{label('resident_fee')}：数值不能小于 0"),
        ("resident_fee", "abc", "“abc”不是有效的数字"),
        ("resident_fee", "400.005", "金额最多保留两位小数"),
        ("resident_fixed_wait_months", "2.5", "这个数值必须是整数"),
        ("resident_window_end", "2026/02/28", "日期格式应为 年-月-日"),
        ("resident_first_year_counts", "maybe", "请填写“是”或“否”"),
        ("individual_late_fee", "maybe", "请填写“是”“否”或“不清楚”"),
        ("waiting_counted_from", "whenever", "只能填：缴费当天（payment_day）"),
        ("resident_fee", "", "请填写数值"),
        ("resident_fee", "NaN", "不是有效的数字"),
    ],
    ids=[
        "percent-too-high",
        "negative-fee",
        "not-a-number",
        "three-decimals",
        "fraction-of-month",
        "bad-date",
        "bad-boolean",
        "bad-tristate",
        "bad-choice",
        "empty",
        "nan",
    ],
)
def test_it_refuses_a_value_outside_its_spec(key, value, message):
    _, province, _ = make_jiangxi()

    errors = validation_errors(unsaved_entry(province, key, value))

    assert any(message in m for m in errors["value"]), errors


@pytest.mark.django_db
def test_it_refuses_an_unknown_key():
    _, province, _ = make_jiangxi()

    errors = validation_errors(unsaved_entry(province, key="no_such_key", value="1"))

    assert any("no_such_key" in m for m in errors["key"]), errors


@pytest.mark.django_db
def test_it_refuses_an_end_before_the_start():
    _, province, _ = make_jiangxi()

    errors = validation_errors(unsaved_entry(province, effective_from=D(2026, 1, 1), effective_to=D(2025, 12, 31)))

    assert errors["effective_to"] == ["失效日期不能早于生效日期。"]


@pytest.mark.django_db
def test_it_refuses_a_verified_date_in_the_future():
    _, province, _ = make_jiangxi()

    errors = validation_errors(unsaved_entry(province, verified_on=today() + datetime.timedelta(days=1)))

    assert errors["verified_on"] == ["核实日期不能晚于今天。"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2025, 6, 1), None), (D(2024, 1, 1), D(2025, 6, 30)), (D(2025, 12, 31), D(2025, 12, 31))],
    ids=["open-ended-later", "overlapping-start", "single-last-day"],
)
def test_it_refuses_an_overlapping_period_for_the_same_region_and_key(start, end):
    _, province, _ = make_jiangxi()
    make_fresh_entry(province, "contribution_due_day", "15", effective_from=D(2025, 1, 1), effective_to=D(2025, 12, 31))

    errors = validation_errors(
        unsaved_entry(province, key="contribution_due_day", value="20", effective_from=start, effective_to=end)
    )

    (message,) = errors["__all__"]
    assert "2025-01-01 至 2025-12-31 已有一条" in message
    assert "数值 15" in message
    assert "请先给旧数据填上失效日期" in message


@pytest.mark.django_db
def test_it_names_an_open_ended_overlap_as_until_now():
    _, province, _ = make_jiangxi()
    make_fresh_entry(province, "resident_fee", "380", effective_from=D(2025, 1, 1))

    (message,) = validation_errors(unsaved_entry(province, value="400", effective_from=D(2026, 1, 1)))["__all__"]

    assert "2025-01-01 起已有一条长期有效的数据（数值 380）" in message


@pytest.mark.django_db
def test_it_accepts_a_successor_and_neighbours_that_do_not_overlap():
    nation, province, city = make_jiangxi()
    key = "contribution_due_day"
    make_fresh_entry(province, key, "15", effective_from=D(2025, 1, 1), effective_to=D(2025, 12, 31))
    successor = unsaved_entry(province, key=key, value="20", effective_from=D(2026, 1, 1))
    other_region = unsaved_entry(city, key=key, value="25", effective_from=D(2025, 6, 1))
    other_key = unsaved_entry(province, key="employee_personal_rate", value="2", effective_from=D(2025, 6, 1))

    for candidate in (successor, other_region, other_key):
        candidate.full_clean()
        candidate.save()

    saved = PolicyEntry.objects.get(pk=successor.pk)
    saved.full_clean()  # an entry never overlaps itself when edited
    assert PolicyEntry.objects.for_region(city, D(2026, 3, 1))[key].value == "25"
    assert PolicyEntry.objects.for_region(province, D(2026, 3, 1))[key].value == "20"
    assert PolicyEntry.objects.for_region(province, D(2025, 3, 1))[key].value == "15"


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["resident_fee", "resident_window_end", "avg_wage"])
def test_it_refuses_a_year_labelled_figure_that_does_not_start_on_1_january(key):
    _, province, _ = make_jiangxi()
    value = "2026-02-28" if key == "resident_window_end" else "400"

    errors = validation_errors(unsaved_entry(province, key=key, value=value, effective_from=D(2026, 7, 1)))

    assert any("按年度录入，生效日期请填所属年度的1月1日，例如 2026-01-01" in m for m in errors["effective_from"])


# What staff type for a figure → what is stored → what a citizen reads.
NORMALISED = {
    "employee_employer_rate": [("6.80", "6.8", "6.8%"), ("6.8%", "6.8", "6.8%")],
    "resident_fee": [("400.00", "400", "400 元/年"), (" 400 ", "400", "400 元/年"), ("400.5", "400.5", "400.50 元/年")],
    "avg_wage": [("7,008", "7008", "7,008 元/月")],
    "resident_fixed_wait_months": [("3.0", "3", "3 个月")],
    "resident_window_end": [("2026-02-28", "2026-02-28", "2026年2月28日")],
    "individual_late_fee": [("是", "true", "是")],
    "resident_first_year_counts": [("FALSE", "false", "否")],
    "base_ceiling_pct": [("300", "300", "300%")],
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "raw", "stored", "shown"), [(key, *row) for key, rows in NORMALISED.items() for row in rows]
)
def test_it_normalises_a_value_before_saving(key, raw, stored, shown):
    _, province, _ = make_jiangxi()
    figure = unsaved_entry(province, key, raw)

    figure.full_clean()
    figure.save()

    figure.refresh_from_db()
    assert figure.value == stored
    assert figure.display_value == shown


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("resident_fee", Decimal("400"), "400 元/年"),
        ("resident_fee", Decimal("400.00"), "400 元/年"),
        ("avg_wage", Decimal("7008"), "7,008 元/月"),
        ("avg_wage", Decimal("12345.6"), "12,345.60 元/月"),
        ("incentive_raise_per_year", Decimal("3000"), "3,000 元"),
        ("employee_employer_rate", Decimal("6.8"), "6.8%"),
        ("employee_employer_rate", Decimal("6.80"), "6.8%"),
        ("late_fee_daily_pct", Decimal("0.05"), "0.05%"),
        ("incentive_max_pct", Decimal("20"), "20%"),
        ("resident_window_end", D(2026, 2, 28), "2026年2月28日"),
        ("resident_window_start", D(2025, 10, 15), "2025年10月15日"),
        ("individual_late_fee", True, "是"),
        ("individual_late_fee", False, "否"),
        ("resident_fixed_wait_months", 3, "3 个月"),
        ("transfer_origin_days", 10, "10 个工作日"),
    ],
)
def test_it_displays_a_value_the_way_a_citizen_reads_it(key, value, shown):
    assert REGISTRY[key].display(value) == shown


def test_it_parses_then_displays_thousands_separators():
    spec = REGISTRY["avg_wage"]

    assert spec.display(spec.parse("7008")) == "7,008 元/月"
    assert spec.normalise("7,008.00") == "7008"


def test_it_switches_to_a_future_figure_on_its_effective_date(client, national, city):
    switch = TODAY() + datetime.timedelta(days=40)
    key = "flexible_rate"  # a figure that may change on any day (year-labelled ones change on 1 January)
    make_policy_entry(national, key, "10", effective_to=switch - datetime.timedelta(days=1))
    make_policy_entry(national, key, "11", effective_from=switch, status=PolicyEntry.UNVERIFIED)

    def rate_on(day):
        return PolicyEntry.objects.for_region(city, on=day)[key].value

    assert rate_on(TODAY()) == "10"
    assert rate_on(switch - datetime.timedelta(days=1)) == "10"
    assert rate_on(switch) == "11"
    assert rate_on(switch + datetime.timedelta(days=1)) == "11"
    page = client.get("/nanchang/")
    assert reads(page, "灵活就业人员医保缴费比例 10%")
    assert "11%" not in text_of(page.content.decode())
