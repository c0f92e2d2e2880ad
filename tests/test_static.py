"""collectstatic with the production storage: hashed, compressed files that whitenoise can serve.

conftest.py swaps in plain static storage for every other test; here we put whitenoise's
CompressedManifestStaticFilesStorage back and collect into a temporary STATIC_ROOT.
"""

from __future__ import annotations

import gzip
import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

HTMX = "django_htmx/htmx-2.min.js"  # what {% htmx_script %} loads by default


PRODUCTION_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture(scope="module")
def collected_root(tmp_path_factory):
    """collectstatic run once for this module's tests, into a temporary STATIC_ROOT."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}, STATIC_ROOT=root):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


@pytest.fixture
def collected(settings, collected_root):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}
    settings.STATIC_ROOT = collected_root
    return collected_root


def manifest(root) -> dict[str, str]:
    return json.loads((root / "staticfiles.json").read_text(encoding="utf-8"))["paths"]


def test_it_collects_hashed_and_compressed_css(collected):
    paths = manifest(collected)

    hashed = paths["css/site.css"]
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
    assert (collected / hashed).is_file()
    compressed = collected / f"{hashed}.gz"
    assert compressed.is_file()
    assert gzip.decompress(compressed.read_bytes()) == (collected / hashed).read_bytes()


def test_it_collects_the_vendored_htmx(collected):
    paths = manifest(collected)

    hashed = paths[HTMX]
    assert re.fullmatch(r"django_htmx/htmx-2\.min\.[0-9a-f]{12}\.js", hashed)
    assert (collected / hashed).is_file()
    assert (collected / f"{hashed}.gz").is_file()
    assert b"htmx" in (collected / hashed).read_bytes()[:2000]


@pytest.mark.django_db
def test_it_links_the_hashed_files_from_the_pages(client, collected):
    paths = manifest(collected)

    html = client.get("/calculator/").content.decode()

    assert f'href="/static/{paths["css/site.css"]}"' in html
    assert f'src="/static/{paths[HTMX]}"' in html
