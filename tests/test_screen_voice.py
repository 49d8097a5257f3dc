"""Voice mode beside the screen: a press cuts speech short (never the emergency advice),
and the screen is told when the microphone opens and closes."""

from __future__ import annotations

import io
from collections.abc import Callable

from kiosk.core.events import Heard, Output, Utterance
from kiosk.dialog.machine import Dialog
from kiosk.frontends.inbox import Inbox
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.audio import ClipSource
from kiosk.hearing.grammar import Expectation
from kiosk.language.pack import Pack
from kiosk.speaking.tts import SilentSpeaker
from kiosk.triage.knowledge import Knowledge


class ScriptedListener:
    """Hears each of `said` in turn, one per turn."""

    def __init__(self, said: list[str]) -> None:
        self.said = list(said)

    def listen(
        self, source: object, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Heard | None:
        assert self.said, "the kiosk listened once more than expected"
        return Utterance(self.said.pop(0))


class PressingSpeaker(SilentSpeaker):
    """Records what is spoken; the first time `press_on` is said, a person presses `press`."""

    def __init__(self, inbox: Inbox, press_on: str, press: str) -> None:
        super().__init__()
        self.inbox = inbox
        self.press_on = press_on
        self.press = press

    def start(self, text: str) -> None:
        super().start(text)
        if text == self.press_on and self.spoken.count(text) == 1:
            self.inbox.put(Utterance(self.press))


def front_end(
    knowledge: Knowledge, pack: Pack, said: list[str], speaker: PressingSpeaker
) -> tuple[VoiceFrontEnd, io.StringIO, list[bool]]:
    captions = io.StringIO()
    listening: list[bool] = []

    def make(emit: Callable[[Output], None]) -> Dialog:
        return Dialog(knowledge, pack, emit, lambda summary: True)

    front = VoiceFrontEnd(
        make,
        ScriptedListener(said),
        ClipSource([]),
        speaker,
        captions,
        speaker.inbox,
        listening.append,
    )
    return front, captions, listening


def test_a_press_while_the_kiosk_talks_stops_the_rest_of_its_talking(
    knowledge: Knowledge, pack: Pack
) -> None:
    inbox = Inbox()
    speaker = PressingSpeaker(inbox, pack.say("welcome"), "stop")
    front, captions, listening = front_end(knowledge, pack, [], speaker)
    front.run(sessions=1, start_at_once=True)
    assert speaker.spoken == [pack.say("welcome"), pack.say("stopped")]
    question = pack.questions["stroke_signs"].ask
    assert question in captions.getvalue(), "what was not spoken is still shown"
    assert listening == [], "the press was there before the microphone opened"


def test_the_emergency_advice_is_spoken_in_full_even_after_a_press(
    knowledge: Knowledge, pack: Pack
) -> None:
    inbox = Inbox()
    emergency = pack.say("emergency", number=pack.emergency_number)
    speaker = PressingSpeaker(inbox, emergency, "repeat")
    front, captions, listening = front_end(knowledge, pack, ["yes", "done"], speaker)
    front.run(sessions=1, start_at_once=True)
    waiting = pack.say("emergency_while_waiting")
    assert speaker.spoken.count(emergency) == 2 and speaker.spoken.count(waiting) == 2
    intro = pack.say("results_intro_early")  # the questions stopped at the red flag
    assert speaker.spoken.count(intro) == 1, "the other results were cut short, then repeated"
    assert captions.getvalue().count(intro) == 2, "but shown both times"
    assert listening == [True, False, True, False], "the screen saw the microphone open and close"
