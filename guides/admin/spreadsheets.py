"""Spreadsheet import and export of figures (django-import-export): all rows or none, errors per row.

Files are made for Chinese Excel: columns are headed with the fields' Chinese names (English
field names are still read, for older files), CSV is written as UTF-8 with a BOM and read as
UTF-8 (with or without BOM) or GBK, which is what Excel saves "CSV" as on a Chinese Windows.
Every exported row carries the figure's id (编号) and version (版本); a row whose figure was
changed since the export is refused, naming who changed it and when, so an old file never
silently overwrites newer values. Only 审核 may import, and confirming an import is their
approval: imported rows are published.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from urllib.parse import quote

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import connections, router
from django.shortcuts import render
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import Result, RowResult

from ..figures import DATE, REGISTRY, FigureValueError
from ..models import POLICY_ENTRY_FIELDS, PolicyEntry, Region

EXPORT_NAME = "政策数据"
EXPORT_ASCII_NAME = "policy-figures"  # for the rare client that cannot read filename* (RFC 6266)

# Field → the column heading in files: the model's Chinese verbose names, plus 编号 and 版本.
FIELD_NAMES = ("id", *POLICY_ENTRY_FIELDS, "version")
_FIELDS = {field.name: field for field in PolicyEntry._meta.concrete_fields}
COLUMNS = {name: "编号" if name == "id" else str(_FIELDS[name].verbose_name) for name in FIELD_NAMES}
# Columns a file must have: what a new figure needs (the others may be left out or blank).
REQUIRED = ("region", "key", "value", "effective_from", "source_title", "verified_on")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


class UnreadableFile(ValueError):
    """A file we cannot read at all; the message is Chinese and shown on the import form."""


class RowRefused(ValueError):
    """One row that must not be imported; the message is Chinese, without the line number."""


# --------------------------------------------------------------------------------------------
# Reading and writing files


def decode_csv(data: bytes | str) -> str:
    """The text of an uploaded CSV: UTF-8 with or without BOM, else GBK (GB18030, its superset)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableFile("这是一个 Excel（XLSX）文件，不是 CSV：请在“格式”里选 xlsx 再上传。")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(
            "这个文件是 UTF-16 编码（Excel 的“Unicode 文本”），读不了。"
            "请在 Excel 里另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”后再上传。"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise UnreadableFile(
        "读不出这个文件的文字：它不是 UTF-8 或 GBK 编码的 CSV。"
        "请在 Excel 里另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”后再上传。"
    )


def dataset_from_rows(rows: list[list]) -> tablib.Dataset:
    """A dataset whose first row is the headers; every row kept (blank ones too, so row numbers
    match the file) and padded to the headers' width. Cells beyond the headers must be empty."""
    if not rows:
        return tablib.Dataset()
    headers = list(rows[0])
    while headers and blank(headers[-1]) and all(len(r) < len(headers) or blank(r[len(headers) - 1]) for r in rows):
        headers.pop()  # empty trailing columns, as spreadsheets often leave
    width = len(headers)
    dataset = tablib.Dataset(headers=[("" if h is None else str(h)) for h in headers])
    for number, row in enumerate(rows[1:], start=2):
        row = list(row)
        if any(not blank(cell) for cell in row[width:]):
            raise UnreadableFile(
                f"第 {number} 行比第一行（列名）多出了几列。请检查是否多了逗号，或给多出的列加上列名。"
            )
        dataset.append((row + [""] * width)[:width])
    return dataset


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


class ChineseCSV(CSV):
    """CSV as Chinese Excel reads and writes it: we decode the bytes ourselves (so the encoding
    is detected, not chosen) and export UTF-8 with a BOM, without which Excel shows mojibake."""

    def is_binary(self) -> bool:
        return True  # hand us bytes: import-export would otherwise decode them as UTF-8 only

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        text = decode_csv(in_stream)
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise UnreadableFile(f"CSV 文件的格式有问题（{exc}），请用 Excel 重新另存为 CSV。") from None
        return dataset_from_rows(rows)

    def export_data(self, dataset, **kwargs) -> bytes:
        return ("\ufeff" + super().export_data(dataset, **kwargs)).encode("utf-8")

    def get_content_type(self) -> str:
        return "text/csv; charset=utf-8"


class ChineseXLSX(XLSX):
    """XLSX, read like import-export does, but rows of uneven width are padded, not refused."""

    def create_dataset(self, in_stream) -> tablib.Dataset:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        sheet = book.active
        if sheet is None:  # no sheet to read: the import form says it cannot read the file
            raise ValueError("the workbook has no active sheet")
        return dataset_from_rows([list(row) for row in sheet.iter_rows(values_only=True)])


# --------------------------------------------------------------------------------------------
# Columns


class RegionWidget(widgets.ForeignKeyWidget):
    """A region by its 网址名 (slug), as exported; a region's unique Chinese name is read too."""

    def __init__(self) -> None:
        super().__init__(Region, "slug")

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            raise ValueError("请填写地区的网址名，例如 nanchang。")
        region = Region.objects.filter(slug=text).first()
        if region is None:
            named = list(Region.objects.filter(name=text)[:2])
            if len(named) != 1:
                raise ValueError(f"没有网址名为“{text}”的地区")
            region = named[0]
        return region


class ChoiceWidget(widgets.CharWidget):
    """A choice written as its Chinese label; the label, the code or "label(code)" are read."""

    def __init__(self, choices, *, label: str, blank_value: str | None = None) -> None:
        super().__init__()
        self.choices = list(choices)
        self.label = label
        self.blank_value = blank_value

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text and self.blank_value is not None:
            return self.blank_value
        for code, label in self.choices:
            if text in (code, str(label), f"{label}({code})", f"{label}（{code}）"):
                return code
        options = "、".join(str(label) for _, label in self.choices)
        raise ValueError(f"{self.label}只能填：{options}（不是“{text}”）。")

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class KeyWidget(ChoiceWidget):
    """数据项 is exported as its key (the name articles use in {{ … }}); its label is read too."""

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            raise ValueError("请填写数据项，例如 resident_fee。")
        try:
            return super().clean(text, row, **kwargs)
        except ValueError:
            raise ValueError(f"没有名为“{text}”的数据项") from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


class DateWidget(widgets.DateWidget):
    """Dates as 2026-01-01; Excel's 2026/1/1, 2026年1月1日 and real date cells are read too."""

    def __init__(self, *, label: str, required: bool) -> None:
        super().__init__(format="%Y-%m-%d")
        self.label = label
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            if self.required:
                raise ValueError(f"请填写{self.label}。")
            return None
        parsed = as_date(value)
        if parsed is None:
            raise ValueError(f"{self.label}“{value}”看不懂，请写成 年-月-日，例如 2026-01-01。")
        return parsed


def as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def field_for(name: str) -> fields.Field:
    column = COLUMNS[name]
    if name == "region":
        return fields.Field(attribute="region", column_name=column, widget=RegionWidget())
    if name == "key":
        return fields.Field(attribute="key", column_name=column, widget=KeyWidget(choices(), label=column))
    if name == "status":
        widget = ChoiceWidget(PolicyEntry.STATUS_CHOICES, label=column, blank_value=PolicyEntry.UNVERIFIED)
        return fields.Field(attribute="status", column_name=column, widget=widget)
    if name in ("effective_from", "effective_to", "verified_on"):
        widget = DateWidget(label=column, required=name != "effective_to")
        return fields.Field(attribute=name, column_name=column, widget=widget)
    if name == "id":
        return fields.Field(attribute="id", column_name=column, widget=widgets.IntegerWidget())
    if name == "version":
        # Read by the version check, never written: every save raises it by itself.
        return fields.Field(attribute="version", column_name=column, widget=widgets.IntegerWidget(), readonly=True)
    return fields.Field(attribute=name, column_name=column, widget=widgets.CharWidget())


def choices() -> list[tuple[str, str]]:
    return [(spec.key, spec.label) for spec in REGISTRY.values()]


def header_names() -> dict[str, str]:
    """Every heading a file may use → the field: the Chinese column name or the field name."""
    names = {}
    for name, column in COLUMNS.items():
        names[column] = name
        names[name] = name
    return names


def who(record) -> str:
    user = getattr(record, "history_user", None)
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# --------------------------------------------------------------------------------------------
# Rows ↔ figures


class SpreadsheetResult(Result):
    """An import's result, with each problem as one Chinese sentence led by its line in the file."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines: list[int] = []  # dataset row (0-based) → line number in the uploaded file

    def line(self, number: int) -> int:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else number + 1

    def problems(self) -> list[str]:
        found: list[tuple[int, str]] = []
        for error in self.base_errors:
            found.append((0, str(error.error)))
        for row in self.error_rows:
            for error in row.errors:
                found.append((self.line(row.number), f"第 {self.line(row.number)} 行：{error.error}"))
        for row in self.invalid_rows:
            line = self.line(row.number)
            for name, messages in row.error_dict.items():
                where = "" if name == NON_FIELD_ERRORS else f"（{COLUMNS.get(name, name)}）"
                for message in messages:
                    found.append((line, f"第 {line} 行{where}：{message}"))
        return [text for _, text in sorted(found, key=lambda item: item[0])]


class PolicyEntryResource(resources.ModelResource):
    """Spreadsheet rows ↔ figures. Each row is validated like the admin form (registry, overlap)
    and carries the version it was exported with; a row based on an older version is refused."""

    class Meta:
        model = PolicyEntry
        fields = FIELD_NAMES
        export_order = FIELD_NAMES
        import_id_fields = ["id"]
        instance_loader_class = CachedInstanceLoader  # one query for all the file's figures
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly) -> fields.Field:
        """Every column of FIELD_NAMES: its Chinese heading and the widget that reads it (`field_for`)."""
        return field_for(field_name)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines: list[int] = []  # dataset row (0-based) → line number in the uploaded file
        self.refused: dict[int, str] = {}  # dataset row (1-based) → why it is refused

    @classmethod
    def get_result_class(cls):
        return SpreadsheetResult

    def get_queryset(self):
        figures = PolicyEntry.objects.all()
        if connections[router.db_for_write(PolicyEntry)].in_atomic_block:
            figures = figures.select_for_update()  # no save slips between the version check and ours
        return figures

    # The file as a whole: headings, blank rows, ids, and the order rows are imported in.

    def before_import(self, dataset, **kwargs):
        self.lines, self.refused = [], {}
        user = kwargs.get("user")
        if user is None or not user.has_perm("guides.verify_policyentry"):
            dataset.wipe()  # the admin asks has_import_permission; this guards any other caller
            raise ValueError("只有审核可以导入政策数据：导入的数据会直接发布。")
        names = header_names()
        fields_by_column: list[str | None] = []
        unknown: list[str] = []
        seen: dict[str | None, str] = {}  # field → the heading it was read from
        for index, heading in enumerate(dataset.headers or []):
            text = "" if heading is None else str(heading).replace("\ufeff", "").strip()
            name = names.get(text) or names.get(text.lower())
            if name is None and text:
                unknown.append(text)
            elif not text and any(not blank(row[index]) for row in dataset):
                unknown.append(f"第 {index + 1} 列（没有列名，但下面有数据）")
            if name is not None and name in seen:
                unknown.append(f"{text}（和“{seen[name]}”是同一列）")
            seen.setdefault(name, text)
            fields_by_column.append(name)
        missing = [COLUMNS[name] for name in REQUIRED if name not in seen]
        if "id" in seen and "version" not in seen:
            missing.append(COLUMNS["version"])
        problems = []
        if unknown:
            problems.append(f"看不懂这些列名：{'、'.join(unknown)}。")
        if missing:
            problems.append(f"文件缺少这些列：{'、'.join(missing)}。")
        if problems:
            dataset.wipe()  # nothing is imported from a file whose columns we cannot place
            raise ValueError(
                "".join(problems) + f"第一行应是列名，用导出文件里的中文列名：{'、'.join(COLUMNS.values())}。"
            )

        rows = []
        first_line_of: dict[int, int] = {}
        for line, cells in enumerate(dataset, start=2):
            if all(blank(cell) for cell in cells):
                continue  # a blank line is not a figure
            row = dict(zip(fields_by_column, cells, strict=True))
            row.pop(None, None)
            problem, figure_id = None, None
            if not blank(row.get("id")):
                figure_id = whole_number(row["id"])
                if figure_id is None:
                    problem = f"编号应是整数，不是“{row['id']}”。要新增数据，请把编号留空。"
                elif figure_id in first_line_of:
                    problem = (
                        f"编号 {figure_id} 在文件里出现了不止一次（第 {first_line_of[figure_id]} 行也是它），"
                        "这一行没有导入。每条数据在文件里只能有一行。"
                    )
                else:
                    first_line_of[figure_id] = line
            rows.append((figure_id is None, line, problem, [row.get(name) for name in FIELD_NAMES], figure_id))

        # Changes to existing figures first, then new ones: a file that ends an old period and
        # starts the next one imports whatever the order of its rows.
        rows.sort(key=lambda item: (item[0], item[1]))
        dataset.wipe()
        dataset.headers = [COLUMNS[name] for name in FIELD_NAMES]
        for number, (_new, line, problem, cells, figure_id) in enumerate(rows, start=1):
            cells[0] = figure_id if figure_id is not None and problem is None else ""
            dataset.append(["" if cell is None else cell for cell in cells])
            self.lines.append(line)
            if problem:
                self.refused[number] = problem

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        result.lines = list(self.lines)

    # One row.

    def before_import_row(self, row, **kwargs):
        problem = self.refused.get(kwargs.get("row_number", 0))  # rows count from 1
        if problem:
            raise RowRefused(problem)
        key_column, value_column = COLUMNS["key"], COLUMNS["value"]
        key = self.fields["key"].widget.clean(row.get(key_column))
        row[key_column] = key
        value = row.get(value_column)
        if blank(value):
            return
        spec = REGISTRY[key]
        if spec.type == DATE and (day := as_date(value)) is not None:
            value = day.isoformat()  # a date cell, or Excel's 2027/1/1
        try:
            row[value_column] = spec.normalise(value)
        except FigureValueError as exc:
            raise ValueError(f"{spec.label}：{exc}") from None

    def after_init_instance(self, instance, new, row, **kwargs):
        written = whole_number(row.get(COLUMNS["version"]))
        if new:
            return
        if blank(row.get(COLUMNS["version"])):
            raise RowRefused(
                f"编号 {instance.pk} 的这一行没有版本号，无法确认它是不是基于最新的数据，这一行没有导入。请重新导出后再改。"
            )
        if written is None:
            raise RowRefused(f"版本应是整数，不是“{row.get(COLUMNS['version'])}”。请重新导出后再改，不要改“版本”一列。")
        if written == instance.version:
            return
        if written > instance.version:
            raise RowRefused(
                f"版本号对不上（你的文件是第 {written} 版，现在是第 {instance.version} 版），这一行没有导入。"
                "请重新导出后再改，不要改“版本”一列。"
            )
        latest = instance.history.order_by("-version", "-history_date", "-history_id").first()
        by = f" {who(latest)} " if latest is not None and who(latest) else ""
        when = f"于 {timezone.localtime(latest.history_date).strftime('%Y-%m-%d %H:%M')} " if latest is not None else ""
        if by:
            changed = f"被{by}{when}改过"
        elif when:
            changed = f"{when}被改过"
        else:
            changed = "被改过"
        raise RowRefused(
            f"这条数据在你导出之后{changed}（你的文件是第 {written} 版，现在是第 {instance.version} 版），"
            "这一行没有导入。请重新导出后再改。"
        )

    def import_instance(self, instance, row, **kwargs):
        figure_id = row.get(COLUMNS["id"])
        if not blank(figure_id) and instance.pk is None:
            raise RowRefused(f"编号 {figure_id} 的数据不存在（可能已被删除）。要新增数据，请把编号留空。")
        super().import_instance(instance, row, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Confirming an import is the 审核's approval: the rows are checked as the published
        # figures they become (so the overlap check counts every published figure).
        instance.state = PolicyEntry.PUBLISHED
        super().validate_instance(instance, import_validation_errors, validate_unique)


def whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # an XLSX number cell
    text = "" if value is None else str(value).strip()
    return int(text) if text.isdigit() else None


# --------------------------------------------------------------------------------------------
# The admin


def attachment(filename: str, fallback: str) -> str:
    """Content-Disposition for a non-ASCII file name (RFC 6266): an ASCII name for old clients,
    and the real one as filename* (RFC 5987), which every current browser uses."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


class SpreadsheetMixin(ImportExportMixin):
    """Import and export of figures as CSV or XLSX, in Chinese, all rows or none."""

    resource_classes = [PolicyEntryResource]
    formats = [ChineseCSV, ChineseXLSX]
    export_form_class = ExportForm  # the whole row always: a file without 编号 and 版本 cannot update
    import_template_name = "admin/import_export/policyentry_import.html"
    export_template_name = "admin/import_export/policyentry_export.html"

    def get_context_data(self, **kwargs):
        return {"status_labels": [label for _, label in PolicyEntry.STATUS_CHOICES]}

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """import-export's, except that our XLSX subclass also gets real number and date cells."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        native = isinstance(file_format, XLSX)
        data = self.get_data_for_export(request, queryset, force_native_type=native, **kwargs)
        return file_format.export_data(data)

    def get_export_filename(self, request, queryset, file_format) -> str:
        return f"{EXPORT_NAME}-{timezone.localdate().isoformat()}.{file_format.get_extension()}"

    def export_action(self, request):
        response = super().export_action(request)
        if response.has_header("Content-Disposition"):
            name = self.get_export_filename(request, None, self.chosen_format(request))
            fallback = name.replace(EXPORT_NAME, EXPORT_ASCII_NAME, 1)
            response["Content-Disposition"] = attachment(name, fallback)
        return response

    def chosen_format(self, request):
        formats = self.get_export_formats()
        try:
            return formats[int(request.POST.get("format", 0))]()
        except (ValueError, IndexError):
            return formats[0]()

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFile):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                "读不出这个文件。请确认“格式”选对了（CSV 或 xlsx），文件没有损坏，并且是从 Excel 或 WPS 另存的。",
            )

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True  # all rows or none at the confirm step too
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Something changed between the preview and the confirmation: nothing was imported.
            return self.refused_import(request, result)
        return super().process_result(result, request)

    def refused_import(self, request, result):
        context = {
            **self.admin_site.each_context(request),
            **self.get_import_context_data(),
            "title": "导入",
            "opts": self.model._meta,
            "result": result,
            "refused_at_confirm": True,  # the page offers a fresh upload instead of the form
            "import_error_display": self.import_error_display,
        }
        return render(request, self.import_template_name, context)

    def add_success_message(self, result, request):
        totals = result.totals
        self.message_user(
            request,
            f"导入完成：新增 {totals[RowResult.IMPORT_TYPE_NEW]} 条、更新 {totals[RowResult.IMPORT_TYPE_UPDATE]} 条，"
            f"没有改动跳过 {totals[RowResult.IMPORT_TYPE_SKIP]} 条。新增和更新的数据已经发布。",
        )
