"""Each kiosk screen, in each language, audited with axe-core and photographed.

Screenshots of the question, emergency and results screens at 1920x1080 and 800x480
go to screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.language.pack import Pack, load_pack
from kiosk.triage.knowledge import Knowledge
from tests.support.browser import (
    AXE,
    SCREENSHOTS,
    ScreenKiosk,
    require_browser,
    serving,
    start_chromium,
)
from tests.test_screen_browser import (
    ANSWERS,
    EMERGENCY,
    answer_by_clicks,
    js,
    open_page,
    wait_for,
)

pytestmark = pytest.mark.browser

SIZES = ((1920, 1080), (800, 480))
AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {rules: {'color-contrast-enhanced': {enabled: true}}}).then((report) => {
  done(report.violations.map((v) => ({id: v.id, impact: v.impact,
      nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3)})));
});
"""
TARGETS = """
return [...document.querySelectorAll('button, input')]
  .filter((e) => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
  .map((e) => [e.textContent || e.id, e.getBoundingClientRect().width,
               e.getBoundingClientRect().height]);
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser()
    driver = start_chromium()
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def viewport(driver: Any, width: int, height: int) -> None:
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def audit(driver: Any, language: str, name: str) -> None:
    """No serious or critical axe violations, contrast at least 7:1, targets at least
    44x44 px at both sizes; a screenshot at each size."""
    if not js(driver, "return typeof axe !== 'undefined'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    SCREENSHOTS.mkdir(exist_ok=True)
    for width, height in SIZES:
        viewport(driver, width, height)
        violations = driver.execute_async_script(AXE_RUN)
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert bad == [], f"{language} {name} {width}x{height}: {bad}"
        small = [t for t in js(driver, TARGETS) if t[1] < 44 or t[2] < 44]
        assert small == [], f"targets under 44x44 px on {name}: {small}"
        driver.save_screenshot(str(SCREENSHOTS / f"{name}-{language}-{width}x{height}.png"))
    viewport(driver, *SIZES[0])


def rendered_fonts(driver: Any, selector: str) -> set[str]:
    """The fonts Chromium actually drew the element's text with."""
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {})["root"]["nodeId"]
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})
    fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    return {font["familyName"] for font in fonts["fonts"]}


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_screen_passes_the_audit_in_both_languages(
    browser: Any, knowledge: Knowledge, language: str
) -> None:
    pack = load_pack(language, knowledge)
    with serving(knowledge, pack) as screen:
        screen.run_text()
        open_page(browser, screen)
        browser.find_element("id", "start").click()
        wait_for(browser, lambda: js(browser, "return !$('question-view').hidden"), "a question")
        check_question_screen(browser, screen, pack, language)
        audit(browser, language, "question")
        stop_and_wait(browser, screen)
        answer_by_clicks(browser, screen, knowledge, ANSWERS)
        audit(browser, language, "results")
        done = browser.find_element("css selector", "#controls [data-command='done']")
        wait_for(browser, done.is_displayed, "the done button")  # late on a loaded machine
        done.click()
        wait_for(browser, lambda: screen.ends() == 2, "the session to end")
        answer_by_clicks(browser, screen, knowledge, EMERGENCY)
        audit(browser, language, "emergency")


def stop_and_wait(browser: Any, screen: ScreenKiosk) -> None:
    ends = screen.ends()
    browser.find_element("css selector", "#controls [data-command='stop']").click()
    wait_for(browser, lambda: screen.ends() == ends + 1, "the stop")
    wait_for(browser, lambda: not js(browser, "return $('idle-view').hidden"), "the idle screen")


def check_question_screen(browser: Any, screen: ScreenKiosk, pack: Pack, language: str) -> None:
    size = "return parseFloat(getComputedStyle($('question')).fontSize)"
    assert js(browser, size) >= 32, "the question is in large type"
    browser.find_element("id", "larger").click()
    assert js(browser, size) >= 40, "and larger with a button"
    browser.find_element("id", "larger").click()
    browser.find_element("id", "larger").click()  # back to the default
    assert js(browser, size) < 40
    origins = js(browser, "return performance.getEntriesByType('resource').map((e) => e.name)")
    outside = [url for url in origins if not url.startswith(screen.url.rstrip("/"))]
    assert outside == [], "nothing is loaded from outside the machine"
    if language == "ko":
        assert rendered_fonts(browser, "#question") == {"Noto Sans CJK KR"}, "Korean renders"


def test_korean_fonts_are_installed() -> None:
    require_browser()
    families = subprocess.run(
        ["fc-list", ":lang=ko", "family"], capture_output=True, text=True, check=True
    ).stdout
    assert "Noto Sans CJK KR" in families
