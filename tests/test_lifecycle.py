"""An unattended session: re-prompt, two spoken warnings, then reset; "wait" extends it."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from kiosk.core.events import Ask, End, Heard, Output, Say, Start, Utterance, Voice
from kiosk.dialog.machine import Dialog, State
from kiosk.dialog.patience import Patience
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.audio import AudioSource, ClipSource
from kiosk.hearing.grammar import Expectation
from kiosk.language.pack import Pack, load_pack
from kiosk.speaking.tts import SilentSpeaker
from kiosk.triage.knowledge import Knowledge
from tests.conftest import Kiosk


def texts(outputs: list[Output]) -> list[str]:
    return [o.text for o in outputs if isinstance(o, Say | Ask)]


def test_silence_reprompts_then_warns_twice_then_clears_everything(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.say("no")
    question = kiosk.asking
    pack = kiosk.pack
    first = kiosk.silence()
    assert texts(first)[0] == pack.say("silence") and kiosk.asking == question
    second = kiosk.silence()
    assert texts(second)[0] == pack.say("still_there") and kiosk.asking == question
    assert "wait" in texts(second)[0].lower()
    third = kiosk.silence()
    assert texts(third)[0] == pack.say("last_warning") and kiosk.asking == question
    assert not kiosk.ended()
    fourth = kiosk.silence()
    assert texts(fourth) == [pack.say("timed_out")]
    assert isinstance(fourth[-1], End)
    assert kiosk.state is State.IDLE and kiosk.dialog.answers == {}


def test_saying_wait_gives_more_time_and_can_be_repeated(kiosk: Kiosk) -> None:
    kiosk.start()
    question = kiosk.asking
    for _ in range(12):  # WCAG 2.2.1: at least ten extensions
        kiosk.silence()
        kiosk.silence()
        kiosk.silence()
        granted = kiosk.say("more time")
        assert texts(granted) == [kiosk.pack.say("more_time")]
        assert kiosk.silence() == [] and kiosk.silence() == [], "extra time is quiet"
    again = kiosk.silence()
    assert texts(again)[0] == kiosk.pack.say("silence")
    assert kiosk.asking == question and not kiosk.ended()


def test_any_answer_restarts_the_count(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.silence()
    kiosk.silence()
    kiosk.say("no")
    assert texts(kiosk.silence())[0] == kiosk.pack.say("silence")


def test_an_unattended_result_is_saved_for_staff_before_the_reset(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.say("yes")  # a red flag: the emergency guidance and the result
    assert kiosk.state is State.EMERGENCY
    for _ in range(3):
        assert not any(isinstance(o, End) for o in kiosk.silence())
    last = kiosk.silence()
    assert len(kiosk.saved) == 1 and kiosk.saved[0].triage == "emergency"
    assert kiosk.pack.say("timed_out") in texts(last) and isinstance(last[-1], End)
    assert kiosk.state is State.IDLE


def test_the_number_of_warnings_is_configurable(knowledge: Knowledge, pack: Pack) -> None:
    kiosk = Kiosk(knowledge, pack)
    kiosk.dialog = Dialog(knowledge, pack, kiosk.out.append, kiosk._save, patience=Patience(1))
    kiosk.start()
    kiosk.silence()
    assert texts(kiosk.silence())[0] == pack.say("last_warning")
    assert isinstance(kiosk.silence()[-1], End)


def test_silence_at_idle_says_nothing(kiosk: Kiosk) -> None:
    assert all(kiosk.silence() == [] for _ in range(10))


def test_korean_wait_words_extend_the_session(knowledge: Knowledge) -> None:
    ko = load_pack("ko", knowledge)
    kiosk = Kiosk(knowledge, ko)
    kiosk.start()
    kiosk.silence()
    for words in ko.commands["wait"]:
        assert texts(kiosk.say(words)) == [ko.say("more_time")], words


class ScriptedListener:
    """A fake listener: hears the scripted events in order, then nothing more."""

    def __init__(self, heard: list[Heard]) -> None:
        self.heard: Iterator[Heard] = iter(heard)

    def listen(
        self, source: AudioSource, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Heard:
        return next(self.heard)


def test_a_new_person_hears_the_default_volume_and_rate(knowledge: Knowledge, pack: Pack) -> None:
    speaker = SilentSpeaker()
    outputs: list[Output] = []

    def make(emit: object) -> Dialog:
        def both(output: Output) -> None:
            outputs.append(output)
            emit(output)  # type: ignore[operator]

        return Dialog(knowledge, pack, both, lambda summary: True)

    heard: list[Heard] = [Start(), Utterance("louder"), Utterance("slower"), Utterance("stop")]
    front = VoiceFrontEnd(make, ScriptedListener(heard[1:]), ClipSource([]), speaker, io.StringIO())
    front.run(sessions=1, start_at_once=True)
    changes = [o for o in outputs if isinstance(o, Voice)]
    assert changes[-2].volume > 1.0 and changes[-2].rate < 1.0, "the first person's changes"
    assert (changes[-1].rate, changes[-1].volume) == (1.0, 1.0)
    assert outputs.index(changes[-1]) < outputs.index(
        next(o for o in outputs if isinstance(o, End))
    )
    assert (speaker.rate, speaker.volume) == (1.0, 1.0), "the speaker is back at the defaults"


def test_timing_out_also_puts_the_voice_back(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.say("quieter")
    for _ in range(4):
        kiosk.silence()
    voice = [o for o in kiosk.out if isinstance(o, Voice)]
    assert (voice[-1].rate, voice[-1].volume) == (1.0, 1.0)
    assert isinstance(kiosk.out[-1], End)


def test_silence_while_confirming_asks_the_confirmation_again(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.say("yes", confidence=0.2)
    assert kiosk.state is State.CONFIRMING
    again = kiosk.silence()
    assert isinstance(again[-1], Ask) and again[-1].question == "confirm"
    assert kiosk.state is State.CONFIRMING
