"""Staff Markdown → safe HTML, and figure tokens inside it. No database needed.

Page-level checks (a saved Article, the public page) live in test_article_page.py.
"""

from __future__ import annotations

import pytest

from guides.markdown import figure_tokens, render_markdown, replace_tokens
from tests.reading import parse

FIGURE_HTML = '<span class="fig">400 元/年</span><sup class="fig-ref"><a href="#fig-1">[1]</a></sup>'


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    """Every element with its attributes, in document order."""
    return [(e.tag, e.attrs) for e in parse(html).iter()]


def assert_inert(html: str) -> None:
    """Nothing in `html` can run script, load a frame or restyle the page."""
    for tag, attrs in elements(html):
        assert tag not in {"script", "iframe", "svg", "img", "object", "embed", "style", "form", "math"}, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name != "style", html
            if name in {"href", "src", "action", "formaction", "xlink:href"}:
                scheme = (value or "").strip().lower()
                assert not scheme.startswith(("javascript:", "data:", "vbscript:")), html


XSS_PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "markdown-javascript-link": "[点我](javascript:alert(1))",
    "html-javascript-link": '<a href="javascript:alert(1)">点我</a>',
    "mixed-case-javascript": '<a href="JaVaScRiPt:alert(1)">点我</a>',
    "entity-encoded-javascript": '<a href="&#106;avascript:alert(1)">点我</a>',
    "svg-onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "style-attribute": '<p style="position:fixed;top:0">假通知</p>',
    "style-element": "<style>body{display:none}</style>正文",
    "markdown-data-url": "[下载](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "html-data-url": '<a href="data:text/html,<script>alert(1)</script>">下载</a>',
    "onclick": '<a href="https://ok.example/" onclick="alert(1)">好链接</a>',
    "attribute-breakout": '"><script>alert(1)</script>',
    "details-ontoggle": "<details open ontoggle=alert(1)>x</details>",
    "object": '<object data="https://evil.example/x.swf"></object>',
}


@pytest.mark.parametrize("payload", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_it_strips_script_from_markdown(payload):
    html = render_markdown(payload)

    assert_inert(html)
    assert "alert(1)</script>" not in html
    assert "onerror" not in html
    assert "javascript:" not in html.lower()


def test_it_keeps_the_text_of_a_link_whose_address_was_removed():
    html = render_markdown("[点我](javascript:alert(1))")

    assert ">点我</a>" in html
    assert "href" not in html


def test_it_keeps_safe_markdown():
    html = render_markdown(
        "## 怎么补缴\n\n"
        "### 材料\n\n"
        "- 身份证\n- 社保卡\n\n"
        "1. 先查\n2. 再补\n\n"
        "**一定要**带上 *原件*。详见[国家医保局](https://www.nhsa.gov.cn/)。\n\n"
        "> 以当地答复为准。\n\n"
        "| 险种 | 比例 |\n|---|---|\n| 职工 | 8% |\n\n"
        "热线 [0791-12393](tel:079112393)\n"
    )

    assert "<h2>怎么补缴</h2>" in html
    assert "<h3>材料</h3>" in html
    assert "<ul>" in html and "<li>身份证</li>" in html
    assert "<ol>" in html and "<li>先查</li>" in html
    assert "<strong>一定要</strong>" in html and "<em>原件</em>" in html
    assert '<a href="https://www.nhsa.gov.cn/" rel="noopener noreferrer">国家医保局</a>' in html
    assert "<blockquote>" in html
    assert "<table>" in html and "<th>险种</th>" in html and "<td>8%</td>" in html
    assert 'href="tel:079112393"' in html


def test_it_turns_a_top_level_heading_into_no_second_h1():
    # The page's question is its only <h1>; a "# heading" in the body must not add another.
    html = render_markdown("# 标题\n\n正文")

    assert "<h1" not in html


def test_it_finds_tokens_in_order_of_first_appearance():
    assert figure_tokens("{{ resident_fee }} 和 {{avg_wage}}，再说 {{ resident_fee }}") == ["resident_fee", "avg_wage"]


def test_it_replaces_tokens_in_text():
    html = replace_tokens(render_markdown("每年交 {{ resident_fee }}。"), lambda key, in_link: FIGURE_HTML)

    assert html == f"<p>每年交 {FIGURE_HTML}。</p>"


@pytest.mark.parametrize(
    "source",
    [
        "[缴费标准](https://ylbz.example.gov.cn/fee?amount={{ resident_fee }})",
        '[缴费标准](https://ylbz.example.gov.cn/ "每年 {{ resident_fee }}")',
        '<a href="https://ylbz.example.gov.cn/{{ resident_fee }}" title="{{ resident_fee }}">缴费标准</a>',
        '<a title="x>{{ resident_fee }}" href="https://ylbz.example.gov.cn/">缴费标准</a>',
    ],
    ids=["in-url", "in-markdown-title", "in-html-attributes", "after-escaped-angle-bracket"],
)
def test_it_leaves_a_token_inside_an_attribute_inert(source):
    html = replace_tokens(render_markdown(source), lambda key, in_link: FIGURE_HTML)

    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert len(links) == 1, html
    assert set(links[0]) <= {"href", "title", "rel"}
    for value in links[0].values():
        assert "<" not in (value or "") and "fig" not in (value or ""), html
    assert "{{ resident_fee }}" in html
    assert "<span" not in html


def test_it_does_not_replace_anything_when_there_are_no_tokens():
    html = render_markdown("没有数字 {{ 不是数据项 }} { resident_fee }")

    assert replace_tokens(html, lambda key, in_link: pytest.fail(f"rendered {key}")) == html
