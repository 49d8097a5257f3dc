"""The kiosk screen in a real headless Chromium: clicks, keys, emergency, reset, races.

One browser for the module; each test gets a kiosk of its own on a free port.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from kiosk.core.events import Heard, Result, Say, Utterance
from kiosk.dialog.table import READBACK_QUESTION
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.audio import ClipSource
from kiosk.hearing.grammar import Expectation
from kiosk.language.pack import Pack, load_pack
from kiosk.speaking.tts import SilentSpeaker
from kiosk.triage.knowledge import Knowledge
from tests.conftest import Kiosk
from tests.support.browser import ScreenKiosk, require_browser, serving, start_chromium

pytestmark = pytest.mark.browser

ANSWERS = {"onset": "gradual", "sides": "both_legs", "back_pain": "yes", "age": "67"}
EMERGENCY = {"stroke_signs": "yes"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser()
    driver = start_chromium()
    driver.set_script_timeout(10)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def screen(knowledge: Knowledge, pack: Pack) -> Iterator[ScreenKiosk]:
    with serving(knowledge, pack) as screen:
        yield screen


class TypedKiosk(Kiosk):
    """The same answers typed, in the pack's own words (also for "don't know")."""

    def words_for(self, question: str, value: str) -> str:
        if value == "dont_know":
            return self.pack.answers["dont_know"][0]
        return super().words_for(question, value)


def typed_result(knowledge: Knowledge, pack: Pack, answers: Mapping[str, str]) -> Result:
    typed = TypedKiosk(knowledge, pack)
    typed.start()
    typed.answer_all(answers)
    return typed.result()


def js(driver: Any, script: str, *args: object) -> Any:
    return driver.execute_script(script, *args)


def wait_for(driver: Any, condition: Callable[[], object], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {page_text(driver)[:300]!r}")
        time.sleep(0.02)


def page_text(driver: Any) -> str:
    return str(js(driver, "return document.body.innerText"))


def open_page(driver: Any, screen: ScreenKiosk) -> None:
    driver.get(screen.url)
    idle = screen.pack.say("idle")
    wait_for(driver, lambda: js(driver, "return $('idle-text').textContent") == idle, "hello")


def ready_for(driver: Any, screen: ScreenKiosk, asked: int) -> bool:
    """The page shows the kiosk's latest question (ask number `asked`), buttons enabled."""
    asks = screen.asks()
    if len(asks) < asked:
        return False
    shown = js(driver, "return $('question').textContent")
    enabled = js(driver, "return !!document.querySelector('#answers button:not([disabled])')")
    return bool(shown == asks[asked - 1].text and enabled)


def wait_turn(driver: Any, screen: ScreenKiosk, asked: int, results: int = 0) -> None:
    """Until a new result (beyond `results`), or ask number `asked` is on the page ready."""
    wait_for(
        driver,
        lambda: len(screen.results()) > results or ready_for(driver, screen, asked),
        "a question",
    )


def value_for(knowledge: Knowledge, question: str, answers: Mapping[str, str]) -> str:
    if question == READBACK_QUESTION:  # the answers read back: they were heard right
        return answers.get(question, "yes")
    kind = knowledge.questions[question].kind.value if question in knowledge.questions else "yesno"
    return answers.get(question, "no" if kind == "yesno" else "dont_know")


def answer_by_clicks(
    driver: Any, screen: ScreenKiosk, knowledge: Knowledge, answers: Mapping[str, str]
) -> None:
    """Press start, then the button of each answer, until the results are on screen."""
    asks, results = len(screen.asks()), len(screen.results())
    driver.find_element("id", "start").click()
    for asked in range(asks + 1, asks + 80):
        wait_turn(driver, screen, asked, results)
        if len(screen.results()) > results:
            wait_for(driver, lambda: js(driver, "return !$('results-view').hidden || !$('emergency').hidden"), "results")  # fmt: skip
            return
        ask = screen.asks()[asked - 1]
        value = value_for(knowledge, ask.question, answers)
        if ask.type == "number" and value != "dont_know":
            for digit in value:
                driver.find_element(
                    "xpath", f"//div[@id='keypad']/button[text()='{digit}']"
                ).click()
            driver.find_element("css selector", "#keypad .ok").click()
            continue
        buttons = driver.find_elements("css selector", "#answers button")
        index = ask.choices.index(value) if value in ask.choices else len(buttons) - 1
        buttons[index].click()
    raise AssertionError("the kiosk kept asking")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_session_by_clicks_alone_reaches_the_same_result_as_typing(
    browser: Any, knowledge: Knowledge, language: str
) -> None:
    pack = load_pack(language, knowledge)
    with serving(knowledge, pack) as screen:
        screen.run_text()
        open_page(browser, screen)
        assert js(browser, "return document.documentElement.lang") == language
        answer_by_clicks(browser, screen, knowledge, ANSWERS)
        expected = typed_result(knowledge, pack, ANSWERS)
        result = screen.results()[-1]
        assert (result.triage, result.causes, result.answers) == (
            expected.triage,
            expected.causes,
            expected.answers,
        )
        shown = js(browser, "return $('results-lines').innerText")
        assert pack.causes[result.causes[0].id] in shown, "the leading cause is on screen"
        said = [o.text for o in screen.outputs if isinstance(o, Say) and o.kind == "result"]
        assert [line for line in said if line not in shown] == [], "with the reasons said"


def focus_by_tab(driver: Any, text: str, limit: int = 40) -> None:
    """Press Tab until the focused element reads `text`; its focus must be visible."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if js(driver, "return document.activeElement.textContent") == text:
            outline = js(driver, "return getComputedStyle(document.activeElement).outlineStyle")
            assert outline not in ("none", ""), f"focus on {text!r} cannot be seen"
            return
    raise AssertionError(f"Tab never reached {text!r}")


def test_a_whole_session_by_keyboard_alone(
    browser: Any, screen: ScreenKiosk, knowledge: Knowledge, pack: Pack
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    screen.run_text()
    open_page(browser, screen)
    focus_by_tab(browser, pack.screen["start"])
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    for asked in range(1, 80):
        wait_turn(browser, screen, asked)
        if screen.results():
            break
        ask = screen.asks()[asked - 1]
        value = value_for(knowledge, ask.question, ANSWERS)
        if ask.type == "number" and value != "dont_know":
            assert js(browser, "return document.activeElement.id") == "question"
            ActionChains(browser).send_keys(Keys.TAB).perform()
            assert js(browser, "return document.activeElement.id") == "number-input"
            ActionChains(browser).send_keys(value, Keys.ENTER).perform()
            continue
        index = ask.choices.index(value) if value in ask.choices else len(ask.choices)
        label = js(browser, "return document.querySelectorAll('#answers button')[arguments[0]].textContent", index)  # fmt: skip
        focus_by_tab(browser, label)
        ActionChains(browser).send_keys(Keys.SPACE if asked % 2 else Keys.ENTER).perform()
    else:
        raise AssertionError("the kiosk kept asking")
    assert screen.results()[-1] == typed_result(knowledge, pack, ANSWERS)
    focus_by_tab(browser, pack.screen["done"])
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_for(browser, lambda: screen.ends() == 1, "the session to end")
    assert len(screen.saved) == 1, "the summary was handed over"


ORDER_LOG = """
window.order = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (r.target.id === 'emergency' && !r.target.hidden) order.push('emergency');
    if (r.target.id === 'results-view' && !r.target.hidden) order.push('results');
    if (r.target.id === 'results-lines' && r.addedNodes.length) order.push('result line');
  }
}).observe(document.body, {subtree: true, childList: true, attributes: true,
                           attributeFilter: ['hidden']});
"""


def test_the_emergency_banner_comes_before_any_result_and_stays(
    browser: Any, screen: ScreenKiosk, knowledge: Knowledge, pack: Pack
) -> None:
    screen.run_text()
    open_page(browser, screen)
    js(browser, ORDER_LOG)
    answer_by_clicks(browser, screen, knowledge, EMERGENCY)
    wait_for(browser, lambda: "result line" in js(browser, "return order"), "the other results")
    order = js(browser, "return order")
    assert order[0] == "emergency", order
    banner = js(browser, "return $('emergency-lines').firstChild.textContent")
    assert banner == pack.say("emergency", number=pack.emergency_number)
    covering = "return !!document.elementFromPoint(innerWidth / 2, innerHeight / 2).closest('#emergency')"  # fmt: skip
    assert js(browser, covering), "the banner covers the whole screen"
    assert js(browser, "return document.activeElement.id") == "emergency-title"
    browser.find_element("css selector", "#emergency [data-command='repeat']").click()
    wait_for(browser, lambda: len([o for o in screen.outputs if o == screen.outputs[-1]]) > 1, "repeat")  # fmt: skip
    assert js(browser, covering), "the banner stays after repeat"
    browser.find_element("css selector", "#emergency [data-command='done']").click()
    wait_for(browser, lambda: js(browser, "return $('emergency').hidden"), "the banner to go")
    assert screen.ends() == 1


def test_after_a_reset_nothing_of_the_previous_person_is_in_the_page(
    browser: Any, screen: ScreenKiosk, knowledge: Knowledge, pack: Pack
) -> None:
    screen.run_text()
    open_page(browser, screen)
    answer_by_clicks(browser, screen, knowledge, ANSWERS)
    result = screen.results()[-1]
    private = [a.text for a in screen.asks()] + [pack.causes[c.id] for c in result.causes]
    private += [reason for c in result.causes for reason in c.reasons]
    browser.find_element("css selector", "#controls [data-command='done']").click()
    wait_for(browser, lambda: not js(browser, "return $('idle-view').hidden"), "the idle screen")
    for reload in (False, True):
        if reload:
            open_page(browser, screen)
        text = page_text(browser) + str(js(browser, "return document.body.innerHTML"))
        assert [p for p in private if p in text] == [], "left on the page"
        captions = js(browser, "return [...$('captions').children].map((c) => c.textContent)")
        assert set(captions) <= {pack.say("idle")}, "only the greeting for the next person"
        assert js(browser, "return localStorage.length + sessionStorage.length") == 0
    # Stop in the middle of a session clears the page too.
    browser.find_element("id", "start").click()
    wait_for(browser, lambda: ready_for(browser, screen, len(screen.asks()) or 1000), "a question")
    question = screen.asks()[-1].text
    browser.find_element("css selector", "#controls [data-command='stop']").click()
    wait_for(browser, lambda: screen.ends() == 2, "the stop")
    wait_for(browser, lambda: question not in page_text(browser), "the question to go")
    captions = js(browser, "return [...$('captions').children].map((c) => c.textContent)")
    assert set(captions) <= {pack.say("idle")}


class RacingListener:
    """Hears "no" to the first question at the moment a touch arrives for it too."""

    def __init__(self) -> None:
        self.raced = False

    def listen(
        self, source: object, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Heard | None:
        deadline = time.monotonic() + 20
        while not interrupted():
            if time.monotonic() > deadline:
                raise AssertionError("nothing arrived while listening")
            time.sleep(0.005)
        if self.raced:
            return None  # a later touch or key goes through
        self.raced = True
        return Utterance("no")


def test_a_voice_answer_and_a_click_arriving_together_count_once(
    browser: Any, screen: ScreenKiosk, knowledge: Knowledge, pack: Pack
) -> None:
    front = VoiceFrontEnd(
        screen.screen_dialog(),
        RacingListener(),
        ClipSource([]),
        SilentSpeaker(),
        io.StringIO(),
        screen.inbox,
        screen.server.listening,
    )
    runner = threading.Thread(target=front.run, kwargs={"sessions": 1, "start_at_once": True})
    runner.start()
    try:
        open_page(browser, screen)
        wait_for(browser, lambda: ready_for(browser, screen, 1), "the first question")
        listening = "return $('listening').classList.contains('on')"
        wait_for(browser, lambda: js(browser, listening), "the listening sign")
        assert js(browser, "return $('listening').textContent") == pack.screen["listening"]
        first = screen.asks()[0].question
        browser.find_elements("css selector", "#answers button")[0].click()  # "yes"
        wait_for(browser, lambda: ready_for(browser, screen, 2), "the second question")
        assert front.dialog.answers == {first: "no"}, "voice came first; the click is dropped"
        assert len(screen.asks()) == 2 and screen.asks()[1].question != first
        time.sleep(0.2)
        assert front.dialog.answers == {first: "no"}, "and the click did not answer the next one"
        browser.find_element("css selector", "#controls [data-command='stop']").click()
        runner.join(timeout=10)
        assert not runner.is_alive()
    finally:
        if runner.is_alive():
            screen.inbox.put(Utterance("stop"))
            runner.join(timeout=10)


BROKEN = """
const done = arguments[arguments.length - 1];
const socket = new WebSocket(`ws://${location.host}/ws`);
const errors = [];
socket.onmessage = (message) => {
  const event = JSON.parse(message.data);
  if (event.event !== 'error') return;
  errors.push(event.code);
  if (errors.length === 4) { socket.close(); done(errors); }
};
socket.onopen = () => {
  socket.send('{not json');
  socket.send(JSON.stringify({type: 'answer', text: 'yes'}));
  socket.send('x'.repeat(5000));
  socket.send(JSON.stringify({type: 'shout', text: 'yes'}));
};
"""


def test_broken_websocket_messages_get_an_error_and_the_session_goes_on(
    browser: Any, screen: ScreenKiosk, knowledge: Knowledge, pack: Pack
) -> None:
    screen.run_text()
    open_page(browser, screen)
    browser.find_element("id", "start").click()
    wait_for(browser, lambda: ready_for(browser, screen, 1), "the first question")
    errors = browser.execute_async_script(BROKEN)
    assert errors == ["not_json", "bad_question", "too_large", "unknown_type"]
    assert len(screen.asks()) == 1, "nothing was answered by the broken messages"
    browser.refresh()  # the page picks up the session where it was
    wait_for(browser, lambda: ready_for(browser, screen, 1), "the question again")
    screen.outputs.clear()
    screen.inbox.put(Utterance("stop"))
    wait_for(browser, lambda: screen.ends() == 1, "the stop")
    open_page(browser, screen)
    answer_by_clicks(browser, screen, knowledge, ANSWERS)
    assert screen.results()[-1] == typed_result(knowledge, pack, ANSWERS)
