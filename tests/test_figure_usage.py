"""Figures over time: where a figure is used (articles, worked examples, estimator rules), and what
changes on a day for figures entered ahead (the 某天会有什么变化 page)."""

from __future__ import annotations

import datetime
import json
from html import escape
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calculator.rules.transfer import transfer_plan
from guides.markdown import figure_tokens, is_case_token
from guides.models import Article, PolicyEntry, Region
from guides.usage import (
    MODULE_LABELS,
    RULES_DIR,
    changes_on,
    example_keys,
    figure_usage,
    rules_by_key,
    rules_for,
    upcoming_change_days,
    usage_context,
)
from tests.factories import make_article, make_policy_entry, make_region
from tests.reading import text_of

D = datetime.date
DEMO = Path(__file__).resolve().parents[1] / "guides" / "demo"
CHANGES = "/admin/guides/changes/"
NEXT_YEAR = D(timezone.localdate().year + 1, 1, 1)


# --------------------------------------------------------------------------------------------
# The estimator's rules, read from their source


def test_every_module_of_rules_has_a_name_staff_can_read():
    modules = {path.stem for path in RULES_DIR.glob("*.py")} - {"__init__"}

    assert modules and modules <= set(MODULE_LABELS)


def test_it_finds_the_rules_that_read_a_figure_in_their_source():
    assert "resident.fee_item" in [str(r) for r in rules_for("resident_fee")]
    assert "transfer._origin_step" in [str(r) for r in rules_for("transfer_origin_days")]
    # Read through a module constant (BASE_KEYS, imported from arrears into employee).
    assert "employee.employer_fault" in [str(r) for r in rules_for("avg_wage")]
    # A table of labels keyed by figure (transfer.MISSING_NAMES) reads nothing.
    assert "transfer._unknown" not in [str(r) for r in rules_for("resident_fee")]
    # Figures only articles and guides show.
    assert rules_for("retire_min_years_male") == () and rules_for("noclaim_raise") == ()


def demo_world() -> tuple[dict[str, Region], list[PolicyEntry]]:
    """The demo's regions and figures as unsaved objects: the estimator runs on them without a database."""
    regions: dict[str, Region] = {}
    for i, row in enumerate(json.loads((DEMO / "regions.json").read_text(encoding="utf-8")), start=1):
        regions[row["slug"]] = Region(
            id=i, slug=row["slug"], name=row["name"], kind=row["kind"], parent=regions.get(row["parent"])
        )
    entries = []
    for i, row in enumerate(json.loads((DEMO / "figures.json").read_text(encoding="utf-8")), start=1):
        entry = PolicyEntry(id=i, region=regions[row["region"]], key=row["key"], value=row["value"])
        entry.effective_from = D.fromisoformat(row["effective_from"])
        entry.effective_to = D.fromisoformat(row["effective_to"]) if row.get("effective_to") else None
        entry.verified_on, entry.status = D.fromisoformat(row["verified_on"]), row["status"]
        entry.source_title, entry.state = row["source_title"], PolicyEntry.PUBLISHED
        entries.append(entry)
    return regions, entries


def lineage_entries(region: Region, entries: list[PolicyEntry]) -> list[PolicyEntry]:
    chain = {r.pk for r in region.lineage()}
    return [e for e in entries if e.region_id in chain]


def test_every_figure_a_real_estimate_reads_is_found_in_the_rules_source():
    regions, entries = demo_world()
    tokens = {
        token
        for path in DEMO.glob("articles/*/*.md")
        for token in figure_tokens(path.read_text(encoding="utf-8"))
        if is_case_token(token)
    }
    tokens |= {
        "case scheme=resident newborn=true born_on=2026-03-01 show=benefits_from",
        "case scheme=flexible cause=personal lapse_months=30 show=waiting_months",
        "case scheme=employee cause=personal lapse_months=4 moved=true show=waiting_months",
    }
    read: set[str] = set()
    for slug in ("nanchang", "hezhou", "national"):
        lineage = lineage_entries(regions[slug], entries)
        for token in tokens:
            read |= example_keys(token, regions[slug], lineage, timezone.localdate())
    from calculator.facts import facts_for

    facts = {slug: facts_for(regions[slug], lineage_entries(regions[slug], entries)) for slug in ("nanchang", "hezhou")}
    for scheme in ("employee", "flexible", "resident"):
        plan = transfer_plan(facts["nanchang"], facts["hezhou"], scheme, timezone.localdate())
        read |= {f.key for f in plan.figures}

    assert len(read) > 20
    assert read <= set(rules_by_key()), f"read but not found in calculator/rules: {read - set(rules_by_key())}"


# --------------------------------------------------------------------------------------------
# Where a figure is used


@pytest.fixture
def world(db):
    """全国 → 江西省 → 南昌 and 九江 (九江 has its own flexible_rate), with the figures the flexible
    workers' estimator needs, so a worked example can be computed."""
    national = make_region("national", name="全国", kind=Region.NATIONAL)
    province = make_region("jiangxi", name="江西省", kind=Region.PROVINCE, parent=national)
    city = make_region("nanchang", name="南昌", parent=province)
    other = make_region("jiujiang", name="九江", parent=province)
    for key, value in {
        "avg_wage": "7000",
        "base_floor_pct": "60",
        "base_ceiling_pct": "300",
        "flexible_backpay_window_months": "3",
        "individual_late_fee": "false",
        "late_fee_daily_pct": "0.05",
        "contribution_due_day": "15",
        "waiting_counted_from": "next_month",
        "flexible_wait_after_months": "3",
        "flexible_wait_months": "6",
        "continuity_reset_months": "3",
    }.items():
        make_policy_entry(national, key, value)
    rate = make_policy_entry(province, "flexible_rate", "7", effective_from=D(2020, 1, 1))
    make_policy_entry(other, "flexible_rate", "8", effective_from=D(2020, 1, 1))

    class World:
        pass

    w = World()
    w.national, w.province, w.city, w.other, w.rate = national, province, city, other, rate
    return w


EXAMPLE = "{{ case scheme=flexible cause=personal lapse_months=2 base=5000 show=amount_total }}"


def test_it_lists_the_articles_that_show_a_figure_and_those_that_fall_back_to_it(world):
    province_article = make_article(world.province, title="江西灵活就业比例？", body="比例 {{ flexible_rate }}。")
    city_article = make_article(world.city, title="南昌灵活就业比例？", body="比例 {{ flexible_rate }}。")
    draft = make_article(world.city, title="南昌草稿？", body="{{ flexible_rate }}", status=Article.DRAFT)
    example = make_article(world.city, title="南昌补缴多少钱？", body=f"大约 {EXAMPLE}。")
    own = make_article(world.other, title="九江灵活就业比例？", body="比例 {{ flexible_rate }}。")
    national = make_article(world.national, title="全国灵活就业？", body="比例 {{ flexible_rate }}。")
    make_article(world.city, title="南昌别的问题？", body="{{ late_fee_daily_pct }}")

    usage = figure_usage(world.rate)

    assert [r.name for r in usage.regions] == ["江西省", "南昌"]
    titles = {u.article.title: u for u in usage.articles}
    assert set(titles) == {province_article.title, city_article.title, draft.title, example.title}
    assert own.title not in titles and national.title not in titles
    assert titles[draft.title].state == "草稿" and not titles[draft.title].published
    assert titles[city_article.title].live and titles[city_article.title].in_text
    assert titles[example.title].in_example and not titles[example.title].in_text
    assert usage.published_count == 3
    assert [label for label, _ in usage.rules] == [
        "补缴金额和滞纳金",
        "灵活就业人员",
        "职工医保和居民医保切换",
    ]


def test_it_reads_three_queries_however_many_articles_use_a_figure(world, django_assert_num_queries):
    make_article(world.city, body=f"{{{{ flexible_rate }}}} {EXAMPLE}")
    with django_assert_num_queries(3):
        assert len(figure_usage(world.rate).articles) == 1

    for n in range(12):
        place = make_region(f"city-{n}", name=f"城市{n}", parent=world.province)
        make_article(place, body=f"{{{{ flexible_rate }}}} {EXAMPLE}")
    with django_assert_num_queries(3):
        assert len(figure_usage(world.rate).articles) == 13


def test_it_looks_at_a_figure_entered_ahead_on_the_day_it_starts(world):
    ahead = make_policy_entry(world.city, "flexible_rate", "9", effective_from=NEXT_YEAR, state=PolicyEntry.REVIEW)
    article = make_article(world.city, body="{{ flexible_rate }}")
    make_article(world.province, body="{{ flexible_rate }}")

    usage = figure_usage(ahead)

    assert (usage.on, usage.when) == (NEXT_YEAR, "future")
    assert [r.name for r in usage.regions] == ["南昌"]
    assert [u.article for u in usage.articles] == [article]


def test_the_change_form_panel_says_where_a_figure_is_used(world):
    article = make_article(world.city, title="南昌灵活就业比例？", body="比例 {{ flexible_rate }}。")
    retire = make_policy_entry(world.province, "retire_min_years_male", "25")

    panel = render_to_string("admin/guides/includes/figure_usage.html", usage_context(world.rate))
    quiet = text_of(render_to_string("admin/guides/includes/figure_usage.html", usage_context(retire)))

    assert "这个数据用在哪里" in text_of(panel)
    assert f'href="/admin/guides/article/{article.pk}/change/"' in panel
    assert 'href="/nanchang/' in panel
    assert "显示这个数字的地区：江西省、南昌" in text_of(panel)
    assert "灵活就业人员：" in text_of(panel) and "individual_backpay" in text_of(panel)
    assert "没有问答引用它" in quiet and "估算器不用这个数字" in quiet
    assert usage_context(None) == {}


# --------------------------------------------------------------------------------------------
# What changes on a day


@pytest.fixture
def ahead(world):
    """From next 1 January: 南昌 gets its own flexible_rate (waiting for approval) in place of the
    province's, and the nation's resident fee goes from 400 to 420 (approved)."""
    fee = make_policy_entry(
        world.national,
        "resident_fee",
        "400",
        effective_from=D(NEXT_YEAR.year - 1, 1, 1),
        effective_to=NEXT_YEAR - datetime.timedelta(days=1),
    )
    world.fee = fee
    world.new_fee = make_policy_entry(world.national, "resident_fee", "420", effective_from=NEXT_YEAR)
    world.own = make_policy_entry(world.city, "flexible_rate", "8", effective_from=NEXT_YEAR, state=PolicyEntry.REVIEW)
    make_policy_entry(world.city, "late_fee_daily_pct", "0.04", effective_from=NEXT_YEAR, state=PolicyEntry.DRAFT)
    world.city_article = make_article(world.city, title="南昌灵活就业比例？", body="比例 {{ flexible_rate }}。")
    world.province_article = make_article(world.province, title="江西灵活就业比例？", body="比例 {{ flexible_rate }}。")
    world.fee_article = make_article(world.other, title="九江居民医保交多少？", body="{{ resident_fee }}")
    return world


def test_it_lists_figures_taking_effect_on_a_day_with_what_they_replace(ahead):
    changes = {c.entry.pk: c for c in changes_on(NEXT_YEAR)}

    assert set(changes) == {ahead.new_fee.pk, ahead.own.pk}  # the draft is not listed
    own = changes[ahead.own.pk]
    assert not own.approved and own.inherited and own.old == ahead.rate
    assert (own.old_display, own.new_display) == ("7%", "8%")
    assert [u.article for u in own.articles] == [ahead.city_article]
    fee = changes[ahead.new_fee.pk]
    assert fee.approved and not fee.inherited and fee.old == ahead.fee
    assert (fee.old_display, fee.new_display) == ("400 元/年", "420 元/年")
    assert [u.article for u in fee.articles] == [ahead.fee_article]
    assert upcoming_change_days(timezone.localdate()) == [NEXT_YEAR]


@pytest.fixture
def reviewer(db) -> Client:
    user = User.objects.create(username="laoli", is_staff=True)
    user.groups.add(Group.objects.get(name="审核"))
    client = Client()
    client.force_login(user)
    return client


def test_the_changes_page_opens_on_the_next_day_with_changes(reviewer, ahead):
    response = reviewer.get(CHANGES)

    html = response.content.decode()
    page = text_of(html)
    assert response.status_code == 200
    assert f"{NEXT_YEAR.year}年1月1日会有什么变化" in page
    assert f"{NEXT_YEAR.year}年1月1日生效的数字：2 个，2 篇问答的说法会变" in page
    assert "南昌 · 灵活就业人员医保缴费比例 7% （沿用江西省标准） → 8% （南昌自己的标准） 待审核" in page
    assert "全国 · 城乡居民医保个人缴费标准 400 元/年 → 420 元/年 已审核通过" in page
    assert f'href="/admin/guides/policyentry/{ahead.own.pk}/change/"' in html
    assert f'href="/admin/guides/article/{ahead.city_article.pk}/change/"' in html
    assert 'href="/nanchang/' in html
    assert ahead.province_article.title not in page


def test_the_changes_page_explains_a_bad_date_and_keeps_it(reviewer, ahead):
    for typed, message in [
        ("2027-02-30", "“2027-02-30”不是有效的日期。请按 年-月-日 填写，例如 2027-01-01。"),
        ("明年", "“明年”不是有效的日期。请按 年-月-日 填写，例如 2027-01-01。"),
        ("1990-01-01", "“1990-01-01”超出范围。请填写 2000 年到 2099 年之间的日期。"),
        ("<b>x</b>", "“<b>x</b>”不是有效的日期。"),
    ]:
        response = reviewer.get(CHANGES, {"on": typed})

        assert response.status_code == 200
        assert message in text_of(response.content.decode())
        assert f'value="{escape(typed)}"' in response.content.decode()
        assert "<b>x</b>" not in response.content.decode()


def test_the_changes_page_says_when_nothing_changes_on_a_day(reviewer, ahead):
    page = text_of(reviewer.get(CHANGES, {"on": "2030-05-01"}).content.decode())

    assert "2030年5月1日生效的数字：0 个" in page and "这一天没有数字生效" in page


def test_the_changes_page_reads_the_same_number_of_queries_however_much_changes(
    reviewer, ahead, django_assert_num_queries
):
    reviewer.get(CHANGES)
    with CaptureQueriesContext(connection) as few:
        reviewer.get(CHANGES)
    for n in range(10):
        place = make_region(f"city-{n}", name=f"城市{n}", parent=ahead.province)
        make_policy_entry(place, "flexible_rate", "9", effective_from=NEXT_YEAR)
        make_article(place, body="{{ flexible_rate }} {{ resident_fee }}")

    with django_assert_num_queries(len(few.captured_queries)):
        page = text_of(reviewer.get(CHANGES).content.decode())

    assert "生效的数字：12 个" in page


def test_the_changes_page_is_for_staff_who_may_see_figures(client, ahead):
    assert client.get(CHANGES)["Location"].startswith("/admin/login/")
    other = User.objects.create(username="other", is_staff=True)
    client.force_login(other)

    assert client.get(CHANGES).status_code == 403
