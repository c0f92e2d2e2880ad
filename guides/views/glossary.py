"""The glossary page, /cihui/: each term with its other spellings and a plain explanation, one
anchor per term so an article's first use of a word links straight to it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from config.pagecache import public_page

from ..models import GlossaryTerm
from .pages import breadcrumbs_ld, home_crumbs


@public_page
@require_safe
def glossary(request: HttpRequest) -> HttpResponse:
    terms = list(GlossaryTerm.objects.all())
    crumbs = [*home_crumbs(), ("医保词汇表", reverse("guides:glossary"))]
    return render(
        request,
        "guides/glossary.html",
        {"terms": terms, "crumbs": crumbs, "jsonld": [breadcrumbs_ld(request, crumbs)]},
    )
