"""The region guide's 数字的变化: what the page showed before, also when a city's own figure replaced
the one it inherited from its province or the nation."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guides.models import PolicyEntry, Region
from tests.factories import make_policy_entry, make_region
from tests.reading import squash, text_of

D = datetime.date


def changes(client, path: str) -> str:
    html = client.get(path).content.decode()
    found = re.search(r'<section aria-labelledby="changes">(.*?)</section>', html, re.S)
    return squash(text_of(found.group(1))) if found else ""


@pytest.fixture
def world(db) -> tuple[Region, Region, Region]:
    national = make_region("national", name="全国", kind=Region.NATIONAL)
    province = make_region("jiangxi", name="江西省", kind=Region.PROVINCE, parent=national)
    city = make_region("nanchang", name="南昌", parent=province)
    return national, province, city


def test_it_keeps_the_inherited_province_figure_in_the_citys_history(client, world):
    _, province, city = world
    make_policy_entry(province, "flexible_rate", "7", effective_from=D(2025, 1, 1), source_title="江西省通知")
    make_policy_entry(city, "flexible_rate", "8", effective_from=D(2026, 1, 1), source_title="南昌通知")

    history = changes(client, "/nanchang/")

    expected = "灵活就业人员医保缴费比例：2026年1月1日起 8%，此前（2025年1月1日–2025年12月31日）7%（沿用江西省标准），来源：江西省通知。"
    assert squash(expected) in history


def test_it_keeps_the_national_figure_a_city_used_before_its_province_had_one(client, world):
    national, province, city = world
    make_policy_entry(national, "resident_fee", "380", effective_from=D(2024, 1, 1), source_title="全国通知")
    make_policy_entry(province, "resident_fee", "400", effective_from=D(2025, 1, 1), source_title="江西省通知")
    make_policy_entry(city, "resident_fee", "420", effective_from=D(2026, 1, 1), source_title="南昌通知")

    history = changes(client, "/nanchang/")

    assert (
        squash(
            "城乡居民医保个人缴费标准：2026年1月1日起 420 元/年，"
            "此前（2025年1月1日–2025年12月31日）400 元/年（沿用江西省标准），来源：江西省通知，"
            "此前（2024年1月1日–2024年12月31日）380 元/年（沿用全国标准），来源：全国通知。"
        )
        in history
    )


def test_the_provinces_own_history_is_unchanged_by_its_cities(client, world):
    _, province, city = world
    make_policy_entry(province, "flexible_rate", "7", effective_from=D(2025, 1, 1))
    make_policy_entry(city, "flexible_rate", "8", effective_from=D(2026, 1, 1))

    assert "灵活就业" not in changes(client, "/jiangxi/")


def test_it_shows_a_citys_own_earlier_figure_without_the_inherited_label(client, world):
    _, province, city = world
    make_policy_entry(province, "flexible_rate", "7", effective_from=D(2020, 1, 1))
    make_policy_entry(
        city, "flexible_rate", "9", effective_from=D(2024, 1, 1), effective_to=D(2025, 12, 31), source_title="南昌旧文"
    )

    history = changes(client, "/nanchang/")

    # Back to the province's figure in 2026, after two years of the city's own.
    assert (
        squash("灵活就业人员医保缴费比例：2026年1月1日起 7%，此前（2024年1月1日–2025年12月31日）9%，来源：南昌旧文")
        in history
    )
    assert squash("（2020年1月1日–2023年12月31日）7%（沿用江西省标准）") in history


def test_it_leaves_out_figures_not_yet_approved(client, world):
    _, province, city = world
    make_policy_entry(province, "flexible_rate", "6", effective_from=D(2024, 1, 1), state=PolicyEntry.DRAFT)
    make_policy_entry(city, "flexible_rate", "8", effective_from=D(2026, 1, 1))

    assert "灵活就业" not in changes(client, "/nanchang/")


def test_it_shows_no_history_for_a_figure_that_never_changed(client, world):
    _, province, _ = world
    make_policy_entry(province, "flexible_rate", "7", effective_from=D(2020, 1, 1))

    assert changes(client, "/nanchang/") == ""


def test_it_reads_the_same_number_of_queries_however_long_the_history(client, world, django_assert_num_queries):
    national, province, city = world
    make_policy_entry(province, "flexible_rate", "7", effective_from=D(2025, 1, 1))
    make_policy_entry(city, "flexible_rate", "8", effective_from=D(2026, 1, 1))
    client.get("/nanchang/")  # anything read once per process is read now
    with CaptureQueriesContext(connection) as short:
        client.get("/nanchang/")

    for year in range(2010, 2024):
        make_policy_entry(
            national, "resident_fee", str(300 + year - 2010), effective_from=D(year, 1, 1), effective_to=D(year, 12, 31)
        )
        make_policy_entry(
            province, "resident_fee", str(200 + year - 2010), effective_from=D(year, 1, 1), effective_to=D(year, 6, 30)
        )
    make_policy_entry(city, "resident_fee", "420", effective_from=D(2024, 1, 1))
    with django_assert_num_queries(len(short.captured_queries)):
        history = changes(client, "/nanchang/")

    assert squash("（2023年7月1日–2023年12月31日）313 元/年（沿用全国标准）") in history
    assert squash("（2023年1月1日–2023年6月30日）213 元/年（沿用江西省标准）") in history


# --------------------------------------------------------------------------------------------
# The old and the current figure together


def test_it_shows_the_old_and_the_current_figure_together_under_changes(client, national, city):
    make_policy_entry(
        city,
        "resident_fee",
        "380",
        effective_from=D(2024, 1, 1),
        effective_to=D(2024, 12, 31),
        source_title="2024年度通知",
    )
    make_policy_entry(city, "resident_fee", "400", effective_from=D(2025, 1, 1), source_title="2025年度通知")

    history = changes(client, "/nanchang/")

    expected = "城乡居民医保个人缴费标准：2025年1月1日起 400 元/年，此前（2024年1月1日–2024年12月31日）380 元/年，来源：2024年度通知"
    assert squash(expected) in history
