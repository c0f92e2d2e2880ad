"""The transfer rules (calculator/rules/transfer.py), with no database: what moves, who does what
within how many working days, the gap rule, the papers, and what the answer says when a figure is
unverified, missing, or from an earlier cover year."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from calculator.rules import Fact, RegionFacts
from calculator.rules.core import DOC_COMMON, DOC_RESIDENT, DOC_TRANSFER
from calculator.rules.transfer import transfer_plan

date = datetime.date
ON = date(2026, 11, 23)


def fact(
    key, value, *, display=None, status="verified", level="national", region="全国", start=None, end=None, year=None
):
    return Fact(
        key=key,
        label=key,
        value=value,
        display=display or str(value),
        source="医保办发〔2021〕43号",
        verified_on=date(2026, 11, 1),
        status=status,
        level=level,
        region=region,
        effective_from=start or date(2021, 11, 1),
        effective_to=end,
        year=year,
    )


def national(**overrides) -> list[Fact]:
    """The national transfer figures, typed as the registry displays them; a key set to None is left out."""
    figures = {
        "transfer_gap_months": fact("transfer_gap_months", 3, display="3 个月"),
        "transfer_max_wait_months": fact("transfer_max_wait_months", 6, display="6 个月"),
        "transfer_origin_days": fact("transfer_origin_days", 10, display="10 个工作日"),
        "transfer_destination_days": fact("transfer_destination_days", 5, display="5 个工作日"),
        "resident_fixed_wait_months": fact("resident_fixed_wait_months", 3, display="3 个月"),
    }
    figures.update(overrides)
    return [f for f in figures.values() if f is not None]


def place(name: str, facts: list[Fact]) -> RegionFacts:
    series: dict[str, list[Fact]] = {}
    for f in sorted(facts, key=lambda f: f.effective_from, reverse=True):  # newest first, as facts_for gives them
        series.setdefault(f.key, []).append(f)
    return RegionFacts(region=name, series=series)


def fee(year: int, value: str, *, region="江西省", level="province", status="unverified") -> Fact:
    return fact(
        "resident_fee",
        Decimal(value),
        display=f"{value} 元/年",
        status=status,
        level=level,
        region=region,
        start=date(year, 1, 1),
        year=year,
    )


def window(year: int, start: date, end: date, *, region="江西省") -> list[Fact]:
    return [
        fact(key, day, display=f"{day.year}年{day.month}月{day.day}日", level="province", region=region,
             start=date(year, 1, 1), end=date(year, 12, 31), year=year)
        for key, day in (("resident_window_start", start), ("resident_window_end", end))
    ]  # fmt: skip


def rule(plan, name):
    return next(s for s in plan.all_steps if s.rule == name)


def texts(steps) -> str:
    return "\n".join(s.text for s in steps)


# ---------------------------------------------------------------- each scheme


def test_an_employee_takes_the_account_balance_and_the_years_and_leaves_the_pool():
    plan = transfer_plan(place("南昌", national()), place("贺州", national()), "employee", ON)

    assert plan.headline == "从南昌转到贺州：职工医保怎么转"
    moves = texts(plan.moves)
    assert "个人账户余额" in moves and "缴费年限" in moves
    assert "统筹基金" in texts(plan.stays) and "留在南昌" in texts(plan.stays)
    assert all(s.source == DOC_TRANSFER for s in plan.moves + plan.stays)
    assert "新单位" in plan.steps[0].text
    assert plan.next_cover_year is None


def test_a_flexible_worker_moves_the_same_things_but_enrols_as_a_flexible_worker():
    plan = transfer_plan(place("贺州", national()), place("南昌", national()), "flexible", ON)

    assert plan.headline == "从贺州转到南昌：灵活就业人员医保怎么转"
    assert "个人账户余额" in texts(plan.moves)
    assert "灵活就业人员的身份在南昌参保" in plan.steps[0].text
    assert "新单位" not in texts(plan.steps)


def test_the_steps_say_who_does_what_in_order_with_each_sides_working_days():
    origin = place(
        "南昌",
        national(
            transfer_origin_days=fact("transfer_origin_days", 8, display="8 个工作日", level="city", region="南昌")
        ),
    )
    plan = transfer_plan(origin, place("贺州", national()), "employee", ON)

    assert [s.rule for s in plan.steps] == [
        "transfer.join",
        "transfer.apply",
        "transfer.origin",
        "transfer.destination",
    ]
    assert [s.actor for s in plan.steps] == ["你", "你", "转出地医保经办机构（南昌）", "转入地医保经办机构（贺州）"]
    assert "贺州（或南昌）的医保经办窗口" in plan.steps[1].text and "网上申请" in plan.steps[1].text
    # The origin's own figure (8) for the origin, the national one (5) for the destination.
    assert "8 个工作日内办完转出" in plan.steps[2].text
    assert [f.value for f in plan.steps[2].figures] == [8]
    assert "5 个工作日内办完转入" in plan.steps[3].text
    assert all(s.source == DOC_TRANSFER for s in plan.steps)


def test_the_destinations_days_come_from_the_destination_not_the_origin():
    origin = place(
        "南昌",
        national(
            transfer_destination_days=fact(
                "transfer_destination_days", 2, display="2 个工作日", level="city", region="南昌"
            )
        ),
    )
    plan = transfer_plan(origin, place("贺州", national()), "employee", ON)

    assert "5 个工作日内办完转入" in rule(plan, "transfer.destination").text


def test_a_resident_has_no_account_and_moves_only_the_record_of_years():
    facts = national() + [fee(2027, "420"), *window(2027, date(2026, 9, 1), date(2026, 12, 31))]
    plan = transfer_plan(place("贺州", national()), place("南昌", facts), "resident", ON)

    assert plan.headline == "从贺州转到南昌：城乡居民医保怎么转"
    assert "参保记录" in texts(plan.moves)
    assert "个人账户余额" not in texts(plan.moves)
    assert "没有个人账户" in texts(plan.stays)
    assert plan.next_cover_year == 2027


def test_a_resident_stays_covered_where_they_paid_and_enrols_for_the_next_cover_year():
    facts = national() + [fee(2027, "420"), *window(2027, date(2026, 9, 1), date(2026, 12, 31))]
    plan = transfer_plan(place("贺州", national()), place("南昌", facts), "resident", ON)

    stay, enrol, apply = plan.steps[:3]
    assert "2026年12月31日都在贺州享受待遇" in stay.text and stay.source == DOC_RESIDENT
    assert "2027年度的居民医保" in enrol.text
    assert "2026年9月1日至2026年12月31日" in enrol.text
    assert "2027年度个人缴费 420 元/年" in enrol.text
    assert enrol.source == DOC_RESIDENT
    assert "在南昌参保以后" in apply.text and apply.source == DOC_TRANSFER
    assert plan.missing == ()


# ---------------------------------------------------------------- the resident's next cover year


def test_a_resident_in_2027_uses_the_2028_figures_when_they_are_entered():
    facts = national() + [fee(2027, "420"), fee(2028, "440"), *window(2028, date(2027, 9, 1), date(2027, 12, 31))]
    plan = transfer_plan(place("贺州", national()), place("南昌", facts), "resident", date(2027, 5, 1))

    enrol = rule(plan, "transfer.resident.enrol")
    assert plan.next_cover_year == 2028
    assert "2028年度个人缴费 440 元/年" in enrol.text
    assert "2027年9月1日至2027年12月31日" in enrol.text
    assert [f.year for f in enrol.figures if f.key == "resident_fee"] == [2028]


def test_a_resident_is_told_when_next_years_fee_and_window_are_not_entered_yet():
    # Only the 2026 cover year is entered; moving on 2026-11-23 means enrolling for 2027.
    facts = national() + [fee(2026, "400"), *window(2026, date(2025, 10, 15), date(2026, 2, 28))]
    plan = transfer_plan(place("贺州", national()), place("南昌", facts), "resident", ON)

    enrol = rule(plan, "transfer.resident.enrol")
    assert "2027年度的个人缴费标准本站还没有录入，2026年度是 400 元/年" in enrol.text
    used = [f for f in enrol.figures if f.key == "resident_fee"]
    assert used[0].stale_note == "这是2026年度的标准，2027年度的标准还没有录入"
    # A window of 2026 is never carried over to 2027.
    assert "南昌2027年度的集中参保期本站还没有录入" in enrol.text
    assert "2025年10月15日" not in enrol.text
    assert "集中参保期" in plan.missing


def test_a_resident_with_no_fee_at_all_is_told_the_site_does_not_know_it():
    plan = transfer_plan(place("贺州", national()), place("南昌", national()), "resident", ON)

    enrol = rule(plan, "transfer.resident.enrol")
    assert "本站还没有录入南昌的这项数字（居民医保个人缴费标准）" in enrol.text
    assert "元/年" not in enrol.text
    assert plan.missing == ("集中参保期", "居民医保个人缴费标准")


def test_a_resident_who_pays_in_the_window_has_no_wait_and_one_who_misses_it_waits_the_fixed_months():
    plan = transfer_plan(place("贺州", national()), place("南昌", national()), "resident", ON)

    on_time, late = plan.gap
    assert "2027年1月1日起在南昌报销" in on_time.text and "不设等待期" in on_time.text
    assert "3 个月的固定待遇等待期" in late.text
    assert on_time.source == late.source == DOC_RESIDENT


# ---------------------------------------------------------------- the gap rule


def test_the_gap_rule_uses_the_destinations_figures():
    destination = place("贺州", national(
        transfer_gap_months=fact("transfer_gap_months", 2, display="2 个月", level="city", region="贺州"),
        transfer_max_wait_months=fact("transfer_max_wait_months", 4, display="4 个月", level="city", region="贺州"),
    ))  # fmt: skip
    plan = transfer_plan(place("南昌", national()), destination, "employee", ON)

    short, long = plan.gap
    assert "中断缴费不超过 2 个月" in short.text
    assert "从补缴当月起享受待遇" in short.text and "中断期间" in short.text
    assert "中断超过 2 个月" in long.text and "最长 4 个月" in long.text
    assert short.source == long.source == DOC_TRANSFER


def test_the_gap_rule_with_the_national_figures_reads_three_and_six_months():
    plan = transfer_plan(place("南昌", national()), place("贺州", national()), "flexible", ON)

    assert "不超过 3 个月" in plan.gap[0].text
    assert "最长 6 个月" in plan.gap[1].text


# ---------------------------------------------------------------- unverified and missing figures


def test_an_unverified_figure_marks_its_step_and_the_headline():
    unsure = fact("transfer_origin_days", 10, display="10 个工作日", status="unverified")
    plan = transfer_plan(
        place("南昌", national(transfer_origin_days=unsure)), place("贺州", national()), "employee", ON
    )

    assert rule(plan, "transfer.origin").unverified
    assert not rule(plan, "transfer.destination").unverified
    assert plan.unverified


def test_an_answer_resting_only_on_verified_figures_carries_no_tag():
    plan = transfer_plan(place("南昌", national()), place("贺州", national()), "employee", ON)

    assert not plan.unverified
    assert not any(s.unverified for s in plan.all_steps)


def test_an_unverified_gap_limit_marks_both_gap_steps():
    unsure = fact("transfer_gap_months", 3, display="3 个月", status="unverified")
    plan = transfer_plan(place("南昌", national()), place("贺州", national(transfer_gap_months=unsure)), "employee", ON)

    assert [s.unverified for s in plan.gap] == [True, True]


@pytest.mark.parametrize(
    ("side", "key", "step", "says", "absent"),
    [
        (
            "origin",
            "transfer_origin_days",
            "transfer.origin",
            "本站还没有录入南昌的这项数字（转出地的办理时限）",
            "10 个工作日",
        ),
        (
            "destination",
            "transfer_destination_days",
            "transfer.destination",
            "本站还没有录入贺州的这项数字（转入地的办理时限）",
            "5 个工作日",
        ),
        (
            "destination",
            "transfer_gap_months",
            "transfer.gap.short",
            "本站还没有录入贺州的这项数字（可以直接补缴的最长中断时间）",
            "3 个月",
        ),
        (
            "destination",
            "transfer_max_wait_months",
            "transfer.gap.long",
            "本站还没有录入贺州的这项数字（中断较长时的最长等待期）",
            "6 个月",
        ),
    ],
    ids=["origin-days", "destination-days", "gap", "max-wait"],
)
def test_a_missing_figure_is_said_to_be_unknown_never_guessed(side, key, step, says, absent):
    origin = place("南昌", national(**({key: None} if side == "origin" else {})))
    destination = place("贺州", national(**({key: None} if side == "destination" else {})))

    plan = transfer_plan(origin, destination, "employee", ON)

    found = rule(plan, step)
    assert says in found.text
    assert found.figures == ()
    assert found.missing and found.missing[0] in plan.missing
    assert absent not in found.text  # the national figure left out is not quoted from anywhere


# ---------------------------------------------------------------- papers, notes, guards


def test_the_papers_cite_the_transfer_rules_and_say_offices_may_ask_for_more():
    plan = transfer_plan(place("南昌", national()), place("贺州", national()), "employee", ON)

    assert plan.papers == ("身份证", "社保卡", "参保凭证（转出地医保经办机构开具）")
    assert plan.papers_source == DOC_TRANSFER
    assert "还会要别的材料" in plan.papers_note.text
    assert plan.papers_note.common_practice


def test_inside_one_province_some_provinces_need_no_transfer_said_as_a_common_practice():
    plan = transfer_plan(place("南昌", national()), place("九江", national()), "employee", ON, shared_province="江西省")

    note = rule(plan, "transfer.same_province")
    assert "有的省份省内换城市不用办转移接续" in note.text
    assert "还没有核实" in note.text
    assert note.source == DOC_COMMON


def test_between_provinces_there_is_no_same_province_note():
    plan = transfer_plan(place("南昌", national()), place("贺州", national()), "employee", ON)

    assert "transfer.same_province" not in [s.rule for s in plan.notes]


def test_switching_between_employee_and_resident_insurance_is_sent_elsewhere():
    plan = transfer_plan(place("南昌", national()), place("贺州", national()), "resident", ON)

    assert "换险种" in rule(plan, "transfer.switch").text


def test_the_same_place_at_both_ends_or_an_unknown_scheme_is_refused():
    with pytest.raises(ValueError):
        transfer_plan(place("南昌", national()), place("南昌", national()), "employee", ON)
    with pytest.raises(ValueError):
        transfer_plan(place("南昌", national()), place("贺州", national()), "pension", ON)


def test_the_answer_lists_each_figure_it_used_once():
    plan = transfer_plan(place("南昌", national()), place("贺州", national()), "employee", ON)

    keys = [f.key for f in plan.figures]
    assert sorted(keys) == sorted(
        ["transfer_origin_days", "transfer_destination_days", "transfer_gap_months", "transfer_max_wait_months"]
    )
