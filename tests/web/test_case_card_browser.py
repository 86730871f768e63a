"""The case card's diagram in Chromium: near the top, centred on the current step, zoomable."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from tests.web.browsing import axe_violations
from tests.web.conftest import send_message
from tests.web.helpers import complete
from tests.web.test_browser import browser, csp_violations, live_url, shot, sign_in

pytestmark = pytest.mark.browser
__all__ = ["browser", "csp_violations", "live_url"]  # fixtures this module reuses

CENTRE_OF_CURRENT = """() => {
  const box = document.getElementById('diagram').getBoundingClientRect();
  const step = document.querySelector("g.djs-element.current[data-element-id='draft_answer']")
    .getBoundingClientRect();
  return [step.x + step.width / 2 - (box.x + box.width / 2),
          step.y + step.height / 2 - (box.y + box.height / 2)];
}"""


def test_the_card_diagram_opens_near_the_top_on_the_current_step_and_zooms(
    live_url: str, browser: Any, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    complete(sessions, web_runtime, case, "screen", screen_decision="process")
    complete(sessions, web_runtime, case, "route", departments=["housing"])
    page = sign_in(browser, live_url, "curator")
    page.goto(f"{live_url}/cases/{case}")
    diagram = page.locator("#diagram[data-ready='true']")
    diagram.wait_for(timeout=20_000)
    assert page.evaluate("document.getElementById('diagram').getBoundingClientRect().top") < 400
    assert diagram.get_attribute("data-zoom") == "1.00"  # drawn size: labels readable
    dx, dy = page.evaluate(CENTRE_OF_CURRENT)
    assert abs(dx) < 5 and abs(dy) < 5, (dx, dy)
    label = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('#diagram .djs-label text, "
        "#diagram .djs-visual text')).map(t => t.getBoundingClientRect().height))"
    )
    assert label >= 10, label
    # The bpmn.io logo stays but is not a focusable link inside the image.
    assert page.evaluate(
        "Array.from(document.querySelectorAll('#diagram a')).every(a => a.tabIndex === -1)"
    )
    assert axe_violations(page) == []
    shot(page, "card-01-diagram-on-current-step")

    page.get_by_role("button", name="Крупнее").click()
    assert float(diagram.get_attribute("data-zoom") or 0) > 1.2
    page.get_by_role("button", name="Мельче").click()
    page.get_by_role("button", name="Мельче").click()
    assert float(diagram.get_attribute("data-zoom") or 9) < 0.9
    page.get_by_role("button", name="Вся схема").click()
    page.get_by_role("button", name="К текущему шагу").click()
    assert diagram.get_attribute("data-zoom") == "1.00"
    box = diagram.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 200, box["y"] + 200)  # drag to pan
    page.mouse.down()
    page.mouse.move(box["x"] + 300, box["y"] + 260, steps=5)
    page.mouse.up()
    dx, dy = page.evaluate(CENTRE_OF_CURRENT)
    assert abs(dx - 100) < 10 and abs(dy - 60) < 10, (dx, dy)
    page.get_by_role("img", name="Схема регламента", exact=False).focus()  # the keyboard pans
    page.keyboard.press("Control+ArrowLeft")
    moved_x, _moved_y = page.evaluate(CENTRE_OF_CURRENT)
    assert moved_x != dx, (moved_x, dx)
