"""What the real-browser tests share: opening a page, reading its width, and running axe-core."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_MS = 8_000
STAFF_PASSWORD = "Shenhe-2026-mima"  # the password of conftest's `staff_site` reviewer, laoli

# Each document records what the browser refused under its Content-Security-Policy.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def visit(page: Page, site: str, path: str) -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(site + path)
    return page


def field(page: Page, label: str):
    """A form control by its visible label (Django's labels end with a colon)."""
    return page.get_by_label(re.compile("^" + re.escape(label) + "[:：]?$"))


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def axe_script() -> Path:
    """axe.min.js from AXE_CORE_JS or the project's node_modules (`npm install --no-save axe-core@4`)."""
    candidates = [Path(os.environ["AXE_CORE_JS"])] if os.environ.get("AXE_CORE_JS") else []
    candidates.append(PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js")
    for path in candidates:
        if path.is_file():
            return path
    pytest.fail(
        "axe-core not found (looked at " + ", ".join(str(p) for p in candidates) + "): "
        "run `npm install --no-save axe-core@4` in the project root or set AXE_CORE_JS"
    )


def axe_violations(page: Page, impacts: tuple[str, ...] | None = None) -> list[str]:
    """axe-core's violations on the page as one line each (only those of `impacts`, if given)."""
    page.evaluate(axe_script().read_text())  # not a <script> tag: the strict CSP refuses inline scripts
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} → " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in results["violations"]
        if impacts is None or v["impact"] in impacts
    ]
