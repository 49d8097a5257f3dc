"""Voice mode when devices fail: the microphone goes and comes back, the speech engine
breaks. Fakes stand in for the devices; the dialog, front end and speaker are real."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from typing import Any

from kiosk.config.speech import SpeechSettings
from kiosk.core.errors import AudioDeviceError
from kiosk.core.events import Ask, End, Heard, Output, Result, Say, Utterance
from kiosk.dialog.machine import Dialog
from kiosk.frontends.inbox import Inbox
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.audio import CHUNK_BYTES
from kiosk.hearing.grammar import Expectation
from kiosk.language.pack import Pack
from kiosk.records.report import Summary
from kiosk.speaking.espeak import Chunk
from kiosk.speaking.fakes import FakeSynth, MemoryOutput
from kiosk.speaking.speaker import StreamingSpeaker, Synth
from kiosk.speaking.tts import SilentSpeaker, Speaker
from kiosk.triage.knowledge import Knowledge
from tests.conftest import Kiosk

ANSWERS = {
    "onset": "gradual",
    "sides": "both_legs",
    "feet_numb": "yes",
    "diabetes": "yes",
    "age": "67",
}


class FlakyMicrophone:
    """Sends silence; after `works_for` turns it stops (open_turn raises, as the real
    microphone does after two seconds without sound) until `reopen` has been tried
    `gone_for` times."""

    def __init__(self, works_for: int, gone_for: int) -> None:
        self.turns_left = works_for
        self.gone_for = gone_for
        self.reopen_tries = 0
        self.gone = False

    def open_turn(self) -> Iterator[bytes]:
        if self.turns_left == 0:
            self.gone = True
        if self.gone:
            raise AudioDeviceError("the microphone stopped sending sound")
        self.turns_left -= 1
        while True:
            yield bytes(CHUNK_BYTES)

    def reopen(self) -> None:
        self.reopen_tries += 1
        if self.reopen_tries < self.gone_for:
            raise AudioDeviceError("no such device")
        self.gone = False
        self.turns_left = -1  # works from now on

    def close(self) -> None:
        pass


class Person:
    """Hears each question (through the source, so a dead microphone fails the turn)
    and answers from a script; says "done" at the results."""

    def __init__(self, kiosk: Kiosk, answers: dict[str, str]) -> None:
        self.kiosk = kiosk
        self.answers = answers
        self.spoken = 0

    def words(self, question: str | None) -> str:
        if question is None:
            return "done"
        kind = self.kiosk.knowledge.questions[question].kind.value
        value = self.answers.get(question, "no" if kind == "yesno" else "dont_know")
        return self.kiosk.words_for(question, value)

    def listen(
        self, source: Any, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Heard | None:
        next(iter(source.open_turn()))
        self.spoken += 1
        if expecting.yes_no:  # "You told me ... Is that right?"
            return Utterance("yes")
        return Utterance(self.words(expecting.question.id if expecting.question else None))


def _typed_result(knowledge: Knowledge, pack: Pack) -> Result:
    typed = Kiosk(knowledge, pack)
    typed.start()
    typed.answer_all(ANSWERS)
    return typed.result()


class Run:
    """A voice front end with a recording dialog; `keys` answers while the microphone is gone."""

    def __init__(
        self, knowledge: Knowledge, pack: Pack, source: Any, speaker: Speaker, keys: int = 0
    ) -> None:
        self.outputs: list[Output] = []
        self.saved: list[Summary] = []
        self.inbox = Inbox()
        self.person = Person(Kiosk(knowledge, pack), ANSWERS)
        self.keys_left = keys
        self.keyed: list[str] = []
        self.captions = io.StringIO()
        self.front = VoiceFrontEnd(
            self._make, self.person, source, speaker, self.captions, self.inbox, reopen_every=0.05
        )

    def _make(self, emit: Callable[[Output], None]) -> Dialog:
        def record(output: Output) -> None:
            self.outputs.append(output)
            emit(output)
            if isinstance(output, Ask) and self.front.microphone_lost and self.keys_left:
                self.keys_left -= 1
                words = self.person.words(output.question)
                key = {"no": "2", "yes": "1", "I don't know": "3"}.get(words, words)
                self.keyed.append(output.question)
                self.inbox.put(Utterance(key), output.question)

        return Dialog(self.person.kiosk.knowledge, self.person.kiosk.pack, record, self._save)

    def _save(self, summary: Summary) -> bool:
        self.saved.append(summary)
        return True

    def run(self) -> float:
        started = time.monotonic()
        assert self.front.run(sessions=1, start_at_once=True) == 0
        return time.monotonic() - started

    def lines(self) -> list[str]:
        return [o.text for o in self.outputs if isinstance(o, Say | Ask)]

    def result(self) -> Result:
        return [o for o in self.outputs if isinstance(o, Result)][-1]


def test_a_microphone_that_goes_away_switches_to_keys_and_comes_back(
    knowledge: Knowledge, pack: Pack
) -> None:
    microphone = FlakyMicrophone(works_for=3, gone_for=3)
    run = Run(knowledge, pack, microphone, SilentSpeaker(), keys=2)
    run.run()
    lost, back = pack.say("microphone_lost"), pack.say("microphone_back")
    lines = run.lines()
    assert lines.count(lost) == 1 and lines.count(back) == 1
    assert "1 for yes, 2 for no, 3 for not sure" in lost and "staff" in lost
    asked_when_lost = [o for o in run.outputs if isinstance(o, Ask)][3]  # after 3 spoken answers
    after_lost = run.outputs[run.outputs.index(Say(lost, "error")) + 1]
    assert after_lost == asked_when_lost, "the unanswered question is asked again, for the keys"
    assert len(run.keyed) == 2 and microphone.reopen_tries == 3
    assert run.person.spoken > 3, "it listens again once the microphone is back"
    expected = _typed_result(knowledge, pack)
    assert run.result().answers == expected.answers, (
        "nothing answered before, by keys or after is lost"
    )
    assert run.result().triage == expected.triage
    typed = [(a.question, a.asked, a.answer) for a in _typed_summary_answers(knowledge, pack)]
    assert [[(a.question, a.asked, a.answer) for a in s.answers] for s in run.saved] == [typed]
    how = {a.question: a.how for a in run.saved[0].answers}
    assert all("key" in how[q] for q in run.keyed), "the clinician sees which came by key"
    assert sum("key" in h for h in how.values()) == len(run.keyed)
    assert lost in run.captions.getvalue() and back in run.captions.getvalue()


def _typed_summary_answers(knowledge: Knowledge, pack: Pack) -> Any:
    typed = Kiosk(knowledge, pack)
    typed.start()
    typed.answer_all(ANSWERS)
    typed.say("done")
    return typed.saved[0].answers


def broken_at_start(voice: str | None) -> FakeSynth:
    raise RuntimeError("espeak-ng is not installed")


class FailingEngine(FakeSynth):
    """Speaks two lines, then raises in the middle of the third."""

    def synthesize(self, text: str, words_per_minute: int, sink: Chunk) -> None:
        super().synthesize(text, words_per_minute, sink)
        if len(self.made) == 3:
            raise RuntimeError("the sound device went away")


def quick_speaker(synth: Callable[[str | None], Synth]) -> StreamingSpeaker:
    """The real speaker with fake devices, speaking a line in a few milliseconds."""
    return StreamingSpeaker(SpeechSettings(), synth, lambda device, rate: MemoryOutput())


def _captions_show_every_line(run: Run) -> None:
    shown = run.captions.getvalue()
    position = 0
    for line in run.lines():
        position = shown.index(line, position)  # in order, none missing


def test_a_speech_engine_that_fails_at_start_leaves_captions_and_a_whole_session(
    knowledge: Knowledge, pack: Pack
) -> None:
    speaker = quick_speaker(broken_at_start)
    run = Run(knowledge, pack, FlakyMicrophone(works_for=-1, gone_for=0), speaker)
    seconds = run.run()
    speaker.close()
    _captions_show_every_line(run)
    assert isinstance(run.outputs[-1], End) and len(run.saved) == 1
    assert run.result().answers == _typed_result(knowledge, pack).answers
    assert seconds < 3.0, f"the broken engine held the kiosk up for {seconds:.1f} s"


def test_a_speech_engine_that_raises_mid_line_leaves_captions_and_a_whole_session(
    knowledge: Knowledge, pack: Pack
) -> None:
    engine = FailingEngine(seconds_per_character=0.0001)
    speaker = quick_speaker(engine)
    run = Run(knowledge, pack, FlakyMicrophone(works_for=-1, gone_for=0), speaker)
    seconds = run.run()
    speaker.close()
    _captions_show_every_line(run)
    assert engine.made == run.lines()[:3], "spoken until it broke, then captions only"
    assert isinstance(run.outputs[-1], End) and len(run.saved) == 1
    assert run.result().answers == _typed_result(knowledge, pack).answers
    assert seconds < 3.0
