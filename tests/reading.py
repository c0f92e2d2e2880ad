"""Reading pages as a person, a browser or a crawler does, for the tests.

- `text_of`, `squash`, `reads`: the visible text of a page or fragment, whitespace aside.
- `parse`: one HTML parser for every test, giving a small element tree (`Element`).
- `Page`, `read`, `get`: what a reader or a crawler gets from a public page (title, h1s, the
  text of <main>, links, JSON-LD).
- `read_form`, `form_action`, `select_options`: a page's forms as a browser would submit them.
- `visible_parts`: the text a person reads, plus the labels a browser shows (placeholders, …).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from guides.figures import REGISTRY


def text_of(page) -> str:
    """What a person reads of `page` (HTML, or a response): scripts and styles dropped, tags
    dropped, entities decoded, whitespace squashed."""
    html = page if isinstance(page, str) else page.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def reads(page, text: str) -> bool:
    """Whether `page` (HTML, or a response) reads `text`, whatever whitespace or markup sits
    between its pieces."""
    return squash(text) in squash(text_of(page))


# --------------------------------------------------------------------------------------------
# One parser: HTML → a small element tree


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# A start tag that closes an open element of these kinds first, as a browser does (<option>a<option>b).
CLOSES = {
    "option": {"option"},
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def iter(self, tag: str | None = None):
        """This element's descendants, in document order (only those of `tag`, if given)."""
        for child in self.children:
            if isinstance(child, Element):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def strings(self, skip=lambda element: False):
        """The text inside this element, piece by piece, in document order, leaving out the
        elements `skip` says to (and all inside them)."""
        for child in self.children:
            if isinstance(child, str):
                yield child
            elif not skip(child):
                yield from child.strings(skip)

    @property
    def text(self) -> str:
        return "".join(self.strings())

    def inside(self, tag: str) -> bool:
        node = self.parent
        while node is not None:
            if node.tag == tag:
                return True
            node = node.parent
        return False


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {})

    def handle_starttag(self, tag, attrs):
        if self.current.tag in CLOSES.get(tag, ()):
            self.current = self.current.parent
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:  # an end tag with no open element of its kind is ignored
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Element:
    """The document as a tree of elements and strings (entities decoded); a missing end tag
    closes at its parent's end, a stray one is ignored."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --------------------------------------------------------------------------------------------
# Public pages


@dataclass
class Page:
    """What a reader (or a crawler) gets from one response."""

    html: str
    root: Element
    status: int = 200

    @property
    def elements(self) -> list[tuple[str, dict[str, str]]]:
        """Every element as (tag, attributes), in document order."""
        return [(e.tag, e.attrs) for e in self.root.iter()]

    @property
    def title(self) -> str:
        return "".join(e.text for e in self.root.iter("title")).strip()

    @property
    def h1s(self) -> list[str]:
        return [e.text.strip() for e in self.root.iter("h1")]

    @property
    def main(self) -> str:
        """The text of <main> as read: runs of whitespace are one space."""
        return re.sub(r"\s+", " ", "".join(e.text for e in self.root.iter("main")))

    @property
    def nested_links(self) -> int:
        return sum(a.inside("a") for a in self.root.iter("a"))

    def reads(self, text: str) -> bool:
        """Whether the main content reads `text`, whatever whitespace the templates put between pieces."""
        return squash(text) in squash(self.main)

    def section(self, heading_id: str) -> str:
        """The text from the heading with this id up to the next <h2>: one section of the page."""
        start = self.html.index(f'id="{heading_id}"')
        end = self.html.find("<h2", start + 1)
        return text_of(self.html[self.html.index(">", start) + 1 : end if end != -1 else None])

    def figure(self, key: str) -> str:
        """One figure of the region guide's full list, as read."""
        start = self.html.index(f'id="figure-{key}"')
        return text_of(self.html[self.html.index(">", start) + 1 : self.html.index("</div>", start)])

    def groups(self, heading_id: str, level: str) -> dict[str, str]:
        """Headings of one level inside a section (or "main"), each with the text that follows it."""
        if heading_id == "main":
            chunk = self.html[self.html.index("<main") : self.html.index("</main>")]
        else:
            start = self.html.index(f'id="{heading_id}"')
            end = self.html.find("</section>", start)
            chunk = self.html[start:end]
        parts = re.split(rf"<{level}[^>]*>(.*?)</{level}>", chunk, flags=re.S)
        return {text_of(parts[i]): text_of(parts[i + 1]) for i in range(1, len(parts) - 1, 2)}

    def attrs(self, tag: str, **match: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in match.items())]

    @property
    def hrefs(self) -> list[str]:
        return [a.get("href", "") for a in self.attrs("a")]

    @property
    def description(self) -> str:
        (meta,) = self.attrs("meta", name="description")
        return meta.get("content", "")

    @property
    def canonical(self) -> str:
        (link,) = self.attrs("link", rel="canonical")
        return link["href"]

    @property
    def jsonld(self) -> list[dict]:
        scripts = self.root.iter("script")
        return [json.loads(s.text) for s in scripts if s.attrs.get("type") == "application/ld+json"]

    def jsonld_of(self, kind: str) -> dict:
        (data,) = [d for d in self.jsonld if d.get("@type") == kind]
        return data


def read(response) -> Page:
    html = response.content.decode()
    return Page(html=html, root=parse(html), status=response.status_code)


def get(client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return read(response)


def label(key: str) -> str:
    """The name a reader sees for a figure key."""
    return REGISTRY[key].label


def sitemap_paths(client, **headers) -> dict[str, ET.Element]:
    """The sitemap's <url> elements by the path of their <loc>, from every page of every section
    the index (/sitemap.xml) names."""
    paths: dict[str, ET.Element] = {}
    for section in sitemap_sections(client, **headers):
        response = client.get(section, **headers)
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        paths.update(
            {urlsplit(url.find("s:loc", SITEMAP_NS).text).path: url for url in root.findall("s:url", SITEMAP_NS)}
        )
    return paths


SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_sections(client, **headers) -> list[str]:
    """The path and query of every section page the sitemap index names."""
    response = client.get("/sitemap.xml", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    locs = [urlsplit(el.find("s:loc", SITEMAP_NS).text) for el in root.findall("s:sitemap", SITEMAP_NS)]
    return [loc.path + (f"?{loc.query}" if loc.query else "") for loc in locs]


# --------------------------------------------------------------------------------------------
# Forms


def form_fields(form: Element) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser submits for `form` unchanged."""
    pairs: list[tuple[str, str]] = []
    for e in form.iter():
        a = e.attrs
        if e.tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in a:
                continue
            pairs.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif e.tag == "textarea" and a.get("name"):
            # A browser drops the one newline that follows <textarea>.
            pairs.append((a["name"], e.text.removeprefix("\r\n").removeprefix("\n")))
        elif e.tag == "select" and a.get("name"):
            options = list(e.iter("option"))
            chosen = [o for o in options if "selected" in o.attrs]
            if not chosen and "multiple" not in a and options:
                chosen = options[:1]
            pairs += [(a["name"], o.attrs.get("value", o.text)) for o in chosen]
    return pairs


def _form_having(html: str, having: str) -> tuple[Element, list[tuple[str, str]]]:
    for form in parse(html).iter("form"):
        pairs = form_fields(form)
        if any(name == having for name, _ in pairs):
            return form, pairs
    raise AssertionError(f"no form with a field named {having!r} on the page")


def read_form(html: str, having: str) -> dict[str, list[str]]:
    """The form on the page that has a field named `having`, as a browser would submit it."""
    values: dict[str, list[str]] = {}
    for name, value in _form_having(html, having)[1]:
        values.setdefault(name, []).append(value)
    return values


def form_action(html: str, having: str) -> str:
    return _form_having(html, having)[0].attrs.get("action", "")


def select_options(html: str, name: str) -> dict[str, str]:
    """A select's options as {visible text: value}."""
    selects = [s for s in parse(html).iter("select") if s.attrs.get("name") == name]
    assert selects, f"no select named {name!r}"
    return {o.text.strip(): o.attrs.get("value", "") for o in selects[0].iter("option")}


# --------------------------------------------------------------------------------------------
# Visible text, piece by piece

HIDDEN = {"script", "style", "code", "kbd", "textarea", "template"}
SHOWN_ATTRS = ("placeholder", "title", "alt", "aria-label")


def visible_parts(html: str) -> list[str]:
    """What a person reads on the page, piece by piece: text outside script/style/code/textarea and
    outside elements hidden with the `hidden` attribute or class (the admin's rows of hidden fields),
    plus the labels of buttons and the placeholders, titles and alt texts a browser shows."""
    parts: list[str] = []

    def walk(element: Element) -> None:
        for child in element.children:
            if isinstance(child, str):
                parts.append(child)
                continue
            a = child.attrs
            if child.tag in HIDDEN or "hidden" in a or "hidden" in a.get("class", "").split():
                continue
            parts.extend(a[name] for name in SHOWN_ATTRS if a.get(name))
            if child.tag == "input" and a.get("type") in ("submit", "button", "reset") and a.get("value"):
                parts.append(a["value"])
            walk(child)

    walk(parse(html))
    return parts
