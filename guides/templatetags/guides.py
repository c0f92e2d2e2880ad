import functools
import json
import re
from urllib.parse import urlsplit

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import get_template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .. import links
from ..markdown import PHONE_RE, link_phone_numbers, phone_href

register = template.Library()

# The same escapes Django's json_script uses, so a "</script>" inside a title cannot end the tag.
_JSON_ESCAPES = {">": "\\u003E", "<": "\\u003C", "&": "\\u0026"}


@register.filter
def jsonld(data) -> str:
    """Render structured data as a JSON-LD script element, safely escaped (str.replace: a page's FAQ
    data holds the whole answer, and translate() with a table is many times slower on long text)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for char, escaped in _JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def cn_date(value) -> str:
    """2026-11-01 → 2026年11月1日."""
    if not value:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def yuan(value) -> str:
    """1148.4 → "1,148.40 元"."""
    return f"{value:,.2f} 元"


@register.filter(is_safe=True)
def tel_links(value) -> SafeString:
    """Escape text and make every phone number in it a tel: link ("打 0791-12393" → a tappable number).
    Years, dates and amounts are left alone (see guides.markdown.PHONE_RE)."""
    return mark_safe(link_phone_numbers(conditional_escape(value if value is not None else "")))


@register.filter(is_safe=True)
def phone_link(value) -> SafeString:
    """A hotline's number field as a tel: link: the phone numbers inside it, or the whole field when it
    is only digits and dashes (a number PHONE_RE does not know, such as 95518)."""
    text = str(value or "").strip()
    if PHONE_RE.search(text):
        return tel_links(text)
    if re.fullmatch(r"\+?\d[\d\s\-－]{2,20}", text):
        return format_html('<a href="{}">{}</a>', phone_href(text), text)
    return conditional_escape(text)


@register.filter(is_safe=True)
def hotline_label(channel) -> SafeString:
    """A hotline's name and number with the number tappable and said once: "南昌医保服务热线 0791-12393",
    but "12393 医保服务热线" when the name already holds the number."""
    name, number = channel.name, (channel.detail or "").strip()
    if number and number in name:
        before, _, after = name.partition(number)
        return format_html("{}{}{}", before, phone_link(number), after)
    if number:
        return format_html("{} {}", name, phone_link(number))
    return conditional_escape(name)


@register.filter
def http_url(value) -> str:
    """The address when it is an http(s) URL, else "": a javascript: or data: address is never rendered."""
    return links.http_url(value)


@register.filter
def url_host(value) -> str:
    """https://ybj.jiangxi.gov.cn/x → ybj.jiangxi.gov.cn: a link's readable text."""
    try:
        return urlsplit(str(value or "")).hostname or ""
    except ValueError:
        return ""


@register.simple_tag
def figure_line(fact, *, sentence: bool = False, compact: bool = False, same_source: bool = False) -> SafeString:
    """`{% include "includes/figure.html" %}` with those flags, as the same template renders it: the
    markup is a pure function of the figure (a frozen Fact) and the flags, so each is rendered once per
    process and language (a page with a dozen figures spent most of its rendering in the includes)."""
    return _figure_line(fact, sentence, compact, same_source, get_language())


@functools.lru_cache(maxsize=1024)
def _figure_line(fact, sentence: bool, compact: bool, same_source: bool, language: str | None) -> SafeString:
    context = {"f": fact, "sentence": sentence, "compact": compact, "same_source": same_source}
    return mark_safe(get_template("includes/figure.html").render(context))
