"""Region guides, Q&A articles and the figures inside them, as a citizen reads them.

Most tests build their own small world with the factories; page tests that need real
content use the `demo` fixture (the same content `make run` loads).
"""

from __future__ import annotations

import datetime
import html
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guides.figures import REGISTRY
from guides.markdown import unknown_tokens
from guides.models import Article, PolicyEntry, Region, ServiceChannel, Topic
from tests.factories import make_article, make_policy_entry, make_region, make_topic

SITE = "https://yibao.example"
DEMO_DIR = Path(__file__).resolve().parents[1] / "guides" / "demo"
D = datetime.date


# --------------------------------------------------------------------------------------------
# Reading pages


@dataclass
class Page:
    """What a reader (or a crawler) gets from one response."""

    html: str
    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    title: str = ""
    h1s: list[str] = field(default_factory=list)
    main: str = ""
    jsonld_raw: list[str] = field(default_factory=list)
    nested_links: int = 0

    def reads(self, text: str) -> bool:
        """Whether the main content reads `text`, whatever whitespace the templates put between pieces."""
        return reads(self.main, text)

    def section(self, heading_id: str) -> str:
        """The text from the heading with this id up to the next <h2>: one section of the page."""
        start = self.html.index(f'id="{heading_id}"')
        end = self.html.find("<h2", start + 1)
        return text_of(self.html[self.html.index(">", start) + 1 : end if end != -1 else None])

    def figure(self, key: str) -> str:
        """One figure of the region guide's full list, as read."""
        start = self.html.index(f'id="figure-{key}"')
        return text_of(self.html[self.html.index(">", start) + 1 : self.html.index("</div>", start)])

    def groups(self, heading_id: str, level: str) -> dict[str, str]:
        """Headings of one level inside a section (or "main"), each with the text that follows it."""
        if heading_id == "main":
            chunk = self.html[self.html.index("<main") : self.html.index("</main>")]
        else:
            start = self.html.index(f'id="{heading_id}"')
            end = self.html.find("</section>", start)
            chunk = self.html[start:end]
        parts = re.split(rf"<{level}[^>]*>(.*?)</{level}>", chunk, flags=re.S)
        return {text_of(parts[i]): text_of(parts[i + 1]) for i in range(1, len(parts) - 1, 2)}

    def attrs(self, tag: str, **match: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in match.items())]

    @property
    def hrefs(self) -> list[str]:
        return [a.get("href", "") for a in self.attrs("a")]

    @property
    def description(self) -> str:
        (meta,) = self.attrs("meta", name="description")
        return meta.get("content", "")

    @property
    def canonical(self) -> str:
        (link,) = self.attrs("link", rel="canonical")
        return link["href"]

    @property
    def jsonld(self) -> list[dict]:
        return [json.loads(raw) for raw in self.jsonld_raw]

    def jsonld_of(self, kind: str) -> dict:
        (data,) = [d for d in self.jsonld if d.get("@type") == kind]
        return data


class _PageParser(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.in_title = self.in_main = self.in_h1 = self.in_ld = False
        self.link_depth = 0
        self.main_parts: list[str] = []
        self.h1_parts: list[str] = []
        self.ld_parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.page.elements.append((tag, attrs))
        if tag == "title":
            self.in_title = True
        elif tag == "main":
            self.in_main = True
        elif tag == "h1":
            self.in_h1, self.h1_parts = True, []
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self.in_ld, self.ld_parts = True, []
        elif tag == "a":
            if self.link_depth:
                self.page.nested_links += 1
            self.link_depth += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag == "main":
            self.in_main = False
        elif tag == "h1":
            self.in_h1 = False
            self.page.h1s.append("".join(self.h1_parts).strip())
        elif tag == "script" and self.in_ld:
            self.in_ld = False
            self.page.jsonld_raw.append("".join(self.ld_parts))
        elif tag == "a":
            self.link_depth = max(0, self.link_depth - 1)

    def handle_data(self, data):
        if self.in_title:
            self.page.title += data
        if self.in_main:
            self.main_parts.append(data)
        if self.in_h1:
            self.h1_parts.append(data)
        if self.in_ld:
            self.ld_parts.append(data)


def text_of(fragment: str) -> str:
    """HTML → the text a reader sees, with whitespace runs as one space."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def reads(text: str, snippet: str) -> bool:
    """Whether `text` reads `snippet`, whatever whitespace the templates put between pieces."""
    return squash(snippet) in squash(text)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read(response) -> Page:
    page = Page(html=response.content.decode())
    parser = _PageParser(page)
    parser.feed(page.html)
    parser.close()
    page.main = re.sub(r"\s+", " ", "".join(parser.main_parts))  # as read: runs of whitespace are one space
    page.title = page.title.strip()
    return page


def get(client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return read(response)


def assert_no_live_markup(page: Page) -> None:
    """Nothing staff typed can run in the reader's browser: only our own JSON-LD scripts."""
    for tag, attrs in page.elements:
        if tag == "script":  # our JSON-LD, or our own static script (htmx)
            assert (attrs.get("type") == "application/ld+json" and not attrs.get("src")) or attrs.get(
                "src", ""
            ).startswith("/static/"), attrs
        if tag == "form":  # only the site's own search box and feedback forms
            assert attrs.get("action") in {"/search/", "/feedback/"}, attrs
        assert tag not in {"iframe", "svg", "img", "object", "embed", "style"}, (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            assert name != "style", (tag, attrs)
            if name in {"href", "src", "action"}:
                assert not value.strip().lower().startswith(("javascript:", "data:")), (tag, attrs)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# --------------------------------------------------------------------------------------------
# Small worlds


def label(key: str) -> str:
    return REGISTRY[key].label


def today() -> datetime.date:
    return timezone.localdate()


def make_jiangxi() -> tuple[Region, Region, Region]:
    """全国 → 江西省 → 南昌， the way the demo nests them."""
    nation = make_region("national", name="全国", kind=Region.NATIONAL)
    province = make_region("jiangxi", name="江西省", kind=Region.PROVINCE, parent=nation)
    city = make_region("nanchang", name="南昌", kind=Region.CITY, parent=province)
    return nation, province, city


def entry(region, key, value, **fields) -> PolicyEntry:
    fields.setdefault("verified_on", today())
    return make_policy_entry(region, key, value, **fields)


def unsaved_entry(region, key="resident_fee", value="400", **fields) -> PolicyEntry:
    fields.setdefault("effective_from", D(2026, 1, 1))
    fields.setdefault("source_title", "江西省医疗保障局通知")
    fields.setdefault("verified_on", today())
    fields.setdefault("status", PolicyEntry.VERIFIED)
    fields.setdefault("state", PolicyEntry.PUBLISHED)  # as a 审核 enters it; drafts: tests/test_workflow.py
    return PolicyEntry(region=region, key=key, value=value, **fields)


def errors_of(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    return excinfo.value.message_dict


# --------------------------------------------------------------------------------------------
# 1. Figure look-up and validation


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
    window = entry(province, "resident_fee", "400", effective_from=D(2026, 1, 1), effective_to=D(2026, 6, 30))

    assert list(PolicyEntry.objects.in_force(on=on)) == ([window] if in_force else [])


@pytest.mark.django_db
def test_it_keeps_an_open_ended_figure_in_force():
    _, province, _ = make_jiangxi()
    fee = entry(province, "resident_fee", "400", effective_from=D(2026, 1, 1))

    assert list(PolicyEntry.objects.in_force(on=D(2040, 1, 1))) == [fee]


@pytest.mark.django_db
def test_it_falls_back_from_city_to_province_to_national():
    nation, province, city = make_jiangxi()
    entry(nation, "resident_fee", "380")
    entry(nation, "late_fee_daily_pct", "0.05")
    entry(province, "resident_fee", "400")
    entry(province, "avg_wage", "6525")
    entry(city, "employee_employer_rate", "6.8")
    entry(nation, "employee_employer_rate", "8")

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
    entry(province, "resident_fee", "400")
    entry(city, "resident_fee", "420")

    assert PolicyEntry.objects.for_region(city, D(2026, 11, 1))["resident_fee"].value == "420"
    assert PolicyEntry.objects.for_region(province, D(2026, 11, 1))["resident_fee"].value == "400"


@pytest.mark.django_db
def test_it_falls_back_when_the_city_value_is_not_yet_in_force():
    _, province, city = make_jiangxi()
    entry(province, "resident_fee", "400", effective_from=D(2026, 1, 1))
    entry(city, "resident_fee", "420", effective_from=D(2027, 1, 1))

    assert PolicyEntry.objects.for_region(city, D(2026, 12, 31))["resident_fee"].value == "400"
    assert PolicyEntry.objects.for_region(city, D(2027, 1, 1))["resident_fee"].value == "420"


@pytest.mark.django_db
def test_it_looks_up_all_figures_for_a_region_in_one_query(django_assert_num_queries):
    nation, province, city = make_jiangxi()
    for key, value in [("resident_fee", "380"), ("late_fee_daily_pct", "0.05"), ("flexible_rate", "10")]:
        entry(nation, key, value)
    entry(province, "resident_fee", "400")
    entry(city, "employee_employer_rate", "6.8")
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

    errors = errors_of(unsaved_entry(province, key, value))

    assert any(message in m for m in errors["value"]), errors


@pytest.mark.django_db
def test_it_refuses_an_unknown_key():
    _, province, _ = make_jiangxi()

    errors = errors_of(unsaved_entry(province, key="no_such_key", value="1"))

    assert any("no_such_key" in m for m in errors["key"]), errors


@pytest.mark.django_db
def test_it_refuses_an_end_before_the_start():
    _, province, _ = make_jiangxi()

    errors = errors_of(unsaved_entry(province, effective_from=D(2026, 1, 1), effective_to=D(2025, 12, 31)))

    assert errors["effective_to"] == ["失效日期不能早于生效日期。"]


@pytest.mark.django_db
def test_it_refuses_a_verified_date_in_the_future():
    _, province, _ = make_jiangxi()

    errors = errors_of(unsaved_entry(province, verified_on=today() + datetime.timedelta(days=1)))

    assert errors["verified_on"] == ["核实日期不能晚于今天。"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2025, 6, 1), None), (D(2024, 1, 1), D(2025, 6, 30)), (D(2025, 12, 31), D(2025, 12, 31))],
    ids=["open-ended-later", "overlapping-start", "single-last-day"],
)
def test_it_refuses_an_overlapping_period_for_the_same_region_and_key(start, end):
    _, province, _ = make_jiangxi()
    entry(province, "contribution_due_day", "15", effective_from=D(2025, 1, 1), effective_to=D(2025, 12, 31))

    errors = errors_of(
        unsaved_entry(province, key="contribution_due_day", value="20", effective_from=start, effective_to=end)
    )

    (message,) = errors["__all__"]
    assert "2025-01-01 至 2025-12-31 已有一条" in message
    assert "数值 15" in message
    assert "请先给旧数据填上失效日期" in message


@pytest.mark.django_db
def test_it_names_an_open_ended_overlap_as_until_now():
    _, province, _ = make_jiangxi()
    entry(province, "resident_fee", "380", effective_from=D(2025, 1, 1))

    (message,) = errors_of(unsaved_entry(province, value="400", effective_from=D(2026, 1, 1)))["__all__"]

    assert "2025-01-01 起已有一条长期有效的数据（数值 380）" in message


@pytest.mark.django_db
def test_it_accepts_a_successor_and_neighbours_that_do_not_overlap():
    nation, province, city = make_jiangxi()
    key = "contribution_due_day"
    entry(province, key, "15", effective_from=D(2025, 1, 1), effective_to=D(2025, 12, 31))
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

    errors = errors_of(unsaved_entry(province, key=key, value=value, effective_from=D(2026, 7, 1)))

    assert any("按年度录入，生效日期请填所属年度的1月1日，例如 2026-01-01" in m for m in errors["effective_from"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "raw", "stored", "shown"),
    [
        ("employee_employer_rate", "6.80", "6.8", "6.8%"),
        ("employee_employer_rate", "6.8%", "6.8", "6.8%"),
        ("resident_fee", "400.00", "400", "400 元/年"),
        ("resident_fee", " 400 ", "400", "400 元/年"),
        ("avg_wage", "7,008", "7008", "7,008 元/月"),
        ("resident_fee", "400.5", "400.5", "400.50 元/年"),
        ("resident_fixed_wait_months", "3.0", "3", "3 个月"),
        ("resident_window_end", "2026-02-28", "2026-02-28", "2026年2月28日"),
        ("individual_late_fee", "是", "true", "是"),
        ("resident_first_year_counts", "FALSE", "false", "否"),
        ("base_ceiling_pct", "300", "300", "300%"),
    ],
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


# --------------------------------------------------------------------------------------------
# 2. Markdown sanitising through a saved Article and its public page

XSS_BODY = "\n\n".join(
    [
        "## 正常的小标题",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[点我领补贴](javascript:alert(1))",
        '<a href="javascript:alert(1)">另一个链接</a>',
        "<svg onload=alert(1)></svg>",
        '<iframe src="https://evil.example/"></iframe>',
        '<p style="position:fixed;top:0">假通知</p>',
        "[下载](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[缴费标准](https://ylbz.example.gov.cn/fee?amount={{ resident_fee }})",
        "每年交 {{ resident_fee }}。",
        "- 带身份证\n- 带社保卡",
        "**以当地答复为准。** 详见[国家医保局](https://www.nhsa.gov.cn/)。",
        "| 险种 | 金额 |\n|---|---|\n| 居民 | {{ resident_fee }} |",
    ]
)


@pytest.mark.django_db
def test_it_sanitises_the_body_when_an_article_is_saved():
    _, province, city = make_jiangxi()

    article = make_article(city, "xss", body=XSS_BODY)

    html = Article.objects.get(pk=article.pk).body_html
    assert "<script" not in html
    assert "onerror" not in html and "onload" not in html
    assert "javascript:" not in html and "data:" not in html
    assert "<iframe" not in html and "<svg" not in html and "<img" not in html
    assert "style=" not in html
    assert "<h2>正常的小标题</h2>" in html
    assert "<li>带身份证</li>" in html
    assert "<strong>以当地答复为准。</strong>" in html
    assert "<table>" in html


@pytest.mark.django_db
def test_it_never_serves_the_payload_as_live_markup(client):
    _, province, city = make_jiangxi()
    entry(province, "resident_fee", "400")
    make_article(
        city,
        "xss",
        title='南昌</title><script>alert("t")</script>怎么补？',
        short_answer='<img src=x onerror=alert("s")>先给结论。',
        body=XSS_BODY,
    )

    page = get(client, "/nanchang/xss/")

    assert_no_live_markup(page)
    assert page.title.startswith('南昌</title><script>alert("t")</script>怎么补？')
    assert page.h1s == ['南昌</title><script>alert("t")</script>怎么补？']
    assert page.jsonld_of("FAQPage")["mainEntity"][0]["name"] == '南昌</title><script>alert("t")</script>怎么补？'
    assert "正常的小标题" in page.main
    assert "每年交 400 元/年" in page.main
    assert "| 居民 |" not in page.main  # the table rendered as a table
    figure_links = [a["href"] for a in page.attrs("a") if "ylbz.example.gov.cn" in a.get("href", "")]
    assert figure_links == ["https://ylbz.example.gov.cn/fee?amount={{ resident_fee }}"]


# --------------------------------------------------------------------------------------------
# 3. Live figures in articles


@pytest.mark.django_db
def test_it_shows_the_regions_current_figure_with_a_numbered_source(client):
    _, province, city = make_jiangxi()
    entry(
        province,
        "resident_fee",
        "400",
        source_title="赣医保发〔2025〕9号",
        source_issuer="江西省医疗保障局",
        verified_on=today() - datetime.timedelta(days=3),
    )
    make_article(city, "jumin-bujiao", body="居民医保每年交 {{ resident_fee }}，补一年交一年。")

    page = get(client, "/nanchang/jumin-bujiao/")

    assert "居民医保每年交 400 元/年[1]" in page.main
    assert page.attrs("a", href="#fig-1")
    assert page.attrs("li", id="fig-1")
    assert "本文数字的来源" in page.main
    day = today() - datetime.timedelta(days=3)
    assert (
        f"{label('resident_fee')}：400 元/年 （沿用江西省）。{today().year}年度 · 来源：赣医保发〔2025〕9号（江西省医疗保障局）"
        f" · 核实于 {day.year}年{day.month}月{day.day}日"
    ) in page.main
    assert "待核实" not in page.main
    assert "可能已过期" not in page.main


@pytest.mark.django_db
def test_it_numbers_each_figure_once_in_order(client):
    _, province, city = make_jiangxi()
    entry(province, "resident_fee", "400")
    entry(province, "resident_fee_student", "200")
    make_article(
        city, "fees", body="成人 {{ resident_fee }}，学生 {{ resident_fee_student }}，再说一次成人 {{ resident_fee }}。"
    )

    page = get(client, "/nanchang/fees/")

    assert page.reads("成人 400 元/年[1]，学生 200 元/年[2]，再说一次成人 400 元/年[1]。")
    sources = page.main[page.main.index("本文数字的来源") :]
    assert sources.index(f"{label('resident_fee')}：400 元/年") < sources.index(
        f"{label('resident_fee_student')}：200 元/年"
    )


@pytest.mark.django_db
def test_it_puts_no_stray_space_between_an_inline_figure_and_the_next_character(client):
    _, province, city = make_jiangxi()
    entry(province, "resident_fee", "400")
    make_article(city, "fee", body="每年交 {{ resident_fee }}，补一年交一年。")

    page = get(client, "/nanchang/fee/")

    assert "每年交 400 元/年[1]，补一年交一年。" in page.main, "a space appears before the full-width comma"


@pytest.mark.django_db
def test_it_marks_an_unverified_figure_as_to_be_confirmed(client):
    _, province, city = make_jiangxi()
    entry(province, "resident_fee", "400", status=PolicyEntry.UNVERIFIED)
    make_article(city, "fee", body="每年交 {{ resident_fee }}。")

    page = get(client, "/nanchang/fee/")

    assert page.reads("每年交 400 元/年[1]待核实。")
    assert page.main.count("待核实") == 2  # inline and in the source list


@pytest.mark.django_db
def test_it_marks_a_figure_not_checked_for_too_long_as_possibly_out_of_date(client, settings):
    settings.FIGURE_MAX_AGE_DAYS = 30
    _, province, city = make_jiangxi()
    entry(province, "resident_fee", "400", verified_on=today() - datetime.timedelta(days=31))
    entry(province, "resident_fee_student", "200", verified_on=today() - datetime.timedelta(days=30))
    make_article(city, "fee", body="成人 {{ resident_fee }}；学生 {{ resident_fee_student }}。")

    page = get(client, "/nanchang/fee/")

    assert page.reads("成人 400 元/年[1]可能已过期；学生 200 元/年[2]。")


@pytest.mark.django_db
def test_it_shows_a_changed_figure_without_re_saving_the_article(client):
    _, province, city = make_jiangxi()
    fee = entry(province, "resident_fee", "400")
    article = make_article(city, "fee", body="每年交 {{ resident_fee }}。")
    saved_html = article.body_html
    assert "每年交 400 元/年" in get(client, "/nanchang/fee/").main

    fee.value = "420"
    fee.full_clean()
    fee.save()

    assert "每年交 420 元/年" in get(client, "/nanchang/fee/").main
    assert Article.objects.get(pk=article.pk).body_html == saved_html


@pytest.mark.django_db
def test_it_shows_a_successor_figure_once_it_comes_into_force(client):
    _, province, city = make_jiangxi()
    entry(
        province,
        "contribution_due_day",
        "15",
        effective_from=D(2020, 1, 1),
        effective_to=today() - datetime.timedelta(days=1),
    )
    entry(province, "contribution_due_day", "20", effective_from=today())
    make_article(city, "fee", body="每月 {{ contribution_due_day }}前交。")

    assert "每月 20 日" in get(client, "/nanchang/fee/").main


@pytest.mark.django_db
def test_it_says_a_years_figure_used_for_a_later_year_may_be_out_of_date(client):
    _, province, city = make_jiangxi()
    last_year = today().year - 1
    entry(province, "resident_fee", "380", effective_from=D(last_year, 1, 1), verified_on=today())
    make_article(city, "fee", body="每年交 {{ resident_fee }}。")

    main = get(client, "/nanchang/fee/").main

    assert "可能已过期" in main
    assert f"这是{last_year}年度的标准，{today().year}年度的标准还没有录入" in main


@pytest.mark.django_db
def test_it_refuses_an_unknown_token_naming_the_key():
    _, _, city = make_jiangxi()
    article = Article(
        region=city,
        slug="typo",
        title="问题？",
        short_answer="回答。",
        body="每年交 {{ no_such_key }} 和 {{ resident_fee }}。",
    )

    errors = errors_of(article)

    assert errors["body"] == ["正文里有不存在的数据项：no_such_key。请从数据项列表中选择。"]


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["{{ resident-fee }}", "{{ 居民缴费标准 }}", "{{ resident fee }}"])
def test_it_refuses_a_token_that_can_never_be_replaced(token):
    # Anything written as {{ … }} that is not a registry key would reach citizens as raw braces.
    _, _, city = make_jiangxi()
    article = Article(region=city, slug="typo", title="问题？", short_answer="回答。", body=f"每年交 {token}。")

    errors = errors_of(article)

    assert "body" in errors and "不存在的数据项" in errors["body"][0]


@pytest.mark.django_db
def test_it_says_when_a_known_figure_has_no_local_value(client):
    _, _, city = make_jiangxi()
    make_article(city, "fee", body="学生每年交 {{ resident_fee_student }}。")

    page = get(client, "/nanchang/fee/")

    assert page.reads(f"学生每年交 （“{label('resident_fee_student')}”暂无当地数据）。")
    assert "本文数字的来源" not in page.main


@pytest.mark.django_db
def test_it_points_each_figure_reference_at_its_own_source_entry(client):
    # A missing figure before a present one must not shift the numbering: the inline [n]
    # and the n-th entry of the source list must name the same figure.
    _, province, city = make_jiangxi()
    entry(province, "resident_fee", "400", source_title="赣医保发〔2025〕9号")
    make_article(city, "fee", body="学生 {{ resident_fee_student }}；成人 {{ resident_fee }}。")

    page = get(client, "/nanchang/fee/")

    refs = [a["href"] for a in page.attrs("a") if a.get("href", "").startswith("#fig-")]
    ids = [li["id"] for li in page.attrs("li") if li.get("id", "").startswith("fig-")]
    assert ids == ["fig-1"]
    assert refs == ["#fig-1"], f"inline reference {refs} but source list items {ids}"
    assert "成人 400 元/年[1]" in page.main


@pytest.mark.django_db
def test_it_does_not_nest_a_figure_reference_inside_a_link(client):
    _, province, city = make_jiangxi()
    entry(province, "resident_fee", "400")
    make_article(city, "fee", body="[每年交 {{ resident_fee }}，点这里看通知](https://ylbz.example.gov.cn/notice)")

    page = get(client, "/nanchang/fee/")

    assert "每年交 400 元/年" in page.main
    assert page.nested_links == 0, "an <a> inside an <a> is invalid HTML and breaks the outer link"


@pytest.mark.django_db
def test_it_uses_the_national_figure_on_a_national_article(client):
    nation, province, _ = make_jiangxi()
    entry(nation, "resident_fee", "400", source_title="国家医保局通知")
    entry(province, "resident_fee", "420")
    make_article(nation, "fee", body="全国最低 {{ resident_fee }}。")

    page = get(client, "/wenda/fee/")

    assert "全国最低 400 元/年[1]" in page.main
    assert "来源：国家医保局通知" in page.main
    assert "沿用" not in page.main


# --------------------------------------------------------------------------------------------
# 4. Pages with the demo content


@pytest.mark.django_db
def test_it_lists_provinces_cities_and_featured_questions_on_home(client, demo):
    page = get(client, "/")

    assert page.h1s == ["医保断缴了怎么办？"]
    for province, city in [("江西省", "南昌"), ("广西壮族自治区", "贺州")]:
        assert province in page.main and city in page.main
    assert page.main.index("江西省") < page.main.index("南昌") < page.main.index("广西壮族自治区")
    assert "/jiangxi/" in page.hrefs and "/nanchang/" in page.hrefs
    assert "/guangxi/" in page.hrefs and "/hezhou/" in page.hrefs
    assert "大家常问" in page.main
    featured = Article.objects.published().filter(featured=True).select_related("region")
    assert featured.count() >= 5
    for article in featured:
        assert article.title in page.main
        assert article.get_absolute_url() in page.hrefs
    assert "南昌医保补缴要交多少钱？金额和滞纳金怎么算？" not in page.main  # not featured
    assert "/calculator/" in page.hrefs
    assert "/topics/bujiao/" in page.hrefs


@pytest.mark.django_db
def test_it_shows_nanchangs_figures_with_sources(client, demo):
    page = get(client, "/nanchang/")

    assert page.h1s == ["南昌医保断缴、补缴和转移接续指南"]
    figures = page.section("figures")
    # Nanchang's own employer rate (6.8%) overrides the national 8%, with its own source.
    assert reads(
        page.figure("employee_employer_rate"),
        f"{label('employee_employer_rate')} 6.8% 来源：南昌市职工医保单位缴费比例",
    )
    assert "沿用" not in page.figure("employee_employer_rate")
    assert not reads(figures, f"{label('employee_employer_rate')} 8%")
    # Inherited figures say where they come from.
    assert reads(
        page.figure("resident_fee"), f"{label('resident_fee')} 400 元/年 沿用江西省 2026年度 · 来源：江西省2026年度"
    )
    assert reads(page.figure("avg_wage"), "6,525 元/月 沿用江西省")
    # The 2025 average wage stands in for 2026: it says so.
    assert "这是2025年度的标准，2026年度的标准还没有录入" in page.figure("avg_wage")
    assert reads(page.figure("late_fee_daily_pct"), "0.05% 沿用全国 来源：中华人民共和国社会保险法")
    assert "原文" in page.figure("resident_fixed_wait_months")  # 国办发〔2024〕38号 links to its text
    for key in ["employee_employer_rate", "resident_fee", "avg_wage"]:
        assert reads(page.figure(key), "录入于 2026年11月1日 · 待核实"), key
        assert "核实于" not in page.figure(key), key
    assert "核实于 2026年11月1日" in page.figure("resident_fixed_wait_months")
    # Unverified figures carry a visible label; verified ones do not.
    assert "待核实" in page.figure("employee_employer_rate")
    assert "待核实" in page.figure("resident_fee")
    assert "待核实" not in page.figure("resident_fixed_wait_months")
    assert "待核实" not in page.figure("late_fee_daily_pct")


@pytest.mark.django_db
def test_it_groups_nanchangs_questions_under_topic_headings(client, demo):
    page = get(client, "/nanchang/")

    groups = page.groups("questions", "h3")
    assert list(groups) == [t.name for t in Topic.objects.order_by("order")]
    assert "南昌医保补缴要交多少钱？金额和滞纳金怎么算？" in groups["补缴"]
    assert "南昌医保交满多少年，退休后就不用再交了？" not in groups["补缴"]
    assert "南昌医保交满多少年，退休后就不用再交了？" in groups["退休与缴费年限"]
    assert "南昌灵活就业人员医保断缴了，还能补缴吗？" in groups["补缴"]
    assert "南昌灵活就业人员医保断缴了，还能补缴吗？" in groups["待遇等待期"]  # in both of its topics
    for article in Article.objects.published().filter(region__slug="nanchang"):
        assert article.get_absolute_url() in page.hrefs
    # National and provincial questions appear as general questions, not under the city's topics.
    general = page.section("general")
    assert "医保问题打哪个电话？医保、人社、税务三条热线有什么区别？" in general
    assert "医保问题打哪个电话" not in page.section("questions")
    assert "/wenda/yibao-dianhua-zixun/" in page.hrefs
    assert "贺州" not in general


@pytest.mark.django_db
def test_it_lists_service_channels_and_next_steps(client, demo):
    nanchang = get(client, "/nanchang/")
    hezhou = get(client, "/hezhou/")

    channels = nanchang.section("channels")
    assert reads(channels, "南昌医保服务热线 0791-12393")
    assert "tel:079112393" in nanchang.hrefs
    assert "江西智慧医保" in channels and "赣服通" in channels
    assert "国家医保服务平台" in channels
    assert "贺州" not in channels.replace("贺州 0774-12393", "")
    assert reads(hezhou.section("channels"), "贺州医保服务热线 0774-12393")
    assert "tel:077412393" in hezhou.hrefs
    assert "广西医保" in hezhou.section("channels") and "智桂通" in hezhou.section("channels")
    assert "江西智慧医保" not in hezhou.section("channels")
    # The next steps name the city's own hotline, an app from its province, and its estimator.
    steps = nanchang.section("next")
    assert "拨打 0791-12393" in steps
    assert "用“江西智慧医保”" in steps
    assert "/nanchang/calculator/" in nanchang.hrefs
    assert "拨打 0774-12393" in hezhou.section("next")
    assert "/hezhou/calculator/" in hezhou.hrefs


@pytest.mark.django_db
def test_it_shows_hezhous_inherited_figures_and_their_history(client, demo):
    page = get(client, "/hezhou/")

    assert reads(page.figure("avg_wage"), f"{label('avg_wage')} 7,008 元/月 沿用广西壮族自治区")
    assert "6,905" not in page.figure("avg_wage")
    assert reads(page.figure("retire_min_years_male"), "25 年 沿用广西壮族自治区")
    assert "待核实" in page.figure("retire_min_years_male")
    assert reads(page.figure("resident_fee"), "400 元/年 沿用全国")
    assert reads(
        page.section("changes"),
        f"{label('avg_wage')}：2026年1月1日起 7,008 元/月，此前（2025年1月1日–2025年12月31日）6,905 元/月",
    )
    assert "江西" not in page.section("figures")


@pytest.mark.django_db
def test_it_shows_an_article_question_first_then_short_answer_then_body(client, demo):
    article = Article.objects.get(region__slug="nanchang", slug="bujiao-duoshao-qian")

    page = get(client, "/nanchang/bujiao-duoshao-qian/")

    assert page.h1s == ["南昌医保补缴要交多少钱？金额和滞纳金怎么算？"]
    assert page.title.startswith("南昌医保补缴要交多少钱？金额和滞纳金怎么算？")
    short = page.main.index("简短回答：" + article.short_answer)
    assert page.main.index(article.title) < short < page.main.index("职工医保怎么算")
    # Live figures inside the body, with their sources.
    assert "南昌单位交 6.8%[" in page.main
    assert "每年交 400 元/年[" in page.main
    assert "本文数字的来源" in page.main and "核实于 2026年11月1日" in page.main
    assert "待核实" in page.main
    assert "最近审核：2026年11月23日" in page.main
    assert "/topics/bujiao/" in page.hrefs


@pytest.mark.django_db
def test_it_links_related_questions_and_breadcrumbs(client, demo):
    page = get(client, "/nanchang/bujiao-duoshao-qian/")

    related = page.main[page.main.index("相关问题") :]
    for slug in ["zhigong-yibao-bujiao", "linghuo-jiuye-bujiao", "bujiao-qudao-cailiao"]:
        other = Article.objects.get(region__slug="nanchang", slug=slug)
        assert other.title in related
        assert f"/nanchang/{slug}/" in page.hrefs
    crumbs = page.attrs("nav", **{"aria-label": "当前位置"})
    assert crumbs
    trail = page.html[page.html.index('aria-label="当前位置"') : page.html.index("</nav>", page.html.index("当前位置"))]
    assert (
        trail.index(">首页<") < trail.index(">江西省<") < trail.index(">南昌<") < trail.index("南昌医保补缴要交多少钱")
    )
    assert 'href="/jiangxi/"' in trail and 'href="/nanchang/"' in trail
    assert "/nanchang/calculator/" in page.hrefs


@pytest.mark.django_db
def test_it_shows_a_national_article_at_wenda(client, demo):
    page = get(client, "/wenda/zhuanyi-zenme-banli/")

    assert page.h1s == ["医保转移接续怎么办理？要带什么材料、多久能办完？"]
    assert "全国通用" in page.main
    assert "全国通用问答" in page.html  # breadcrumb
    assert "/calculator/" in page.hrefs
    assert "10 个工作日[" in page.main  # transfer_origin_days from the national figures
    assert page.canonical == f"{SITE}/wenda/zhuanyi-zenme-banli/"


@pytest.mark.django_db
def test_it_lists_national_questions_and_topics_on_topics_page(client, demo):
    page = get(client, "/topics/")

    assert page.h1s == ["全国通用的医保问答"]
    for topic in Topic.objects.all():
        assert topic.name in page.main
        assert f"/topics/{topic.slug}/" in page.hrefs
    for article in Article.objects.published().filter(region__kind=Region.NATIONAL):
        assert article.title in page.main and article.short_answer in page.main
    assert "南昌医保补缴要交多少钱？金额和滞纳金怎么算？" not in page.main


@pytest.mark.django_db
def test_it_groups_a_topics_questions_by_region(client, demo):
    page = get(client, "/topics/bujiao/")

    assert page.h1s == ["补缴"]
    assert "断缴后能不能补、补多少钱、滞纳金谁来交、去哪里办。" in page.main
    groups = page.groups("main", "h2")
    assert list(groups) == ["全国通用", "南昌", "贺州"]
    assert "医保补缴要交多少钱？补缴金额和滞纳金怎么算？" in groups["全国通用"]
    assert "贺州医保补缴金额和滞纳金是怎么算的？" in groups["贺州"]
    assert "贺州" not in groups["南昌"]
    assert "南昌医保补缴要交多少钱？金额和滞纳金怎么算？" in page.main
    assert "贺州医保补缴金额和滞纳金是怎么算的？" in page.main
    assert "医保补缴要交多少钱？补缴金额和滞纳金怎么算？" in page.main
    assert "南昌医保交满多少年，退休后就不用再交了？" not in page.main  # another topic
    assert "/nanchang/" in page.hrefs


@pytest.mark.django_db
def test_it_lists_nanchang_on_the_jiangxi_page(client, demo):
    page = get(client, "/jiangxi/")

    assert page.h1s == ["江西省医保断缴、补缴和转移接续指南"]
    assert "下辖城市" in page.main
    assert "/nanchang/" in page.hrefs
    assert "/hezhou/" not in page.hrefs
    assert "江西智慧医保" in page.main


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("/nanchang/zhuanyi-zenme-banli/", "/wenda/zhuanyi-zenme-banli/"),
        ("/national/zhuanyi-zenme-banli/", "/wenda/zhuanyi-zenme-banli/"),
    ],
)
def test_it_redirects_a_city_address_of_a_general_question_to_its_canonical_one(client, demo, url, target):
    response = client.get(url)

    assert response.status_code == 301
    assert response["Location"] == target


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "guide"),
    [
        ("/hezhou/bujiao-duoshao-qian/", "/hezhou/"),  # only Nanchang has this question
        ("/nanchang/guangdong-zhuanhui-hezhou/", "/nanchang/"),
    ],
)
def test_it_never_sends_a_reader_to_another_citys_answer(client, demo, settings, url, guide):
    settings.DEBUG = False

    page = get(client, url, status=404)

    assert page.h1s == ["页面没有找到"]
    assert guide in page.hrefs


@pytest.mark.django_db
def test_a_province_address_of_a_question_several_cities_share_goes_to_the_general_answer(client, demo, settings):
    # Nanchang and Hezhou each have their own answer; Guangxi's reader gets the national one, not Hezhou's.
    response = client.get("/guangxi/duanjiao-yiqian-baijiao-le-ma/")

    assert response.status_code == 301
    assert response["Location"] == "/wenda/duanjiao-yiqian-baijiao-le-ma/"


@pytest.mark.django_db
def test_it_returns_404_for_unknown_regions_articles_and_topics(client, demo, settings):
    settings.DEBUG = False

    for url in [
        "/no-such-city/",
        "/nanchang/no-such-question/",
        "/wenda/no-such-question/",
        "/topics/no-such/",
        "/national/",
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_it_lists_every_published_city_article_on_its_region_page(client):
    # A question without a topic is still a published Nanchang question: it must be findable
    # from the Nanchang guide, not only through search engines.
    _, _, city = make_jiangxi()
    tagged = make_article(city, "tagged", title="有主题的问题？", topics=[make_topic()])
    untagged = make_article(city, "untagged", title="没有主题的问题？")

    page = get(client, "/nanchang/")

    assert tagged.title in page.main
    assert untagged.title in page.main, "a published Nanchang question without a topic is missing from /nanchang/"


# --------------------------------------------------------------------------------------------
# 5. SEO on every page type

PAGE_TYPES = {
    "home": ("/", "/"),
    "region": ("/nanchang/", "/nanchang/"),
    "province": ("/jiangxi/", "/jiangxi/"),
    "article": ("/nanchang/bujiao-duoshao-qian/", "/nanchang/bujiao-duoshao-qian/"),
    "national-article": ("/wenda/zhuanyi-zenme-banli/", "/wenda/zhuanyi-zenme-banli/"),
    "topics": ("/topics/", "/topics/"),
    "topic": ("/topics/bujiao/", "/topics/bujiao/"),
    "calculator": ("/calculator/", "/calculator/"),
    "region-calculator": ("/nanchang/calculator/", "/nanchang/calculator/"),
    "404": ("/no-such-page/", "/no-such-page/"),
}

JSONLD_TYPES = {  # a question is marked up only on its own page (tests/test_structured_data.py)
    "/": [],
    "/nanchang/": ["BreadcrumbList"],
    "/jiangxi/": ["BreadcrumbList"],
    "/nanchang/bujiao-duoshao-qian/": ["FAQPage", "BreadcrumbList"],
    "/wenda/zhuanyi-zenme-banli/": ["FAQPage", "BreadcrumbList"],
    "/topics/": [],
    "/topics/bujiao/": ["BreadcrumbList"],
    "/calculator/": [],
    "/nanchang/calculator/": [],
    "/no-such-page/": [],
}


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "path"), PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_it_gives_every_page_type_its_seo_basics(client, demo, settings, url, path):
    settings.DEBUG = False

    page = get(client, url, status=404 if url == "/no-such-page/" else 200)

    assert page.attrs("html", lang="zh-Hans")
    assert len(page.h1s) == 1 and page.h1s[0]
    assert page.title and page.title.endswith("· 医保办事指南") and page.title != "· 医保办事指南"
    assert page.description.strip()
    assert page.canonical == SITE + path
    kinds = [data["@type"] for data in page.jsonld]  # every JSON-LD block parses (json.loads in .jsonld)
    assert set(JSONLD_TYPES[url]) <= set(kinds), kinds
    for data in page.jsonld:
        assert data["@context"] == "https://schema.org"


@pytest.mark.django_db
def test_it_gives_each_page_its_own_title(client, demo, settings):
    settings.DEBUG = False
    titles = {}
    for url, _ in PAGE_TYPES.values():
        titles[url] = read(client.get(url)).title
    for article in Article.objects.published().select_related("region"):
        titles[article.get_absolute_url()] = get(client, article.get_absolute_url()).title
    for url in ["/hezhou/", "/guangxi/", "/topics/zhuanyi/"]:
        titles[url] = get(client, url).title

    duplicates = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    assert not duplicates


@pytest.mark.django_db
def test_it_has_exactly_one_h1_on_every_demo_page(client, demo):
    urls = ["/", "/topics/", "/calculator/", "/nanchang/calculator/", "/hezhou/calculator/"]
    urls += [r.get_absolute_url() for r in Region.objects.exclude(kind=Region.NATIONAL)]
    urls += [t.get_absolute_url() for t in Topic.objects.all()]
    urls += [a.get_absolute_url() for a in Article.objects.published().select_related("region")]

    for url in urls:
        page = get(client, url)
        assert len(page.h1s) == 1, (url, page.h1s)
        assert "{{" not in page.main, url  # every figure token was replaced


@pytest.mark.django_db
def test_it_keeps_the_canonical_link_clean_of_query_strings(client, demo):
    page = get(client, "/nanchang/?from=wechat&utm_source=share")

    assert page.canonical == f"{SITE}/nanchang/"


@pytest.mark.django_db
def test_it_describes_an_article_with_faq_and_breadcrumb_structured_data(client, demo):
    article = Article.objects.get(region__slug="nanchang", slug="bujiao-duoshao-qian")

    page = get(client, "/nanchang/bujiao-duoshao-qian/")

    faq = page.jsonld_of("FAQPage")
    (question,) = faq["mainEntity"]
    assert question["@type"] == "Question"
    assert question["name"] == article.title
    assert question["url"] == f"{SITE}/nanchang/bujiao-duoshao-qian/"
    assert question["acceptedAnswer"]["text"].startswith(article.short_answer)
    assert "{{" not in question["acceptedAnswer"]["text"]
    crumbs = page.jsonld_of("BreadcrumbList")["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "首页", f"{SITE}/"),
        (2, "江西省", f"{SITE}/jiangxi/"),
        (3, "南昌", f"{SITE}/nanchang/"),
        (4, article.title, f"{SITE}/nanchang/bujiao-duoshao-qian/"),
    ]


@pytest.mark.django_db
def test_it_describes_a_region_with_breadcrumb_structured_data(client, demo):
    page = get(client, "/hezhou/")

    crumbs = page.jsonld_of("BreadcrumbList")["itemListElement"]
    assert [(c["name"], c["item"]) for c in crumbs] == [
        ("首页", f"{SITE}/"),
        ("广西壮族自治区", f"{SITE}/guangxi/"),
        ("贺州", f"{SITE}/hezhou/"),
    ]
    assert [d for d in page.jsonld if d.get("@type") == "FAQPage"] == []  # questions: on their own pages


def sitemap_paths(client) -> dict[str, ET.Element]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(response.content)
    return {urlsplit(url.find("s:loc", ns).text).path: url for url in root.findall("s:url", ns)}


@pytest.mark.django_db
def test_it_lists_regions_and_published_articles_in_the_sitemap(client, demo):
    urls = sitemap_paths(client)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

    for path in [
        "/",
        "/topics/",
        "/calculator/",
        "/jiangxi/",
        "/nanchang/",
        "/guangxi/",
        "/hezhou/",
        "/topics/bujiao/",
    ]:
        assert path in urls, path
    articles = Article.objects.published().select_related("region")
    assert articles.count() == len(list((DEMO_DIR / "articles").glob("*/*.md")))
    for article in articles:
        url = urls[article.get_absolute_url()]
        assert url.find(f"{ns}lastmod").text == timezone.localtime(article.updated_at).date().isoformat()
    assert "/national/" not in urls


@pytest.mark.django_db
def test_it_lists_canonical_urls_in_the_sitemap(client, demo, settings):
    # The sitemap is fetched at the real host behind a TLS-terminating proxy; its <loc>s must
    # be the same absolute URLs the pages declare as canonical (SITE_URL), as robots.txt does.
    settings.ALLOWED_HOSTS = ["yibao.example"]
    canonical = read(client.get("/nanchang/", HTTP_HOST="yibao.example")).canonical

    response = client.get("/sitemap.xml", HTTP_HOST="yibao.example")

    locs = [el.text for el in ET.fromstring(response.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert canonical == f"{SITE}/nanchang/"
    assert canonical in locs, f"sitemap lists {locs[0]!r}…, but the pages' canonical URLs start {SITE!r}"
    assert all(loc.startswith(SITE + "/") for loc in locs)


@pytest.mark.django_db
def test_it_points_robots_at_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: https://yibao.example/sitemap.xml" in lines
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /" not in lines


@pytest.mark.django_db
def test_it_serves_a_chinese_404_page(client, demo, settings):
    settings.DEBUG = False

    response = client.get("/nanchang/no-such-question/")

    assert response.status_code == 404
    page = read(response)
    assert page.h1s == ["页面没有找到"]
    assert page.title == "页面没有找到 · 医保办事指南"
    assert page.attrs("meta", name="robots", content="noindex")
    assert "/nanchang/" in page.hrefs and "/hezhou/" in page.hrefs
    assert "南昌医保指南" in page.main
    assert "/" in page.hrefs and "/calculator/" in page.hrefs


# --------------------------------------------------------------------------------------------
# 6. Drafts, scheduled and withdrawn articles


def hidden_kinds() -> dict[str, dict]:
    now = timezone.now()
    return {
        "draft": {"status": Article.DRAFT},
        "scheduled": {"status": Article.PUBLISHED, "published_at": now + datetime.timedelta(days=1)},
        "withdrawn": {
            "status": Article.PUBLISHED,
            "published_at": now - datetime.timedelta(days=10),
            "unpublish_at": now - datetime.timedelta(minutes=1),
        },
    }


@pytest.fixture
def hidden_world(db):
    nation, province, city = make_jiangxi()
    make_region("hezhou", name="贺州", parent=province)
    topic = make_topic()
    live = make_article(city, "live", title="已发布的问题？", topics=[topic], featured=True)
    national_live = make_article(nation, "national-live", title="全国已发布的问题？", topics=[topic])
    hidden = []
    for kind, fields in hidden_kinds().items():
        hidden.append(
            make_article(city, f"hidden-{kind}", title=f"隐藏的问题{kind}?", topics=[topic], featured=True, **fields)
        )
        hidden.append(
            make_article(
                nation, f"national-{kind}", title=f"全国隐藏的问题{kind}?", topics=[topic], featured=True, **fields
            )
        )
    live.related.set(hidden + [national_live])
    national_live.related.set(hidden)
    return live, national_live, hidden


@pytest.mark.parametrize("kind", ["draft", "scheduled", "withdrawn"])
def test_it_keeps_an_unpublished_article_out_of_sight(client, settings, hidden_world, kind):
    settings.DEBUG = False
    live, national_live, _ = hidden_world
    city_title, national_title = f"隐藏的问题{kind}?", f"全国隐藏的问题{kind}?"

    assert client.get(f"/nanchang/hidden-{kind}/").status_code == 404
    assert client.get(f"/wenda/national-{kind}/").status_code == 404
    assert client.get(f"/hezhou/hidden-{kind}/").status_code == 404  # no redirect to it either
    assert client.get(f"/nanchang/national-{kind}/").status_code == 404
    pages = {
        url: get(client, url)
        for url in [
            "/",
            "/nanchang/",
            "/jiangxi/",
            "/topics/",
            "/topics/bujiao/",
            "/nanchang/live/",
            "/wenda/national-live/",
        ]
    }
    for url, page in pages.items():
        assert city_title not in page.html, url
        assert national_title not in page.html, url
        assert f"hidden-{kind}" not in page.html and f"national-{kind}" not in page.html, url
    assert live.title in pages["/"].main
    assert "全国已发布的问题？" in pages["/nanchang/live/"].main  # related list still works
    assert live.title in pages["/topics/bujiao/"].main
    paths = sitemap_paths(client)
    assert "/nanchang/live/" in paths and "/wenda/national-live/" in paths
    assert f"/nanchang/hidden-{kind}/" not in paths
    assert f"/wenda/national-{kind}/" not in paths


@pytest.mark.django_db
def test_it_shows_a_draft_only_through_a_signed_preview_link(client, settings):
    from guides.previews import preview_token

    settings.DEBUG = False
    _, province, city = make_jiangxi()
    entry(province, "resident_fee", "400")
    draft = make_article(
        city, "draft", title="还没发布的问题？", status=Article.DRAFT, body="每年交 {{ resident_fee }}。"
    )

    response = client.get(f"/preview/{preview_token(draft)}/")

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    page = read(response)
    assert page.h1s == ["还没发布的问题？"]
    assert page.attrs("meta", name="robots", content="noindex, nofollow")
    assert "市民看不到" in page.main
    assert "每年交 400 元/年" in page.main
    assert client.get("/nanchang/draft/").status_code == 404
    assert client.get(f"/preview/{preview_token(draft)}x/").status_code == 404


@pytest.mark.django_db
def test_it_shows_a_scheduled_article_once_its_time_comes(client):
    _, _, city = make_jiangxi()
    article = make_article(
        city, "soon", status=Article.PUBLISHED, published_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert client.get("/nanchang/soon/").status_code == 404

    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - datetime.timedelta(seconds=1))

    assert client.get("/nanchang/soon/").status_code == 200


@pytest.mark.django_db
def test_it_refuses_an_unpublish_time_before_the_publish_time():
    _, _, city = make_jiangxi()
    now = timezone.now()
    article = Article(
        region=city,
        slug="x",
        title="问题？",
        short_answer="回答。",
        status=Article.PUBLISHED,
        published_at=now,
        unpublish_at=now - datetime.timedelta(days=1),
    )

    assert errors_of(article)["unpublish_at"] == ["下线时间必须晚于发布时间。"]


# --------------------------------------------------------------------------------------------
# 7. Query counts stay constant as content grows


def add_lots_of_content() -> None:
    """15 more articles per place, topics, related links, figures, channels and old values."""
    nanchang = Region.objects.get(slug="nanchang")
    jiangxi = Region.objects.get(slug="jiangxi")
    nation = Region.objects.get(slug="national")
    topics = list(Topic.objects.all())
    new = []
    for i in range(15):
        for region in (nanchang, nation, jiangxi):
            new.append(
                make_article(
                    region,
                    f"more-{i}",
                    title=f"{region.name}更多问题{i}?",
                    topics=topics[i % 3 : i % 3 + 3],
                    featured=True,
                    body=f"每年交 {{{{ resident_fee }}}}，比例 {{{{ flexible_rate }}}}。第{i}条。",
                )
            )
    target = Article.objects.get(region=nanchang, slug="bujiao-duoshao-qian")
    target.related.add(*new)
    target.topics.set(topics)
    national_target = Article.objects.get(region=nation, slug="zhuanyi-zenme-banli")
    national_target.related.add(*new)
    national_target.topics.set(topics)
    for article in new[:10]:
        article.related.set(new[10:20])
    entry(nanchang, "resident_fee", "420", effective_from=D(2026, 1, 1))
    entry(nanchang, "flexible_rate", "9", effective_from=D(2026, 1, 1))
    entry(nanchang, "avg_wage", "6000", effective_from=D(2024, 1, 1), effective_to=D(2024, 12, 31))
    entry(nanchang, "avg_wage", "6100", effective_from=D(2023, 1, 1), effective_to=D(2023, 12, 31))
    entry(nanchang, "contribution_due_day", "20", effective_from=D(2025, 1, 1))
    for i in range(5):
        ServiceChannel.objects.create(region=nanchang, kind="office", name=f"南昌窗口{i}", detail="某区")
    for i in range(5):
        Topic.objects.create(slug=f"extra-{i}", name=f"更多主题{i}")


PAGES_FOR_QUERIES = {
    "home": "/",
    "region": "/nanchang/",
    "province": "/jiangxi/",
    "article": "/nanchang/bujiao-duoshao-qian/",
    "national-article": "/wenda/zhuanyi-zenme-banli/",
    "topics": "/topics/",
    "topic": "/topics/bujiao/",
    "sitemap": "/sitemap.xml",
}
EXPECTED_QUERIES = {  # pages whose view names no hotline read the national one for the footer
    "home": 4,
    "region": 6,
    "province": 7,
    "article": 6,  # + the lineage's channels (tokens and footer, no separate hotline query) + glossary terms
    "national-article": 6,
    "topics": 3,
    "topic": 3,
    "sitemap": 6,
}

GROWN_CONTENT = {
    "home": "更多问题",
    "region": "南昌更多问题14?",
    "province": "江西省更多问题14?",
    "article": "全国更多问题14?",
    "national-article": "南昌更多问题14?",
    "topics": "全国更多问题14?",
    "topic": "南昌更多问题14?",
    "sitemap": "/nanchang/more-14/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES_FOR_QUERIES)
def test_it_reads_a_constant_number_of_queries_per_page(client, demo, django_assert_num_queries, name):
    url = PAGES_FOR_QUERIES[name]
    with django_assert_num_queries(EXPECTED_QUERIES[name]):
        assert client.get(url).status_code == 200

    add_lots_of_content()

    with django_assert_num_queries(EXPECTED_QUERIES[name]):
        response = client.get(url)
    assert response.status_code == 200
    assert GROWN_CONTENT[name] in response.content.decode()  # the extra content really is on the page


# --------------------------------------------------------------------------------------------
# 8. Guards


@pytest.mark.django_db
def test_it_has_no_pending_migrations():
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit as exc:
        pytest.fail(f"models have changes without a migration (makemigrations exited {exc.code})")


def content_counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "figures": PolicyEntry.objects.count(),
        "articles": Article.objects.count(),
        "channels": ServiceChannel.objects.count(),
        "topics": Topic.objects.count(),
        "article_topics": Article.topics.through.objects.count(),
        "related": Article.related.through.objects.count(),
    }


@pytest.mark.django_db
def test_it_loads_the_demo_idempotently(demo):
    first = content_counts()

    call_command("load_demo", verbosity=0)

    assert content_counts() == first
    assert first["regions"] == len(json.loads((DEMO_DIR / "regions.json").read_text(encoding="utf-8")))
    assert first["figures"] == len(json.loads((DEMO_DIR / "figures.json").read_text(encoding="utf-8")))
    assert first["channels"] == len(json.loads((DEMO_DIR / "channels.json").read_text(encoding="utf-8")))
    assert first["articles"] == len(list((DEMO_DIR / "articles").glob("*/*.md")))


@pytest.mark.django_db
def test_it_restores_a_changed_demo_figure_on_reload(demo):
    rate = PolicyEntry.objects.get(region__slug="nanchang", key="employee_employer_rate")
    PolicyEntry.objects.filter(pk=rate.pk).update(value="7")

    call_command("load_demo", verbosity=0)

    assert PolicyEntry.objects.get(pk=rate.pk).value == "6.8"


@pytest.mark.django_db
def test_it_ships_enough_demo_questions(demo):
    published = Article.objects.published()

    assert published.filter(region__slug="nanchang").count() >= 10
    assert published.filter(region__slug="hezhou").count() >= 10
    assert published.filter(region__kind=Region.NATIONAL).count() >= 5
    assert published.filter(featured=True).exists()
    assert not Article.objects.exclude(pk__in=published).exists()
    for article in published:
        assert article.short_answer and article.reviewed_on, article.slug
        assert article.topics.exists(), article.slug


@pytest.mark.django_db
def test_it_loads_demo_figures_exactly_as_the_fixture_says(demo):
    rows = json.loads((DEMO_DIR / "figures.json").read_text(encoding="utf-8"))

    for row in rows:
        figure = PolicyEntry.objects.get(
            region__slug=row["region"], key=row["key"], effective_from=row["effective_from"]
        )
        label = f"{row['region']}/{row['key']}/{row['effective_from']}"
        assert row["status"] in (PolicyEntry.VERIFIED, PolicyEntry.UNVERIFIED), label
        assert figure.status == row["status"], label
        assert figure.value == figure.spec.normalise(row["value"]), label
        assert figure.source_title == row["source_title"], label
        figure.full_clean()


@pytest.mark.django_db
def test_it_only_uses_known_figure_keys_in_demo_articles(demo):
    for article in Article.objects.all():
        unknown = unknown_tokens(article.body)
        assert not unknown, f"{article.region.slug}/{article.slug}: {unknown}"
        article.full_clean()


def test_it_only_uses_known_figure_keys_in_demo_files():
    for path in sorted((DEMO_DIR / "articles").glob("*/*.md")):
        unknown = unknown_tokens(path.read_text(encoding="utf-8"))
        assert not unknown, f"{path.relative_to(DEMO_DIR)}: {unknown}"
