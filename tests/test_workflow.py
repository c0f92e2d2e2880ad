"""The review workflow, through the real admin: an 编辑's edits of published articles and figures
wait for a 审核; submit, send back with a comment, approve; the checks before publishing; the
dashboard; no typed work lost when a save is refused; revisions that keep relations."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guides.models import Article, PendingChange, PolicyEntry, Region, ReviewEvent
from tests.admin_forms import change_url, conflict_box, errors_of, open_form, save, save_after_someone_else, saved
from tests.factories import logged_in, make_article, make_policy_entry, make_region, make_topic
from tests.factories import make_staff as staff
from tests.reading import read_form, text_of

TODAY = timezone.localdate


class World:
    """Nation → 南昌 with a published article showing the national resident fee, and a draft."""

    def __init__(self) -> None:
        self.national = make_region("national", name="全国", kind=Region.NATIONAL)
        self.city = make_region("nanchang", name="南昌", parent=self.national)
        self.fee = make_policy_entry(self.national, "resident_fee", "400", source_title="2026年度缴费通知")
        self.topic = make_topic()
        self.published = make_article(
            self.city,
            slug="jiaofei",
            title="南昌居民医保交多少钱？",
            short_answer="看下面的标准。",
            body="每年 {{ resident_fee }}。",
            topics=[self.topic],
        )
        self.draft = make_article(self.city, slug="caogao", title="草稿问题？", status=Article.DRAFT)


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def editor(db):
    return staff("编辑", "xiaowang")


@pytest.fixture
def reviewer(db):
    user = staff("审核", "laoli")
    user.email = "laoli@example.org"
    user.save()
    return user


@pytest.fixture
def editor_with_mail(editor):
    editor.email = "xiaowang@example.org"
    editor.save()
    return editor


def review_url(obj) -> str:
    return f"/admin/guides/{obj._meta.model_name}/{obj.pk}/review/"


def decide(client, obj, action: str, comment: str = "", **extra):
    page = client.get(review_url(obj))
    seen = read_form(page.content.decode(), "seen")["seen"][0]
    return client.post(review_url(obj), {"seen": seen, "action": action, "comment": comment, **extra})


def public(client, path: str) -> str:
    return text_of(client.get(path).content.decode())


# ------------------------------------------------------------------ drafts of published content


def test_an_editors_edit_of_a_live_article_waits_for_approval_then_goes_public(
    client, world, editor_with_mail, reviewer, django_capture_on_commit_callbacks, settings
):
    settings.PAGE_CACHE_SECONDS = 3600  # with the page cache on: approving retires the stored page
    cache.clear()
    writer, checker = logged_in(editor_with_mail), logged_in(reviewer)
    url = change_url(world.published)

    with django_capture_on_commit_callbacks(execute=True):  # notices go out after the commit
        assert saved(save(writer, url, open_form(writer, url), short_answer="改正了错别字的回答。", _submit_review="1"))

    assert "改正了错别字的回答" not in public(client, "/nanchang/jiaofei/")
    assert "看下面的标准" in public(client, "/nanchang/jiaofei/")
    assert client.get("/nanchang/jiaofei/")["X-Cache"] == "hit"  # the public page is a stored one
    review = checker.get(review_url(world.published)).content.decode()
    assert "修改稿和已发布版本的区别" in review and "改正了错别字的回答。" in review and "看下面的标准。" in review
    assert [m.to for m in mail.outbox] == [["laoli@example.org"]]  # the 审核 hears of the submission

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(checker, world.published, "approve", "好的。")

    assert response.status_code == 302
    assert "改正了错别字的回答" in public(client, "/nanchang/jiaofei/")
    stored = Article.objects.get(pk=world.published.pk)
    assert stored.reviewed_on == TODAY()
    assert stored.reviewed_figures == {"resident_fee": {"value": "400", "entry": world.fee.pk}}
    assert list(stored.topics.all()) == [world.topic]
    assert not PendingChange.objects.exists()
    assert mail.outbox[-1].to == ["xiaowang@example.org"] and "审核通过" in mail.outbox[-1].subject
    assert stored.history.latest().history_user == reviewer


def test_a_reviewer_sends_back_with_a_comment_the_editor_sees_and_nothing_goes_public(
    client, world, editor_with_mail, reviewer, django_capture_on_commit_callbacks
):
    writer, checker = logged_in(editor_with_mail), logged_in(reviewer)
    url = change_url(world.published)
    save(writer, url, open_form(writer, url), short_answer="写得不对的回答。", _submit_review="1")

    refused = decide(checker, world.published, "send_back", "")
    assert refused.status_code == 200 and "退回时请写明需要修改什么" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        decide(checker, world.published, "send_back", "请写明是2026年度的标准。")

    assert PendingChange.for_object(world.published).state == PendingChange.DRAFT
    assert "写得不对的回答" not in public(client, "/nanchang/jiaofei/")
    page = writer.get(url).content.decode()
    assert "请写明是2026年度的标准。" in page and "写得不对的回答。" in page
    assert "退回修改" in mail.outbox[-1].subject and mail.outbox[-1].to == ["xiaowang@example.org"]


def test_an_editor_cannot_approve_or_send_back(world, editor):
    writer = logged_in(editor)
    url = change_url(world.published)
    save(writer, url, open_form(writer, url), short_answer="编辑自己批准？", _submit_review="1")

    response = decide(writer, world.published, "approve")

    assert "只有审核可以审核通过或退回" in response.content.decode()
    assert Article.objects.get(pk=world.published.pk).short_answer == "看下面的标准。"
    assert 'value="approve"' not in writer.get(review_url(world.published)).content.decode()


def test_a_new_draft_goes_draft_review_published(client, world, editor, reviewer):
    writer, checker = logged_in(editor), logged_in(reviewer)
    url = change_url(world.draft)
    save(writer, url, open_form(writer, url), _submit_review="1")
    assert Article.objects.get(pk=world.draft.pk).status == Article.REVIEW
    assert client.get("/nanchang/caogao/").status_code == 404

    decide(writer, world.draft, "withdraw")
    assert Article.objects.get(pk=world.draft.pk).status == Article.DRAFT
    decide(writer, world.draft, "submit")
    decide(checker, world.draft, "approve")

    assert Article.objects.get(pk=world.draft.pk).status == Article.PUBLISHED
    assert client.get("/nanchang/caogao/").status_code == 200
    actions = list(ReviewEvent.objects.order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["submitted", "withdrawn", "submitted", "approved"]


def test_a_decision_about_a_change_that_changed_meanwhile_is_refused_keeping_the_comment(world, editor, reviewer):
    writer, checker = logged_in(editor), logged_in(reviewer)
    url = change_url(world.published)
    save(writer, url, open_form(writer, url), short_answer="第一稿。", _submit_review="1")
    seen = read_form(checker.get(review_url(world.published)).content.decode(), "seen")["seen"][0]
    save(writer, url, open_form(writer, url), short_answer="第二稿。")

    response = checker.post(review_url(world.published), {"seen": seen, "action": "approve", "comment": "同意第一稿"})

    html = response.content.decode()
    assert "内容又被修改了" in html and "同意第一稿" in html and "第二稿。" in html
    assert Article.objects.get(pk=world.published.pk).short_answer == "看下面的标准。"


# ------------------------------------------------------------------ figures


def test_an_editors_change_of_a_live_figure_is_not_public_until_approved_and_verified(client, world, editor, reviewer):
    writer, checker = logged_in(editor), logged_in(reviewer)
    url = change_url(world.fee)
    save(writer, url, open_form(writer, url), value="999", _submit_review="1")

    assert "999" not in public(client, "/nanchang/")
    assert PolicyEntry.objects.for_region(world.city, TODAY())["resident_fee"].value == "400"
    decide(checker, world.fee, "approve", verify="yes")

    entry = PolicyEntry.objects.get(pk=world.fee.pk)
    assert (entry.value, entry.status, entry.verified_on) == ("999", PolicyEntry.VERIFIED, TODAY())
    assert "999" in public(client, "/nanchang/")


def test_an_approved_change_not_verified_by_the_reviewer_shows_as_unverified(world, editor, reviewer):
    writer, checker = logged_in(editor), logged_in(reviewer)
    url = change_url(world.fee)
    save(writer, url, open_form(writer, url), value="420", _submit_review="1")

    decide(checker, world.fee, "approve")

    entry = PolicyEntry.objects.get(pk=world.fee.pk)
    assert (entry.value, entry.status) == ("420", PolicyEntry.UNVERIFIED)


def test_a_new_figure_entered_ahead_waits_for_approval_and_then_ends_the_old_one(client, world, editor, reviewer):
    writer, checker = logged_in(editor), logged_in(reviewer)
    next_year = TODAY().year + 1
    values = {
        "region": str(world.city.pk),
        "key": "resident_fee",
        "value": "430",
        "effective_from": f"{next_year}-01-01",
        "source_title": "明年的缴费通知",
        "verified_on": TODAY().isoformat(),
    }
    add = "/admin/guides/policyentry/add/"
    city_fee = make_policy_entry(world.city, "resident_fee", "410", effective_from=datetime.date(TODAY().year, 1, 1))
    assert saved(save(writer, add, open_form(writer, add), **values, _submit_review="1"))
    new = PolicyEntry.objects.get(value="430")
    assert new.state == PolicyEntry.REVIEW
    later = datetime.date(next_year, 6, 1)
    assert PolicyEntry.objects.for_region(world.city, later)["resident_fee"].pk == city_fee.pk

    review = checker.get(review_url(new)).content.decode()
    assert f"的失效日期会设为 {next_year - 1}-12-31" in review
    decide(checker, new, "approve")

    assert PolicyEntry.objects.for_region(world.city, later)["resident_fee"].value == "430"
    assert PolicyEntry.objects.get(pk=city_fee.pk).effective_to == datetime.date(next_year - 1, 12, 31)
    assert PolicyEntry.objects.for_region(world.city, TODAY())["resident_fee"].value == "410"


# ------------------------------------------------------------------ checks before publishing


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": "交多少{{ resident_fee }}？"}, "问题里有"),
        ({"short_answer": "每年 {{ resident_fee }}。"}, "简短回答里有"),
        ({"body": "每年 {{ resident_fee }。"}, "没写完整"),
        ({"body": "每年 {{ flexible_rate }}。"}, "没有"),
        ({"title": "南昌居民医保交多少钱"}, "同一地区已经有同样的问题"),
        ({"published_at": timezone.now() + datetime.timedelta(days=800)}, "在一年以后"),
    ],
    ids=["raw-token-title", "raw-token-short-answer", "broken-token", "missing-figure", "duplicate", "far-future"],
)
def test_a_blocking_check_is_listed_and_stops_the_approval(world, reviewer, fields, message):
    article = make_article(world.city, slug="xin", status=Article.DRAFT, **{"title": "新问题？", **fields})
    Article.objects.filter(pk=article.pk).update(status=Article.REVIEW)
    checker = logged_in(reviewer)

    page = checker.get(review_url(article)).content.decode()
    assert "必须先解决" in page and message in text_of(page)
    assert 'value="approve" class="default" disabled' in page
    decide(checker, article, "approve")

    assert Article.objects.get(pk=article.pk).status == Article.REVIEW


def test_a_past_publish_time_is_a_warning_not_a_block(world, reviewer):
    article = make_article(world.city, slug="guoqu", status=Article.REVIEW, title="过去的问题？")
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - datetime.timedelta(days=30))
    checker = logged_in(reviewer)

    assert "已经过去" in checker.get(review_url(article)).content.decode()
    decide(checker, article, "approve")

    assert Article.objects.get(pk=article.pk).status == Article.PUBLISHED


def test_an_approval_is_blocked_when_the_live_version_changed_after_the_edit_began(world, editor, reviewer):
    writer, checker = logged_in(editor), logged_in(reviewer)
    url = change_url(world.published)
    save(writer, url, open_form(writer, url), short_answer="编辑的修改。", _submit_review="1")
    assert saved(save(checker, url, open_form(checker, url), title="审核直接改的标题？"))

    page = checker.get(review_url(world.published)).content.decode()
    assert "之后已发布的版本又被改过" in page and "laoli" in page
    decide(checker, world.published, "approve")

    assert Article.objects.get(pk=world.published.pk).short_answer == "看下面的标准。"


# ------------------------------------------------------------------ no lost work


def test_two_editors_on_one_pending_change_the_second_save_is_refused_with_text_kept(world, editor):
    url = change_url(world.published)
    other = staff("编辑", "xiaozhang")

    _, refused = save_after_someone_else(
        url, editor, other, {"short_answer": "甲的修改稿。"}, {"short_answer": "乙的修改稿。"}
    )

    html = refused.content.decode()
    assert refused.status_code == 200 and "没有保存" in errors_of(refused) and "xiaowang" in errors_of(refused)
    assert "甲的修改稿。" in conflict_box(refused)
    assert read_form(html, "base_version")["short_answer"] == ["乙的修改稿。"]
    assert PendingChange.for_object(world.published).data["short_answer"] == "甲的修改稿。"


@pytest.mark.parametrize("model", ["region", "topic", "servicechannel", "glossaryterm", "searchsynonym"])
def test_every_editable_model_refuses_a_stale_save(db, reviewer, model):
    from guides.models import GlossaryTerm, SearchSynonym, ServiceChannel

    national = make_region("national", name="全国", kind=Region.NATIONAL)
    rows = {
        "region": lambda: make_region("nanchang", name="南昌", parent=national),
        "topic": lambda: make_topic(),
        "servicechannel": lambda: ServiceChannel.objects.create(region=national, kind="hotline", name="热线"),
        "glossaryterm": lambda: GlossaryTerm.objects.create(term="断缴", slug="duanjiao", explanation="没有按时交。"),
        "searchsynonym": lambda: SearchSynonym.objects.create(words="断缴 断交"),
    }
    field = {"region": "name", "topic": "name", "servicechannel": "name", "glossaryterm": "term"}.get(model, "words")
    row = rows[model]()
    a, b = logged_in(reviewer), logged_in(staff("审核", "xiaozhao"))
    url = change_url(row)
    form_a, form_b = open_form(a, url), open_form(b, url)
    first = "断缴 断保" if model == "searchsynonym" else "甲改的"
    assert saved(save(a, url, form_a, **{field: first}))

    refused = save(b, url, form_b, **{field: "乙改的" if model != "searchsynonym" else "断缴 停保"})

    assert refused.status_code == 200 and "没有保存" in errors_of(refused)
    assert getattr(type(row).objects.get(pk=row.pk), field) == first


def test_a_save_refused_for_lack_of_permission_shows_what_was_typed(world, editor):
    writer = logged_in(editor)
    url = change_url(world.city)
    values = {"name": "编辑想改的名字", "slug": "nanchang", "kind": "city", "summary": "编辑写的一大段简介。"}

    response = writer.post(url, {**values, "parent": str(world.national.pk), "order": "0", "base_version": "1"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "没有保存这条内容的权限" in html and "编辑写的一大段简介。" in html
    assert Region.objects.get(pk=world.city.pk).name == "南昌"


def test_a_failed_csrf_check_keeps_the_typed_text(world, editor):
    from django.test import Client

    writer = Client(enforce_csrf_checks=True)
    writer.force_login(editor)

    response = writer.post(change_url(world.draft), {"short_answer": "会话过期前写好的回答。"})

    assert response.status_code == 403
    assert "没有提交成功" in response.content.decode() and "会话过期前写好的回答。" in response.content.decode()


def test_line_endings_are_stored_as_lf_so_a_resave_is_no_change(world, reviewer):
    checker = logged_in(reviewer)
    url = change_url(world.draft)
    save(checker, url, open_form(checker, url), body="第一行\r\n第二行\r\n")
    assert Article.objects.get(pk=world.draft.pk).body == "第一行\n第二行"
    save(checker, url, open_form(checker, url), body="第一行\r\n第二行\r\n")

    first, second = Article.history.filter(id=world.draft.pk).order_by("-history_date")[:2]
    compare = checker.get(f"/admin/guides/article/{world.draft.pk}/compare/?a={second.history_id}&b={first.history_id}")
    assert "这两个版本的内容相同" in compare.content.decode()


# ------------------------------------------------------------------ revisions keep relations


def test_recovering_a_deleted_article_restores_topics_and_related_questions_as_a_draft(client, world, reviewer):
    other_topic = make_topic("zhuanyi", "转移")
    article = world.published
    article.topics.set([world.topic, other_topic])
    article.related.set([world.draft])
    article.title = "改一下标题让历史记下关系？"
    article.save()
    checker = logged_in(reviewer)
    checker.post(f"/admin/guides/article/{article.pk}/delete/", {"post": "yes"})
    assert not Article.objects.filter(pk=article.pk).exists()

    record = Article.history.filter(id=article.pk, history_type="~").latest()
    url = f"/admin/guides/article/{article.pk}/history/{record.history_id}/"
    form = read_form(checker.get(url).content.decode(), "base_version")
    assert sorted(form["topics"]) == sorted([str(world.topic.pk), str(other_topic.pk)])
    assert save(checker, url, form).status_code == 302

    restored = Article.objects.get(pk=article.pk)
    assert restored.status == Article.DRAFT
    assert set(restored.topics.all()) == {world.topic, other_topic}
    assert list(restored.related.all()) == [world.draft]
    assert client.get(f"/nanchang/{restored.slug}/").status_code == 404


# ------------------------------------------------------------------ dashboard


def test_the_dashboard_lists_my_drafts_and_what_waits_for_review(world, editor, reviewer):
    writer, checker = logged_in(editor), logged_in(reviewer)
    url = change_url(world.published)
    save(writer, url, open_form(writer, url), short_answer="编辑的修改。")
    draft_url = change_url(world.draft)
    save(writer, draft_url, open_form(writer, draft_url), _submit_review="1")

    mine = text_of(writer.get("/admin/").content.decode())
    assert "我的草稿（1）" in mine and "南昌居民医保交多少钱？" in mine
    assert "我提交的、等待审核（1）" in mine and "草稿问题？" in mine
    theirs = text_of(checker.get("/admin/").content.decode())
    assert "等我审核（1）" in theirs and "草稿问题？" in theirs


def test_the_dashboard_reads_a_fixed_number_of_queries(world, reviewer):
    checker = logged_in(reviewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert checker.get("/admin/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(15):
        a = make_article(world.city, slug=f"more-{n}", status=Article.REVIEW, title=f"更多问题{n}？")
        PendingChange.objects.create(
            content_type=ContentType.objects.get_for_model(Article), object_id=a.pk, object_repr=a.title,
            base_version=1, state="review",
        )  # fmt: skip

    assert queries() == few
    assert "等我审核（30）" in text_of(checker.get("/admin/").content.decode())


def test_the_staff_preview_shows_the_pending_version_while_the_public_keeps_the_live_one(client, world, editor):
    writer = logged_in(editor)
    url = change_url(world.published)
    save(writer, url, open_form(writer, url), short_answer="预览里看到的新回答。")

    preview = writer.get(f"/admin/guides/article/{world.published.pk}/preview/page/").content.decode()

    assert "预览里看到的新回答。" in preview
    assert "预览里看到的新回答" not in public(client, "/nanchang/jiaofei/")
