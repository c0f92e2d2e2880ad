"""The registry of policy figures: every key a PolicyEntry may hold, with its type, unit and bounds.

A figure's value is stored as text and parsed through its spec, so one table holds money,
rates, month counts, dates and yes/no settings alike, and every value is checked against the
bounds declared here before it is saved (in admin, in imports and in `load_demo`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MONEY = "money"  # yuan, to the fen
PERCENT = "percent"  # stored as a percentage: 6.8 means 6.8%
INTEGER = "integer"  # months, years, days
DATE = "date"  # YYYY-MM-DD
BOOLEAN = "boolean"  # true / false
TRISTATE = "tristate"  # true / false / unknown: for settings where the truth may not be known
CHOICE = "choice"  # one of the spec's `choices`

# What period a figure belongs to. A year-labelled figure takes effect on 1 January of its year,
# so its year is its effective_from year; look-ups ask for the year the figure is used for.
YEAR = "year"  # an annual figure, e.g. the average wage of 2026
COVER_YEAR = "cover_year"  # a resident-insurance figure for one cover year (参保年度 = calendar year)

UNKNOWN_WORDS = ("unknown", "不清楚", "未知", "不确定")

Value = Decimal | int | datetime.date | bool | str | None


class FigureValueError(ValueError):
    """A value that does not fit its spec; the message is Chinese and shown to staff."""


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label: str
    type: str
    unit: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    help: str = ""
    per: str = ""  # "", YEAR or COVER_YEAR
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def year_labelled(self) -> bool:
        return bool(self.per)

    def parse(self, raw: object) -> Value:
        """Parse and check a value; raise FigureValueError with a Chinese message."""
        text = str(raw).strip()
        if text == "":
            raise FigureValueError("请填写数值。")
        if self.type in (BOOLEAN, TRISTATE):
            lowered = text.lower()
            if lowered in ("true", "1", "是", "yes"):
                return True
            if lowered in ("false", "0", "否", "no"):
                return False
            if self.type == TRISTATE:
                if lowered in UNKNOWN_WORDS:
                    return None
                raise FigureValueError("请填写“是”“否”或“不清楚”（true / false / unknown）。")
            raise FigureValueError("请填写“是”或“否”（true / false）。")
        if self.type == CHOICE:
            for value, label in self.choices:
                if text in (value, label):
                    return value
            options = "、".join(f"{label}（{value}）" for value, label in self.choices)
            raise FigureValueError(f"只能填：{options}。")
        if self.type == DATE:
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                raise FigureValueError("日期格式应为 年-月-日，例如 2026-02-28。") from None
        try:
            number = Decimal(text.replace(",", "").replace("\uff0c", "").removesuffix("%").removesuffix("\uff05"))
        except InvalidOperation:
            raise FigureValueError(f"“{text}”不是有效的数字。") from None
        if not number.is_finite():
            raise FigureValueError(f"“{text}”不是有效的数字。")
        if self.type == INTEGER:
            if number != number.to_integral_value():
                raise FigureValueError("这个数值必须是整数。")
            number = number.to_integral_value()
        if self.type == MONEY and number != number.quantize(Decimal("0.01")):
            raise FigureValueError("金额最多保留两位小数（到分）。")
        if self.min is not None and number < self.min:
            raise FigureValueError(f"数值不能小于 {self.min}{self.unit}。")
        if self.max is not None and number > self.max:
            raise FigureValueError(f"数值不能大于 {self.max}{self.unit}。")
        return int(number) if self.type == INTEGER else number

    def normalise(self, raw: object) -> str:
        """The canonical text stored in the database for a raw value."""
        value = self.parse(raw)
        if value is None:
            return "unknown"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return str(value)

    def display(self, value: Value) -> str:
        """How a citizen reads the value, e.g. "400 元/年", "6.8%", "2026年2月28日"."""
        if value is None:
            return "不清楚（本站没有查到）"
        if self.type == CHOICE:
            return dict(self.choices).get(str(value), str(value))
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, datetime.date):
            return f"{value.year}年{value.month}月{value.day}日"
        if isinstance(value, Decimal):
            text = f"{value:,.2f}" if self.type == MONEY else format(value.normalize(), "f")
            if self.type == MONEY and text.endswith(".00"):
                text = text[:-3]
            value = text
        if self.type == PERCENT:
            return f"{value}%"
        return f"{value} {self.unit}".strip() if self.unit else str(value)


def _d(text: str) -> Decimal:
    return Decimal(text)


COVER_YEAR_HELP = "按参保年度（自然年）录入：生效日期填该参保年度的1月1日，例如2027年度填 2027-01-01。"


SPECS: tuple[FigureSpec, ...] = (
    # Wages and contribution base
    FigureSpec(
        "avg_wage",
        "社平工资（月）",
        MONEY,
        "元/月",
        _d("500"),
        _d("100000"),
        "全口径城镇单位就业人员月平均工资；缴费基数下限和上限按它的百分比计算。生效日期填所属年度的1月1日。",
        per=YEAR,
    ),
    FigureSpec("base_floor_pct", "缴费基数下限（占社平工资）", PERCENT, "", _d("0"), _d("100")),
    FigureSpec("base_ceiling_pct", "缴费基数上限（占社平工资）", PERCENT, "", _d("100"), _d("1000")),
    # Employee scheme
    FigureSpec("employee_employer_rate", "职工医保单位缴费比例", PERCENT, "", _d("0"), _d("20")),
    FigureSpec("employee_personal_rate", "职工医保个人缴费比例", PERCENT, "", _d("0"), _d("10")),
    FigureSpec(
        "contribution_due_day",
        "每月缴费截止日",
        INTEGER,
        "日",
        _d("1"),
        _d("31"),
        "当月保费应在这一天前缴清，逾期从这一天起计滞纳金；月份没有这一天时按月末算。",
    ),
    FigureSpec("late_fee_daily_pct", "滞纳金日费率", PERCENT, "", _d("0"), _d("1")),
    FigureSpec(
        "individual_late_fee",
        "个人补缴是否收滞纳金",
        TRISTATE,
        help="查不到当地规定时填“不清楚”：估算会说明可能要交的最多金额，而不是说“不收”。",
    ),
    FigureSpec("transfer_gap_months", "转移接续：可直接补缴的最长中断", INTEGER, "个月", _d("0"), _d("24")),
    FigureSpec("transfer_max_wait_months", "转移接续：中断较长时的最长等待期", INTEGER, "个月", _d("0"), _d("24")),
    FigureSpec("transfer_origin_days", "转移接续：转出地办理时限", INTEGER, "个工作日", _d("1"), _d("90")),
    FigureSpec("transfer_destination_days", "转移接续：转入地办理时限", INTEGER, "个工作日", _d("1"), _d("90")),
    FigureSpec("switch_min_years", "职工与居民医保切换：免等待期所需连续参保年限", INTEGER, "年", _d("0"), _d("20")),
    FigureSpec(
        "switch_max_gap_months", "职工与居民医保切换：免等待期允许的最长中断", INTEGER, "个月", _d("0"), _d("24")
    ),
    FigureSpec("retire_min_years_male", "退休享受医保待遇最低缴费年限（男）", INTEGER, "年", _d("0"), _d("50")),
    FigureSpec("retire_min_years_female", "退休享受医保待遇最低缴费年限（女）", INTEGER, "年", _d("0"), _d("50")),
    # Flexible workers
    FigureSpec("flexible_rate", "灵活就业人员医保缴费比例", PERCENT, "", _d("0"), _d("20")),
    FigureSpec(
        "flexible_backpay_window_months",
        "灵活就业人员可补缴的最长期限",
        INTEGER,
        "个月",
        _d("0"),
        _d("120"),
        "从断缴的第一个月算到缴费当月，超过这个期限只能重新参保；填 0 表示个人断缴不能补缴。",
    ),
    FigureSpec(
        "flexible_wait_after_months", "灵活就业人员：断缴超过多少个月要等待", INTEGER, "个月", _d("0"), _d("24")
    ),
    FigureSpec("flexible_wait_months", "灵活就业人员：断缴较长补缴后的等待期", INTEGER, "个月", _d("0"), _d("24")),
    FigureSpec("continuity_reset_months", "连续参保年限重新计算的中断长度（超过）", INTEGER, "个月", _d("0"), _d("24")),
    # Resident scheme
    FigureSpec(
        "resident_fee", "城乡居民医保个人缴费标准", MONEY, "元/年", _d("0"), _d("5000"), COVER_YEAR_HELP, per=COVER_YEAR
    ),
    FigureSpec(
        "resident_fee_assisted",
        "城乡居民医保个人缴费（定额资助对象）",
        MONEY,
        "元/年",
        _d("0"),
        _d("5000"),
        COVER_YEAR_HELP + "全额资助对象（如特困人员）个人不缴费。",
        per=COVER_YEAR,
    ),
    FigureSpec(
        "resident_fee_student",
        "城乡居民医保个人缴费（在本省就读的大学生）",
        MONEY,
        "元/年",
        _d("0"),
        _d("5000"),
        COVER_YEAR_HELP,
        per=COVER_YEAR,
    ),
    FigureSpec("resident_window_start", "居民医保集中参保期开始", DATE, help=COVER_YEAR_HELP, per=COVER_YEAR),
    FigureSpec("resident_window_end", "居民医保集中参保期结束", DATE, help=COVER_YEAR_HELP, per=COVER_YEAR),
    FigureSpec(
        "resident_after_jan1_cover",
        "集中参保期内1月1日及以后缴费：从哪天起享受待遇",
        CHOICE,
        choices=(("next_day", "缴费次日"), ("next_month", "缴费次月1日"), ("jan1", "当年1月1日（追溯）")),
    ),
    FigureSpec(
        "waiting_counted_from",
        "待遇等待期从哪天算起",
        CHOICE,
        help="等待期 N 个月：从缴费当天算，到 N 个月后的同一天；或从缴费次月1日算。",
        choices=(("payment_day", "缴费当天"), ("next_month", "缴费次月1日")),
    ),
    FigureSpec(
        "newborn_grace_days",
        "新生儿出生后多少天内参保，从出生之日起享受待遇",
        INTEGER,
        "天",
        _d("0"),
        _d("366"),
    ),
    FigureSpec(
        "newborn_free_years",
        "新生儿免缴个人缴费的参保年度数",
        INTEGER,
        "个参保年度",
        _d("0"),
        _d("18"),
        "从出生的年度算起；0 表示不免缴。",
    ),
    FigureSpec("newborn_free_born_from", "新生儿免缴：适用于这一天及以后出生的婴儿", DATE),
    FigureSpec("resident_fixed_wait_months", "居民医保固定待遇等待期", INTEGER, "个月", _d("0"), _d("12")),
    FigureSpec("resident_extra_wait_per_year", "居民医保每多断缴一年增加的等待期", INTEGER, "个月", _d("0"), _d("12")),
    FigureSpec("resident_first_year_counts", "断缴第一年是否也增加等待期", BOOLEAN),
    FigureSpec("resident_floor_after_years", "断缴满多少年后等待期有下限", INTEGER, "年", _d("1"), _d("50")),
    FigureSpec("resident_floor_months", "长期断缴补缴后的最短等待期", INTEGER, "个月", _d("0"), _d("24")),
    FigureSpec("incentive_after_years", "连续参保激励：从连续参保第几年后开始", INTEGER, "年", _d("0"), _d("20")),
    FigureSpec(
        "incentive_raise_per_year", "连续参保激励：每多一年大病保险最高支付限额提高", MONEY, "元", _d("0"), _d("100000")
    ),
    FigureSpec("noclaim_raise", "零报销激励：当年未报销，次年大病保险限额提高", MONEY, "元", _d("0"), _d("100000")),
    FigureSpec("incentive_max_pct", "激励提高总额上限（占原限额）", PERCENT, "", _d("0"), _d("100")),
)

REGISTRY: dict[str, FigureSpec] = {spec.key: spec for spec in SPECS}
KEY_CHOICES = [(spec.key, f"{spec.label}({spec.key})") for spec in SPECS]


def key_choices() -> list[tuple[str, str]]:
    """Choices for PolicyEntry.key, as a callable so relabelling a key needs no migration."""
    return KEY_CHOICES


def get_spec(key: str) -> FigureSpec:
    try:
        return REGISTRY[key]
    except KeyError:
        raise FigureValueError(f"没有名为“{key}”的数据项。") from None


# The few figures a region guide shows first, before the questions.
KEY_FIGURES: tuple[str, ...] = (
    "resident_fee",
    "resident_fixed_wait_months",
    "flexible_backpay_window_months",
    "avg_wage",
    "employee_employer_rate",
    "late_fee_daily_pct",
)

# How the region guide groups figures, in reading order. Keys not listed are still valid
# figures; they just are not shown in the guide's tables.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "居民医保",
        (
            "resident_fee",
            "resident_fee_assisted",
            "resident_fee_student",
            "resident_window_start",
            "resident_window_end",
            "resident_after_jan1_cover",
            "resident_fixed_wait_months",
            "resident_extra_wait_per_year",
            "resident_first_year_counts",
            "resident_floor_after_years",
            "resident_floor_months",
            "waiting_counted_from",
            "newborn_grace_days",
            "newborn_free_years",
            "newborn_free_born_from",
            "incentive_after_years",
            "incentive_raise_per_year",
            "noclaim_raise",
            "incentive_max_pct",
        ),
    ),
    (
        "职工医保和缴费基数",
        (
            "avg_wage",
            "base_floor_pct",
            "base_ceiling_pct",
            "employee_employer_rate",
            "employee_personal_rate",
            "contribution_due_day",
            "late_fee_daily_pct",
            "individual_late_fee",
        ),
    ),
    (
        "灵活就业人员",
        (
            "flexible_rate",
            "flexible_backpay_window_months",
            "flexible_wait_after_months",
            "flexible_wait_months",
            "continuity_reset_months",
        ),
    ),
    (
        "转移接续和险种切换",
        (
            "transfer_gap_months",
            "transfer_max_wait_months",
            "transfer_origin_days",
            "transfer_destination_days",
            "switch_min_years",
            "switch_max_gap_months",
        ),
    ),
    ("退休", ("retire_min_years_male", "retire_min_years_female")),
)
