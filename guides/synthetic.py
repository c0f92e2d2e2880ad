"""Synthetic content for benchmarks and tests at national scale: Chinese-looking place names,
questions, short answers, Markdown bodies with figure tokens, and their search index in bulk.

Shared by `bench_search` (rolled back after timing) and `generate_scale` (kept). Bodies are put
together from a small pool of Markdown blocks rendered once each, so ten thousand articles cost a
few dozen Markdown renders instead of ten thousand (about 4 ms each).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from functools import cache

from django.db import connection

from .markdown import render_markdown
from .models import Article, SearchToken
from .search_index import article_tokens

# Two-character place names from characters no query or phrase below uses.
PLACE_CHARS = "岚汐澜枫桐梧栖霞岱崟溪泠沅湄澧峄嵩岑潆蘅芷蔚蓁檀榆楸"
SCHEMES = ["职工医保", "居民医保", "灵活就业人员医保", "城乡居民医保", "新生儿医保", "退休人员医保"]
ASKS = [
    "断缴了怎么补缴？",
    "断了几个月，还能报销吗？",
    "补缴要交多少钱？",
    "转到外地要怎么办？",
    "补缴后要等多久才能报销？",
    "每年什么时候续费？",
    "单位漏缴了谁来补？",
    "交满多少年退休后不用再交？",
    "个人账户的钱能取出来吗？",
    "异地就医怎么备案？",
    "失业期间怎么续保？",
    "错过集中缴费期还能交吗？",
]
PHRASES = [
    "按月缴费的参保人，停交的下一个月起就不能再报销门诊和住院费用",
    "断缴期间发生的医药费，一般要等恢复缴费并过了等待期以后才能报销",
    "以前交的钱不会白交，累计缴费年限一直保留在个人的参保记录里",
    "连续参保年限中断以后要重新计算，大病保险的奖励额度也可能取消",
    "单位原因造成的漏缴，由单位补缴单位和个人两部分，滞纳金由单位承担",
    "个人原因断缴的，先确认当地是否允许补缴，再带身份证到医保窗口办理",
    "灵活就业人员可以在手机应用里选择缴费基数，按月或按年缴费",
    "居民医保一年一交，集中参保期内缴费的，从次年一月一日起享受待遇",
    "错过集中参保期的，缴费后要经过一段待遇等待期才能报销",
    "换城市工作时，先在新参保地参保，再申请把医保关系转移过去",
    "职工医保的个人账户余额和缴费年限可以跟着转移，统筹基金不转",
    "转移接续的空档不超过规定月数的，可以按新参保地的规定补缴",
    "转出地和转入地都有办理时限，办理进度可以在国家医保服务平台查询",
    "退休时累计缴费年限不够的，可以继续缴费到规定年限再享受退休待遇",
    "新生儿出生后在规定天数内参保的，从出生之日起就能报销",
    "领取失业保险金期间，由失业保险基金代缴职工医保费用",
    "异地就医前先在手机上办理备案，住院时就可以直接结算",
    "家庭共济可以用职工医保个人账户给配偶、父母和子女缴费",
    "缴费基数在社平工资的一定比例之间，低于下限的按下限缴纳",
    "补缴的金额按断缴月数乘以缴费基数和缴费比例计算",
    "具体标准每年会调整，办理之前最好打医保服务热线确认一下",
    "线下办理要带身份证和社保卡，单位原因断缴还要带劳动合同",
    "大病保险在基本医保报销之后，对个人负担较重的部分再报销一次",
    "医疗救助对象参加居民医保的个人缴费部分可以得到资助",
    "学生和儿童一般随学校或户籍所在地参加城乡居民医保",
    "个人账户的钱可以用来买药和看门诊，不能随意取现",
]
# Markdown blocks a body is made of, each with live figures (guides.figures.REGISTRY keys), a
# service channel or a worked example, as staff write them (guides/demo/articles).
HEADINGS = ["怎么办", "要交多少钱", "要等多久", "去哪里办", "要注意什么", "转移接续", "退休以后"]
FIGURE_LINES = [
    "居民医保今年每人交 {{ resident_fee }}，集中参保期外缴费的要等 {{ resident_fixed_wait_months }}。",
    "灵活就业人员按 {{ flexible_rate }} 的比例缴费，断缴 {{ flexible_backpay_window_months }} 以内的可以补。",
    "缴费基数不低于社平工资（{{ avg_wage }}）的 {{ base_floor_pct }}，不高于 {{ base_ceiling_pct }}。",
    "单位交 {{ employee_employer_rate }}，个人交 {{ employee_personal_rate }}。",
    "单位欠缴的，按每天 {{ late_fee_daily_pct }} 加收滞纳金。",
    "中断不超过 {{ transfer_gap_months }} 的，可以按转入地规定补缴。",
    "不清楚的可以打 {{ channel yibao_hotline }} 问一问。",
    "按现在的数字，断缴后补缴要等 {{ case scheme=resident lapsed_years=0 in_window=false show=waiting_months }}。",
]


def place_names(rng: random.Random) -> list[str]:
    """Distinct two-character place names in a random order (756 of them); pop() to take one."""
    names = [a + b for a in PLACE_CHARS for b in PLACE_CHARS if a != b]
    rng.shuffle(names)
    return names


def question(rng: random.Random, place_name: str = "") -> str:
    return f"{place_name}{rng.choice(SCHEMES)}{rng.choice(ASKS)}"[:80]


def short_answer(rng: random.Random) -> str:
    return ("。".join(rng.sample(PHRASES, 2)) + "。")[:160]


@cache
def blocks() -> list[tuple[str, str]]:
    """(Markdown, its HTML) for every block: each heading with each figure line and two phrases."""
    pool = []
    for i, heading in enumerate(HEADINGS):
        for j, line in enumerate(FIGURE_LINES):
            first, second = PHRASES[(i * 7 + j) % len(PHRASES)], PHRASES[(i * 5 + j * 3 + 1) % len(PHRASES)]
            text = f"## {heading}\n\n{first}，{second}。{line}"
            if j % 3 == 0:
                text += f"\n\n- {PHRASES[(i + j) % len(PHRASES)]}。\n- {PHRASES[(i + j + 9) % len(PHRASES)]}。"
            pool.append((text, render_markdown(text).strip()))
    return pool


def body(rng: random.Random, *, with_examples: bool = True) -> tuple[str, str]:
    """(Markdown, HTML) of an article body of 3 to 5 blocks (about 1–2 KB of UTF-8): the HTML is
    what `render_markdown` makes of the Markdown (tests/test_scale.py checks it)."""
    pool = blocks() if with_examples else [b for b in blocks() if "{{ case" not in b[0]]
    chosen = rng.sample(pool, rng.randint(3, 5))
    return "\n\n".join(md for md, _ in chosen) + "\n", "\n".join(html for _, html in chosen)


def index_articles(articles: Iterable[Article]) -> int:
    """Write the search index (SearchToken rows) of articles made with bulk_create, which saves
    none; returns how many rows were written. Plain rows, not model instances: a national-scale
    set has millions (PostgreSQL's COPY takes them in a few seconds)."""
    rows = [(a.pk, token, head) for a in articles for token, head in article_tokens(a).items()]
    table = connection.ops.quote_name(SearchToken._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The look-up index is built once after the rows are in (a bulk load's usual way: three
            # times faster than growing it row by row), inside the caller's transaction.
            # Foreign keys are checked as rows arrive, as an index cannot be built with checks pending.
            lookup = next(i for i in SearchToken._meta.indexes if i.name == "search_token_lookup")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with connection.schema_editor(atomic=False) as editor:
                editor.remove_index(SearchToken, lookup)
            with cursor.cursor.copy(f"COPY {table} (article_id, token, in_head) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with connection.schema_editor(atomic=False) as editor:
                editor.add_index(SearchToken, lookup)
        else:
            for start in range(0, len(rows), 50_000):
                cursor.executemany(
                    f"INSERT INTO {table} (article_id, token, in_head) VALUES (%s, %s, %s)",
                    rows[start : start + 50_000],
                )
    return len(rows)


def with_keys(made: Sequence[Article], slug_prefix: str) -> list[Article]:
    """Articles from bulk_create with their primary keys (read back on a database that returns none)."""
    if made and made[0].pk is None:
        return list(Article.objects.filter(slug__startswith=slug_prefix).order_by("pk"))
    return list(made)
