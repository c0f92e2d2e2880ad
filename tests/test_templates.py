"""The templates as files: lines a reviewer can read without scrolling sideways, and site addresses
that come from `{% url %}` (and `{% static %}`), so a moved page never leaves a dead link behind.

Indentation is checked by djhtml in `make lint`, not here."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
MAX_LINE = 160

# A quoted site path in an address attribute: "/…" (absolute) or "../…" (relative to the page).
LITERAL_PATH = re.compile(r"""\b(href|src|action|formaction|hx-get|hx-post)=(["'])(/|\.\./|\./)""")


def template_files():
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file())


def name_of(path: Path) -> str:
    return path.relative_to(TEMPLATES).as_posix()


def test_the_templates_folder_is_where_the_checks_look():
    names = {name_of(p) for p in template_files()}
    assert {"base.html", "404.html", "admin/base_site.html"} <= names


def test_no_template_line_is_longer_than_160_characters():
    too_long = [
        f"templates/{name_of(path)}:{number} ({len(line)} characters)"
        for path in template_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > MAX_LINE
    ]
    assert not too_long, "Break these lines at a tag or an existing space:\n" + "\n".join(too_long)


def test_templates_take_site_addresses_from_url_and_static_tags():
    literal = [
        f"templates/{name_of(path)}:{number}: {match.group(0)}…"
        for path in template_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in LITERAL_PATH.finditer(line)
    ]
    assert not literal, "Use {% url %} or {% static %} instead of a written path:\n" + "\n".join(literal)


def test_the_address_check_catches_written_paths_and_lets_tags_through():
    assert LITERAL_PATH.search('<a href="/topics/">')
    assert LITERAL_PATH.search("<form action='../compare/'>")
    assert LITERAL_PATH.search('<img src="/static/img/share.png">')
    assert not LITERAL_PATH.search("<a href=\"{% url 'guides:topics' %}\">")
    assert not LITERAL_PATH.search('<a href="#fig-1">')
    assert not LITERAL_PATH.search('<a href="?page=2">')
    assert not LITERAL_PATH.search('<a href="{{ url }}">')
