"""Figures in and out of spreadsheets, as a 审核 with Chinese Excel does it.

Exports have Chinese headers, a BOM and a local-date file name; imports read UTF-8 (with or
without BOM) and GBK, Chinese or English headers, labels or codes; every row carries the version
it was exported with, and a row changed since is refused with who changed it and when. All rows
or none. Each test goes through the real admin pages: upload, preview, confirm.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from guides.models import PolicyEntry, Region
from tests.admin_forms import (
    EXPORT,
    HEADER,
    IMPORT,
    confirm,
    csv_file,
    figure_row,
    format_value,
    previewed,
    upload,
)
from tests.factories import make_policy_entry, make_region
from tests.factories import make_staff as staff
from tests.reading import read_form, select_options, text_of

D = datetime.date
HEADERS = [
    "编号",
    "地区",
    "数据项",
    "数值",
    "生效日期",
    "失效日期",
    "来源文件或文号",
    "发布单位",
    "来源链接",
    "核实日期",
    "核实状态",
    "说明",
    "版本",
]


# --------------------------------------------------------------------------------------------
# People, content and pages


@pytest.fixture
def reviewer(db) -> User:
    return staff("审核", "laoli", "李审核")


@pytest.fixture
def client(reviewer) -> Client:
    client = Client()
    client.force_login(reviewer)
    return client


class World:
    def __init__(self) -> None:
        self.national = make_region("national", name="全国", kind=Region.NATIONAL)
        self.city = make_region("nanchang", name="南昌", parent=self.national)
        self.fee = make_policy_entry(self.national, "resident_fee", "400", effective_from=D(2026, 1, 1))
        self.rate = make_policy_entry(
            self.city, "flexible_rate", "6.8", status=PolicyEntry.UNVERIFIED, verified_on=D(2026, 1, 5)
        )


@pytest.fixture
def world(db) -> World:
    return World()


def problems(response) -> list[str]:
    """The sentences of the refused import's list, one per problem."""
    found = re.search(r'<ul class="errorlist import-problems">(.*?)</ul>', response.content.decode(), re.S)
    return [text_of(item) for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)] if found else []


def export(client, title: str = "csv"):
    response = client.post(EXPORT, {"format": format_value(client, EXPORT, title), "resource": "0"})
    assert response.status_code == 200
    return response


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def csv_upload(rows: list[dict], headers: list[str] = HEADERS, encoding: str = "utf-8-sig") -> io.BytesIO:
    """A file as Chinese Excel saves it: Chinese headers, a BOM, a Chinese name."""
    return csv_file(rows, headers, encoding, name="数据.csv")


def new_row(**fields) -> dict[str, str]:
    """admin_forms.figure_row under the Chinese headers an export has, as a new row (no 编号 or 版本)."""
    chinese = dict(zip(HEADER, HEADERS[1:-1], strict=True))
    row = {chinese[name]: value for name, value in figure_row().items()}
    return {"编号": "", **row, "核实状态": "已核实", "版本": "", **fields}


def import_file(client, file, title: str = "csv"):
    preview = upload(client, file, title)
    assert previewed(preview), problems(preview) or text_of(preview.content.decode())[:2000]
    return confirm(client, preview)


def snapshot() -> list:
    return list(PolicyEntry.objects.order_by("pk").values_list("pk", "value", "status", "state", "version"))


# --------------------------------------------------------------------------------------------
# Export


def test_it_exports_csv_with_a_bom_chinese_headers_labels_ids_and_versions(client, world):
    response = export(client)

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == HEADERS
    assert {(r["地区"], r["数据项"], r["数值"]) for r in csv_rows(response)} == {
        ("national", "resident_fee", "400"),
        ("nanchang", "flexible_rate", "6.8"),
    }
    rows = {r["编号"]: r for r in csv_rows(response)}
    assert rows[str(world.fee.pk)] == {
        **rows[str(world.fee.pk)],
        "地区": "national",
        "数据项": "resident_fee",
        "数值": "400",
        "生效日期": "2026-01-01",
        "核实状态": "已核实",
        "版本": "1",
    }
    assert (rows[str(world.rate.pk)]["地区"], rows[str(world.rate.pk)]["核实状态"]) == ("nanchang", "待核实")


def test_it_names_the_export_by_the_local_date_with_an_ascii_fallback(client, world, monkeypatch):
    # 01:30 in Shanghai on 23 November is still 22 November in UTC.
    at = datetime.datetime(2026, 11, 22, 17, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: at)

    disposition = export(client)["Content-Disposition"]

    assert disposition.startswith('attachment; filename="policy-figures-2026-11-23.csv"; ')
    (encoded,) = re.findall(r"filename\*=UTF-8''(\S+)", disposition)
    assert unquote(encoded) == "政策数据-2026-11-23.csv"
    assert disposition.isascii()


def test_it_exports_xlsx_with_chinese_headers_and_labels(client, world):
    response = export(client, "xlsx")

    assert "filename*=UTF-8''%E6%94%BF%E7%AD%96%E6%95%B0%E6%8D%AE-" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    by_id = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}
    assert (by_id[world.rate.pk]["地区"], by_id[world.rate.pk]["核实状态"], by_id[world.rate.pk]["版本"]) == (
        "nanchang",
        "待核实",
        1,
    )


def test_it_explains_the_file_on_the_export_and_import_pages(client, world):
    for url in (EXPORT, IMPORT):
        page = text_of(client.get(url).content.decode())
        assert "地区写的是网址名" in page or "地区填网址名" in page, url
    assert "确认导入就是审核通过" in text_of(client.get(IMPORT).content.decode())


# --------------------------------------------------------------------------------------------
# Round trip and versions


def test_it_imports_an_edited_export_and_publishes_it(client, reviewer, world):
    rows = csv_rows(export(client))
    for row in rows:
        if row["编号"] == str(world.rate.pk):
            row["数值"] = "7"
            row["核实状态"] = "已核实"
    draft = make_policy_entry(world.city, "avg_wage", "7000", state=PolicyEntry.DRAFT)

    done = import_file(client, csv_upload(rows))

    assert "导入完成：新增 0 条、更新 1 条，没有改动跳过 1 条。" in text_of(done.content.decode())
    rate = PolicyEntry.objects.get(pk=world.rate.pk)
    assert (rate.value, rate.status, rate.state, rate.version) == ("7", PolicyEntry.VERIFIED, "published", 2)
    assert rate.history.latest().history_user == reviewer
    assert PolicyEntry.objects.get(pk=world.fee.pk).version == 1  # unchanged rows are skipped
    assert PolicyEntry.objects.get(pk=draft.pk).state == PolicyEntry.DRAFT  # not in the file: untouched


def test_it_refuses_a_row_changed_since_the_export_naming_who_and_when(client, world):
    rows = csv_rows(export(client))
    someone = staff("审核", "wang", "王审核")
    fee = PolicyEntry.objects.get(pk=world.fee.pk)
    for value in ("410", "420", "430"):
        fee.value = value
        fee._history_user = someone
        fee._history_date = datetime.datetime(2026, 11, 20, 6, 3, tzinfo=datetime.UTC)  # 14:03 in Shanghai
        fee.save()
    rows.sort(key=lambda r: r["编号"] != str(world.rate.pk))  # the changed figure on line 3
    for row in rows:
        row["数值"] = "500" if row["编号"] == str(world.fee.pk) else "7"
    before = snapshot()

    response = upload(client, csv_upload(rows))

    assert not previewed(response)
    assert problems(response) == [
        "第 3 行：这条数据在你导出之后被 王审核 于 2026-11-20 14:03 改过（你的文件是第 1 版，现在是第 4 版），"
        "这一行没有导入。请重新导出后再改。"
    ]
    assert snapshot() == before  # the other, valid row is not imported either


def test_it_refuses_the_whole_file_if_a_figure_changes_between_preview_and_confirm(client, world):
    rows = csv_rows(export(client))
    for row in rows:
        row["数值"] = "500" if row["编号"] == str(world.fee.pk) else "7"
    preview = upload(client, csv_upload(rows))
    assert previewed(preview)
    fee = PolicyEntry.objects.get(pk=world.fee.pk)
    fee.value = "450"
    fee.save()
    before = snapshot()

    done = confirm(client, preview)

    assert done.status_code == 200
    assert snapshot() == before
    assert any("这条数据在你导出之后" in p and "现在是第 2 版" in p for p in problems(done))
    assert "导入完成" not in text_of(done.content.decode())
    assert f'href="{IMPORT}">重新上传文件</a>' in done.content.decode()


def test_it_imports_an_edited_xlsx_export(client, world):
    book = openpyxl.load_workbook(io.BytesIO(export(client, "xlsx").content))
    for row in book.active.iter_rows(min_row=2):
        if row[0].value == world.fee.pk:
            row[HEADERS.index("数值")].value = 420
    file = io.BytesIO()
    book.save(file)
    file.seek(0)
    file.name = "政策数据.xlsx"

    import_file(client, file, "xlsx")

    fee = PolicyEntry.objects.get(pk=world.fee.pk)
    assert (fee.value, fee.version, fee.effective_from) == ("420", 2, D(2026, 1, 1))


def test_it_lets_only_a_reviewer_import_even_outside_the_admin(world):
    from guides.admin.spreadsheets import ChineseCSV, PolicyEntryResource

    editor = staff("编辑", "xiaowang")
    dataset = ChineseCSV().create_dataset(csv_upload([new_row()]).getvalue())

    result = PolicyEntryResource().import_data(dataset, dry_run=False, user=editor)

    assert result.problems() == ["只有审核可以导入政策数据：导入的数据会直接发布。"]
    assert not PolicyEntry.objects.filter(key="avg_wage").exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"版本": ""}, "没有版本号，无法确认它是不是基于最新的数据"),
        ({"版本": "9"}, "版本号对不上（你的文件是第 9 版，现在是第 1 版）"),
        ({"版本": "一"}, "版本应是整数，不是“一”"),
        ({"编号": "99999"}, "编号 99999 的数据不存在（可能已被删除）。要新增数据，请把编号留空。"),
        ({"编号": "abc"}, "编号应是整数，不是“abc”"),
    ],
    ids=["no-version", "version-ahead", "version-not-a-number", "unknown-id", "id-not-a-number"],
)
def test_it_refuses_rows_whose_id_or_version_cannot_be_trusted(client, world, change, message):
    rows = [r for r in csv_rows(export(client)) if r["编号"] == str(world.fee.pk)]
    rows[0].update({"数值": "500", **change})
    before = snapshot()

    response = upload(client, csv_upload(rows))

    assert [p for p in problems(response) if message in p and p.startswith("第 2 行")], problems(response)
    assert snapshot() == before


def test_it_refuses_a_figure_listed_twice(client, world):
    rows = [r for r in csv_rows(export(client)) if r["编号"] == str(world.fee.pk)]
    rows.append({**rows[0], "数值": "500"})

    response = upload(client, csv_upload(rows))

    assert problems(response) == [
        f"第 3 行：编号 {world.fee.pk} 在文件里出现了不止一次（第 2 行也是它），这一行没有导入。每条数据在文件里只能有一行。"
    ]


def test_it_imports_new_rows_as_published_figures_the_public_sees(client, reviewer, world):
    import_file(
        client, csv_upload([new_row(), new_row(数据项="城乡居民医保个人缴费标准", 数值="1,050", 核实状态="verified")])
    )

    imported = PolicyEntry.objects.filter(region=world.city, effective_from=D(2027, 1, 1)).order_by("key")
    assert [(e.key, e.value, e.status, e.state) for e in imported] == [
        ("avg_wage", "8000", PolicyEntry.VERIFIED, PolicyEntry.PUBLISHED),
        ("resident_fee", "1050", PolicyEntry.VERIFIED, PolicyEntry.PUBLISHED),
    ]
    assert set(PolicyEntry.objects.live().filter(effective_from=D(2027, 1, 1))) == set(imported)
    for entry in imported:
        (record,) = entry.history.all()
        assert (record.history_type, record.history_user) == ("+", reviewer)


def test_it_imports_a_file_that_ends_an_old_period_and_starts_the_next_in_any_order(client, world):
    rows = [r for r in csv_rows(export(client)) if r["编号"] == str(world.fee.pk)]
    rows[0]["失效日期"] = "2026-12-31"
    rows.insert(0, new_row(地区="national", 数据项="resident_fee", 数值="420"))  # the new one first

    import_file(client, csv_upload(rows))

    fees = PolicyEntry.objects.live().filter(key="resident_fee").order_by("effective_from")
    assert [(f.value, f.effective_from, f.effective_to) for f in fees] == [
        ("400", D(2026, 1, 1), D(2026, 12, 31)),
        ("420", D(2027, 1, 1), None),
    ]


def test_it_refuses_a_new_row_overlapping_a_published_figure(client, world):
    before = snapshot()

    response = upload(client, csv_upload([new_row(地区="national", 数据项="resident_fee", 数值="420")]))

    (problem,) = problems(response)
    assert problem.startswith("第 2 行：同一地区的这项数据在 2026-01-01 起已有一条长期有效的数据（数值 400）")
    assert snapshot() == before


# --------------------------------------------------------------------------------------------
# What Chinese Excel writes


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"], ids=["utf8-bom", "utf8", "gbk"])
def test_it_reads_csv_in_utf8_with_or_without_bom_and_gbk(client, world, encoding):
    file = csv_upload([new_row(说明="按南昌市医保局通知")], encoding=encoding)

    import_file(client, file)

    entry = PolicyEntry.objects.get(region=world.city, key="avg_wage")
    assert (entry.value, entry.source_title, entry.note, entry.status) == (
        "8000",
        "南昌2027年缴费通知",
        "按南昌市医保局通知",
        PolicyEntry.VERIFIED,
    )


def test_it_reads_what_excel_makes_of_dates_and_blank_lines(client, world):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS[1:12])  # no 编号 or 版本 column: every row is new
    writer.writerow([""] * 11)  # Excel leaves empty rows as commas
    writer.writerow(
        ["南昌", "社平工资（月）", "8,000", "2027/1/1", "", "南昌通知", "", "", "2026年11月20日", "verified", ""]
    )
    upload_file = io.BytesIO(out.getvalue().encode("gbk"))
    upload_file.name = "excel.csv"

    import_file(client, upload_file)

    entry = PolicyEntry.objects.get(region=world.city, key="avg_wage")
    assert (entry.value, entry.effective_from, entry.verified_on) == ("8000", D(2027, 1, 1), D(2026, 11, 20))


def test_it_reads_an_xlsx_with_chinese_headers_and_date_cells(client, world):
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    book.active.append(
        [None, "nanchang", "avg_wage", 8123.5, D(2027, 1, 1), None, "南昌通知", None, None, D(2026, 11, 20), "已核实"]
    )
    file = io.BytesIO()
    book.save(file)
    file.seek(0)
    file.name = "数据.xlsx"

    import_file(client, file, "xlsx")

    entry = PolicyEntry.objects.get(region=world.city, key="avg_wage")
    assert (entry.value, entry.effective_from, entry.verified_on) == ("8123.5", D(2027, 1, 1), D(2026, 11, 20))


@pytest.mark.parametrize(
    "content, message",
    [
        ("地区,数据项\n".encode("utf-16"), "这个文件是 UTF-16 编码"),
        (bytes(range(128, 256)) * 4, "它不是 UTF-8 或 GBK 编码的 CSV"),
        (b"PK\x03\x04" + b"\x00" * 40, "这是一个 Excel（XLSX）文件，不是 CSV"),
        ("地区,数据项\nnanchang,avg_wage,多余\n".encode(), "第 2 行比第一行（列名）多出了几列"),
        (b"", "所提交的是空文件。"),
        ("地区,数据项,数值\n".encode("gbk"), "文件里没有可以导入的数据。"),
    ],
    ids=["utf-16", "not-text", "xlsx-as-csv", "extra-cells", "empty", "headers-only"],
)
def test_it_explains_a_file_it_cannot_read_in_chinese(client, world, content, message):
    file = io.BytesIO(content)
    file.name = "坏文件.csv"
    before = snapshot()

    response = upload(client, file)

    assert message in text_of(response.content.decode())
    assert not previewed(response)
    assert snapshot() == before


def test_it_explains_a_csv_chosen_as_xlsx_in_chinese(client, world):
    response = upload(client, csv_upload([new_row()]), "xlsx")

    assert "读不出这个文件。请确认“格式”选对了" in text_of(response.content.decode())


@pytest.mark.parametrize(
    "headers, message",
    [
        (
            ["地区", "数据项", "数值", "生效日期", "来源", "核实日期"],
            "看不懂这些列名：来源。文件缺少这些列：来源文件或文号。",
        ),
        (["编号", *HEADERS[1:12]], "文件缺少这些列：版本。"),
        (["region", *HEADERS[1:12]], "看不懂这些列名：地区（和“region”是同一列）。"),
    ],
    ids=["unknown-and-missing", "id-without-version", "same-column-twice"],
)
def test_it_refuses_a_file_whose_columns_it_cannot_place(client, world, headers, message):
    response = upload(client, csv_upload([new_row(region="nanchang")], headers=headers))

    (problem,) = problems(response)
    assert problem.startswith(message)
    assert "第一行应是列名，用导出文件里的中文列名：编号、地区、数据项" in problem
    assert not PolicyEntry.objects.filter(key="avg_wage").exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"核实状态": "已审核"}, "第 3 行（核实状态）：核实状态只能填：已核实、待核实（不是“已审核”）。"),
        ({"生效日期": "明年"}, "第 3 行（生效日期）：生效日期“明年”看不懂，请写成 年-月-日，例如 2026-01-01。"),
        ({"地区": ""}, "第 3 行（地区）：请填写地区的网址名，例如 nanchang。"),
        ({"数据项": "社平工资"}, "第 3 行：没有名为“社平工资”的数据项"),
    ],
    ids=["status", "date", "no-region", "key"],
)
def test_it_explains_a_bad_cell_with_its_line_and_column(client, world, change, message):
    response = upload(client, csv_upload([new_row(), new_row(**change)]))

    assert message in problems(response)
    assert not PolicyEntry.objects.filter(key="avg_wage").exists()


# --------------------------------------------------------------------------------------------
# Import with English column names, and xlsx


def xlsx_file(rows: list[dict]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row[h] for h in HEADER])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "figures.xlsx"
    return upload


def test_it_imports_a_valid_csv_after_confirmation_with_history(client, reviewer, world):
    client.force_login(reviewer)
    rows = [figure_row(), figure_row(key="resident_fee", value="1,050")]

    preview = upload(client, csv_file(rows), "csv")

    assert 'name="import_file_name"' in preview.content.decode()
    assert not PolicyEntry.objects.filter(effective_from=D(2027, 1, 1)).exists()
    done = confirm(client, preview)
    assert done.status_code == 200
    imported = PolicyEntry.objects.filter(region=world.city, effective_from=D(2027, 1, 1)).order_by("key")
    assert [(e.key, e.value, e.status) for e in imported] == [
        ("avg_wage", "8000", PolicyEntry.VERIFIED),
        ("resident_fee", "1050", PolicyEntry.VERIFIED),
    ]
    for entry in imported:
        (record,) = entry.history.all()
        assert (record.history_type, record.history_user) == ("+", reviewer)


@pytest.mark.parametrize(
    "bad_row, message",
    [
        (figure_row(key="employee_employer_rate", value="250"), "职工医保单位缴费比例：数值不能大于 20。"),
        (figure_row(region="shanghai"), "没有网址名为“shanghai”的地区"),
        (figure_row(key="no_such_key"), "没有名为“no_such_key”的数据项"),
    ],
    ids=["value-out-of-bounds", "unknown-region", "unknown-key"],
)
def test_it_shows_a_bad_rows_error_in_chinese_and_imports_nothing(client, reviewer, world, bad_row, message):
    client.force_login(reviewer)
    before = snapshot()

    response = upload(client, csv_file([figure_row(), bad_row]), "csv")

    assert message in text_of(response.content.decode())
    assert 'name="import_file_name"' not in response.content.decode()
    assert snapshot() == before
    assert not PolicyEntry.history.filter(key="avg_wage").exists()


def test_it_imports_an_xlsx_file(client, reviewer, world):
    client.force_login(reviewer)
    rows = [
        figure_row(key="resident_fee", value=410, effective_from=D(2027, 1, 1), verified_on=D(2026, 11, 20)),
        figure_row(key="avg_wage", value=8123.5, effective_from=D(2027, 1, 1), verified_on=D(2026, 11, 20)),
    ]

    confirm(client, upload(client, xlsx_file(rows), "xlsx"))

    imported = PolicyEntry.objects.filter(region=world.city, effective_from=D(2027, 1, 1)).order_by("key")
    assert [(e.key, e.value, e.verified_on) for e in imported] == [
        ("avg_wage", "8123.5", D(2026, 11, 20)),
        ("resident_fee", "410", D(2026, 11, 20)),
    ]


def test_it_exports_figures_as_csv_with_region_slug_and_key(client, reviewer, world):
    client.force_login(reviewer)
    page = client.get("/admin/guides/policyentry/export/")
    assert page.status_code == 200
    values = read_form(page.content.decode(), "format")
    options = select_options(page.content.decode(), "format")
    values["format"] = [v for text, v in options.items() if text.lower() == "csv"]

    response = client.post("/admin/guides/policyentry/export/", values)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {(r["地区"], r["数据项"], r["数值"]) for r in rows} == {  # Chinese headers (test_admin_spreadsheets)
        ("national", "resident_fee", "400"),
        ("nanchang", "flexible_rate", "6.8"),
    }
