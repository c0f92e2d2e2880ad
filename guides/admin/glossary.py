"""Admin for the glossary (/cihui/): terms, their other spellings and plain explanations."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin

from ..models import GlossaryTerm
from .revisions import VersionedAdmin, VersionedForm

DIGIT_RE = re.compile(r"\d")


class GlossaryTermForm(VersionedForm):
    class Meta:
        model = GlossaryTerm
        fields = ["term", "slug", "aliases", "explanation", "link_in_articles", "order"]
        help_texts = {
            "slug": "必填。用拼音或英文，例如 duanjiao；它是词汇表里的锚点 /cihui/#duanjiao，中文没法自动生成。"
        }

    def clean_explanation(self) -> str:
        text = self.cleaned_data["explanation"]
        if DIGIT_RE.search(text):
            raise forms.ValidationError(
                "解释里不要写具体数字：金额、比例和期限会随政策变化，请写在政策数据里，文章用数据项引用。"
            )
        return text


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(VersionedAdmin):
    form = GlossaryTermForm
    fields = ["term", "slug", "aliases", "explanation", "link_in_articles", "order", "base_version"]
    list_display = ["term", "aliases", "slug", "link_in_articles", "order"]
    list_editable = ["link_in_articles", "order"]
    list_filter = ["link_in_articles"]
    search_fields = ["term", "aliases", "explanation", "slug"]
    ordering = ["order", "pk"]
