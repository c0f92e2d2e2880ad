"""Driving the admin as a browser does: open a form, change what a staff member would change, press
保存; upload a spreadsheet and confirm it; and the small world most admin tests work on.

A test GETs the real form, reads the values the browser would send (tests/reading.py), changes some
and POSTs them back, so every admin action goes through the real admin forms.
"""

from __future__ import annotations

import csv
import datetime
import io
import re

from guides.models import Article, PolicyEntry, Region
from tests.factories import logged_in, make_article, make_policy_entry, make_region, today
from tests.reading import form_action, read_form, select_options, text_of

IMPORT = "/admin/guides/policyentry/import/"
EXPORT = "/admin/guides/policyentry/export/"


def change_url(obj) -> str:
    return f"/admin/guides/{obj._meta.model_name}/{obj.pk}/change/"


def open_form(client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return read_form(response.content.decode(), "base_version")


def save(client, url: str, values: dict[str, list[str]], **changes):
    """POST an admin form back with some fields changed, as pressing 保存 does."""
    data = {**values, **{k: v if isinstance(v, list) else [v] for k, v in changes.items()}, "_save": ["保存"]}
    return client.post(url, data)


def saved(response) -> bool:
    """The admin redirects after a successful save and re-renders the form otherwise."""
    return response.status_code == 302 and "/login/" not in response["Location"]


def errors_of(response) -> str:
    """The error notes and error lists an admin form page shows."""
    html = response.content.decode()
    notes = re.findall(r'<(?:p|ul) class="error(?:note|list[^"]*)"[^>]*>(.*?)</(?:p|ul)>', html, re.S)
    return " ".join(text_of(n) for n in notes)


def article_values(region: Region, **fields) -> dict[str, str]:
    values = {
        "title": "南昌居民医保一年交多少钱？",
        "slug": "jumin-jiaofei",
        "region": str(region.pk),
        "short_answer": "2026 年每人每年 400 元。",
        "body": "每年 {{ resident_fee }}。",
        "order": "0",
    }
    return {**values, **fields}


def figure_values(region: Region, **fields) -> dict[str, str]:
    values = {
        "region": str(region.pk),
        "key": "flexible_rate",
        "value": "8",
        "effective_from": "2026-01-01",
        "source_title": "南昌灵活就业医保缴费通知",
        "verified_on": today().isoformat(),
        "status": PolicyEntry.VERIFIED,
    }
    return {**values, **fields}


def save_after_someone_else(url: str, first, second, first_changes: dict, second_changes: dict):
    """Two staff members open the same form; the first saves, then the second saves the form they
    opened before that. Returns the second one's client and response."""
    a, b = logged_in(first), logged_in(second)
    form_a, form_b = open_form(a, url), open_form(b, url)
    assert saved(save(a, url, form_a, **first_changes))
    return b, save(b, url, form_b, **second_changes)


def conflict_box(response) -> str:
    """What the refused form's box of changes made meanwhile reads."""
    return text_of(response.content.decode().split('class="conflict"')[1].split("</table>")[0])


def delete_through_admin(client, obj) -> None:
    url = f"/admin/guides/{obj._meta.model_name}/{obj.pk}/delete/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302


BOARD = "/admin/guides/freshness/"


def board_group(response, heading: str) -> str:
    """The HTML of the content board's group whose heading starts with `heading`."""
    html = response.content.decode()
    for chunk in html.split('<div class="module">')[1:]:
        title = re.search(r"<h2>(.*?)</h2>", chunk, re.S)
        if title and text_of(title.group(1)).startswith(heading):
            return chunk.split("</section>")[0]
    raise AssertionError(f"no group headed {heading!r}")


# --------------------------------------------------------------------------------------------
# Spreadsheets: the import and export screens

# The English column names an import also accepts (exports use Chinese ones: test_admin_spreadsheets).
HEADER = [
    "region",
    "key",
    "value",
    "effective_from",
    "effective_to",
    "source_title",
    "source_issuer",
    "source_url",
    "verified_on",
    "status",
    "note",
]


def figure_row(**fields) -> dict[str, str]:
    row = {
        "region": "nanchang",
        "key": "avg_wage",
        "value": "8000",
        "effective_from": "2027-01-01",
        "effective_to": "",
        "source_title": "南昌2027年缴费通知",
        "source_issuer": "南昌市医疗保障局",
        "source_url": "",
        "verified_on": "2026-11-20",
        "status": "verified",
        "note": "",
    }
    return {**row, **fields}


def csv_file(
    rows: list[dict], headers: list[str] = HEADER, encoding: str = "utf-8", name: str = "figures.csv"
) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    upload = io.BytesIO(out.getvalue().encode(encoding))
    upload.name = name
    return upload


def format_value(client, url: str, title: str) -> str:
    """The value of a file format in the import or export form's select, found by its visible name."""
    page = client.get(url)
    assert page.status_code == 200, url
    (value,) = [v for text, v in select_options(page.content.decode(), "format").items() if text.lower() == title]
    return value


def upload(client, file, title: str = "csv"):
    response = client.post(IMPORT, {"import_file": file, "format": format_value(client, IMPORT, title)})
    assert response.status_code == 200
    return response


def previewed(response) -> bool:
    """The import was read without a problem and waits for 确认导入."""
    return 'name="import_file_name"' in response.content.decode()


def confirm(client, preview):
    """Press 确认导入 on the preview page: POST its hidden form to where it points."""
    html = preview.content.decode()
    action = form_action(html, "import_file_name")
    assert action == "/admin/guides/policyentry/process_import/"
    return client.post(action, read_form(html, "import_file_name"), follow=True)


# --------------------------------------------------------------------------------------------
# A small world


class World:
    """One city with a draft, a published article, a verified and an unverified figure."""

    def __init__(self) -> None:
        self.national = make_region("national", name="全国", kind=Region.NATIONAL)
        self.city = make_region("nanchang", name="南昌", parent=self.national)
        self.draft = make_article(
            self.city, title="编辑写的草稿？", slug="caogao", short_answer="草稿的回答。", status=Article.DRAFT
        )
        self.published = make_article(self.city, title="已经发布的问题？", slug="yifabu", short_answer="发布的回答。")
        self.verified = make_policy_entry(self.national, "resident_fee", "400")
        self.unverified = make_policy_entry(
            self.city, "flexible_rate", "6.8", status=PolicyEntry.UNVERIFIED, verified_on=datetime.date(2026, 1, 5)
        )
