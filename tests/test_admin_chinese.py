"""No English on any admin page staff use, for a superuser, an 编辑 and a 审核.

A crawl over a small factory world: every page below must answer 200 and its visible text
(tags, scripts, styles and <code> dropped; button labels, placeholders and titles kept) must
have no run of three or more ASCII letters other than our codes (figure keys, slugs, user
names, addresses) and a short allowlist. English that Django, django-import-export or
django-simple-history leave untranslated is translated in locale/zh_Hans/LC_MESSAGES/django.po
(compile with `make messages`); English we write ourselves is a bug in our template or code.
"""

from __future__ import annotations

import datetime
import io
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from guides.figures import REGISTRY
from guides.models import (
    Article,
    Feedback,
    GlossaryTerm,
    PolicyEntry,
    Region,
    SearchMiss,
    SearchSynonym,
    ServiceChannel,
)
from tests.admin_forms import World as StaffWorld
from tests.admin_forms import change_url
from tests.factories import make_article, make_policy_entry, make_region, make_staff, make_topic
from tests.reading import reads, visible_parts

D = datetime.date
ROOT = Path(__file__).resolve().parent.parent

# Words staff read as they are. Keep this short: a new entry needs a reason.
ALLOWED = {
    "markdown",  # the article body's format, named in its help
    "csv",  # file formats offered for import and export
    "xlsx",
    "excel",  # the program staff open those files with
    "wps",  # its Chinese counterpart (WPS 表格)
    "ctrl",  # the key to hold for choosing several items, as printed on keyboards
}
ASCII_RUN = re.compile(r"[A-Za-z]{3,}")
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-@]*")
TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")  # the token syntax staff type, e.g. {{ channel key }}
ADDRESS = re.compile(r"(https?://|/)[^\s\u3000-\u9fff\uff00-\uffef]*")


def english(html: str, codes: set[str]) -> list[str]:
    """The English words on a page, in order, except codes, addresses and the allowlist."""
    found = []
    for part in visible_parts(html):
        text = ADDRESS.sub(" ", TEMPLATE_TAG.sub(" ", unescape(part)))
        for token in TOKEN.findall(text):
            if token.lower() in codes or "_" in token or "@" in token:
                continue
            found += [w for w in ASCII_RUN.findall(token) if w.lower() not in ALLOWED]
    return found


# --------------------------------------------------------------------------------------------
# A small world with one of everything staff see


class World:
    def __init__(self) -> None:
        self.national = make_region("national", name="全国", kind=Region.NATIONAL)
        self.city = make_region("nanchang", name="南昌", parent=self.national)
        self.topic = make_topic()
        self.channel = ServiceChannel.objects.create(
            region=self.city, kind="hotline", name="南昌医保热线", key="yibao_hotline", detail="0791-12345"
        )
        self.fee = make_policy_entry(self.national, "resident_fee", "400")
        self.fee.value = "410"
        self.fee.save()  # a second version, for history and compare
        self.rate = make_policy_entry(self.city, "flexible_rate", "6.8", status=PolicyEntry.UNVERIFIED)
        self.rate.status, self.rate.effective_to = PolicyEntry.VERIFIED, D(2030, 12, 31)
        self.rate.save()  # history shows a choice and an empty date changing
        make_policy_entry(self.city, "avg_wage", "8000", effective_from=D(timezone.localdate().year + 1, 1, 1))
        self.article = make_article(
            self.city,
            title="南昌居民医保一年交多少钱？",
            slug="jiaofei",
            body="每年 {{ resident_fee }}。",
            topics=[self.topic],
        )
        self.article.short_answer = "每人每年 410 元。"
        self.article.save()
        self.draft = make_article(self.city, title="断缴了怎么办？", slug="duanjiao", status=Article.DRAFT)
        self.term = GlossaryTerm.objects.create(term="断缴", slug="duanjiao", explanation="没有按时交医保费。")
        self.synonym = SearchSynonym.objects.create(words="断缴 断交 断保")
        self.miss = SearchMiss.objects.create(query="生育津贴")
        self.feedback = Feedback.objects.create(
            page="/nanchang/jiaofei/", answer=Feedback.ERROR, comment="数字不对", article=self.article
        )
        gone = make_article(self.city, title="已删除的问题？", slug="shanchu")
        gone.delete()  # listed on the board as restorable
        self.users = {
            "superuser": make_staff(None, "guanliyuan", superuser=True),
            "编辑": make_staff("编辑", "xiaowang"),
            "审核": make_staff("审核", "laoli"),
        }

    def codes(self) -> set[str]:
        """Identifiers staff type or the site makes: never translated, so never counted."""
        codes = {key.lower() for key in REGISTRY}
        codes |= {slug for slug in Region.objects.values_list("slug", flat=True)}
        codes |= {a.slug for a in Article.objects.all()} | {self.topic.slug, self.term.slug, "yibao_hotline"}
        codes |= {u.username for u in User.objects.all()}
        return codes


@pytest.fixture
def world(db) -> World:
    return World()


def history_id(obj) -> int:
    return obj.history.order_by("history_date").first().history_id


def pages(world: World, role: str) -> list[str]:
    """Every admin page the role uses, with the objects of the world filled in."""
    models = {
        "article": world.article,
        "policyentry": world.rate,
        "region": world.city,
        "topic": world.topic,
        "servicechannel": world.channel,
        "glossaryterm": world.term,
        "searchsynonym": world.synonym,
    }
    user = world.users[role]
    urls = ["/admin/", "/admin/password_change/", "/admin/guides/freshness/", "/admin/guides/changes/"]
    for name, obj in models.items():
        base = f"/admin/guides/{name}/"
        urls += [base, f"{base}{obj.pk}/change/", f"{base}{obj.pk}/history/", f"{base}{obj.pk}/compare/"]
        urls.append(f"{base}{obj.pk}/history/{history_id(obj)}/")
        if user.has_perm(f"guides.add_{name}"):
            urls.append(f"{base}add/")
        if user.has_perm(f"guides.delete_{name}"):
            urls.append(f"{base}{obj.pk}/delete/")
    urls += [
        "/admin/guides/article/?status__exact=draft&q=断缴",
        f"/admin/guides/policyentry/?status__exact=unverified&region__id__exact={world.city.pk}",
        f"/admin/guides/article/{world.draft.pk}/change/",
        f"/admin/guides/article/{world.article.pk}/preview/",
        f"/admin/guides/article/{world.draft.pk}/review/",
        f"/admin/guides/policyentry/{world.rate.pk}/review/",
        "/admin/guides/feedback/",
        "/admin/guides/feedback/?answer__exact=error",
        f"/admin/guides/feedback/{world.feedback.pk}/change/",
        "/admin/guides/searchmiss/",
        f"/admin/guides/searchmiss/{world.miss.pk}/change/",
        "/admin/guides/policyentry/export/",
    ]
    if role != "编辑":
        urls += ["/admin/guides/policyentry/import/"]
    if role == "superuser":
        urls += [
            "/admin/auth/user/",
            "/admin/auth/user/add/",
            f"/admin/auth/user/{world.users['编辑'].pk}/change/",
            f"/admin/auth/user/{world.users['编辑'].pk}/password/",
            "/admin/auth/group/",
            f"/admin/auth/group/{Group.objects.get(name='审核').pk}/change/",
        ]
    return urls


ROLES = ["superuser", "编辑", "审核"]


def client_for(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def assert_chinese(response, url: str, codes: set[str]) -> None:
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    words = english(response.content.decode(), codes)
    assert not words, f"English on {url}: {sorted(set(words))}"


# --------------------------------------------------------------------------------------------
# The crawl


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_every_admin_page_in_chinese(world, role):
    client = client_for(world, role)
    codes = world.codes()
    failures = []
    for url in pages(world, role):
        response = client.get(url)
        try:
            assert_chinese(response, url, codes)
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)


def test_it_shows_the_login_page_in_chinese(world):
    assert_chinese(Client().get("/admin/login/?next=/admin/"), "/admin/login/", world.codes())


def test_it_shows_a_failed_login_in_chinese(world):
    response = Client().post("/admin/login/?next=/admin/", {"username": "nobody", "password": "wrong"})

    assert_chinese(response, "/admin/login/ (failed)", world.codes())
    assert "用户名" in response.content.decode()


def figure_csv(rows: list[str]) -> io.BytesIO:
    header = "地区,数据项,数值,生效日期,来源文件或文号,核实日期,核实状态\n"
    upload = io.BytesIO((header + "\n".join(rows) + "\n").encode("utf-8-sig"))
    upload.name = "数据.csv"
    return upload


def import_format(client) -> str:
    page = client.get("/admin/guides/policyentry/import/").content.decode()
    (value,) = re.findall(r'<option value="(\d+)"[^>]*>csv</option>', page)
    return value


@pytest.mark.parametrize("role", ["superuser", "审核"])
def test_it_shows_the_import_preview_and_its_errors_in_chinese(world, role):
    client = client_for(world, role)
    fmt = import_format(client)
    good = figure_csv(["national,avg_wage,9000,2030-01-01,全国通知,2026-11-20,已核实"])
    bad = figure_csv(["nanchang,avg_wage,很多,2030-01-01,南昌通知,2026-11-20,已核实", "shanghai,x,1,明年,,,"])

    preview = client.post("/admin/guides/policyentry/import/", {"import_file": good, "format": fmt})
    refused = client.post("/admin/guides/policyentry/import/", {"import_file": bad, "format": fmt})

    assert 'name="import_file_name"' in preview.content.decode()
    assert_chinese(preview, "import preview", world.codes())
    assert "没有导入" in refused.content.decode()
    assert_chinese(refused, "import errors", world.codes())


def test_it_shows_the_delete_selected_confirmation_in_chinese(world):
    client = client_for(world, "superuser")

    response = client.post(
        "/admin/guides/glossaryterm/", {"action": "delete_selected", "_selected_action": [str(world.term.pk)]}
    )

    assert 'name="post"' in response.content.decode()
    assert_chinese(response, "delete selected", world.codes())


def test_it_shows_form_errors_in_chinese(world):
    client = client_for(world, "审核")

    response = client.post("/admin/guides/topic/add/", {"name": "", "slug": "Not a slug!", "order": "x"})

    assert response.status_code == 200
    assert_chinese(response, "topic add with errors", world.codes())


def test_it_ships_a_compiled_catalogue_that_matches_its_source():
    """CI has no gettext: the committed .mo is what Django reads, so it must match the .po."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "compile-messages"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_it_reads_our_translation_before_the_libraries():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Some rows failed to validate") == "有些行没有通过检查"
        assert translation.gettext("Filter by %(field_name)s") == "按%(field_name)s筛选"


# import-export translates "%s through import_export" % import_type, so these msgids are built
# at run time (import_export/admin.py) and appear in no catalogue.
BUILT_AT_RUN_TIME = {f"{kind} through import_export" for kind in ("new", "update", "delete")}
BUILT_AT_RUN_TIME.add("access attempt expiration")  # django-axes 8 model name, not yet in its .po files
MSGID = re.compile(r'^msgid ((?:"(?:[^"\\]|\\.)*"\s*)+)', re.M)


def msgids(po: Path) -> set[str]:
    import ast

    return {
        "".join(ast.literal_eval(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', m))
        for m in MSGID.findall(po.read_text(encoding="utf-8"))
    }


def test_it_translates_only_msgids_the_libraries_use():
    """A msgid with a typo would silently translate nothing: each must be one a library uses."""
    import django

    site = Path(django.__file__).resolve().parent.parent
    known: set[str] = set(BUILT_AT_RUN_TIME)
    for pattern in (
        "django/conf/locale/en/LC_MESSAGES/*.po",
        "django/contrib/*/locale/en/LC_MESSAGES/*.po",
        "import_export/locale/*/LC_MESSAGES/django.po",
        "simple_history/locale/*/LC_MESSAGES/django.po",
        "axes/locale/*/LC_MESSAGES/django.po",
    ):
        for po in site.glob(pattern):
            known |= msgids(po)
    for ours in (ROOT / "locale").glob("*/LC_MESSAGES/*.po"):
        unknown = msgids(ours) - known - {""}
        assert not unknown, f"{ours.name}: no library uses {sorted(unknown)}"


# --------------------------------------------------------------------------------------------
# The pieces behind the crawl, on their own (the lead wires the mixins into the admin classes)


def test_it_lists_only_what_staff_delete_on_the_delete_confirmation(world, rf):
    from django.contrib import admin

    from guides.admin.display import StaffDeletionMixin

    class ArticleDeletion(StaffDeletionMixin, admin.ModelAdmin):
        pass

    request = rf.get("/")
    request.user = world.users["superuser"]

    deleted, counts, _perms, _protected = ArticleDeletion(Article, admin.site).get_deleted_objects(
        [world.article], request
    )

    listed = str(deleted)
    assert "南昌居民医保一年交多少钱？" in listed
    assert "Search token" not in listed and "object (" not in listed
    assert counts == {"问答文章": 1}


def test_it_shows_history_changes_as_staff_read_them(world):
    from guides.admin.display import ChineseHistoryHelper

    older, newer = world.rate.history.order_by("history_date")

    changes = ChineseHistoryHelper(PolicyEntry, newer).context_for_delta_changes(newer.diff_against(older))

    shown = {(c["field"], str(c["old"]), str(c["new"])) for c in changes}
    assert {("核实状态", "待核实", "已核实"), ("失效日期", "（空）", "2030-12-31")} <= shown


def test_it_names_permissions_in_chinese(world):
    from django.contrib.auth.models import Permission

    from guides.admin.people import permission_label

    def label(codename: str) -> str:
        return permission_label(Permission.objects.get(codename=codename))

    assert label("add_article") == "医保指南内容 · 问答文章 · 可以添加"
    assert label("view_historicalarticle_topics") == "医保指南内容 · 问答文章的主题的历史 · 可以查看"
    verify = Permission.objects.get(codename="verify_policyentry")
    assert label("verify_policyentry") == f"医保指南内容 · 政策数据 · {verify.name}"  # our own, already Chinese


# --------------------------------------------------------------------------------------------
# The main screens, word for word


def test_it_shows_the_admin_in_chinese(client, editor):
    world = StaffWorld()
    client.force_login(editor)
    assert settings.LANGUAGE_CODE == "zh-hans"

    index = client.get("/admin/")
    changelist = client.get("/admin/guides/article/")
    form = client.get(change_url(world.draft))

    assert '<html lang="zh-hans"' in index.content.decode()
    for text in ("医保办事指南 · 内容管理", "问答文章", "政策数据", "地区", "增加", "修改", "注销"):
        assert reads(index, text), text
    for text in ("选择 问答文章 来修改", "增加 问答文章", "编辑写的草稿？", "草稿", "已发布"):
        assert reads(changelist, text), text
    for text in ("修改 问答文章", "问题", "网址名", "简短回答", "正文实时预览", "保存", "历史", "预览（手机和电脑）"):
        assert reads(form, text), text
