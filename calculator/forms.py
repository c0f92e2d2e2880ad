"""The estimator's input, shared by the page and the JSON API (same names, same checks).

Every field is validated even when the chosen scheme does not use it; only the cross-field
checks depend on the scheme. Messages are Chinese and name what to do.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from guides.models import Region

from .rules import EMPLOYEE, EMPLOYER, FLEXIBLE, PERSONAL, RESIDENT, LapseCase, add_months, month_start

SCHEME_CHOICES = [
    (EMPLOYEE, "职工医保（单位给交）"),
    (FLEXIBLE, "灵活就业人员（自己交职工医保）"),
    (RESIDENT, "城乡居民医保"),
]
CAUSE_CHOICES = [(PERSONAL, "个人原因（如换工作、忘了交）"), (EMPLOYER, "单位原因（单位漏缴、欠缴）")]
SWITCH_CHOICES = [("", "没有换险种"), (EMPLOYEE, "从职工医保换到居民医保"), (RESIDENT, "从居民医保换到职工医保")]
WINDOW_CHOICES = [("", "请选择"), ("true", "是，在集中参保期内"), ("false", "不是")]
ONGOING_CHOICES = [("true", "还没有，现在还断着"), ("false", "已经恢复缴费了")]
TRUE_FALSE = {"": None, "true": True, "false": False}
MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")  # ASCII digits only
EARLIEST = datetime.date(1998, 12, 1)  # employee medical insurance began in December 1998
LATEST = datetime.date(2099, 12, 31)


def count_field(label: str, *, unit: str, most: int, least: int = 0) -> forms.IntegerField:
    """An optional whole number of months (unit "个月") or years ("年"), with Chinese messages."""
    noun = "年数" if unit == "年" else "月数"
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=least,
        max_value=most,
        error_messages={
            "invalid": f"请填写整数{noun}。",
            "min_value": f"至少填 {least} {unit}。" if least else f"{noun}不能是负数。",
            "max_value": f"最多填 {most} {unit}。",
        },
    )


def optional_choice(label: str, choices: list[tuple[str, str]], invalid: str, widget=None) -> forms.ChoiceField:
    """An optional choice, with the Chinese message for a value not on the list (`widget`: a select by default)."""
    return forms.ChoiceField(
        label=label, choices=choices, required=False, widget=widget, error_messages={"invalid_choice": invalid}
    )


class MonthField(forms.CharField):
    """A month as YYYY-MM (what <input type="month"> sends) → the first day of that month."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        match = MONTH_RE.match(value.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError("月份格式应为 年-月，例如 2026-03。")
        year, month = int(match.group(1)), int(match.group(2))
        if not EARLIEST.year <= year <= LATEST.year or datetime.date(year, month, 1) < EARLIEST:
            raise forms.ValidationError("请填写 1998 年 12 月到 2099 年之间的月份。")
        return datetime.date(year, month, 1)


class FlagField(forms.Field):
    """true/false (the API), or "on" from an HTML checkbox; empty means false."""

    def to_python(self, value):
        if value in (None, "", False):
            return False
        if value is True:
            return True
        text = str(value).strip().lower()
        if text in ("true", "1", "on", "yes"):
            return True
        if text in ("false", "0", "off", "no"):
            return False
        raise forms.ValidationError("请填写 true 或 false。")


class FlagCheckbox(forms.CheckboxInput):
    """A checkbox that hands the raw value to FlagField, so "maybe" is an error, not True."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda v: v is True or str(v).lower() in ("true", "on", "1"))

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class CaseForm(forms.Form):
    """A case without its region: the estimator's questions, also used by articles' worked examples."""

    scheme = forms.ChoiceField(
        label="参加的是哪种医保",
        choices=SCHEME_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择医保类型。",
            "invalid_choice": "医保类型只能是职工医保、灵活就业或居民医保。",
        },
    )
    cause = optional_choice("为什么断缴", CAUSE_CHOICES, "断缴原因只能是单位原因或个人原因。", forms.RadioSelect)
    lapse_start = MonthField(
        label="从哪个月开始没交",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )
    lapse_months = count_field("断缴了几个月", unit="个月", most=360, least=1)
    base = forms.DecimalField(
        label="月缴费基数（一般是月工资，元，可不填）",
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000000"),
        max_digits=9,
        decimal_places=2,
        error_messages={
            "invalid": "请填写金额数字，例如 5000。",
            "min_value": "金额要大于 0。",
            "max_value": "金额不能超过 1,000,000 元。",
            "max_decimal_places": "金额最多两位小数。",
            "max_digits": "金额数字太长了。",
            "max_whole_digits": "金额数字太长了。",
        },
    )
    unemployment_months = count_field("其中领取失业保险金的有几个月", unit="个月", most=360)
    moved = FlagField(label="断缴期间换了城市（要办医保关系转移）", required=False, widget=FlagCheckbox)
    lapse_ongoing = optional_choice("现在恢复缴费了吗", ONGOING_CHOICES, "请填写 true 或 false。", forms.RadioSelect)
    paid_on = forms.DateField(
        label="打算哪天补缴",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式应为 年-月-日，例如 2026-11-30。"},
    )
    lapsed_years = count_field("断缴了几个整年", unit="年", most=80)
    repaid_years = count_field("打算补缴其中几年", unit="年", most=80)
    in_window = optional_choice("是否在集中参保期内缴费", WINDOW_CHOICES, "请填写 true 或 false。")
    newborn = FlagField(label="为新生儿参保", required=False, widget=FlagCheckbox)
    born_on = forms.DateField(
        label="宝宝出生日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式应为 年-月-日，例如 2026-10-01。"},
    )
    switch_from = optional_choice(
        "是否在职工医保和居民医保之间换了险种", SWITCH_CHOICES, "只能填 employee 或 resident。"
    )
    continuous_years = count_field("断缴前连续参保了几年", unit="年", most=80)
    gap_months = count_field("换险种中间断了几个月", unit="个月", most=360)

    HINTS = {
        "lapse_start": "职工和灵活就业人员填写。",
        "base": "不填就按当地社平工资估算；会自动按当地上下限调整。",
        "lapsed_years": "居民医保填写；一直连续参保填 0。",
        "paid_on": "不填就按今天算。",
        "unemployment_months": "领失业金期间，失业保险基金替你交职工医保，这几个月不算断缴。没有就不填。",
        "moved": "",
        "continuous_years": "可不填。居民医保用它估算失去的连续参保奖励；换险种时用它判断能否免等待期。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # Tie each input to its hint and to its error line, which the live updates refill.
            field.help_text = self.HINTS.get(name, "")
            described = f"hint-{name} err-{name}" if field.help_text else f"err-{name}"
            field.widget.attrs["aria-describedby"] = described

    def clean_paid_on(self):
        day = self.cleaned_data.get("paid_on") or timezone.localdate()
        if not EARLIEST <= day <= LATEST:
            raise forms.ValidationError("请填写 1998 年 12 月到 2099 年之间的日期。")
        return day

    def clean_in_window(self):
        return TRUE_FALSE[self.cleaned_data.get("in_window") or ""]

    def clean_lapse_ongoing(self):
        # Omitted means the lapse is still running: the cautious reading.
        return TRUE_FALSE[self.cleaned_data.get("lapse_ongoing") or ""] is not False

    def clean(self):
        super().clean()
        data = self.cleaned_data
        scheme = data.get("scheme")
        paid_on = data.get("paid_on")
        switch_from = data.get("switch_from") or None
        if switch_from:
            if switch_from == EMPLOYEE and scheme != RESIDENT:
                self.add_error("scheme", "从职工医保换过来，现在参加的应该是居民医保。")
            if switch_from == RESIDENT and scheme == RESIDENT:
                self.add_error("scheme", "从居民医保换过来，现在参加的应该是职工医保或灵活就业。")
            for name in ("continuous_years", "gap_months"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "换险种时请填写这一项。")
        elif scheme in (EMPLOYEE, FLEXIBLE):
            if data.get("lapse_start") is None and "lapse_start" not in self.errors:
                self.add_error("lapse_start", "请填写从哪个月开始没交。")
            if data.get("lapse_months") is None and "lapse_months" not in self.errors:
                self.add_error("lapse_months", "请填写断缴了几个月。")
            start, months = data.get("lapse_start"), data.get("lapse_months")
            if start and months and paid_on and add_months(start, months - 1) > month_start(paid_on):
                self.add_error("lapse_months", "断缴的最后一个月晚于补缴日期所在的月份，请检查月份和月数。")
            jobless = data.get("unemployment_months") or 0
            counts = scheme == EMPLOYEE and (data.get("cause") or PERSONAL) == PERSONAL
            if counts and months and jobless > months and "unemployment_months" not in self.errors:
                self.add_error("unemployment_months", f"领失业金的月数不能多于断缴的 {months} 个月。")
        if scheme == RESIDENT:  # also after a switch: the lapsed years then count in the new scheme
            lapsed, repaid = data.get("lapsed_years") or 0, data.get("repaid_years") or 0
            if repaid > lapsed and "repaid_years" not in self.errors:
                self.add_error("repaid_years", f"补缴的年数不能多于断缴的 {lapsed} 年。")
            if data.get("newborn") and not switch_from:
                self.check_newborn(data, lapsed, paid_on)
        return data

    def check_newborn(self, data, lapsed: int, paid_on) -> None:
        if lapsed and "lapsed_years" not in self.errors:
            self.add_error("lapsed_years", "新生儿没有断缴的年份：为新生儿参保时，断缴年数请填 0。")
        born = data.get("born_on")
        if born is None:
            if "born_on" not in self.errors:
                self.add_error("born_on", "为新生儿参保时，请填写宝宝的出生日期。")
        elif paid_on and born > paid_on:
            self.add_error("born_on", "出生日期不能晚于缴费日期。")
        elif paid_on and (paid_on - born).days > 366 * 3:
            self.add_error("born_on", "宝宝已经超过三岁，不再按新生儿参保，请取消“为新生儿参保”。")

    def to_case(self) -> LapseCase:
        data = self.cleaned_data
        return LapseCase(
            scheme=data["scheme"],
            paid_on=data["paid_on"],
            cause=data.get("cause") or PERSONAL if data["scheme"] == EMPLOYEE else PERSONAL,
            lapse_start=data.get("lapse_start"),
            lapse_months=data.get("lapse_months") or 0,
            base=data.get("base"),
            lapsed_years=data.get("lapsed_years") or 0,
            repaid_years=data.get("repaid_years") or 0,
            unemployment_months=(data.get("unemployment_months") or 0)
            if data["scheme"] == EMPLOYEE and data.get("cause") != EMPLOYER
            else 0,
            moved=bool(data.get("moved")) and data["scheme"] != RESIDENT,
            lapse_ongoing=data.get("lapse_ongoing", True) if data["scheme"] == FLEXIBLE else True,
            in_window=data.get("in_window"),
            newborn=bool(data.get("newborn")) and data["scheme"] == RESIDENT,
            born_on=data.get("born_on"),
            switch_from=data.get("switch_from") or None,
            continuous_years=data.get("continuous_years") or 0,
            gap_months=data.get("gap_months") or 0,
        )


def province_of(region: Region) -> Region | None:
    """The province a region belongs to: itself when it is one, else its nearest province above it."""
    return next((r for r in region.lineage() if r.kind == Region.PROVINCE), None)


NO_PROVINCE = [("", "请先选择省份")]


def place_options(*province_slugs: str) -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
    """The lists of the province → city choice, in one query however many places a form asks:
    every province, and for each province slug given its cities followed by the province itself as
    "<province>其他地方" (a city without a page of its own, whose figures are the province's). A slug
    that is no province (or none) gets the list that only asks for a province first (`NO_PROVINCE`).

    This is the one home of the idea: the estimator and the transfer page both call it, so no page
    or fragment carries every city of the country at once.
    """
    chosen = {s for s in province_slugs if s}
    wanted = Q(kind=Region.PROVINCE)
    if chosen:
        wanted |= Q(kind=Region.CITY, parent__kind=Region.PROVINCE, parent__slug__in=chosen)
        wanted |= Q(kind=Region.CITY, parent__parent__kind=Region.PROVINCE, parent__parent__slug__in=chosen)
    regions = list(Region.objects.filter(wanted).only("slug", "name", "kind", "order", "parent"))
    provinces = [r for r in regions if r.kind == Region.PROVINCE]
    # A city's province is its parent, or its parent's parent (then that parent city is listed too).
    home: dict[int | None, str] = {r.pk: r.slug for r in provinces}
    parents: dict[int | None, int | None] = {r.pk: r.parent_id for r in regions}
    cities_of: dict[str, list[tuple[str, str]]] = {}
    for city in regions:
        if city.kind == Region.CITY:
            slug = home.get(city.parent_id) or home[parents.get(city.parent_id)]
            cities_of.setdefault(slug, []).append((city.slug, city.name))
    lists = {}
    for province in provinces:
        if province.slug in chosen:
            found = cities_of.get(province.slug, [])
            other = f"{province.name}其他地方" if found else province.name
            lists[province.slug] = [("", "请选择城市"), *found, (province.slug, other)]
    return [("", "请选择省份"), *((r.slug, r.name) for r in provinces)], lists


@dataclass(frozen=True)
class PlacePair:
    """One place asked in two steps: the names of its two parameters and the messages it gives."""

    province_field: str = "province"
    city_field: str = "region"
    ask: str = "请选择城市。"  # nothing chosen
    ask_in: str = "请选择{province}的城市。"  # the province chosen, not yet its city
    unknown: str = "没有这个地区，请从列表中选择。"  # may name what was sent: {slug}
    national: str = ""  # the nation sent as the place: this message (code "national"), else `unknown`


@dataclass
class PlaceChosen:
    """What a form made of one pair: `place` the region chosen (a city, or a province meaning its
    other cities), `province_slug` the province whose cities the form lists, `ask_city` whether that
    province was chosen but its city not yet (or a city of another province was left in the form)."""

    pair: PlacePair
    place: Region | None = None
    province_slug: str = ""
    ask_city: bool = False


class PlaceChoiceMixin:
    """Places chosen in two steps, a province then a city of it, each sent as two parameters (a
    `PlacePair`: the estimator asks one, the transfer page two); the city alone is enough (the
    province follows from it). Every pair is resolved in one query and listed in one more.

    `chosen[city_field]` is what the form made of each pair (`PlaceChosen`).
    """

    place_pairs: tuple[PlacePair, ...] = (PlacePair(),)
    data: Any  # these come from forms.Form
    fields: dict
    errors: Any
    add_error: Any

    def setup_place(self) -> None:
        self.chosen = {pair.city_field: PlaceChosen(pair) for pair in self.place_pairs}
        self._options: tuple[list, dict] | None = None
        for pair in self.place_pairs:
            self.fields[pair.province_field].widget.choices = lambda: self.place_options()[0]
            self.fields[pair.city_field].widget.choices = lambda name=pair.city_field: self.city_options(name)

    @property
    def ask_city(self) -> bool:
        return any(c.ask_city for c in self.chosen.values())

    def place_options(self) -> tuple[list, dict]:
        if self._options is None:
            self._options = place_options(*(c.province_slug for c in self.chosen.values()))
        return self._options

    def city_options(self, city_field: str) -> list[tuple[str, str]]:
        return self.place_options()[1].get(self.chosen[city_field].province_slug, NO_PROVINCE)

    def clean_places(self, cleaned: dict, pairs: tuple[PlacePair, ...] | None = None) -> None:
        """Check each pair (all by default) and put the chosen Region (or None) in cleaned[city_field]."""
        sent = {}
        for pair in self.place_pairs if pairs is None else pairs:
            p_name, c_name = pair.province_field, pair.city_field
            province_slug = (cleaned.get(p_name) or "").strip() if p_name not in self.errors else ""
            slug = (cleaned.get(c_name) or "").strip() if c_name not in self.errors else ""
            sent[pair] = (province_slug, slug)
        wanted = {s for both in sent.values() for s in both if s and len(s) <= 40}
        found = {}
        if wanted:
            found = {
                r.slug: r for r in Region.objects.filter(slug__in=wanted).select_related("parent__parent").order_by()
            }
        for pair, (province_slug, slug) in sent.items():
            self.clean_pair(self.chosen[pair.city_field], province_slug, slug, found, cleaned)

    def clean_pair(self, chosen: PlaceChosen, province_slug: str, slug: str, found: dict, cleaned: dict) -> None:
        pair = chosen.pair
        p_name, c_name = pair.province_field, pair.city_field
        province = found.get(province_slug)
        if province_slug and (province is None or province.kind != Region.PROVINCE):
            self.add_error(p_name, forms.ValidationError("没有这个省份，请从列表中选择。", code="invalid_choice"))
            province = None
        cleaned[c_name] = None
        region = found.get(slug)
        if c_name in self.errors:
            pass
        elif not slug:
            chosen.ask_city = province is not None
            message = pair.ask_in.format(province=province.name) if province else pair.ask
            self.add_error(c_name, forms.ValidationError(message, code="required"))
        elif region is not None and region.kind == Region.NATIONAL and pair.national:
            self.add_error(c_name, forms.ValidationError(pair.national, code="national"))
        elif region is None or region.kind == Region.NATIONAL:
            message = pair.unknown.format(slug=slug[:20])
            self.add_error(c_name, forms.ValidationError(message, code="invalid_choice"))
        else:
            home = province_of(region)
            if province is not None and home != province:
                chosen.ask_city = True
                message = f"{region.name}不在{province.name}，请从{province.name}的城市中选择。"
                self.add_error(c_name, forms.ValidationError(message, code="other_province"))
            else:
                cleaned[c_name] = chosen.place = region
                province = home
        chosen.province_slug = province.slug if province is not None else ""
        if province is not None and not self.data.get(p_name):
            # A city given alone (an old link, the region's calculator address): show its province chosen.
            self.data = self.data.copy()
            self.data[p_name] = province.slug


class EstimateForm(PlaceChoiceMixin, CaseForm):
    province = forms.CharField(label="省份", required=False, strip=True, widget=forms.Select)
    region = forms.CharField(label="所在城市", required=False, strip=True, widget=forms.Select)

    field_order = ["province", "region"]
    HINTS = {**CaseForm.HINTS, "region": "列表里没有你的城市，就选“其他地方”，按全省的标准估算。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_place()
        if not self.is_bound:
            initial = self.initial.get("region")
            chosen = self.chosen["region"]
            chosen.province_slug = self.initial.get("province") or ""
            if isinstance(initial, Region):
                self.initial["region"] = initial.slug
                home = province_of(initial)
                chosen.province_slug = self.initial["province"] = home.slug if home else ""

    def clean(self):
        self.clean_places(self.cleaned_data)
        return super().clean()


def unknown_region(form: EstimateForm) -> bool:
    """A region was named but does not exist (the API answers 404 for that)."""
    return bool(form.data.get("region")) and form.has_error("region", "invalid_choice")
