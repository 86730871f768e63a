"""Shared browser helpers for the staff UI's Playwright tests: axe-core and screenshots."""

from __future__ import annotations

from typing import Any

from tests.conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the page as «rule: target» lines (evaluated past the CSP)."""
    assert AXE.exists(), "axe-core missing: run `npm ci`"
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return list(found)
